"""The citizens' API (api.md "Public look-up and feedback", plus ratings, feedback, slots, bookings and
the profile). Views translate HTTP to `citizens.services` and `citizens.selectors`; nothing else."""

from __future__ import annotations

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from citizens import selectors, services
from citizens.lookup import find_dossier
from citizens.models import Booking, Rating, Slot
from organisation.api.throttles import AnonRateThrottle
from organisation.errors import NotAllowed, NotFound, ValidationFailed
from organisation.models import Agency
from organisation.net import client_ip
from organisation.selectors import scoped_agency_ids
from procedures.models import Procedure

from .serializers import (
    BookingInSerializer,
    BookingSerializer,
    CancelSerializer,
    FeedbackActionSerializer,
    FeedbackCreatedSerializer,
    FeedbackInSerializer,
    FeedbackRatingSerializer,
    FeedbackReplySerializer,
    FeedbackSerializer,
    LookupRatingInSerializer,
    LookupSerializer,
    OwnRatingInSerializer,
    ProfileSerializer,
    PublicFeedbackSerializer,
    RatingSerializer,
    SlotSerializer,
)

RATING_KEYS = ("overall", "time_vs_promise", "visits", "attitude", "comment")


def _ratings(v: dict) -> dict:
    return {key: v.get(key, "") for key in RATING_KEYS}


class Lookup(generics.GenericAPIView):
    """Public look-up by dossier code and the last 4 digits of the applicant's phone. A wrong pair is 404
    with the same body whichever part is wrong; repeated misses are 429."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    # No request rate: a kiosk or a shared address makes many valid look-ups; only misses are counted
    # (per client address and per code, `citizens.lookup`).
    throttle_classes: list = []
    error_statuses = (404, 429)  # a wrong pair; repeated misses
    serializer_class = LookupSerializer

    @extend_schema(parameters=[
        OpenApiParameter("code", OpenApiTypes.STR, required=True, description="Dossier code"),
        OpenApiParameter("secret", OpenApiTypes.STR, required=True, description="Last 4 digits of the applicant's phone"),
    ])
    def get(self, request):
        dossier = find_dossier(request.query_params.get("code", ""), request.query_params.get("secret", ""),
                               client_ip(request), read=selectors.lookup_read)
        return Response(LookupSerializer(selectors.lookup_payload(dossier)).data)


class LookupRating(generics.GenericAPIView):
    """The satisfaction rating of a finished dossier with the look-up pair; once per dossier (409 after)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    # No request rate: a kiosk or a shared address makes many valid look-ups; only misses are counted
    # (per client address and per code, `citizens.lookup`).
    throttle_classes: list = []
    error_statuses = (404, 429)  # a wrong pair; repeated misses
    serializer_class = LookupRatingInSerializer

    @extend_schema(request=LookupRatingInSerializer, responses={201: RatingSerializer})
    def post(self, request):
        body = LookupRatingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        rating = services.rate_by_lookup(code=v["code"], secret=v["secret"], client=client_ip(request),
                                         **_ratings(v))
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class Ratings(generics.GenericAPIView):
    """The signed-in citizen's ratings of their own dossiers; POST rates one (once: 409 after)."""

    permission_classes = [IsAuthenticated]
    serializer_class = RatingSerializer

    @extend_schema(responses=RatingSerializer(many=True))
    def get(self, request):
        qs = Rating.objects.filter(dossier__citizen=request.user).select_related("dossier").order_by("-created_at")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(RatingSerializer(page, many=True).data)

    @extend_schema(request=OwnRatingInSerializer, responses={201: RatingSerializer})
    def post(self, request):
        body = OwnRatingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        dossier = selectors.get_own_dossier(request.user, v["dossier"])
        rating = services.rate_own_dossier(citizen=request.user, dossier=dossier, **_ratings(v))
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


def _agency(code: str | None) -> Agency | None:
    code = (code or "").strip()
    if not code:
        return None
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        msg = _("Không có cơ quan mã “%(code)s”.") % {"code": code}
        raise ValidationFailed(msg, fields={"agency": [msg]})
    return agency


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or scoped_agency_ids(user)))


