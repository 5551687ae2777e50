"""Every read of the citizens' portal.

A citizen's pages start from `own_dossiers(user)` (dossiers whose `citizen` is the user), never from the
staff scope: a desk officer who also applies for something sees only their own applications here, and
anyone else's dossier answers exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Channel, Dossier, DossierComponent, Status, Step, SupplementRequest, TimelineEvent
from organisation.errors import NotFound
from organisation.models import Agency, AgencyLevel
from organisation.names import join_name
from organisation.selectors import scoped_agency_ids
from procedures.models import OnlineMode, Procedure

from .models import Booking, BookingStatus, CitizenProfile, Draft, Feedback, FeedbackStatus, Slot
from .rules import RATABLE_STATUSES, normalize_phone, temporary_reference_id

# --- profile ----------------------------------------------------------------------------------------


def profile_for(user) -> CitizenProfile:
    """The user's profile, or an unsaved one filled from the account (staff who never set one up)."""
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    username = user.get_username()
    phone = normalize_phone(username) if username[:1] in "0+" else ""
    return CitizenProfile(user=user, full_name=join_name(user.last_name, user.first_name), email=user.email, phone=phone)


# --- online submission ------------------------------------------------------------------------------


def online_procedures(today: date | None = None) -> QuerySet[Procedure]:
    """Published procedures in force that accept online submission (fully or partly)."""
    from procedures.selectors import public_procedures

    return public_procedures(today).filter(online_mode__in=[OnlineMode.FULL, OnlineMode.PARTIAL])


def get_online_procedure(code: str) -> Procedure:
    procedure = (online_procedures().filter(code=code).select_related("field")
                 .prefetch_related("components").first())
    if procedure is None:
        raise NotFound(_("Thủ tục không tồn tại hoặc chưa cung cấp dịch vụ công trực tuyến."),
                       code="procedure_not_online")
    return procedure


def receiving_agencies(procedure: Procedure) -> QuerySet[Agency]:
    """Where the application can be sent: the agencies named by the procedure, else every active
    agency at one of its levels."""
    named = procedure.agencies.filter(is_active=True)
    levels = [lvl for lvl in procedure.level_list if lvl in AgencyLevel.values]
    qs = Agency.objects.filter(is_active=True).filter(Q(pk__in=named.values("pk")) | Q(level__in=levels))
    return qs.order_by("level", "name")


def drafts_of(user) -> QuerySet[Draft]:
    return Draft.objects.filter(citizen=user).select_related("procedure").prefetch_related("files")


