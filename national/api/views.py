"""The national portal pushes a dossier filed on it: `POST /api/v1/national/dossiers/` (api.md)."""

import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.errors import DomainError

from ..inbound import receive_inbound


def _error(code: str, detail, status: int, fields=None) -> Response:
    return Response({"code": code, "detail": str(detail), "fields": fields or {}, "error_code": -1}, status=status)


def token_ok(header: str) -> bool:
    """The bearer token equals DVCQG_INBOUND_TOKEN (compared in constant time); no token set: never."""
    expected = settings.DVCQG_INBOUND_TOKEN or ""
    scheme, _sep, given = (header or "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


_FILES = inline_serializer("NationalInboundFile", many=True, required=False, fields={
    "TepDinhKemId": serializers.CharField(required=False),
    "TenTepDinhKem": serializers.CharField(),
    "MaThanhPhanHoSo": serializers.CharField(required=False),
    "IsDeleted": serializers.CharField(required=False, help_text='"False"'),
    "NoiDung": serializers.CharField(required=False, help_text="the file, base64"),
    "DuongDanTaiTepTin": serializers.CharField(required=False, help_text="or a link to it"),
})
_REQUEST = inline_serializer("NationalInboundDossier", {
    "MaHoSo": serializers.CharField(help_text="the national code of the dossier"),
    "MaTTHC": serializers.CharField(help_text="national procedure code"),
    "MaDonViTiepNhan": serializers.CharField(help_text="code of the agency that must receive it"),
    "ChuHoSo": serializers.CharField(),
    "LoaiDoiTuong": serializers.CharField(required=False, help_text='"1" person, "2" organisation'),
    "SoGiayTo": serializers.CharField(required=False),
    "SoDienThoai": serializers.CharField(required=False),
    "Email": serializers.CharField(required=False),
    "DiaChi": serializers.CharField(required=False),
    "TrichYeuHoSo": serializers.CharField(required=False),
    "NgayTiepNhan": serializers.CharField(required=False, help_text="yyyyMMddHHmmss or empty"),
    "HinhThuc": serializers.CharField(required=False, help_text='"0" at the desk, "1" by post'),
    "TaiLieuNop": _FILES,
})
_ANSWER = inline_serializer("NationalInboundAnswer", {
    "error_code": serializers.IntegerField(), "MaHoSo": serializers.CharField(), "code": serializers.CharField(),
})


class NationalDossierInbound(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A dossier filed on the national portal (DVCQG) pushed to this portal",
        description="`Authorization: Bearer <DVCQG_INBOUND_TOKEN>`. Idempotent on `MaHoSo`.",
        request=_REQUEST, auth=[],
        responses={201: _ANSWER, 200: OpenApiResponse(_ANSWER, description="the same MaHoSo again: error_code 1"),
                   400: OpenApiResponse(description='the error format plus "error_code": -1'),
                   401: OpenApiResponse(description="a wrong or missing token")},
        tags=["national"],
    )
    def post(self, request):
        if not token_ok(request.META.get("HTTP_AUTHORIZATION", "")):
            return _error("not_authenticated", _("Mã xác thực của Cổng quốc gia không đúng."), 401)
        try:
            payload = request.data
        except (ParseError, UnsupportedMediaType):
            return _error("invalid_body", _("Nội dung không phải JSON hợp lệ."), 400)
        try:
            dossier, created = receive_inbound(payload)
        except DomainError as exc:
            return _error(exc.code, exc.detail, 400, exc.fields)
        answer = {"error_code": 0 if created else 1, "MaHoSo": dossier.national_code, "code": dossier.reference}
        if not created:
            answer["message"] = _("Hồ sơ đã được tiếp nhận trước đó.")
        return Response(answer, status=201 if created else 200)
