"""Hypothesis properties of worktime.clock.

Pure tests: no Django, no database.  Calendars are the real Vietnamese one
(2024-2027, from the ``holidays`` package), two desk variants, and randomly
generated ones (random sessions, days off, extra working days with their own
sessions, weekends).  Several properties compare against ``oracle_*``: a
deliberately naive day-by-day walk written from the rules, independent of the
prefix-sum implementation.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from tests.worktime.vn_calendar import default_vn_calendar, vn_calendar
from worktime.clock import (
    HOURS_PER_WORKING_DAY,
    ClockError,
    Note,
    Session,
    Skip,
    WorkCalendar,
    add_working_seconds,
    compute_appointment,
    subtract_working_seconds,
    working_seconds_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 12, 31)

# CLOCK_EXAMPLES=5000 for a longer soak; no example database (nothing written to the tree).
SETTINGS = settings(
    max_examples=int(os.environ.get("CLOCK_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FIXED_CALENDARS = [
    default_vn_calendar(),
    vn_calendar(sessions=(Session(time(7, 30), time(11, 30)), Session(time(13), time(17)))),
    vn_calendar(
        extra_working={date(2025, 3, 8): "Saturday desk", date(2026, 2, 21): "Tết desk"},
        session_overrides={
            date(2025, 3, 8): (Session(time(7, 30), time(11, 30)),),
            date(2026, 2, 21): (Session(time(8), time(10)),),
        },
    ),
]


# -- the independent oracle ----------------------------------------------------------


def oracle_working(cal: WorkCalendar, d: date) -> bool:
    if d in cal.non_working:
        return False
    if d in cal.extra_working:
        return True
    return d.weekday() not in cal.weekend


def oracle_sessions(cal: WorkCalendar, d: date) -> list[tuple[datetime, datetime]]:
    if not oracle_working(cal, d):
        return []
    sessions = cal.session_overrides.get(d, cal.sessions)
    return [(datetime.combine(d, s.start, VN), datetime.combine(d, s.end, VN)) for s in sessions]


def oracle_effective_start(cal, received: datetime) -> datetime:
    return oracle_add(cal, received, timedelta(0))


def oracle_add(cal, received: datetime, amount: timedelta) -> datetime:
    """Walk day by day, session by session, consuming ``amount``."""
    cur = received.astimezone(VN)
    d = cur.date()
    remaining = amount
    while True:
        for s, e in oracle_sessions(cal, d):
            seg_start = max(s, cur)
            if seg_start >= e:  # the receipt is at/after this session's end
                continue
            if remaining == timedelta(0):
                return seg_start
            if remaining <= e - seg_start:
                return seg_start + remaining
            remaining -= e - seg_start
        d += timedelta(1)


def oracle_next_working(cal, d: date) -> date:
    while not oracle_working(cal, d):
        d += timedelta(1)
    return d


def oracle_day_end(cal, d: date) -> datetime:
    return oracle_sessions(cal, d)[-1][1]


def oracle_between(cal, a: datetime, b: datetime) -> timedelta:
    total = timedelta(0)
    d = a.astimezone(VN).date()
    while d <= b.astimezone(VN).date():
        for s, e in oracle_sessions(cal, d):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        d += timedelta(1)
    return total


def oracle_appointment(cal, received: datetime, amount, unit: str, cutoff=time(15)) -> datetime:
    local = received.astimezone(VN)
    if unit == "working_hours":
        return oracle_add(cal, received, timedelta(hours=float(amount)))
    if unit == "working_days":
        return oracle_add(cal, received, timedelta(hours=HOURS_PER_WORKING_DAY * float(amount)))
    if unit == "same_day":
        sessions = oracle_sessions(cal, local.date())
        if sessions and local.time() < cutoff and local < sessions[-1][1]:
            return sessions[-1][1]
        return oracle_day_end(cal, oracle_next_working(cal, local.date() + timedelta(1)))
    assert unit == "days"
    start = oracle_effective_start(cal, received)
    return oracle_day_end(cal, oracle_next_working(cal, start.date() + timedelta(amount)))


def in_a_session(cal, t: datetime) -> bool:
    return any(s <= t <= e for s, e in oracle_sessions(cal, t.astimezone(VN).date()))


def in_half_open_session(cal, t: datetime) -> bool:
    return any(s <= t < e for s, e in oracle_sessions(cal, t.astimezone(VN).date()))


def date_range(a: date, b: date) -> list[date]:
    return [a + timedelta(n) for n in range((b - a).days + 1)]


# -- strategies ------------------------------------------------------------------------

days_in_range = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(n))


@st.composite
def session_tuples(draw, min_minute=5 * 60, max_minute=21 * 60, max_sessions=3):
    bounds = sorted(draw(st.sets(st.integers(min_minute, max_minute), min_size=2, max_size=2 * max_sessions)))
    if len(bounds) % 2:
        bounds = bounds[:-1]
    return tuple(
        Session(time(a // 60, a % 60), time(b // 60, b % 60))
        for a, b in zip(bounds[::2], bounds[1::2], strict=True)
    )


@st.composite
def random_calendars(draw):
    holidays_ = draw(st.sets(days_in_range, max_size=40))
    extra = draw(st.sets(days_in_range, max_size=12))
    overrides = {d: draw(session_tuples()) for d in draw(st.sets(days_in_range, max_size=8))}
    weekend = draw(st.sampled_from([frozenset({5, 6}), frozenset({6}), frozenset({4, 5, 6}), frozenset()]))
    return WorkCalendar(
        non_working={d: f"Holiday {d}" for d in holidays_},
        extra_working={d: f"Extra {d}" for d in extra},
        sessions=draw(session_tuples()),
        session_overrides=overrides,
        weekend=weekend,
    )


calendars = st.one_of(st.sampled_from(FIXED_CALENDARS), random_calendars())


@st.composite
def receipts(draw, cal: WorkCalendar):
    """An aware instant, often on or next to a session boundary."""
    d = draw(days_in_range)
    sessions = cal.session_overrides.get(d, cal.sessions)
    marks = [t for s in sessions for t in (s.start, s.end)] + [time(15)]
    kind = draw(st.integers(0, 3))
    if kind == 0:
        t = draw(st.sampled_from(marks))
        minute = t.hour * 60 + t.minute + draw(st.sampled_from([-1, 0, 0, 1]))
        minute = min(max(minute, 0), 1439)
        second = 0
    else:
        minute = draw(st.integers(0, 1439))
        second = draw(st.sampled_from([0, 0, 0, 30]))
    local = datetime.combine(d, time(minute // 60, minute % 60, second), VN)
    if draw(st.booleans()):
        return local.astimezone(UTC)  # any aware input works
    return local


hour_amounts = st.one_of(
    st.integers(0, 130),
    st.integers(0, 4 * 130).map(lambda q: Decimal(q) / 4),
)
day_amounts = st.integers(0, 15)


@st.composite
def unit_amounts(draw):
    unit = draw(st.sampled_from(["working_hours", "working_days", "days", "same_day"]))
    if unit == "working_hours":
        return unit, draw(hour_amounts)
    if unit == "working_days":
        return unit, draw(st.one_of(day_amounts, st.sampled_from([Decimal("0.5"), Decimal("1.5")])))
    if unit == "days":
        return unit, draw(st.integers(0, 45))
    return unit, draw(st.sampled_from([0, 1]))


@st.composite
def scenario(draw):
    cal = draw(calendars)
    return cal, draw(receipts(cal))


# -- properties -----------------------------------------------------------------------


@SETTINGS
@given(scenario(), unit_amounts())
def test_matches_the_oracle(sc, ua):
    cal, received = sc
    unit, amount = ua
    appt = compute_appointment(received, amount, unit, cal)
    assert appt.appointment_at == oracle_appointment(cal, received, amount, unit)
    assert appt.start_at == oracle_effective_start(cal, received)
    assert appt.appointment_at.tzinfo is VN and appt.start_at.tzinfo is VN


@SETTINGS
@given(scenario(), unit_amounts())
def test_due_is_inside_a_session_of_a_working_day(sc, ua):
    cal, received = sc
    unit, amount = ua
    appt = compute_appointment(received, amount, unit, cal)
    due = appt.appointment_at
    assert oracle_working(cal, due.date())
    assert in_a_session(cal, due)
    # The effective start is inside a session (half-open) and not before the receipt.
    assert in_half_open_session(cal, appt.start_at)
    assert received <= appt.start_at <= due


@SETTINGS
@given(calendars.flatmap(lambda c: st.tuples(st.just(c), receipts(c), receipts(c))), unit_amounts())
def test_later_receipt_never_gives_an_earlier_appointment(data, ua):
    cal, r1, r2 = data
    unit, amount = ua
    r1, r2 = sorted((r1, r2))
    a1 = compute_appointment(r1, amount, unit, cal)
    a2 = compute_appointment(r2, amount, unit, cal)
    assert a1.appointment_at <= a2.appointment_at
    assert a1.start_at <= a2.start_at


@SETTINGS
@given(
    scenario(),
    st.sampled_from(["working_hours", "working_days", "days"]),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_more_amount_never_gives_an_earlier_appointment(sc, unit, a, b):
    cal, received = sc
    a, b = sorted((a, b))
    assert (
        compute_appointment(received, a, unit, cal).appointment_at
        <= compute_appointment(received, b, unit, cal).appointment_at
    )
    s1 = compute_appointment(received, 0, "same_day", cal).appointment_at
    assert s1 == compute_appointment(received, 1, "same_day", cal).appointment_at


@SETTINGS
@given(scenario(), hour_amounts, hour_amounts)
def test_working_hours_are_additive(sc, a, b):
    cal, received = sc
    try:
        _check_additive(cal, received, a, b)
    except ClockError as exc:
        # A one-minute daily session with 260 hours to add reaches past the clock's documented 60-year
        # range: that limit is the answer, not a counterexample.
        if exc.code != "out_of_range":
            raise
        reject()


def _check_additive(cal, received, a, b):
    first = compute_appointment(received, a, "working_hours", cal).appointment_at
    then = compute_appointment(first, b, "working_hours", cal).appointment_at
    if b > 0:
        assert then == compute_appointment(received, a + b, "working_hours", cal).appointment_at
    else:  # amount 0 gives the effective start: 17:00 -> next opening
        assert then == compute_appointment(first, 0, "working_hours", cal).start_at
    # The same with the primitive, from the effective (in-session) start.
    start = compute_appointment(received, 0, "working_hours", cal).start_at
    sa, sb = int(a * 3600), int(b * 3600)
    assert add_working_seconds(add_working_seconds(start, sa, cal), sb, cal) == add_working_seconds(
        start, sa + sb, cal
    )


@SETTINGS
@given(scenario(), st.integers(0, 15 * 8 * 3600))
def test_between_measures_what_add_added(sc, seconds):
    cal, start = sc
    end = add_working_seconds(start, seconds, cal)
    assert working_seconds_between(start, end, cal) == seconds
    assert end == oracle_add(cal, start, timedelta(seconds=seconds)) or seconds == 0


@SETTINGS
@given(calendars.flatmap(lambda c: st.tuples(st.just(c), receipts(c), receipts(c))))
def test_between_matches_the_oracle(data):
    cal, a, b = data
    expected = oracle_between(cal, a, b) if b > a else timedelta(0)
    assert working_seconds_between(a, b, cal) == int(expected.total_seconds())


@SETTINGS
@given(scenario(), st.integers(1, 15 * 8 * 3600))
def test_subtract_is_the_inverse_of_add(sc, seconds):
    cal, received = sc
    # t in a session [start, end): subtract(add(t, s), s) == t.
    t = compute_appointment(received, 0, "working_hours", cal).start_at
    assert in_half_open_session(cal, t)
    assert subtract_working_seconds(add_working_seconds(t, seconds, cal), seconds, cal) == t
    # e in a session (start, end]: add(subtract(e, s), s) == e.
    e = add_working_seconds(t, 60, cal)
    back = subtract_working_seconds(e, seconds, cal)
    assert add_working_seconds(back, seconds, cal) == e
    assert working_seconds_between(back, e, cal) == seconds
    assert in_half_open_session(cal, back)


@SETTINGS
@given(scenario(), unit_amounts())
def test_explanation_lists_exactly_the_skipped_days(sc, ua):
    cal, received = sc
    unit, amount = ua
    appt = compute_appointment(received, amount, unit, cal)
    recv_day = received.astimezone(VN).date()
    start_day = appt.start_at.date()
    due_day = appt.appointment_at.date()
    skips = [e for e in appt.explanation if isinstance(e, Skip)]
    notes = [e for e in appt.explanation if isinstance(e, Note)]
    if unit == "days":
        # Calendar days count every day; only the start shift and the final
        # move past days off skip anything.
        target = start_day + timedelta(amount)
        expected = [d for d in date_range(recv_day, start_day - timedelta(1)) if not oracle_working(cal, d)]
        expected += [d for d in date_range(target, due_day) if not oracle_working(cal, d)]
        assert ("due_date_moved" in [n.reason for n in notes]) == (target != due_day)
        counted = [due_day] if due_day in cal.extra_working else []
    else:
        expected = [d for d in date_range(recv_day, due_day) if not oracle_working(cal, d)]
        counted = [
            d for d in date_range(start_day, due_day) if oracle_working(cal, d) and d in cal.extra_working
        ]
    assert [s.date for s in skips] == expected
    for s in skips:
        assert s.reason == ("holiday" if s.date in cal.non_working else "weekend")
        assert s.label
        assert s.as_dict()["date"] == s.date.isoformat()
    assert [n.date for n in notes if n.reason in ("swapped_working_day", "extra_working_day")] == counted
    # A start shift is explained iff there was one.
    shift_reasons = ("before_opening", "lunch_break", "after_closing", "non_working_day")
    shifted = [n for n in notes if n.reason in shift_reasons]
    assert len(shifted) == (appt.start_at != received)
    if shifted:
        local = received.astimezone(VN)
        sessions = oracle_sessions(cal, recv_day)
        if not sessions:
            reason = "non_working_day"
        elif local < sessions[0][0]:
            reason = "before_opening"
        elif local >= sessions[-1][1]:
            reason = "after_closing"
        else:
            reason = "lunch_break"
        assert shifted[0].reason == reason
        assert shifted[0].date == start_day
        assert appt.explanation[0] is shifted[0]
    # Day entries are in date order.
    day_reasons = ("swapped_working_day", "extra_working_day")
    dated = [e.date for e in appt.explanation if isinstance(e, Skip) or e.reason in day_reasons]
    assert dated == sorted(dated)


@SETTINGS
@given(scenario(), st.integers(0, 15))
def test_working_days_are_eight_hours(sc, n):
    cal, received = sc
    a = compute_appointment(received, n, "working_days", cal)
    b = compute_appointment(received, n * HOURS_PER_WORKING_DAY, "working_hours", cal)
    assert a == b
    assert working_seconds_between(a.start_at, a.appointment_at, cal) == n * HOURS_PER_WORKING_DAY * 3600
