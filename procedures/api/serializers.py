"""The catalogue's API representation (api.md "Catalogue")."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procedures.models import Component, Procedure, ProcedureStep


def number(value: Decimal | None):
    """A JSON number: 3 rather than "3.00", 1.5 rather than "1.50"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class FieldRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TimeSerializer(serializers.Serializer):
    amount = serializers.FloatField()
    unit = serializers.ChoiceField(choices=["working_days", "working_hours", "days", "same_day"])


class FeeSerializer(serializers.Serializer):
    text = serializers.CharField()
    amount = serializers.IntegerField(help_text="VND; 0 when free or when the amount is set case by case")


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["name", "kind", "count", "required", "held_in"]


class ComponentDetailSerializer(serializers.ModelSerializer):
    blank_form = serializers.SerializerMethodField()

    class Meta:
        model = Component
        fields = ["name", "kind", "count", "required", "held_in", "blank_form"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_blank_form(self, component) -> str | None:
        if not component.blank_form:
            return None
        request = self.context.get("request")
        url = component.blank_form.url
        return request.build_absolute_uri(url) if request else url


class StepSerializer(serializers.ModelSerializer):
    agency = serializers.SerializerMethodField()
    department = serializers.CharField(source="department_name")
    allowance_hours = serializers.SerializerMethodField()
    inter_agency = serializers.SerializerMethodField(help_text="True when the step runs at another agency (liên thông)")

    class Meta:
        model = ProcedureStep
        fields = ["order", "name", "performer", "agency", "department", "role", "allowance_hours", "inter_agency"]

    def get_agency(self, step) -> str | None:
        return step.agency.code if step.agency_id else None

    def get_allowance_hours(self, step) -> float:
        return number(step.allowance_hours)

    def get_inter_agency(self, step) -> bool:
        return step.performer != "receiving"


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldRefSerializer()
    agency_level = serializers.SerializerMethodField(help_text="The first (main) level that performs it")
    agency_levels = serializers.SerializerMethodField()
    time_limit = serializers.SerializerMethodField()
    committed_time = serializers.SerializerMethodField(help_text="A shorter time the agency commits to, or null")
    online = serializers.CharField(source="online_mode")
    fee = serializers.SerializerMethodField()
    components = ComponentSerializer(many=True)

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "agency_level", "agency_levels", "time_limit", "committed_time",
                  "online", "online_only", "on_the_spot", "boundary_free", "fee", "components"]

    def get_agency_level(self, procedure) -> str:
        levels = procedure.level_list
        return levels[0] if levels else ""

    def get_agency_levels(self, procedure) -> list[str]:
        return procedure.level_list

    @extend_schema_field(TimeSerializer)
    def get_time_limit(self, procedure):
        return {"amount": number(procedure.time_limit_amount), "unit": procedure.time_limit_unit}

    @extend_schema_field(TimeSerializer(allow_null=True))
    def get_committed_time(self, procedure):
        if procedure.committed_amount is None:
            return None
        return {"amount": number(procedure.committed_amount), "unit": procedure.time_limit_unit}

    @extend_schema_field(FeeSerializer)
    def get_fee(self, procedure):
        return {"text": procedure.fee_text, "amount": procedure.fee_amount}


class ProcedureDetailSerializer(ProcedureListSerializer):
    components = ComponentDetailSerializer(many=True)
    steps = StepSerializer(many=True)
    agencies = AgencyRefSerializer(many=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = ProcedureListSerializer.Meta.fields + [
            "steps", "legal_basis", "requirements", "result", "agencies", "effective_from", "effective_to",
        ]