def get_draft(user, draft_id) -> Draft:
    try:
        draft = drafts_of(user).get(pk=int(draft_id))
    except (Draft.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy hồ sơ nháp.")) from None
    return draft


# --- my dossiers ------------------------------------------------------------------------------------


def own_dossiers(user) -> QuerySet[Dossier]:
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(citizen_id=user.pk)


def my_dossier_list(user) -> QuerySet[Dossier]:
    """The citizen's dossiers, newest first, with what each row shows, in one query."""
    return (own_dossiers(user).select_related("procedure", "agency", "rating")
            .order_by(Coalesce("received_at", "submitted_at", "created_at").desc(), "-id"))


def _by_ref(qs: QuerySet[Dossier], ref: str) -> QuerySet[Dossier]:
    ref = (ref or "").strip()
    temporary = temporary_reference_id(ref)
    if temporary is not None:
        return qs.filter(pk=temporary)
    if ref.isdigit():
        return qs.filter(pk=int(ref))
    return qs.filter(code=ref)


def get_own_dossier(user, ref: str, *, detail: bool = False) -> Dossier:
    """The citizen's dossier by its code, `TT-<id>` or id; NotFound for anyone else's."""
    qs = own_dossiers(user).select_related("procedure", "agency")
    if detail:
        qs = qs.select_related("apology", "rating").prefetch_related(
            Prefetch("events", queryset=TimelineEvent.objects.filter(public=True).order_by("at", "id"),
                     to_attr="public_events"),
            Prefetch("steps", queryset=Step.objects.select_related("agency").order_by("order")),
            Prefetch("supplements", queryset=SupplementRequest.objects.order_by("round")),
            Prefetch("components", queryset=DossierComponent.objects.order_by("id")),
        )
    dossier = _by_ref(qs, ref).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def has_rating(dossier: Dossier) -> bool:
    try:
        return dossier.rating is not None
    except Dossier.rating.RelatedObjectDoesNotExist:
        return False


def open_supplement(dossier: Dossier) -> SupplementRequest | None:
    """The supplement round waiting for the citizen's documents, when the dossier waits for them."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    rounds = [s for s in dossier.supplements.all() if s.replied_at is None]
    return rounds[-1] if rounds else None


CITIZEN_FORMS = ("receipt", "supplement", "refusal", "apology", "stop")


def citizen_documents(dossier: Dossier) -> list[str]:
    """The printed forms addressed to the citizen that apply to the dossier as it stands (the control
    sheet is internal: it names the officers)."""
    out = []
    if dossier.code and dossier.received_at is not None:
        out.append("receipt")
    if list(dossier.supplements.all()):
        out.append("supplement")
    if dossier.status == Status.REFUSED and dossier.code:
        out.append("refusal")
    try:
        if dossier.apology is not None:
            out.append("apology")
    except Dossier.apology.RelatedObjectDoesNotExist:
        pass
    if dossier.status == Status.STOPPED and dossier.code:
        out.append("stop")
    return out


def result_available(dossier: Dossier) -> bool:
    return bool(dossier.result_file) and dossier.status in (Status.DECIDED, Status.RETURNED)


# --- public look-up --------------------------------------------------------------------------------


# The look-up's steps: where and when, each with its agency's code and name (no officers).
LOOKUP_LISTS = {"steps": (Step, "dossier", ("order",), {"agency": ("id", "code", "name")})}


def lookup_queryset() -> QuerySet[Dossier]:
    """The dossier as the public look-up shows it, with its steps and whether it was rated: one query on
    PostgreSQL (the steps as JSON, `dossiers.selectors.with_lists`); `lookup_payload` reads it."""
    from dossiers.selectors import with_lists

    return with_lists(Dossier.objects.select_related("procedure", "agency", "intake_agency", "rating"),
                      LOOKUP_LISTS)


def _lookup_reads():
    from dossiers.selectors import CompiledRead

    by_code = CompiledRead(Dossier, lambda upper, raw: lookup_queryset().filter(
        (Q(code=upper) | Q(national_code=raw)) & Q(code__isnull=False))[:1], "\x00upper", "\x00raw")
    by_reference = CompiledRead(Dossier, lambda pk: lookup_queryset().filter(pk=pk, channel=Channel.ONLINE)[:1],
                                -7_770_000_000_002)
    return by_code, by_reference


_LOOKUP_BY_CODE, _LOOKUP_BY_REFERENCE = _lookup_reads()


def lookup_read(code: str, temporary: int | None) -> Dossier | None:
    """The dossier a look-up names, with everything `lookup_payload` shows, in one query (compiled once:
    `dossiers.selectors.CompiledRead`), whether or not the secret will match: a received dossier by its
    code (any case) or its national code, an online submission also by its temporary reference."""
    found = _LOOKUP_BY_REFERENCE(temporary) if temporary is not None else _LOOKUP_BY_CODE(code.upper(), code)
    return found[0] if found else None


def lookup_payload(dossier: Dossier, now: datetime | None = None) -> dict:
    """What anyone holding the code and the phone's last four digits may read: no names, no numbers,
    no officers."""
    from dossiers.selectors import dossier_is_late, finish_lists

    finish_lists(dossier, LOOKUP_LISTS)
    return {
        "code": dossier.code,
        "reference": dossier.reference,
        # Sent online, not received yet: no code and no appointment until the desk receives it.
        "waiting_for_desk": dossier.status == Status.SUBMITTED,
        "submitted_at": dossier.submitted_at,
        "status": dossier.status,
        "status_label": str(dossier.status_label),
        "procedure": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "agency": dossier.agency.code,
        "agency_name": dossier.agency.name,
        # A boundary-free dossier (phi địa giới): the desk that took it, "" otherwise.
        "intake_agency_name": dossier.intake_agency.name if dossier.intake_agency_id else "",
        "received_at": dossier.received_at,
        "appointment_at": dossier.appointment_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "is_late": dossier_is_late(dossier, now),
        "steps": [
            {"order": s.order, "name": s.name, "agency": s.agency.code, "agency_name": s.agency.name,
             "due_at": s.due_at, "finished_at": s.finished_at, "verdict": s.verdict}
            for s in dossier.steps.all()
        ],
        "can_rate": dossier.status in RATABLE_STATUSES and not has_rating(dossier),
    }


# --- kiosk ------------------------------------------------------------------------------------------

KIOSK_WINDOW = timedelta(minutes=10)
KIOSK_STATUSES = (Status.RETURNED, Status.REFUSED, Status.STOPPED)


def kiosk_agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise NotFound(_("Không tìm thấy cơ quan."))
    return agency


def kiosk_dossier(agency: Agency, now: datetime | None = None) -> Dossier | None:
    """The dossier the desk of `agency` has just closed (returned, refused or stopped within the last ten
    minutes) that has no rating yet: the one the citizen standing at the counter is asked about."""
    now = now or timezone.now()
    return (
        Dossier.objects.filter(agency=agency, status__in=KIOSK_STATUSES, rating__isnull=True)
        .annotate(closed_at=Coalesce("returned_at", "finished_at"))
        .filter(closed_at__gte=now - KIOSK_WINDOW, closed_at__lte=now)
        .select_related("procedure")
        .order_by("-closed_at", "-id")
        .first()
    )


def masked_name(name: str) -> str:
    """'Nguyễn Văn An' → 'N. V. An': enough for the citizen at the kiosk to recognise, little for others."""
    parts = (name or "").split()
    if not parts:
        return ""
    return " ".join([f"{p[0]}." for p in parts[:-1]] + [parts[-1]])


# --- feedback ---------------------------------------------------------------------------------------


def published_feedback() -> QuerySet[Feedback]:
    """Answers the agencies chose to publish; the submitter's contact details are never shown."""
    return (Feedback.objects.filter(published=True, status=FeedbackStatus.ANSWERED)
            .select_related("agency").order_by("-answered_at", "-id"))


def my_feedback(user) -> QuerySet[Feedback]:
    if user is None or not user.is_authenticated:
        return Feedback.objects.none()
    return Feedback.objects.filter(citizen=user).select_related("agency", "dossier")


def get_feedback_for_submitter(user, feedback_id, token: str = "") -> Feedback:
    """The submitter's own feedback: by account, or by the private link's token."""
    import hmac

    try:
        fb = Feedback.objects.select_related("agency", "dossier").get(pk=int(feedback_id))
    except (Feedback.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị.")) from None
    if user is not None and user.is_authenticated and fb.citizen_id == user.pk:
        return fb
    if token and fb.access_token and hmac.compare_digest(fb.access_token, token):
        return fb
    raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))


