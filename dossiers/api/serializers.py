"""The dossier resources of api.md "Dossiers": read shapes, and the request bodies (types only: the rules
live in the services, whose ValidationFailed names the field)."""

from __future__ import annotations

from contextlib import contextmanager

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dossiers.models import Channel, ReturnMethod
from dossiers.selectors import dossier_is_late
from national.api.serializers import NationalSyncSerializer
from national.selectors import sync_state_json
from organisation.names import display_name


def _code(obj):
    return obj.code if obj is not None else None


def _name(user) -> str | None:
    if user is None:
        return None
    return display_name(user)


class DossierApplicantSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    id_type = serializers.CharField(required=False, allow_blank=True)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    address = serializers.CharField(required=False, allow_blank=True, max_length=600)


class DossierComponentInSerializer(serializers.Serializer):
    component = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the catalogue component")
    name = serializers.CharField(required=False, allow_blank=True, max_length=600)
    kind = serializers.CharField(required=False, allow_blank=True)
    count = serializers.IntegerField(required=False, min_value=1, max_value=100)
    file = serializers.FileField(required=False, allow_null=True, help_text="Multipart only: a PDF, JPEG or PNG scan")


@extend_schema_field(DossierComponentInSerializer(many=True))
class DossierComponentListField(serializers.ListField):
    """Components as plain dicts: the service checks each one and names `components[<i>].<field>`."""

    child = serializers.DictField()


class DossierIntakeSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=60, help_text="Procedure code")
    agency = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                   help_text="Receiving agency code; an officer's own desk by default")
    competent_agency = serializers.CharField(
        required=False, allow_blank=True, max_length=60,
        help_text="A boundary-free procedure (phi địa giới) another agency of the province performs: the code of "
                  "the competent agency the dossier goes to (needed when several perform it). The desk issues the "
                  "receipt; the dossier waits at status 1 until that agency receives it, which starts the clock")
    channel = serializers.ChoiceField(choices=Channel.values, required=False)
    applicant = DossierApplicantSerializer()
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    components = DossierComponentListField(required=False)
    received_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text="Staff only: when it was received on paper (never future)")
    return_method = serializers.ChoiceField(choices=ReturnMethod.values, required=False)
    return_address = serializers.CharField(required=False, allow_blank=True, max_length=500)
    outcome = serializers.ChoiceField(
        choices=["receive", "supplement", "refuse"], required=False,
        help_text="Staff only: the outcome of the counter check (domain.md §3). `receive` (default): received at "
                  "once, status 2, with code and appointment (form 01). `supplement`: incomplete; recorded with "
                  "its code at status 5 with a supplement round listing `items` (form 02), not received: the "
                  "appointment is computed when the complete dossier arrives (action `supplement`, which "
                  "receives it). `refuse`: recorded with its code at status 3 with `reason` (form 03).",
    )
    items = serializers.JSONField(required=False,
                                  help_text="outcome=supplement: everything missing, a list or one per line")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                   help_text="outcome=refuse: the reasons; outcome=supplement: optional")
    form = serializers.JSONField(
        required=False,
        help_text="The procedure's electronic form (tờ khai điện tử), as an object keyed by its field names "
                  "(GET /api/v1/procedures/{code}/form/ gives the fields): groups as objects, repeated groups as "
                  "lists of objects, dates YYYY-MM-DD or DD/MM/YYYY. Checked against the version in force; a "
                  "problem is a 400 whose `fields` name the path, e.g. `form.parents[1].id_number`. In a "
                  "multipart body, a JSON string.",
    )


