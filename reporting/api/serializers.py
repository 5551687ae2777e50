"""Query parameters and response shapes of the report endpoints (api.md "Reports")."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dossiers.models import Channel

from .. import periods
from ..forms import period_error
from ..selectors import GROUP_BY, METRICS

DATE_FORMATS = ["%Y-%m-%d"]


class PeriodQuery(serializers.Serializer):
    """`from` and `to` (YYYY-MM-DD, inclusive; default: this month so far) and `agency` (a code in scope)."""

    agency = serializers.CharField(required=False, allow_blank=True, help_text=_("Mã cơ quan; mặc định: toàn bộ phạm vi."))

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, hence declared here.
        fields["from"] = serializers.DateField(required=False, input_formats=DATE_FORMATS, help_text="YYYY-MM-DD")
        fields["to"] = serializers.DateField(required=False, input_formats=DATE_FORMATS, help_text="YYYY-MM-DD")
        return fields

    def validate(self, attrs):
        today = timezone.localdate()
        start = attrs.get("from") or today.replace(day=1)
        end = attrs.get("to") or max(today, start)
        errors = periods.range_errors(start, end)
        if errors:
            raise serializers.ValidationError({name: [period_error(code, name)] for name, code in errors.items()})
        attrs["from"], attrs["to"] = start, end
        attrs["agency"] = attrs.get("agency") or None
        return attrs


class OnTimeQuery(PeriodQuery):
    group_by = serializers.ChoiceField(choices=GROUP_BY, required=False, default="agency")


class DossiersQuery(PeriodQuery):
    metric = serializers.ChoiceField(choices=sorted(METRICS), required=False, default="received")
    field = serializers.CharField(required=False, allow_blank=True, help_text=_("Mã lĩnh vực"))
    procedure = serializers.CharField(required=False, allow_blank=True, help_text=_("Mã thủ tục"))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM")


def _rate():
    return serializers.FloatField(allow_null=True, help_text=_("%, một chữ số thập phân; null khi mẫu số bằng 0"))


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Mã cơ quan, lĩnh vực, thủ tục; tháng YYYY-MM; kênh; 'total'"))
    label = serializers.CharField()
    received = serializers.IntegerField()
    finished = serializers.IntegerField()
    early = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    pending_in_time = serializers.IntegerField()
    pending_late = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text=_("Đang chờ công dân bổ sung (không tính quá hạn)"))
    national_in_time = serializers.IntegerField(help_text=_("Trước hạn, đúng hạn hoặc còn hạn theo cách tính của Cổng quốc gia (2.1)"))
    national_late = serializers.IntegerField()
    fully_online = serializers.IntegerField()
    apology_kept = serializers.IntegerField()
    apology_missed = serializers.IntegerField()
    on_time_rate = _rate()
    online_share = _rate()
    apologised_late_share = _rate()
    online = serializers.IntegerField()
    counter = serializers.IntegerField()
    postal = serializers.IntegerField()
    apologised_late = serializers.IntegerField()
    supplemented = serializers.IntegerField()
    supplemented_twice = serializers.IntegerField()
    supplement_rounds = serializers.IntegerField()
    rated = serializers.IntegerField()
    very_satisfied = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    satisfaction_rate = _rate()
    in_time_rate = _rate()
    national_rate = _rate()


class WithFrom(serializers.Serializer):
    """Responses start with the period: `from` (a Python keyword, hence added here) and `to`."""

    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.DateField(), "to": serializers.DateField(), **fields}


class OnTimeReportSerializer(WithFrom):
    group_by = serializers.ChoiceField(choices=GROUP_BY)
    agency = serializers.CharField(allow_null=True)
    rows = RowSerializer(many=True)
    totals = RowSerializer()


class IndicatorSerializer(serializers.Serializer):
    group = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.IntegerField()
    threshold = serializers.IntegerField(allow_null=True)
    computable = serializers.BooleanField()
    scored = serializers.BooleanField(help_text=_("false: công bố để tham khảo, không tính điểm"))
    formula = serializers.CharField()
    reason = serializers.CharField(help_text=_("Vì sao chưa tính được (khi computable = false)"))
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    rate = _rate()
    points = serializers.FloatField(allow_null=True)


class GroupTotalSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.IntegerField()
    points = serializers.FloatField()
    computable_max_points = serializers.IntegerField()
    scored_max_points = serializers.IntegerField()


class IndexTotalSerializer(serializers.Serializer):
    max_points = serializers.IntegerField()
    points = serializers.FloatField()
    computable_max_points = serializers.IntegerField()
    scored_max_points = serializers.IntegerField()


class Index766Serializer(WithFrom):
    agency = serializers.CharField(allow_null=True)
    ruleset = serializers.CharField()
    indicators = IndicatorSerializer(many=True)
    groups = GroupTotalSerializer(many=True)
    total = IndexTotalSerializer()


class ReportDossierSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(source="procedure.code")
    agency = serializers.CharField(source="agency.code")
    channel = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()
    appointment_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    verdict = serializers.CharField(allow_null=True)
    apologised = serializers.SerializerMethodField()

    def get_apologised(self, obj) -> bool:
        return hasattr(obj, "apology")