def staff_feedback(user) -> QuerySet[Feedback]:
    """Feedback for the agencies in the staff member's scope (all for a superuser)."""
    qs = Feedback.objects.select_related("agency", "dossier")
    scope = scoped_agency_ids(user)
    if scope is None:
        return qs
    return qs.filter(agency_id__in=sorted(scope))


def get_staff_feedback(user, feedback_id) -> Feedback:
    try:
        return staff_feedback(user).get(pk=int(feedback_id))
    except (Feedback.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị.")) from None


def feedback_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("level", "name")


# --- bookings ---------------------------------------------------------------------------------------


def open_slots(*, agency: Agency | None = None, day: date | None = None, now: datetime | None = None) -> QuerySet[Slot]:
    """Future slots (of one agency's desks, on one day when given), with their free places."""
    now = now or timezone.now()
    qs = Slot.objects.filter(start__gt=now).select_related("desk", "desk__agency").order_by("start", "desk_id")
    if agency is not None:
        qs = qs.filter(desk__agency=agency)
    if day is not None:
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()), zone)
        qs = qs.filter(start__gte=start, start__lt=start + timedelta(days=1))
    return qs


def bookable_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True, desks__slots__isnull=False).distinct().order_by("level", "name")


def my_bookings(user) -> QuerySet[Booking]:
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return (Booking.objects.filter(citizen=user).select_related("slot", "slot__desk", "slot__desk__agency", "procedure")
            .order_by("-slot__start"))


