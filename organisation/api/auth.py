from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from organisation.models import StaffMembership
from organisation.selectors import remember_staff_pairs
from organisation.tokens import is_expired


@cache
def _token_query(vendor: str) -> tuple[str, list, list]:
    """The one statement behind every bearer request: the token, its user (every column) and the user's
    memberships as `agency:role,...`, written out from the models' metadata once per process.

    Written out rather than built by the ORM: compiling a join with an annotation costs more than
    running it, on every API request. Returns the SQL and the token's and the user's concrete fields.
    """
    q = connection.ops.quote_name
    token_fields = list(Token._meta.concrete_fields)
    user_fields = list(get_user_model()._meta.concrete_fields)
    if vendor == "postgresql":
        agg = "string_agg(m.agency_id::text || ':' || m.role, ',')"
    else:
        agg = "group_concat(m.agency_id || ':' || m.role, ',')"
    columns = [f"t.{q(f.column)}" for f in token_fields] + [f"u.{q(f.column)}" for f in user_fields]
    sql = (
        f"SELECT {', '.join(columns)}, "
        f"(SELECT {agg} FROM {q(StaffMembership._meta.db_table)} m WHERE m.user_id = u.{q('id')}) "
        f"FROM {q(Token._meta.db_table)} t "
        f"INNER JOIN {q(get_user_model()._meta.db_table)} u ON u.{q('id')} = t.{q(Token._meta.get_field('user').column)} "
        f"WHERE t.{q(Token._meta.pk.column)} = %s"
    )
    return sql, _converters(token_fields), _converters(user_fields)


def _converters(fields) -> list:
    """Per field: its attname, column expression and the converters the ORM would apply to its value
    (none on PostgreSQL; SQLite's text datetimes and integer booleans)."""
    out = []
    for field in fields:
        col = field.get_col(field.model._meta.db_table)
        out.append((field.attname, col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


def _instance(model, fields, values):
    converted = []
    for (_attname, col, converters), value in zip(fields, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [attname for attname, _col, _conv in fields], converted)


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the token from POST /api/v1/auth/token/.

    The token, its user and the user's staff memberships come in one query: every API request asks for
    the caller's scope and roles, and they are then already on the user object. A token older than
    `API_TOKEN_TTL_HOURS` is deleted and refused (401); tokens of a changed password or a deactivated
    account are already gone (`organisation.tokens`).
    """

    keyword = "Bearer"

    def authenticate_credentials(self, key):
        sql, token_fields, user_fields = _token_query(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        n = len(token_fields)
        user = _instance(get_user_model(), user_fields, row[n:n + len(user_fields)])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = _instance(Token, token_fields, row[:n])
        if is_expired(token):
            Token.objects.filter(pk=token.pk).delete()
            raise exceptions.AuthenticationFailed(_("Mã truy cập đã hết hạn. Vui lòng đăng nhập lại."))
        Token._meta.get_field("user").set_cached_value(token, user)
        pairs = []
        for item in (row[-1] or "").split(","):
            agency, sep, role = item.partition(":")
            if sep:
                pairs.append((int(agency), role))
        remember_staff_pairs(user, pairs)
        return (user, token)
