from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from organisation.models import StaffMembership
from organisation.selectors import remember_staff_pairs


def _pairs_sql(token_table: str) -> str:
    """The user's memberships as `agency:role,agency:role`, a subquery of the token query."""
    table = connection.ops.quote_name(StaffMembership._meta.db_table)
    if connection.vendor == "postgresql":
        agg = "string_agg(m.agency_id::text || ':' || m.role, ',')"
    else:
        agg = "group_concat(m.agency_id || ':' || m.role, ',')"
    return f"SELECT {agg} FROM {table} m WHERE m.user_id = {connection.ops.quote_name(token_table)}.user_id"


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the token from POST /api/v1/auth/token/.

    The token, its user and the user's staff memberships come in one query: every API request asks for
    the caller's scope and roles, and they are then already on the user object.
    """

    keyword = "Bearer"

    def authenticate_credentials(self, key):
        model = self.get_model()
        qs = model.objects.select_related("user").annotate(_pairs=RawSQL(_pairs_sql(model._meta.db_table), ()))
        try:
            token = qs.get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        pairs = []
        for item in (token._pairs or "").split(","):
            agency, sep, role = item.partition(":")
            if sep:
                pairs.append((int(agency), role))
        remember_staff_pairs(user, pairs)
        return (user, token)