class FeedbackList(generics.GenericAPIView):
    """GET: the published answers (public). POST: send feedback or a complaint, with or without an account."""

    permission_classes = [AllowAny]
    serializer_class = PublicFeedbackSerializer

    def get_throttles(self):
        return [AnonRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(parameters=[OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code")],
                   responses=PublicFeedbackSerializer(many=True))
    def get(self, request):
        qs = selectors.published_feedback()
        agency = _agency(request.query_params.get("agency"))
        if agency is not None:
            qs = qs.filter(agency=agency)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PublicFeedbackSerializer(page, many=True).data)

    @extend_schema(request=FeedbackInSerializer, responses={201: FeedbackCreatedSerializer})
    def post(self, request):
        body = FeedbackInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        user = request.user if request.user.is_authenticated else None
        dossier = None
        if v.get("dossier"):
            try:
                dossier = selectors.get_own_dossier(user, v["dossier"])
            except NotFound:
                msg = _("Chỉ phản ánh được về hồ sơ của chính mình.")
                raise ValidationFailed(msg, fields={"dossier": [msg]}) from None
        profile = selectors.profile_for(user) if user is not None else None
        feedback = services.submit_feedback(
            agency=_agency(v.get("agency")), dossier=dossier, citizen=user,
            name=v.get("name") or (profile.full_name if profile else ""),
            phone=v.get("phone") or (profile.phone if profile else ""),
            email=v.get("email") or (profile.email if profile else ""),
            subject=v.get("subject", ""), body=v.get("body", ""), is_complaint=v.get("is_complaint", True),
        )
        return Response(FeedbackCreatedSerializer(feedback).data, status=status.HTTP_201_CREATED)


def _feedback_for(request, feedback_id, token: str = ""):
    """Staff in scope, the submitter's account, or the private token; anyone else gets 404."""
    if _is_staff(request.user):
        try:
            return selectors.get_staff_feedback(request.user, feedback_id)
        except NotFound:
            pass
    return selectors.get_feedback_for_submitter(request.user, feedback_id, token)


class FeedbackDetail(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = FeedbackSerializer

    @extend_schema(parameters=[OpenApiParameter("token", OpenApiTypes.STR, description="Private token (no account)")])
    def get(self, request, pk):
        feedback = _feedback_for(request, pk, request.query_params.get("token", ""))
        return Response(FeedbackSerializer(feedback).data)


FEEDBACK_ACTIONS = ("refuse", "request-info", "answer", "publish", "unpublish")


class FeedbackAction(generics.GenericAPIView):
    """Staff handling: `refuse` (reason), `request-info` (question), `answer` (answer, publish),
    `publish`, `unpublish`, as `citizens.transitions.FEEDBACK` allows them. Not allowed in the feedback's
    current status: 409; by someone holding no handling role at its agency (a higher agency's manager, who
    sees it): 403."""

    permission_classes = [IsAuthenticated]
    serializer_class = FeedbackActionSerializer

    @extend_schema(request=FeedbackActionSerializer, responses=FeedbackSerializer)
    def post(self, request, pk, action):
        if action not in FEEDBACK_ACTIONS:
            raise NotFound(_("Không có thao tác này."))
        if not _is_staff(request.user):
            raise NotAllowed(_("Chỉ cán bộ được xử lý phản ánh, kiến nghị."))
        feedback = selectors.get_staff_feedback(request.user, pk)
        body = FeedbackActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        user = request.user
        if action == "refuse":
            feedback = services.refuse_feedback(feedback, actor=user, reason=v.get("reason", ""))
        elif action == "request-info":
            feedback = services.request_feedback_info(feedback, actor=user, question=v.get("question", ""))
        elif action == "answer":
            feedback = services.answer_feedback(feedback, actor=user, answer=v.get("answer", ""),
                                                publish=v.get("publish", False))
        else:
            feedback = services.set_feedback_published(feedback, actor=user, published=action == "publish")
        return Response(FeedbackSerializer(feedback).data)


class FeedbackReply(generics.GenericAPIView):
    """The submitter adds the information asked for (account or private token)."""

    permission_classes = [AllowAny]
    serializer_class = FeedbackReplySerializer

    @extend_schema(request=FeedbackReplySerializer, responses=FeedbackSerializer)
    def post(self, request, pk):
        body = FeedbackReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = selectors.get_feedback_for_submitter(request.user, pk, body.validated_data.get("token", ""))
        feedback = services.reply_feedback_info(feedback, text=body.validated_data.get("reply", ""))
        return Response(FeedbackSerializer(feedback).data)


class FeedbackAnswerRating(generics.GenericAPIView):
    """The submitter's satisfaction with the answer, once (409 after)."""

    permission_classes = [AllowAny]
    serializer_class = FeedbackRatingSerializer

    @extend_schema(request=FeedbackRatingSerializer, responses=FeedbackSerializer)
    def post(self, request, pk):
        body = FeedbackRatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = selectors.get_feedback_for_submitter(request.user, pk, body.validated_data.get("token", ""))
        feedback = services.rate_feedback_answer(feedback, rating=body.validated_data["rating"])
        return Response(FeedbackSerializer(feedback).data)


class Slots(generics.GenericAPIView):
    """Future desk slots with their free places (public)."""

    permission_classes = [AllowAny]
    serializer_class = SlotSerializer

    @extend_schema(parameters=[
        OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code"),
        OpenApiParameter("date", OpenApiTypes.DATE, description="One day (YYYY-MM-DD)"),
    ], responses=SlotSerializer(many=True))
    def get(self, request):
        raw_day = (request.query_params.get("date") or "").strip()
        day = None
        if raw_day:
            try:
                day = parse_date(raw_day)
            except ValueError:
                day = None
            if day is None:
                msg = _("Ngày phải theo dạng YYYY-MM-DD.")
                raise ValidationFailed(msg, fields={"date": [msg]})
        qs = selectors.open_slots(agency=_agency(request.query_params.get("agency")), day=day)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SlotSerializer(page, many=True).data)


def _slot(slot_id) -> Slot:
    slot = Slot.objects.select_related("desk", "desk__agency").filter(pk=slot_id).first()
    if slot is None:
        msg = _("Không có khung giờ này.")
        raise ValidationFailed(msg, fields={"slot": [msg]})
    return slot


def _procedure(code: str | None) -> Procedure | None:
    code = (code or "").strip()
    if not code:
        return None
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        msg = _("Không có thủ tục mã “%(code)s”.") % {"code": code}
        raise ValidationFailed(msg, fields={"procedure": [msg]})
    return procedure


class Bookings(generics.GenericAPIView):
    """GET: the signed-in citizen's bookings. POST: book a place (with or without an account); a full slot
    is 409 `slot_full` and books nothing."""

    permission_classes = [AllowAny]
    serializer_class = BookingSerializer

    def get_throttles(self):
        return [AnonRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=BookingSerializer(many=True))
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Vui lòng đăng nhập để xem lịch hẹn của mình."))
        page = self.paginate_queryset(selectors.my_bookings(request.user))
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(request=BookingInSerializer, responses={201: BookingSerializer})
    def post(self, request):
        body = BookingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        booking = services.book_slot(
            _slot(v["slot"]), citizen=request.user if request.user.is_authenticated else None,
            name=v.get("name", ""), phone=v.get("phone", ""), email=v.get("email", ""),
            procedure=_procedure(v.get("procedure")),
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingCancel(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = CancelSerializer

    @extend_schema(request=CancelSerializer, responses=BookingSerializer)
    def post(self, request, pk):
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking = Booking.objects.select_related("slot", "slot__desk").filter(pk=pk).first()
        if booking is None:
            raise NotFound(_("Không tìm thấy lịch hẹn."))
        try:
            booking = services.cancel_booking(booking, actor=request.user, phone=body.validated_data.get("phone", ""))
        except NotAllowed:
            raise NotFound(_("Không tìm thấy lịch hẹn.")) from None
        return Response(BookingSerializer(booking).data)


class Profile(generics.GenericAPIView):
    """The signed-in user's citizen profile, which prefills every form."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProfileSerializer

    def get(self, request):
        return Response(ProfileSerializer(selectors.profile_for(request.user)).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def put(self, request):
        body = ProfileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        profile = services.update_profile(request.user, **body.validated_data)
        return Response(ProfileSerializer(profile).data)
