"""Query parameters and response shapes of the calendar API (api.md "Calendar")."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from worktime.clock import Unit
from worktime.selectors import MAX_RANGE_DAYS, agency_by_code


class AgencyCodeField(serializers.CharField):
    """An active agency's code, turned into the Agency; unknown codes are a 400 naming the field."""

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        agency = agency_by_code(code)
        if agency is None:
            raise serializers.ValidationError(_("Không có cơ quan mã %(code)s.") % {"code": code})
        return agency


class AppointmentQuery(serializers.Serializer):
    received_at = serializers.DateTimeField(
        required=False, help_text="ISO 8601; without an offset it is read in Asia/Ho_Chi_Minh. Default: now."
    )
    amount = serializers.DecimalField(
        max_digits=9, decimal_places=4, min_value=0, required=False,
        help_text="The time limit; a whole number for `days`; 0 or 1 for `same_day` (default 1).",
    )
    unit = serializers.ChoiceField(choices=[u.value for u in Unit])
    agency = AgencyCodeField(required=False, help_text="Agency code; default: the national calendar.")

    def validate(self, attrs):
        if "amount" not in attrs:
            if attrs.get("unit") != Unit.SAME_DAY.value:
                raise serializers.ValidationError({"amount": [_("Nhập thời hạn giải quyết.")]})
            attrs["amount"] = 1
        return attrs


DaysQuery = type("DaysQuery", (serializers.Serializer,), {
    "from": serializers.DateField(help_text="First date, YYYY-MM-DD."),
    "to": serializers.DateField(help_text=f"Last date, YYYY-MM-DD; at most {MAX_RANGE_DAYS} days after `from`."),
    "agency": AgencyCodeField(required=False, help_text="Agency code; default: the national calendar."),
    "validate": lambda self, attrs: _check_range(attrs),
})


def _check_range(attrs):
    start, end = attrs["from"], attrs["to"]
    if end < start:
        raise serializers.ValidationError({"to": [_("Ngày cuối phải sau hoặc bằng ngày đầu.")]})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise serializers.ValidationError(
            {"to": [_("Khoảng ngày tối đa %(days)s ngày.") % {"days": MAX_RANGE_DAYS}]}
        )
    return attrs


class ExplanationEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["skip", "note"])
    date = serializers.DateField(allow_null=True)
    reason = serializers.CharField(
        help_text="weekend, holiday, swapped_working_day, extra_working_day, before_opening, lunch_break, "
                  "after_closing, non_working_day, after_same_day_cutoff, due_date_moved"
    )
    label = serializers.CharField(help_text="Human text in the request's language (Vietnamese by default).")
    params = serializers.DictField(child=serializers.CharField(),
                                   help_text="A day counted as working also has working_hours (e.g. 4 for a "
                                             "Saturday morning session).")


class AppointmentSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    amount = serializers.CharField()
    unit = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    appointment_at = serializers.DateTimeField()
    start_at = serializers.DateTimeField(help_text="When counting started (the receipt, or the next session).")
    working_day_hours = serializers.IntegerField(help_text="Working hours in one working day (8).")
    rule = serializers.CharField(help_text="What a working day counts for, in the request's language.")
    explanation = ExplanationEntrySerializer(many=True)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    working = serializers.BooleanField()
    reason = serializers.CharField(help_text="working_day, weekend, holiday, swapped_working_day, extra_working_day")
    label = serializers.CharField()
    sessions = serializers.ListField(child=serializers.CharField(), help_text="e.g. 07:00-11:30")


class DaysSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    agency = serializers.CharField(allow_null=True)
    results = DaySerializer(many=True)
