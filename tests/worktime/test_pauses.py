"""The two supplement rules (domain.md §3): Decree 61 restarts the clock, the national portal's
figures subtract the waiting time and count a second request as late. Pure: no database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worktime.clock import ClockError, WorkCalendar, compute_appointment, working_seconds_between
from worktime.pauses import SupplementRound, supplement_deadlines

VN = ZoneInfo("Asia/Ho_Chi_Minh")
H = 3600
CAL = WorkCalendar(
    non_working={
        date(2026, 8, 31): "Ngày nghỉ (thay cho ngày 22/08/2026)",
        date(2026, 9, 1): "Quốc khánh",
        date(2026, 9, 2): "Quốc khánh",
    },
    extra_working={date(2026, 8, 22): "Ngày làm việc bù"},
    swapped_working_days=frozenset({date(2026, 8, 22)}),
)


def at(*args):
    return datetime(*args, tzinfo=VN)


TABLE = [
    # received, amount, unit, rounds, restart, portal, paused hours, second request
    pytest.param(at(2026, 11, 23, 9), 3, "working_days", [], at(2026, 11, 26, 9), at(2026, 11, 26, 9), 0, False,
                 id="no-rounds"),
    # 24/11 09:00 → 25/11 09:00 waits one working day; restart from 25/11 09:00 + 3 days.
    pytest.param(at(2026, 11, 23, 9), 3, "working_days", [(at(2026, 11, 24, 9), at(2026, 11, 25, 9))],
                 at(2026, 11, 30, 9), at(2026, 11, 27, 9), 8, False, id="one-round"),
    # waits 2.5 h then 4.5 h = 7 h; restart from Wed 11:30: 3.5 + 8 + 8 + 4.5 → Mon 30/11 11:30;
    # portal: Thu 26/11 09:00 + 7 h → 6 h left on Thursday, 1 h on Friday → 08:00.
    pytest.param(at(2026, 11, 23, 9), 3, "working_days",
                 [(at(2026, 11, 25, 7), at(2026, 11, 25, 11, 30)), (at(2026, 11, 24, 9), at(2026, 11, 24, 13, 30))],
                 at(2026, 11, 30, 11, 30), at(2026, 11, 27, 8), 7, True, id="two-rounds-any-order"),
    # Over National Day: due Fri 4/9 09:00; waits Fri 28/8 13:30-17:00 only (the rest is days off).
    pytest.param(at(2026, 8, 28, 9), 2, "working_days", [(at(2026, 8, 28, 13, 30), at(2026, 9, 3, 7))],
                 at(2026, 9, 4, 17), at(2026, 9, 4, 14, 30), 3.5, False, id="national-day"),
    # A request logged before the receipt only counts from the receipt.
    pytest.param(at(2026, 11, 23, 9), 8, "working_hours", [(at(2026, 11, 20, 9), at(2026, 11, 23, 10))],
                 at(2026, 11, 24, 10), at(2026, 11, 24, 10), 1, False, id="clipped-at-receipt"),
    # Overlapping rounds count once: 09:00-10:30 ∪ 10:00-11:00 = 2 h of waiting.
    pytest.param(at(2026, 11, 23, 7), 8, "working_hours",
                 [(at(2026, 11, 23, 9), at(2026, 11, 23, 10, 30)), (at(2026, 11, 23, 10), at(2026, 11, 23, 11))],
                 at(2026, 11, 24, 11), at(2026, 11, 24, 9), 2, True, id="overlap"),
    # Same-day procedure answered after 15:00: restart is due the next working day; waited 2.5 + 2 h.
    pytest.param(at(2026, 11, 23, 8), 1, "same_day", [(at(2026, 11, 23, 9), at(2026, 11, 23, 15, 30))],
                 at(2026, 11, 24, 17), at(2026, 11, 24, 11, 30), 4.5, False, id="same-day"),
]


@pytest.mark.parametrize("received, amount, unit, rounds, restart, portal, paused_h, second", TABLE)
def test_table(received, amount, unit, rounds, restart, portal, paused_h, second):
    result = supplement_deadlines(received, amount, unit, CAL, rounds)
    assert result.original_due_at == compute_appointment(received, amount, unit, CAL).appointment_at
    assert result.restart_due_at == restart
    assert result.due_at == restart
    assert result.portal_due_at == portal
    assert result.paused_seconds == paused_h * H
    assert result.portal_late_by_second_request is second
    assert result.rounds == len(rounds)
    assert result.waiting is False


def test_open_round_stops_the_clock():
    result = supplement_deadlines(
        at(2026, 11, 23, 9), 3, "working_days", CAL,
        [SupplementRound(at(2026, 11, 24, 9), at(2026, 11, 24, 10)), SupplementRound(at(2026, 11, 25, 9))],
    )
    assert result.waiting is True
    assert result.restart_due_at is None and result.portal_due_at is None
    assert result.paused_seconds == H
    assert result.portal_late_by_second_request is True
    assert result.original_due_at == at(2026, 11, 26, 9)


@pytest.mark.parametrize("rounds", [
    [(at(2026, 11, 24, 9), at(2026, 11, 24, 8))],  # reply before request
    [(at(2026, 11, 24, 9), None), (at(2026, 11, 25, 9), at(2026, 11, 25, 10))],  # open round not last
    [("2026-11-24", None)],
])
def test_inconsistent_rounds_are_rejected(rounds):
    with pytest.raises(ClockError) as exc:
        supplement_deadlines(at(2026, 11, 23, 9), 3, "working_days", CAL, rounds)
    assert exc.value.code == "invalid_rounds"


def test_bad_limit_is_the_clock_error():
    with pytest.raises(ClockError) as exc:
        supplement_deadlines(at(2026, 11, 23, 9), 3, "weeks", CAL, [])
    assert exc.value.code == "invalid_unit"


BASE = at(2026, 8, 3, 7)


@st.composite
def rounds_after_receipt(draw):
    """Non-overlapping rounds at minute resolution within ~6 weeks after the receipt."""
    received = BASE + timedelta(minutes=draw(st.integers(0, 14 * 24 * 60)))
    n = draw(st.integers(0, 4))
    t = received
    rounds = []
    for _ in range(n):
        start = t + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
        end = start + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
        rounds.append((start, end))
        t = end
    return received, rounds


@settings(max_examples=300, deadline=None)
@given(rounds_after_receipt(), st.integers(1, 15), st.sampled_from(["working_days", "working_hours", "days"]))
def test_properties(data, amount, unit):
    received, rounds = data
    result = supplement_deadlines(received, amount, unit, CAL, rounds)
    assert result.portal_late_by_second_request is (len(rounds) >= 2)
    assert result.paused_seconds == sum(working_seconds_between(a, b, CAL) for a, b in rounds)
    # The portal's due time is the original one pushed back by exactly the working time waited.
    assert result.portal_due_at >= result.original_due_at
    assert working_seconds_between(result.original_due_at, result.portal_due_at, CAL) == result.paused_seconds
    if rounds:
        last_reply = rounds[-1][1]
        assert result.restart_due_at == compute_appointment(last_reply, amount, unit, CAL).appointment_at
        assert result.restart_due_at >= last_reply
    else:
        assert result.restart_due_at == result.portal_due_at == result.original_due_at
