"""The working calendar as the rest of the portal reads it: the cached calendar and the clock's questions.

`calendar_for(agency)` turns the CalendarDay and OfficeSession rows into the pure clock's
`WorkCalendar`. Building one costs two queries and a few hundred day computations, and the dossier
intake needs one per dossier, so the calendar is cached twice: in the shared Django cache (keyed by
agency and a calendar *version*), and in this process's memory (where the clock keeps its own
precomputed window of days). Every edit bumps the version, so an edited calendar is never served
from either cache: the version of record is a database row written in the edit's transaction, the
cache keeps a copy for a minute, and while Redis is away every process reads the row itself.

Within one HTTP request the version is read from the shared cache once (an intake asks for the
calendar five times): the request's own edits reset it. Outside a request (tasks, commands) every call
asks the cache, except within `one_version()`, which the dossier intake holds for its transaction.

The actions that edit the calendar are `worktime.services`, which re-exports these reads.
"""

from __future__ import annotations

import logging
import re
import threading
import time as _time
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from config.cache import is_degraded
from organisation.errors import ValidationFailed

from . import clock
from .clock import DEFAULT_SESSIONS, Appointment, ClockError, Session, Unit, WorkCalendar
from .models import CalendarDay, CalendarVersion, OfficeSession
from .pauses import SupplementDeadlines, SupplementRound, supplement_deadlines

log = logging.getLogger(__name__)

# CalendarDay.source values. Only rows from the `holidays` package are ever rewritten by a sync;
# a REMOVED row is a national day an administrator took out, kept so the next sync does not put it back.
SOURCE_HOLIDAYS = "holidays"
SOURCE_ADMIN = "admin"
SOURCE_REMOVED = "removed"

VERSION_KEY = "worktime:calendar-version"
# Seconds the shared cache keeps its copy of the database's calendar version.
VERSION_TTL = 60
CALENDAR_TIMEOUT = 24 * 3600
_MEMO_MAX = 256
_memo: dict[tuple[int, int], WorkCalendar] = {}
_memo_lock = threading.Lock()

_SESSION_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


# --- the calendar version ------------------------------------------------------------------------


# The version as this thread's current request read it; `active` only between request_started and
# request_finished, so a task or a command never keeps a version it read earlier.
_request = threading.local()


def _request_begins(**kwargs) -> None:
    _request.active = True
    _request.version = None


def _request_ends(**kwargs) -> None:
    _request.active = False
    _request.version = None


request_started.connect(_request_begins, dispatch_uid="worktime_calendar_request_started")
request_finished.connect(_request_ends, dispatch_uid="worktime_calendar_request_finished")


def _db_version() -> int:
    """The version of record, from the database (the row is made on first use)."""
    value = CalendarVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:
        CalendarVersion.objects.bulk_create([CalendarVersion(pk=1, value=_time.time_ns())], ignore_conflicts=True)
        value = CalendarVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return value


def calendar_version() -> int:
    """The current calendar version: the shared cache's copy, else (and while Redis is away) the database's."""
    in_request = getattr(_request, "active", False)
    if in_request and _request.version is not None:
        return _request.version
    if is_degraded(cache):
        # Each process's local memory would keep its own copy: an edit made by another process while
        # Redis is away would never reach it. The database is the one copy every process sees.
        version = _db_version()
    else:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = _db_version()
            # add, not set: a bump racing this read wins.
            cache.add(VERSION_KEY, version, VERSION_TTL)
    if in_request:
        _request.version = version
    return version


@contextmanager
def one_version():
    """Within the block the calendar version is read at most once, as within an HTTP request: for one
    action outside a request (a task, a command, a bench), which asks for the calendar several times.
    An edit inside the block still resets it; inside a request this changes nothing."""
    if getattr(_request, "active", False):
        yield
        return
    _request.active, _request.version = True, None
    try:
        yield
    finally:
        _request.active, _request.version = False, None


def _bump() -> None:
    # Never a value used before, even if the clock stands still or steps back: at least the last one + 1.
    now = _time.time_ns()
    if not CalendarVersion.objects.filter(pk=1).update(value=Greatest(F("value") + 1, Value(now))):
        CalendarVersion.objects.bulk_create([CalendarVersion(pk=1, value=now)], ignore_conflicts=True)
        CalendarVersion.objects.filter(pk=1).update(value=Greatest(F("value") + 1, Value(now)))
    value = CalendarVersion.objects.filter(pk=1).values_list("value", flat=True).get()
    cache.set(VERSION_KEY, value, VERSION_TTL)
    _request.version = None


