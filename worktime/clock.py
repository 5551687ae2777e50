"""The working-time clock: pure, stdlib-only computation of appointment dates.

This module imports nothing from Django (nor anything outside the standard
library) so that it can be tested, benchmarked and reasoned about on its own.
The Django layer builds a :class:`WorkCalendar` from its models and calls
:func:`compute_appointment`; everything here is deterministic.

Model
-----
* A calendar day is *working* unless it is listed in ``non_working`` (public
  holidays, extra days off) or is a weekend day that is not listed in
  ``extra_working`` (the Saturdays swapped into working days by the
  government, or a desk's own extra opening days).  ``non_working`` wins if a
  date is in both mappings.
* A working day has office sessions: the calendar's ``sessions`` (default
  07:00-11:30 and 13:30-17:00) unless ``session_overrides`` gives that date
  its own (e.g. Saturday morning only).  Overrides only matter on working
  days; they never make a day working on their own.
* Working time is measured in wall-clock time of the calendar's time zone
  (``Asia/Ho_Chi_Minh`` by default, which has no daylight saving time).
* Sessions are half-open for a *receipt* (a dossier received exactly at 11:30
  counts from 13:30, one received exactly at 17:00 counts from the next
  working day) and closed for a *due time* (work finishing exactly at 11:30
  is due at 11:30, never at the next session's start).

Implementation
--------------
Each calendar lazily precomputes, for a window of days around the requests,
the sessions of every day in microseconds and a prefix sum of working time
(``cum``).  The "position" of an instant is the working time elapsed since the
start of the window; adding working time is a binary search in the prefix
sum, so the cost hardly depends on the amount.  The window grows on demand
(and is rebuilt as an immutable snapshot, so concurrent readers are safe).
Explanation entries for non-working days are precomputed per day and shared.
Build the calendar once and reuse it: the cache lives on the instance.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_SESSIONS",
    "DEFAULT_SAME_DAY_CUTOFF",
    "HOURS_PER_WORKING_DAY",
    "MAX_DAYS",
    "MAX_WORKING_HOURS",
    "Appointment",
    "ClockError",
    "DayStatus",
    "Note",
    "Session",
    "Skip",
    "Unit",
    "WorkCalendar",
    "add_working_seconds",
    "compute_appointment",
    "days",
    "subtract_working_seconds",
    "working_seconds_between",
]

HOURS_PER_WORKING_DAY = 8
#: Largest accepted amount for ``days`` and ``working_days`` (about 10 years).
MAX_DAYS = 3650
#: Largest accepted amount for ``working_hours`` (the same span in hours).
MAX_WORKING_HOURS = MAX_DAYS * HOURS_PER_WORKING_DAY
DEFAULT_SAME_DAY_CUTOFF = time(15, 0)
_DEFAULT_CUTOFF_US = 15 * 3600 * 1_000_000

_US = 1_000_000  # microseconds per second
_HOUR_US = 3600 * _US
_WORKING_DAY_US = HOURS_PER_WORKING_DAY * _HOUR_US
_MAX_WORKING_US = MAX_WORKING_HOURS * _HOUR_US
_MAX_ORD = date.max.toordinal()
# Largest window of precomputed days kept per calendar (about 60 years).
_MAX_SPAN_DAYS = 366 * 60
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ClockError(ValueError):
    """Invalid input to the clock.  ``code`` is a stable machine code:

    ``invalid_unit``, ``invalid_amount``, ``naive_datetime``,
    ``invalid_datetime``, ``invalid_cutoff``, ``invalid_calendar``,
    ``out_of_range``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self):  # keep ``code`` when pickled (e.g. across processes)
        return (self.__class__, (str(self), self.code))


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    SAME_DAY = "same_day"


# Accepts both the enum members and their string values (Enum hashes by name,
# so both kinds of key are needed).
_UNITS: dict = {u.value: u for u in Unit}
_UNITS.update({u: u for u in Unit})
_UNIT_NAMES = ", ".join(u.value for u in Unit)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