def desk_agencies(user) -> QuerySet[Agency]:
    """The agencies whose desk bookings the user may see: where they are a desk officer (or a manager's
    scope); all for a superuser."""
    from organisation.models import Role, StaffMembership

    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.filter(is_active=True).order_by("code")
    desk = StaffMembership.objects.filter(user=user, role=Role.DESK_OFFICER).values("agency_id")
    wide = scoped_agency_ids(user, roles=[Role.MANAGER, Role.ADMINISTRATOR]) or set()
    return Agency.objects.filter(Q(pk__in=desk) | Q(pk__in=sorted(wide))).order_by("code")


def day_bookings(agency: Agency, day: date) -> QuerySet[Booking]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), zone)
    return (Booking.objects.filter(slot__desk__agency=agency, slot__start__gte=start,
                                   slot__start__lt=start + timedelta(days=1))
            .select_related("slot", "slot__desk", "procedure").order_by("slot__start", "status", "id"))


def day_slots(agency: Agency, day: date) -> QuerySet[Slot]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), zone)
    return (Slot.objects.filter(desk__agency=agency, start__gte=start, start__lt=start + timedelta(days=1))
            .select_related("desk").order_by("start", "desk_id"))


def active_booking_statuses() -> tuple[str, ...]:
    return (BookingStatus.BOOKED,)


# --- the home page's popular procedures ---------------------------------------------------------------

POPULAR_WINDOW = timedelta(days=90)
POPULAR_LIMIT = 6
POPULAR_CACHE_SECONDS = 60 * 60


def home_commune_id(user) -> int | None:
    """The agency whose procedures the home page suggests to `user`: the commune of their profile, else
    the receiving agency of their last dossier; None when neither is known (or nobody is signed in)."""
    if user is None or not user.is_authenticated:
        return None
    commune = CitizenProfile.objects.filter(user=user).values_list("commune_id", flat=True).first()
    if commune:
        return commune
    return own_dossiers(user).order_by("-id").values_list("agency_id", flat=True).first()


def popular_procedures(agency_id: int | None = None, *, now: datetime | None = None) -> list[dict]:
    """The procedures most received at `agency_id` in the last 90 days (the whole province's when None, or
    when the agency received none of them), most used first: plain rows (code, name, count, online), kept
    an hour in the cache, so the home page costs one cache read."""
    from django.core.cache import cache

    key = f"citizens:popular:v1:{agency_id or 'province'}"
    rows = cache.get(key)
    if rows is None:
        rows = _count_popular(agency_id, now or timezone.now())
        if not rows and agency_id is not None:
            rows = popular_procedures(None, now=now)
        cache.set(key, rows, POPULAR_CACHE_SECONDS)
    return rows


def _count_popular(agency_id: int | None, now: datetime) -> list[dict]:
    from django.db.models import Count

    from procedures.selectors import public_procedures

    dossiers = Dossier.objects.filter(received_at__gte=now - POPULAR_WINDOW)
    if agency_id is not None:
        dossiers = dossiers.filter(agency_id=agency_id)
    counts = list(dossiers.values("procedure_id").annotate(n=Count("id")).order_by("-n", "procedure_id")
                  [:POPULAR_LIMIT * 3])
    procedures = {p.pk: p for p in public_procedures(timezone.localdate(now))
                  .filter(pk__in=[c["procedure_id"] for c in counts]).only("id", "code", "name", "online_mode")}
    rows = [{"code": procedures[c["procedure_id"]].code, "name": procedures[c["procedure_id"]].name, "count": c["n"],
             "online": procedures[c["procedure_id"]].online_mode in (OnlineMode.FULL, OnlineMode.PARTIAL)}
            for c in counts if c["procedure_id"] in procedures]
    return rows[:POPULAR_LIMIT]