def bump_calendar_version() -> None:
    """Invalidate every cached calendar.

    Bumped at once, in the edit's transaction (so this transaction reads its own edit), and again after
    commit (so a calendar another process built from the old rows in between is not kept under the new
    version). The database row is the version of record; the cache's copy lives `VERSION_TTL` seconds,
    so a bump the cache missed (Redis away during the edit) is seen everywhere within that time at
    worst, and at once by every process that touches the cache after Redis is back (config/cache.py
    invalidates the keys it wrote while Redis was away).
    """
    _bump()
    transaction.on_commit(_bump)


# --- building the calendar -----------------------------------------------------------------------


def parse_sessions(text: str, field: str = "sessions") -> tuple[Session, ...]:
    """`"07:00-11:30,13:30-17:00"` → sessions; empty text → (). Bad text raises ValidationFailed."""
    text = (text or "").strip()
    if not text:
        return ()
    out = []
    for part in text.split(","):
        m = _SESSION_RE.match(part)
        bad = _("Giờ làm việc viết dạng 07:00-11:30,13:30-17:00.")
        if not m:
            raise ValidationFailed(bad, code="invalid_sessions", fields={field: [bad]})
        h1, m1, h2, m2 = map(int, m.groups())
        try:
            out.append(Session(time(h1, m1), time(h2, m2)))
        except (ValueError, ClockError):
            msg = _("Buổi %(part)s không hợp lệ: giờ bắt đầu phải trước giờ kết thúc.") % {"part": part.strip()}
            raise ValidationFailed(msg, code="invalid_sessions", fields={field: [msg]}) from None
    try:
        WorkCalendar(sessions=tuple(out))
    except ClockError:
        msg = _("Các buổi phải theo thứ tự thời gian và không chồng lên nhau.")
        raise ValidationFailed(msg, code="invalid_sessions", fields={field: [msg]}) from None
    return tuple(out)


def format_sessions(sessions) -> str:
    return ",".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in sessions)


def _agency_id(agency) -> int | None:
    if agency is None:
        return None
    if isinstance(agency, int):
        return agency
    return agency.pk


def _default_weekend(d: date) -> bool:
    return d.weekday() in (5, 6)


def _build_calendar(agency_id: int | None) -> WorkCalendar:
    day_rows = CalendarDay.objects.exclude(source=SOURCE_REMOVED).filter(
        Q(agency__isnull=True) | Q(agency_id=agency_id) if agency_id else Q(agency__isnull=True)
    ).values_list("date", "agency_id", "working", "label", "sessions")
    national: dict[date, tuple] = {}
    local: dict[date, tuple] = {}
    for d, row_agency, working, label, sessions in day_rows:
        (local if row_agency else national)[d] = (working, label, sessions, row_agency is None)
    merged = {**national, **local}

    non_working: dict[date, str] = {}
    extra_working: dict[date, str] = {}
    swapped: set[date] = set()
    overrides: dict[date, tuple[Session, ...]] = {}
    for d, (working, label, sessions, is_national) in merged.items():
        if working:
            extra_working[d] = label
            # A national working weekend day is a Saturday the government swapped into a working day.
            if is_national and _default_weekend(d):
                swapped.add(d)
        else:
            non_working[d] = label
        if sessions:
            try:
                overrides[d] = parse_sessions(sessions)
            except ValidationFailed:
                log.warning("calendar day %s: ignoring malformed sessions %r", d, sessions)

    session_rows = list(
        OfficeSession.objects.filter(
            Q(agency__isnull=True) | Q(agency_id=agency_id) if agency_id else Q(agency__isnull=True)
        ).values_list("agency_id", "start", "end")
    )
    own = [Session(s, e) for a, s, e in session_rows if a is not None]
    default = [Session(s, e) for a, s, e in session_rows if a is None]
    chosen = tuple(sorted(own or default, key=lambda s: s.start)) or DEFAULT_SESSIONS
    try:
        return WorkCalendar(
            non_working=non_working,
            extra_working=extra_working,
            sessions=chosen,
            session_overrides=overrides,
            tz=settings.TIME_ZONE,
            swapped_working_days=frozenset(swapped),
        )
    except ClockError as exc:  # overlapping session rows entered outside the admin form
        log.error("calendar of agency %s: %s; using the default sessions", agency_id, exc)
        return WorkCalendar(
            non_working=non_working,
            extra_working=extra_working,
            session_overrides=overrides,
            tz=settings.TIME_ZONE,
            swapped_working_days=frozenset(swapped),
        )


def calendar_for(agency=None) -> WorkCalendar:
    """The working calendar of an agency (an Agency, its id, or None for the national calendar).

    National CalendarDay rows plus the agency's own rows (which win for their date); the agency's
    office sessions if it has any, else the default rows, else the clock's DEFAULT_SESSIONS.
    """
    agency_id = _agency_id(agency)
    version = calendar_version()
    memo_key = (agency_id or 0, version)
    cal = _memo.get(memo_key)
    if cal is not None:
        return cal
    cache_key = f"worktime:calendar:{agency_id or 'national'}:{version}"
    cal = cache.get(cache_key)
    if cal is None:
        cal = _build_calendar(agency_id)
        cache.set(cache_key, cal, CALENDAR_TIMEOUT)
    with _memo_lock:
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        _memo[memo_key] = cal
    return cal


