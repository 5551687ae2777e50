"""The national portal pushes a dossier filed on it: `POST /api/v1/national/dossiers/` (api.md)."""

import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError, PermissionDenied, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.api.schema import ErrorSerializer
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
                   400: OpenApiResponse(ErrorSerializer, description='the error format plus "error_code": -1'),
                   401: OpenApiResponse(ErrorSerializer, description='a wrong or missing token (the error format plus '
                                                                      '"error_code": -1)')},
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


def _period(request):
    """(start, end) bounds of ?from=&to= (dates, default this month), or raise ValidationFailed."""
    from organisation.errors import ValidationFailed

    from ..forms import SyncFilterForm, bounds

    form = SyncFilterForm({"start": request.query_params.get("from", ""), "end": request.query_params.get("to", ""),
                           "which": request.query_params.get("state", "")})
    if not form.is_valid():
        fields = {{"start": "from", "end": "to", "which": "state"}.get(k, k): [str(m) for m in v]
                  for k, v in form.errors.items()}
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    data = form.cleaned_data
    return (*bounds(data["start"], data["end"]), data["which"])


class SyncRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="reference")
    national_code = serializers.CharField(allow_null=True)
    status = serializers.IntegerField()
    agency = serializers.CharField(source="agency.code")
    received_at = serializers.DateTimeField()
    held_since = serializers.DateTimeField(allow_null=True)
    synced_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)


class NationalSyncList(APIView):
    """Dossiers received in the period whose sync is not done (`state=unsynced`) or failing (`failed`)."""

    @extend_schema(
        summary="Dossiers not synced with the national portal, or failing",
        parameters=[OpenApiParameter("state", str, enum=["unsynced", "failed", "all"]),
                    OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses={200: SyncRowSerializer(many=True)}, tags=["national"],
    )
    def get(self, request):
        from django.db.models import F

        from dossiers.selectors import is_staff_viewer, visible_dossiers
        from organisation.api.pagination import Pagination

        from ..selectors import filter_by_sync

        if not is_staff_viewer(request.user):
            raise PermissionDenied
        start, end, which = _period(request)
        qs = visible_dossiers(request.user).filter(received_at__gte=start, received_at__lt=end)
        if which != "all":
            qs = filter_by_sync(qs, which)
        qs = qs.select_related("agency").annotate(
            held_since=F("national_sync__held_since"), synced_at=F("national_sync__synced_at"),
            attempts=F("national_sync__attempts"), last_error=F("national_sync__last_error"),
        ).order_by("-received_at", "-id")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(SyncRowSerializer(page, many=True).data)


class NationalSyncedShare(APIView):
    """Indicator 1.4 for the manager's units: dossiers synced with a receipt date in the period ÷ received."""

    @extend_schema(
        summary="Share of dossiers synced with the national portal (Decision 766, indicator 1.4)",
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses={200: inline_serializer("NationalSyncedShare", {
            "received": serializers.IntegerField(), "synced": serializers.IntegerField(),
            "rate": serializers.FloatField(allow_null=True),
            "by_agency": inline_serializer("NationalSyncedShareRow", many=True, fields={
                "code": serializers.CharField(), "name": serializers.CharField(),
                "received": serializers.IntegerField(), "synced": serializers.IntegerField(),
                "rate": serializers.FloatField(allow_null=True)})})},
        tags=["national"],
    )
    def get(self, request):
        from organisation.errors import NotAllowed
        from reporting.selectors import reporting_scope

        from ..selectors import synced_share, synced_share_by_agency

        try:
            scope = reporting_scope(request.user)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from exc
        start, end, _which = _period(request)
        agencies = None if scope is None else sorted(scope)
        total = synced_share(agencies, start, end)
        return Response({
            "received": total.received, "synced": total.synced, "rate": total.percent,
            "by_agency": [{"code": r["code"], "name": r["name"], "received": r["share"].received,
                           "synced": r["share"].synced, "rate": r["share"].percent}
                          for r in synced_share_by_agency(agencies, start, end)],
        })
