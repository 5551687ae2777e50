"""Shapes of the citizens' API: look-up, ratings, feedback, slots, bookings and the profile.

Request serializers check types only; the rules (and their Vietnamese messages naming the field) live in
`citizens.services`.
"""

from __future__ import annotations

from rest_framework import serializers

from citizens.models import Attitude, Overall, TimeVsPromise, Visits


class LookupStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField(help_text="Agency code")
    agency_name = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    verdict = serializers.CharField(allow_null=True, help_text="early | on_time | late | null")


class LookupSerializer(serializers.Serializer):
    """A dossier as anyone holding the look-up pair may see it: no personal data."""

    code = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    procedure = serializers.CharField(help_text="Procedure code")
    procedure_name = serializers.CharField()
    agency = serializers.CharField(help_text="Receiving agency code")
    agency_name = serializers.CharField()
    intake_agency_name = serializers.CharField(
        help_text="A boundary-free dossier (phi địa giới): the desk that took it (`agency` is then the competent "
                  "agency, whose receipt starts the time limit); empty otherwise")
    received_at = serializers.DateTimeField(allow_null=True)
    appointment_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField()
    steps = LookupStepSerializer(many=True)
    can_rate = serializers.BooleanField(help_text="Finished and not rated yet")


class RatingFieldsSerializer(serializers.Serializer):
    overall = serializers.ChoiceField(choices=Overall.values, required=False, allow_blank=True)
    time_vs_promise = serializers.ChoiceField(choices=TimeVsPromise.values, required=False, allow_blank=True)
    visits = serializers.ChoiceField(choices=Visits.values, required=False, allow_blank=True)
    attitude = serializers.ChoiceField(choices=Attitude.values, required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LookupRatingInSerializer(RatingFieldsSerializer):
    code = serializers.CharField(max_length=60)
    secret = serializers.CharField(max_length=10, help_text="Last 4 digits of the applicant's phone")


class OwnRatingInSerializer(RatingFieldsSerializer):
    dossier = serializers.CharField(max_length=60, help_text="Dossier code (or TT-<id> before receipt)")


class RatingSerializer(serializers.Serializer):
    dossier = serializers.SerializerMethodField()
    overall = serializers.CharField()
    time_vs_promise = serializers.CharField()
    visits = serializers.CharField()
    attitude = serializers.CharField()
    comment = serializers.CharField()
    source = serializers.CharField(help_text="online | kiosk | lookup")
    created_at = serializers.DateTimeField()

    def get_dossier(self, obj) -> str:
        return obj.dossier.reference


class FeedbackInSerializer(serializers.Serializer):
    agency = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                   help_text="Agency code; the dossier's agency when `dossier` is given")
    dossier = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                    help_text="Code of one of the caller's own dossiers")
    name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=300)
    body = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    is_complaint = serializers.BooleanField(required=False, default=True)


class PublicFeedbackSerializer(serializers.Serializer):
    """A published answer: the question and the answer, never the submitter's contact details."""

    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    subject = serializers.CharField()
    body = serializers.CharField()
    received_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class FeedbackSerializer(PublicFeedbackSerializer):
    """The submitter's or the handling staff's view."""

    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    dossier = serializers.SerializerMethodField()
    is_complaint = serializers.BooleanField()
    refuse_due_at = serializers.DateTimeField(allow_null=True)
    info_due_at = serializers.DateTimeField(allow_null=True)
    answer_due_at = serializers.DateTimeField(allow_null=True)
    refusal_reason = serializers.CharField()
    info_request = serializers.CharField()
    citizen_reply = serializers.CharField()
    published = serializers.BooleanField()
    is_late = serializers.BooleanField()
    answer_rating = serializers.CharField()

    def get_dossier(self, obj) -> str | None:
        return obj.dossier.reference if obj.dossier_id else None


class FeedbackCreatedSerializer(FeedbackSerializer):
    access_token = serializers.CharField(help_text="Keep it: with it a submitter without an account follows the feedback")


class FeedbackActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=10000, help_text="refuse")
    question = serializers.CharField(required=False, allow_blank=True, max_length=10000, help_text="request-info")
    answer = serializers.CharField(required=False, allow_blank=True, max_length=20000, help_text="answer")
    publish = serializers.BooleanField(required=False, default=False, help_text="answer")


class FeedbackReplySerializer(serializers.Serializer):
    token = serializers.CharField(required=False, allow_blank=True, max_length=60)
    reply = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class FeedbackRatingSerializer(serializers.Serializer):
    token = serializers.CharField(required=False, allow_blank=True, max_length=60)
    rating = serializers.ChoiceField(choices=Overall.values)


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="desk.agency.code")
    desk = serializers.CharField(source="desk.name")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    free = serializers.IntegerField()


class BookingInSerializer(serializers.Serializer):
    slot = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    procedure = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="Procedure code")


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slot = SlotSerializer()
    name = serializers.CharField()
    phone = serializers.CharField()
    procedure = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="booked | cancelled")
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_procedure(self, obj) -> str | None:
        return obj.procedure.code if obj.procedure_id else None


class CancelSerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                  help_text="Without an account: the phone the booking was made with")


class ProfileSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=255, allow_blank=True)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