# --- computations ------------------------------------------------------------------------------

_CLOCK_FIELDS = {
    "invalid_unit": "unit",
    "invalid_amount": "amount",
    "naive_datetime": "received_at",
    "invalid_datetime": "received_at",
    "out_of_range": "received_at",
}


def _validation(exc: ClockError, field: str | None = None) -> ValidationFailed:
    field = field or _CLOCK_FIELDS.get(exc.code, "non_field_errors")
    messages = {
        "invalid_unit": _("Đơn vị thời hạn không hợp lệ (working_days, working_hours, days, same_day)."),
        "invalid_amount": _("Thời hạn không hợp lệ: %(error)s") % {"error": exc},
        "naive_datetime": _("Thời điểm phải có múi giờ."),
        "invalid_datetime": _("Thời điểm không hợp lệ."),
        "out_of_range": _("Thời điểm nằm ngoài khoảng lịch hỗ trợ."),
    }
    msg = messages.get(exc.code, str(exc))
    return ValidationFailed(msg, code=exc.code, fields={field: [msg]})


def configured_same_day_cutoff() -> time:
    """The hour after which a same-day dossier is due the next working day (setting SAME_DAY_CUTOFF)."""
    value = getattr(settings, "SAME_DAY_CUTOFF", "15:00")
    if isinstance(value, time):
        return value
    hours, _sep, minutes = str(value).partition(":")
    return time(int(hours), int(minutes or 0))


def _aware(dt: datetime) -> datetime:
    if isinstance(dt, datetime) and timezone.is_naive(dt):
        return timezone.make_aware(dt, ZoneInfo(settings.TIME_ZONE))
    return dt


def compute_appointment_for(
    received_at: datetime, amount, unit: Unit | str, agency=None, *, same_day_cutoff: time | None = None
) -> Appointment:
    """The appointment (hẹn trả kết quả) of a dossier received at `received_at` by `agency`.

    A naive `received_at` is read in the portal's time zone. Bad input raises ValidationFailed
    naming the field (`unit`, `amount`, `received_at`).
    """
    cutoff = same_day_cutoff if same_day_cutoff is not None else configured_same_day_cutoff()
    try:
        return clock.compute_appointment(_aware(received_at), amount, unit, calendar_for(agency),
                                         same_day_cutoff=cutoff)
    except ClockError as exc:
        raise _validation(exc) from None


def _seconds(hours):
    if isinstance(hours, (int, float, Decimal)) and not isinstance(hours, bool):
        return hours * 3600
    return hours  # the clock rejects it with invalid_amount


def add_working_hours(start: datetime, hours, agency=None) -> datetime:
    """The moment `hours` working hours after `start` (e.g. a step's due time)."""
    try:
        return clock.add_working_seconds(_aware(start), _seconds(hours), calendar_for(agency))
    except ClockError as exc:
        raise _validation(exc, "hours" if exc.code == "invalid_amount" else "start") from None


def subtract_working_hours(end: datetime, hours, agency=None) -> datetime:
    """The moment `hours` working hours before `end` (e.g. "due soon" one working day ahead)."""
    try:
        return clock.subtract_working_seconds(_aware(end), _seconds(hours), calendar_for(agency))
    except ClockError as exc:
        raise _validation(exc, "hours" if exc.code == "invalid_amount" else "end") from None


def working_seconds_between(a: datetime, b: datetime, agency=None) -> int:
    """Working time in [a, b) in whole seconds; 0 if b <= a."""
    try:
        return clock.working_seconds_between(_aware(a), _aware(b), calendar_for(agency))
    except ClockError as exc:
        raise _validation(exc, "a") from None


def supplement_deadlines_for(
    received_at: datetime, amount, unit: Unit | str, rounds: list[SupplementRound] | list[tuple],
    agency=None, *, same_day_cutoff: time | None = None,
) -> SupplementDeadlines:
    """Both supplement rules of domain.md §3 (Decree 61 restart, the portal's pause) for one dossier."""
    cutoff = same_day_cutoff if same_day_cutoff is not None else configured_same_day_cutoff()
    try:
        return supplement_deadlines(
            _aware(received_at), amount, unit, calendar_for(agency),
            [(_aware(r[0]), _aware(r[1]) if r[1] is not None else None) for r in rounds],
            same_day_cutoff=cutoff,
        )
    except ClockError as exc:
        raise _validation(exc, "rounds" if exc.code == "invalid_rounds" else None) from None