def _hhmm(tod_us: int) -> str:
    minutes = tod_us // (60 * _US)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    rest = tod_us % (60 * _US)
    if rest:
        text += f":{rest // _US:02d}"
    return text


@dataclass(frozen=True)
class Session:
    """One office session of a day, ``start`` < ``end`` (naive wall-clock times)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.start, time) or not isinstance(self.end, time):
            raise ClockError("a session needs two datetime.time values", code="invalid_calendar")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ClockError("session times must be naive wall-clock times", code="invalid_calendar")
        if not self.start < self.end:
            raise ClockError(
                f"session {self.start}-{self.end}: the start must be before the end",
                code="invalid_calendar",
            )

    @property
    def seconds(self) -> int:
        return (_time_us(self.end) - _time_us(self.start)) // _US


DEFAULT_SESSIONS: tuple[Session, ...] = (
    Session(time(7, 0), time(11, 30)),
    Session(time(13, 30), time(17, 0)),
)


@dataclass(frozen=True)
class DayStatus:
    """Whether a day is working, why (machine ``reason``), and a human ``label``.

    ``reason`` is one of ``working_day``, ``weekend``, ``holiday``,
    ``swapped_working_day``, ``extra_working_day``.
    """

    working: bool
    reason: str
    label: str

    def as_dict(self) -> dict:
        return {"working": self.working, "reason": self.reason, "label": self.label}


@dataclass(frozen=True)
class Skip:
    """A non-working day passed over by a computation, and why."""

    date: date
    reason: str  # "weekend" | "holiday"
    label: str  # holiday name, or e.g. "Weekend (Saturday)"

    def as_dict(self) -> dict:
        return {
            "type": "skip",
            "date": self.date.isoformat(),
            "reason": self.reason,
            "label": self.label,
        }


@dataclass(frozen=True)
class Note:
    """Any other explanation entry.

    ``reason`` codes: ``before_opening``, ``lunch_break``, ``after_closing``,
    ``non_working_day`` (start shifts; ``date`` is the day counting starts);
    ``swapped_working_day`` / ``extra_working_day`` (a weekend/extra day that
    was counted as working; ``date`` is that day); ``after_same_day_cutoff``
    (``date`` is the receipt day); ``due_date_moved`` (``date`` is the calendar
    day the period ended on, which was a day off).  ``params`` holds the values
    used in ``label`` (ISO strings) so another layer can translate it.
    """

    reason: str
    label: str
    date: date | None = None
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "type": "note",
            "date": self.date.isoformat() if self.date is not None else None,
            "reason": self.reason,
            "label": self.label,
            "params": dict(self.params),
        }


Explanation = Skip | Note


@dataclass(frozen=True)
class Appointment:
    """Result of :func:`compute_appointment`.

    ``start_at`` is the instant counting started from (the receipt itself if
    it was inside a session); ``appointment_at`` is the due time.  Both are
    aware datetimes in the calendar's time zone.
    """

    appointment_at: datetime
    start_at: datetime
    explanation: tuple[Explanation, ...]

    def as_dict(self) -> dict:
        return {
            "appointment_at": self.appointment_at.isoformat(),
            "start_at": self.start_at.isoformat(),
            "explanation": [entry.as_dict() for entry in self.explanation],
        }


_WORKING_STATUS = DayStatus(True, "working_day", "Working day")
_WEEKEND_STATUS = tuple(DayStatus(False, "weekend", f"Weekend ({name})") for name in _WEEKDAY_NAMES)


def _check_sessions(sessions, where: str) -> tuple[Session, ...]:
    if isinstance(sessions, Session):
        sessions = (sessions,)
    try:
        sessions = tuple(sessions)
    except TypeError:
        raise ClockError(
            f"{where}: sessions must be a sequence of Session", code="invalid_calendar"
        ) from None
    if not sessions:
        raise ClockError(f"{where}: at least one session is required", code="invalid_calendar")
    for s in sessions:
        if not isinstance(s, Session):
            raise ClockError(f"{where}: {s!r} is not a Session", code="invalid_calendar")
    for a, b in zip(sessions, sessions[1:], strict=False):
        if b.start < a.end:
            raise ClockError(
                f"{where}: sessions must be in order and must not overlap ({a.start}-{a.end}, {b.start}-{b.end})",
                code="invalid_calendar",
            )
    return sessions


def _check_date_keys(mapping, where: str) -> dict:
    if not isinstance(mapping, Mapping):
        raise ClockError(f"{where} must be a mapping of dates", code="invalid_calendar")
    out = {}
    for d, value in mapping.items():
        # datetime is a subclass of date but would never match a date key.
        if type(d) is not date:
            raise ClockError(f"{where}: key {d!r} is not a datetime.date", code="invalid_calendar")
        out[d] = value
    return out


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and office sessions of one agency (or of the country).

    Treat the mappings as immutable once the calendar is built: results are
    cached on the instance.  ``swapped_working_days`` (an addition to the
    base API, optional) tells which ``extra_working`` dates are
    government-swapped working days (reason ``swapped_working_day``); other
    ``extra_working`` dates get reason ``extra_working_day``.
    """

    non_working: Mapping[date, str] = field(default_factory=dict)
    extra_working: Mapping[date, str] = field(default_factory=dict)
    sessions: tuple[Session, ...] = DEFAULT_SESSIONS
    session_overrides: Mapping[date, tuple[Session, ...]] = field(default_factory=dict)
    weekend: frozenset[int] = frozenset({5, 6})
    tz: str = "Asia/Ho_Chi_Minh"
    swapped_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        non_working = _check_date_keys(self.non_working, "non_working")
        set_(self, "non_working", {d: str(v) if v else "Day off" for d, v in non_working.items()})
        extra = _check_date_keys(self.extra_working, "extra_working")
        set_(self, "extra_working", {d: str(v) if v else "Working day" for d, v in extra.items()})
        set_(self, "sessions", _check_sessions(self.sessions, "sessions"))
        overrides = _check_date_keys(self.session_overrides, "session_overrides")
        set_(
            self,
            "session_overrides",
            {d: _check_sessions(v, f"session_overrides[{d}]") for d, v in overrides.items()},
        )
        try:
            weekend = frozenset(self.weekend)
        except TypeError:
            raise ClockError(
                "weekend must be a set of weekday numbers 0-6", code="invalid_calendar"
            ) from None
        if any(type(w) is not int or not 0 <= w <= 6 for w in weekend):
            raise ClockError(
                "weekend must be a set of weekday numbers 0-6 (Monday=0)", code="invalid_calendar"
            )
        set_(self, "weekend", weekend)
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ClockError(f"unknown time zone {self.tz!r}", code="invalid_calendar") from None
        swapped = frozenset(self.swapped_working_days)
        stray = sorted(d for d in swapped if d not in self.extra_working)
        if stray:
            raise ClockError(
                f"swapped_working_days must also be in extra_working: {', '.join(map(str, stray))}",
                code="invalid_calendar",
            )
        set_(self, "swapped_working_days", swapped)
        self._init_cache(zone)

    def _init_cache(self, zone: ZoneInfo) -> None:
        set_ = object.__setattr__
        set_(self, "_zone", zone)
        default = tuple((_time_us(s.start), _time_us(s.end)) for s in self.sessions)
        set_(self, "_default_us", default)
        set_(
            self,
            "_override_us",
            {
                d: tuple((_time_us(s.start), _time_us(s.end)) for s in v)
                for d, v in self.session_overrides.items()
            },
        )
        set_(self, "_span", None)

    # -- pickling / hashing: caches are not part of the value ---------------
    def __getstate__(self):
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    def __setstate__(self, state) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self._init_cache(ZoneInfo(self.tz))

    def __hash__(self) -> int:
        return hash(
            (
                frozenset(self.non_working.items()),
                frozenset(self.extra_working.items()),
                self.sessions,
                frozenset(self.session_overrides.items()),
                self.weekend,
                self.tz,
                self.swapped_working_days,
            )
        )

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    # -- days ---------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        if d in self.non_working:
            return False
        if d in self.extra_working:
            return True
        return d.weekday() not in self.weekend

    def day_status(self, d: date) -> DayStatus:
        label = self.non_working.get(d)
        if label is not None:
            return DayStatus(False, "holiday", label)
        label = self.extra_working.get(d)
        if label is not None:
            reason = "swapped_working_day" if d in self.swapped_working_days else "extra_working_day"
            return DayStatus(True, reason, label)
        wd = d.weekday()
        if wd in self.weekend:
            return _WEEKEND_STATUS[wd]
        return _WORKING_STATUS

    def sessions_on(self, d: date) -> tuple[Session, ...]:
        """The sessions of ``d`` (empty on a non-working day)."""
        if not self.is_working_day(d):
            return ()
        return self.session_overrides.get(d, self.sessions)

    # -- precomputed window -------------------------------------------------
    def _cover(self, lo: int, hi: int) -> _Span:
        """A snapshot whose window contains ordinals ``lo``..``hi`` inclusive."""
        sp = self._span
        if sp is not None and sp.base <= lo and hi < sp.end:
            return sp
        if lo < 1 or hi > _MAX_ORD:
            raise ClockError("date outside the supported range", code="out_of_range")
        if sp is None:
            new_lo, new_hi = lo - 31, hi + 400
        else:
            new_lo = lo - max(31, sp.n // 2) if lo < sp.base else sp.base
            new_hi = hi + 1 + max(400, sp.n) if hi >= sp.end else sp.end
            if new_hi - new_lo > _MAX_SPAN_DAYS:  # far from the old window: start afresh
                new_lo, new_hi = lo - 31, hi + 400
        if new_hi - new_lo > _MAX_SPAN_DAYS:
            raise ClockError(
                "the computation spans more than 60 years (is there any working day in this calendar?)",
                code="out_of_range",
            )
        sp = _Span(self, max(1, new_lo), min(_MAX_ORD + 1, new_hi))
        object.__setattr__(self, "_span", sp)
        return sp


class _Grow(Exception):
    """Raised inside a computation when the precomputed window is too small."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo = lo
        self.hi = hi


class _Span:
    """Immutable precomputed window of days ``base`` .. ``end - 1`` (ordinals)."""

    __slots__ = (
        "base",
        "end",
        "n",
        "cum",
        "sess",
        "dates",
        "nw_ords",
        "nw_items",
        "xw_ords",
        "xw_items",
        "notes",
    )

    def __init__(self, cal: WorkCalendar, lo: int, hi: int) -> None:
        default = cal._default_us
        overrides = cal._override_us
        day_status = cal.day_status
        cum = [0]
        sess = []
        dates = []
        nw_ords, nw_items, xw_ords, xw_items = [], [], [], []
        total = 0
        for o in range(lo, hi):
            d = date.fromordinal(o)
            dates.append(d)
            st = day_status(d)
            if st.working:
                s = overrides.get(d, default)
                for a, b in s:
                    total += b - a
                if st.reason in ("swapped_working_day", "extra_working_day"):
                    xw_ords.append(o)
                    xw_items.append(
                        Note(
                            st.reason,
                            f"{_WEEKDAY_NAMES[d.weekday()]} {d.isoformat()} is a working day ({st.label}); counted",
                            d,
                            (("name", st.label),),
                        )
                    )
            else:
                s = ()
                nw_ords.append(o)
                nw_items.append(Skip(d, st.reason, st.label))
            sess.append(s)
            cum.append(total)
        self.base = lo
        self.end = hi
        self.n = hi - lo
        self.cum = cum
        self.sess = sess
        self.dates = dates
        self.nw_ords = nw_ords
        self.nw_items = nw_items
        self.xw_ords = xw_ords
        self.xw_items = xw_items
        self.notes = {}  # cache of explanation notes built on demand

    # Requests for a bigger window, in one direction only (the other bound
    # given is inside the window, so it does not widen the request).
    def grow_forward(self) -> _Grow:
        return _Grow(self.end - 1, self.end + self.n + 400)

    def grow_backward(self) -> _Grow:
        return _Grow(self.base - self.n - 400, self.base)


def _run(cal: WorkCalendar, lo: int, hi: int, fn, *args):
    """Run ``fn(span, *args)``, enlarging the window until it fits."""
    while True:
        sp = cal._cover(lo, hi)
        try:
            return fn(sp, *args)
        except _Grow as g:
            lo = min(lo, g.lo)
            hi = max(hi, g.hi)


# -- positions ----------------------------------------------------------------
# A position is the working time (µs) between the window start and an instant.


def _pos(sp: _Span, i: int, tod: int) -> int:
    p = sp.cum[i]
    for s, e in sp.sess[i]:
        if tod >= e:
            p += e - s
        else:
            if tod > s:
                p += tod - s
            break
    return p


def _latest(sp: _Span, target: int) -> tuple[int, int]:
    """The latest instant (day index, µs of day) whose position is ``target``."""
    cum = sp.cum
    j = bisect_right(cum, target) - 1
    if j >= sp.n:
        raise sp.grow_forward()
    if j < 0:
        raise sp.grow_backward()
    rem = target - cum[j]
    for s, e in sp.sess[j]:
        length = e - s
        if rem < length:
            return j, s + rem
        rem -= length
    raise AssertionError("unreachable")  # pragma: no cover


def _first(sp: _Span, target: int) -> tuple[int, int]:
    """The earliest instant whose position is ``target`` (``target`` > 0)."""
    cum = sp.cum
    k = bisect_left(cum, target)
    if k > sp.n:
        raise sp.grow_forward()
    if k == 0:
        raise sp.grow_backward()
    j = k - 1
    rem = target - cum[j]
    for s, e in sp.sess[j]:
        length = e - s
        if rem <= length:
            return j, s + rem
        rem -= length
    raise AssertionError("unreachable")  # pragma: no cover


def _next_working(sp: _Span, i: int) -> int:
    """Index of the first working day at or after index ``i``."""
    if i >= sp.n:
        raise sp.grow_forward()
    k = bisect_right(sp.cum, sp.cum[i])
    if k > sp.n:
        raise sp.grow_forward()
    return k - 1


def _mk(sp: _Span, j: int, tod: int, zone: ZoneInfo) -> datetime:
    d = sp.dates[j]
    sec, us = divmod(tod, _US)
    minute, sec = divmod(sec, 60)
    hour, minute = divmod(minute, 60)
    return datetime(d.year, d.month, d.day, hour, minute, sec, us, tzinfo=zone)


# -- input checks ---------------------------------------------------------------


def _local(dt, cal: WorkCalendar, what: str) -> datetime:
    if not isinstance(dt, datetime):
        raise ClockError(f"{what} must be a datetime, got {type(dt).__name__}", code="invalid_datetime")
    tzinfo = dt.tzinfo
    zone = cal._zone
    if tzinfo is zone:
        return dt
    if tzinfo is None or dt.utcoffset() is None:
        raise ClockError(f"{what} must be timezone-aware, got naive {dt.isoformat()}", code="naive_datetime")
    return dt.astimezone(zone)


def _tod(local: datetime) -> int:
    return ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond


def _check_number(amount, what: str):
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise ClockError(f"{what} must be a number, got {amount!r}", code="invalid_amount")
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ClockError(f"{what} must be a finite number, got {amount!r}", code="invalid_amount")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ClockError(f"{what} must be a finite number, got {amount!r}", code="invalid_amount")
    if amount < 0:
        raise ClockError(f"{what} must not be negative, got {amount!r}", code="invalid_amount")


def _to_us(amount, scale: int, maximum, what: str) -> int:
    """``amount`` (int/float/Decimal, already checked) × ``scale`` seconds, in µs,
    rounded to whole seconds (half up)."""
    if amount > maximum:
        raise ClockError(f"{what} must be at most {maximum}, got {amount!r}", code="invalid_amount")
    if isinstance(amount, int):
        return amount * scale * _US
    dec = amount if isinstance(amount, Decimal) else Decimal(repr(amount))
    # floor(x + 1/2) for x >= 0: half up.  (Decimal // truncates, fine for x >= 0.)
    return int((dec * (2 * scale) + 1) // 2) * _US


def _whole(amount, maximum: int, what: str) -> int:
    if not isinstance(amount, int):
        if amount != int(amount):
            raise ClockError(f"{what} must be a whole number, got {amount!r}", code="invalid_amount")
        amount = int(amount)
    if amount > maximum:
        raise ClockError(f"{what} must be at most {maximum}, got {amount!r}", code="invalid_amount")
    return amount


def _seconds_us(seconds) -> int:
    _check_number(seconds, "seconds")
    return _to_us(seconds, 1, _MAX_WORKING_US // _US, "seconds")


# -- explanation pieces -----------------------------------------------------------

_SHIFT_TEXT = {
    "before_opening": "received before opening",
    "lunch_break": "received during the break between sessions",
    "after_closing": "received after closing",
    "non_working_day": "received on a day off",
}


def _shift_note(sp: _Span, i: int, tod: int, si: int, stod: int, start: datetime) -> Note:
    sess = sp.sess[i]
    if not sess:
        reason = "non_working_day"
    elif tod < sess[0][0]:
        reason = "before_opening"
    elif tod >= sess[-1][1]:
        reason = "after_closing"
    else:
        reason = "lunch_break"
    key = (reason, si, stod)
    note = sp.notes.get(key)
    if note is None:
        d = sp.dates[si]
        note = Note(
            reason,
            f"{_SHIFT_TEXT[reason]}; counted from {_hhmm(stod)} on {d.isoformat()}",
            d,
            (("counted_from", start.isoformat()),),
        )
        sp.notes[key] = note
    return note


def _cutoff_note(sp: _Span, i: int, cutoff_us: int) -> Note:
    key = ("after_same_day_cutoff", i, cutoff_us)
    note = sp.notes.get(key)
    if note is None:
        text = _hhmm(cutoff_us)
        note = Note(
            "after_same_day_cutoff",
            f"received at or after the same-day cut-off {text}; due at the end of the next working day",
            sp.dates[i],
            (("cutoff", text),),
        )
        sp.notes[key] = note
    return note


def _moved_note(sp: _Span, ti: int, di: int) -> Note:
    key = ("due_date_moved", ti, di)
    note = sp.notes.get(key)
    if note is None:
        target, due = sp.dates[ti], sp.dates[di]
        note = Note(
            "due_date_moved",
            f"the period ends on {target.isoformat()}, a day off; due at the end of the next working day, "
            f"{due.isoformat()}",
            target,
            (("target_date", target.isoformat()), ("due_date", due.isoformat())),
        )
        sp.notes[key] = note
    return note


def _day_entries(sp: _Span, skip_ranges, xw_lo: int, xw_hi: int) -> list:
    """Skips for non-working days in the given ordinal ranges (inclusive) and
    notes for counted extra working days in ``xw_lo``..``xw_hi``, by date."""
    nw_ords = sp.nw_ords
    items: list = []
    for lo, hi in skip_ranges:
        if lo <= hi:
            items += sp.nw_items[bisect_left(nw_ords, lo) : bisect_right(nw_ords, hi)]
    if sp.xw_ords:
        xa = bisect_left(sp.xw_ords, xw_lo)
        xb = bisect_right(sp.xw_ords, xw_hi)
        if xa < xb:
            items += sp.xw_items[xa:xb]
            items.sort(key=_entry_date)
    return items


def _entry_date(entry) -> date:
    return entry.date


# -- the computation ----------------------------------------------------------------


def _appointment(sp: _Span, cal, o, tod, local, unit, amount, cutoff_us) -> Appointment:
    zone = cal._zone
    i = o - sp.base
    p0 = _pos(sp, i, tod)
    si, stod = _latest(sp, p0)  # the effective start: next instant inside a session
    if si == i and stod == tod:
        start = local
        explanation = []
    else:
        start = _mk(sp, si, stod, zone)
        explanation = [_shift_note(sp, i, tod, si, stod, start)]
    base = sp.base

    if unit is Unit.WORKING_HOURS or unit is Unit.WORKING_DAYS:
        if amount == 0:
            di = si
            due = start
        else:
            di, dtod = _first(sp, p0 + amount)
            due = _mk(sp, di, dtod, zone)
        explanation += _day_entries(sp, ((o, base + di),), base + si, base + di)
    elif unit is Unit.SAME_DAY:
        sess = sp.sess[i]
        if sess and tod < cutoff_us and tod < sess[-1][1]:
            di = i
        else:
            di = _next_working(sp, i + 1)
            if sess and cutoff_us <= tod < sess[-1][1]:
                explanation.append(_cutoff_note(sp, i, cutoff_us))
        due = _mk(sp, di, sp.sess[di][-1][1], zone)
        explanation += _day_entries(sp, ((o, base + di),), base + si, base + di)
    else:  # Unit.DAYS
        ti = si + amount
        di = _next_working(sp, ti)
        due = _mk(sp, di, sp.sess[di][-1][1], zone)
        explanation += _day_entries(
            sp,
            ((o, base + si - 1), (base + ti, base + di)),
            base + di,
            base + di,
        )
        if di != ti:
            explanation.append(_moved_note(sp, ti, di))
    return Appointment(due, start, tuple(explanation))


def compute_appointment(
    received_at: datetime,
    amount,
    unit: Unit | str,
    calendar: WorkCalendar,
    *,
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF,
) -> Appointment:
    """The due time of a dossier received at ``received_at``.

    * ``working_hours``: ``amount`` hours of working time (fractions allowed,
      rounded to whole seconds), counted from the effective start.
    * ``working_days``: ``amount`` × 8 working hours (fractions allowed).
    * ``days``: the end of the last session of the calendar day
      ``start date + amount`` (whole number), moved forward to the end of the
      next working day if that day is off.
    * ``same_day``: ``amount`` must be 0 or 1 (both mean "within the day").
      Due at the end of the receipt day if it is a working day and the
      receipt is before ``same_day_cutoff`` and before closing; otherwise at
      the end of the next working day.

    The effective start (``start_at``) is ``received_at`` if it is inside a
    session, else the start of the next session.
    """
    u = None
    try:
        u = _UNITS.get(unit)
    except TypeError:
        pass
    if u is None:
        raise ClockError(f"unknown unit {unit!r}; expected one of {_UNIT_NAMES}", code="invalid_unit")
    local = _local(received_at, calendar, "received_at")
    if type(amount) is not int or amount < 0:
        _check_number(amount, "amount")
    if u is Unit.WORKING_DAYS:
        value = _to_us(amount, HOURS_PER_WORKING_DAY * 3600, MAX_DAYS, "amount of working_days")
        span_days = int(amount) * 2 + 14
    elif u is Unit.WORKING_HOURS:
        value = _to_us(amount, 3600, MAX_WORKING_HOURS, "amount of working_hours")
        span_days = int(amount) // 4 + 14
    elif u is Unit.DAYS:
        value = _whole(amount, MAX_DAYS, "amount of days")
        span_days = value + 31
    else:
        if amount != 0 and amount != 1:
            raise ClockError(f"amount of same_day must be 0 or 1, got {amount!r}", code="invalid_amount")
        value = 0
        span_days = 31
    if same_day_cutoff is DEFAULT_SAME_DAY_CUTOFF:
        cutoff_us = _DEFAULT_CUTOFF_US
    elif isinstance(same_day_cutoff, time) and same_day_cutoff.tzinfo is None:
        cutoff_us = _time_us(same_day_cutoff)
    else:
        raise ClockError("same_day_cutoff must be a naive datetime.time", code="invalid_cutoff")
    o = local.toordinal()
    tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond
    hi = o + span_days
    sp = calendar._span
    if sp is not None and sp.base < o and hi < sp.end:  # fast path: the window is big enough
        try:
            return _appointment(sp, calendar, o, tod, local, u, value, cutoff_us)
        except _Grow:
            pass
    return _run(calendar, o - 1, hi, _appointment, calendar, o, tod, local, u, value, cutoff_us)


# -- working-time primitives -----------------------------------------------------


def _add(sp: _Span, cal, o, tod, us) -> datetime:
    i = o - sp.base
    j, t = _first(sp, _pos(sp, i, tod) + us)
    return _mk(sp, j, t, cal._zone)


def add_working_seconds(start: datetime, seconds: int, calendar: WorkCalendar) -> datetime:
    """The earliest instant ``t`` with ``seconds`` of working time in ``[start, t]``.

    With ``seconds == 0`` returns ``start`` itself (in the calendar's zone).
    A result that uses up a session exactly is that session's end.
    """
    local = _local(start, calendar, "start")
    us = _seconds_us(seconds)
    if us == 0:
        return local
    o = local.toordinal()
    return _run(calendar, o - 1, o + us // _WORKING_DAY_US * 2 + 14, _add, calendar, o, _tod(local), us)


def _sub(sp: _Span, cal, o, tod, us) -> datetime:
    i = o - sp.base
    j, t = _latest(sp, _pos(sp, i, tod) - us)
    return _mk(sp, j, t, cal._zone)


def subtract_working_seconds(end: datetime, seconds: int, calendar: WorkCalendar) -> datetime:
    """The latest instant ``t`` <= ``end`` with ``seconds`` of working time in ``[t, end]``.

    If that amount of working time is reached at a break, ``t`` is the start
    of the following session (e.g. one working day before 17:00 is 07:00 the
    same day).  With ``seconds == 0`` returns ``end`` itself.
    """
    local = _local(end, calendar, "end")
    us = _seconds_us(seconds)
    if us == 0:
        return local
    o = local.toordinal()
    return _run(calendar, o - us // _WORKING_DAY_US * 2 - 14, o + 1, _sub, calendar, o, _tod(local), us)


def _between(sp: _Span, oa, ta, ob, tb) -> int:
    return _pos(sp, ob - sp.base, tb) - _pos(sp, oa - sp.base, ta)


def working_seconds_between(a: datetime, b: datetime, calendar: WorkCalendar) -> int:
    """Working time in ``[a, b)`` in whole seconds (rounded down); 0 if ``b <= a``."""
    la = _local(a, calendar, "a")
    lb = _local(b, calendar, "b")
    if lb <= la:
        return 0
    oa, ob = la.toordinal(), lb.toordinal()
    return _run(calendar, oa, ob, _between, oa, _tod(la), ob, _tod(lb)) // _US


def days(calendar: WorkCalendar, start: date, end: date) -> list[tuple[date, DayStatus]]:
    """Every date from ``start`` to ``end`` inclusive with its status."""
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ClockError("days() takes dates, not datetimes", code="invalid_datetime")
    out = []
    for o in range(start.toordinal(), end.toordinal() + 1):
        d = date.fromordinal(o)
        out.append((d, calendar.day_status(d)))
    return out