class DossierActionSerializer(serializers.Serializer):
    """The body of every action; each action reads the fields it needs (api.md)."""

    expected_version = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                                help_text="Optional: the version you saw; a different one is 409")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    to_agency = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="transfer")
    assignee = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                     help_text="transfer, assign: the officer's user name")
    items = serializers.JSONField(required=False, help_text="request-supplement: list of missing documents")
    components = DossierComponentListField(required=False, help_text="supplement")
    deadline_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text="request-supplement: the date to supplement by")
    accept_incomplete = serializers.BooleanField(
        required=False, default=False,
        help_text="supplement: accept a reply missing requested items as complete (staff, with a note)")
    amount = serializers.IntegerField(required=False, help_text="request-payment, in đồng")
    result = serializers.CharField(required=False, allow_blank=True, max_length=10000, help_text="decide")
    result_file = serializers.FileField(required=False, allow_null=True, help_text="decide (multipart)")
    new_appointment_at = serializers.DateTimeField(required=False, help_text="apologize")


def _date_time_fields(serializer) -> list[serializers.DateTimeField]:
    """The date-time fields of a serializer and of the serializers nested in it (lists included)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    found = []
    for field in serializer.fields.values():
        if isinstance(field, serializers.DateTimeField):
            found.append(field)
        elif isinstance(field, serializers.BaseSerializer):
            found.extend(_date_time_fields(field))
    return found


@contextmanager
def one_time_zone(serializer):
    """Within the block, the serializer's date-time fields (nested ones included) write their values in
    the current time zone read once, instead of each asking the thread-local for it on every value
    (~30% of a list page of 100; DRF's own `timezone` attribute, set only for the block)."""
    from django.utils import timezone

    found = serializer.__dict__.get("_date_time_fields")
    if found is None:  # a serializer kept for many calls (the detail's) walks its fields once
        found = serializer.__dict__["_date_time_fields"] = _date_time_fields(serializer)
    fields = [f for f in found if not hasattr(f, "timezone")]
    zone = timezone.get_current_timezone()
    for field in fields:
        field.timezone = zone
    try:
        yield serializer
    finally:
        for field in fields:
            del field.timezone


class _Kept(serializers.Serializer):
    """A read serializer that lists its readable fields once: DRF's `_readable_fields` walks `fields` (a
    BindingDict, through the generic Mapping view: one lookup per key) again for every object written,
    the detail's ~120 fields and a list page's 100 rows. Its fields are fixed once it is made."""

    @property
    def _readable_fields(self):
        found = self.__dict__.get("_readable_list")
        if found is None:
            found = self.__dict__["_readable_list"] = [f for f in self.fields.values() if not f.write_only]
        return found


class _Page(serializers.ListSerializer):
    """A page of rows, written in one time zone read once (`one_time_zone`)."""

    def to_representation(self, data):
        with one_time_zone(self):
            return super().to_representation(data)


class DossierListSerializer(_Kept):
    class Meta:
        list_serializer_class = _Page

    code = serializers.CharField(allow_null=True)
    reference = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    procedure = serializers.SerializerMethodField()
    procedure_name = serializers.CharField(source="procedure.name")
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    current_agency = serializers.SerializerMethodField()
    channel = serializers.CharField()
    applicant_name = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    appointment_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.SerializerMethodField()
    verdict = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()

    def get_procedure(self, obj) -> str:
        return obj.procedure.code

    def get_current_agency(self, obj) -> str | None:
        return _code(obj.current_agency)

    def get_is_late(self, obj) -> bool:
        return dossier_is_late(obj)


class DossierEventSerializer(_Kept):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    from_status = serializers.IntegerField(allow_null=True)
    to_status = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()

    def get_actor(self, obj) -> str | None:
        return obj.actor_name or _name(obj.actor)


class DossierStepSerializer(_Kept):
    order = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    department = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    handed_by = serializers.SerializerMethodField()
    finished_by = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    verdict = serializers.CharField(allow_null=True)
    is_late = serializers.BooleanField()

    def get_department(self, obj) -> str | None:
        return obj.department.name if obj.department else None

    def _staff(self) -> bool:
        # Citizens see where and when their dossier is handled, not which officer holds it.
        return self.context.get("staff", True)

    def get_assignee(self, obj) -> str | None:
        return obj.assignee.get_username() if obj.assignee and self._staff() else None

    def get_assignee_name(self, obj) -> str | None:
        return _name(obj.assignee) if self._staff() else None

    def get_handed_by(self, obj) -> str | None:
        return _name(obj.handed_by) if self._staff() else None

    def get_finished_by(self, obj) -> str | None:
        return _name(obj.finished_by) if self._staff() else None


class DossierComponentSerializer(_Kept):
    name = serializers.CharField()
    kind = serializers.CharField()
    count = serializers.IntegerField()
    supplement_round = serializers.IntegerField()
    digitised = serializers.BooleanField()
    content_type = serializers.CharField()
    original_filename = serializers.CharField()
    added_at = serializers.DateTimeField()


class DossierSupplementSerializer(_Kept):
    round = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    items = serializers.CharField()
    reason = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)


