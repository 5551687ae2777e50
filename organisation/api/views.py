from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.auth import LockedOut, forget_failures, is_locked_out, lockout_message
from organisation.errors import DomainError
from organisation.models import Agency
from organisation.phones import login_identifier
from organisation.tokens import issue_token

from .serializers import AgencySerializer
from .throttles import ScopedRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenView(APIView):
    """Exchange a username and password for a bearer token (valid API_TOKEN_TTL_HOURS). Failed log-ins are
    counted per user name and client address: past LOGIN_MAX_FAILURES the pair gets 429 `locked_out`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    omit_error_statuses = (409,)

    @extend_schema(request=TokenRequestSerializer, responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A citizen's phone number or e-mail address in any usual spelling, as the log-in page takes it.
        username = login_identifier(data.validated_data["username"])
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if is_locked_out(request):
            raise LockedOut(lockout_message())
        if user is None or not user.is_active:
            raise DomainError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid_credentials")
        forget_failures(request, username)
        return Response({"token": issue_token(user).key})


class AgencyList(generics.ListAPIView):
    """The agencies (public)."""

    permission_classes = [AllowAny]
    serializer_class = AgencySerializer
    queryset = Agency.objects.filter(is_active=True).select_related("parent").order_by("code")
