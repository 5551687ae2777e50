"""`Authorization: Bearer <token>`: the API's authentication, from the cached token owner."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from organisation.selectors import token_owner
from organisation.tokens import is_expired


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the token from POST /api/v1/auth/token/.

    The token's user and the user's staff memberships come from the shared cache (`token_owner`: no query
    once cached, forgotten whenever the token, the user or a membership changes), and are then already on
    the user object for every later question about scope and roles. A token older than
    `API_TOKEN_TTL_HOURS` is deleted and refused (401); tokens of a changed password or a deactivated
    account are already gone (`organisation.tokens`).
    """

    keyword = "Bearer"

    def authenticate_credentials(self, key):
        owner = token_owner(key)
        if owner is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = owner.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=owner.key, user_id=user.pk, created=owner.created)
        if is_expired(token):
            Token.objects.filter(pk=token.pk).delete()  # its cached owner is forgotten with it
            raise exceptions.AuthenticationFailed(_("Mã truy cập đã hết hạn. Vui lòng đăng nhập lại."))
        Token._meta.get_field("user").set_cached_value(token, user)
        return (user, token)