class DossierApologySerializer(_Kept):
    issued_at = serializers.DateTimeField()
    reason = serializers.CharField()
    old_appointment_at = serializers.DateTimeField()
    new_appointment_at = serializers.DateTimeField()


class _Timeline(serializers.ListSerializer):
    """The timeline: every event for staff, the public ones for anyone else (the context's `staff`)."""

    def get_attribute(self, instance):
        events = instance.events.all()
        if not self.context.get("staff", False):
            events = [e for e in events if e.public]
        return events


class DossierFormSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Version of the procedure's electronic form it was filed on")
    effective_from = serializers.DateField()
    data = serializers.DictField(help_text="The values as filed (procedures/formdefs.py: groups as objects, "
                                           "repeated groups as lists, dates YYYY-MM-DD)")


class DossierDetailSerializer(DossierListSerializer):
    dvcqg_status = serializers.CharField()
    return_method = serializers.CharField()
    return_address = serializers.CharField()
    applicant = serializers.SerializerMethodField()
    summary = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    original_appointment_at = serializers.DateTimeField(allow_null=True)
    due_soon_at = serializers.DateTimeField(allow_null=True)
    received_by = serializers.SerializerMethodField()
    supplement_count = serializers.IntegerField()
    fee_amount = serializers.IntegerField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField(source="result_text")
    reason = serializers.CharField()
    timeline = _Timeline(child=DossierEventSerializer(), read_only=True)
    steps = DossierStepSerializer(many=True, source="steps.all")
    components = DossierComponentSerializer(many=True, source="components.all")
    supplements = DossierSupplementSerializer(many=True, source="supplements.all")
    apology = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    national_sync = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField(
        help_text="The electronic form (tờ khai điện tử) as filed; null without one")

    @extend_schema_field(NationalSyncSerializer(allow_null=True))
    def get_national_sync(self, obj):
        return sync_state_json(obj) if self.context.get("staff", False) else None

    @extend_schema_field(DossierApplicantSerializer)
    def get_applicant(self, obj) -> dict:
        return {
            "kind": obj.applicant_kind, "full_name": obj.applicant_name, "id_type": obj.applicant_id_type,
            "id_number": obj.applicant_id_number, "phone": obj.applicant_phone, "email": obj.applicant_email,
            "address": obj.applicant_address,
        }

    def get_received_by(self, obj) -> str | None:
        return _name(obj.received_by)

    @extend_schema_field(DossierApologySerializer(allow_null=True))
    def get_apology(self, obj):
        apology = getattr(obj, "apology", None)
        return DossierApologySerializer(apology).data if apology is not None else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj) -> list:
        return list(self.context.get("available_actions", []))

    @extend_schema_field(DossierFormSerializer(allow_null=True))
    def get_form(self, obj):
        """The form as filed with the version it was checked against (loaded with the detail)."""
        if obj.form_definition_id is None:
            return None
        version = obj.form_definition
        return {"version": version.version, "effective_from": version.effective_from.isoformat(),
                "data": obj.form_data}


class DossierNoticeSerializer(serializers.Serializer):
    event = serializers.CharField()
    channel = serializers.CharField()
    recipient = serializers.CharField()
    status = serializers.CharField()
    subject = serializers.CharField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
