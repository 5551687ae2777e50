"""Table tests of worktime.clock on the real 2025-2026 Vietnamese calendar.

Pure tests: no Django, no database.  Every expected value is computed by hand
in the comment next to it.  Default sessions: 07:00-11:30 (4.5 h) and
13:30-17:00 (3.5 h), so one working day = 8 h.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.worktime.vn_calendar import default_vn_calendar, vn_calendar
from worktime.clock import (
    DEFAULT_SESSIONS,
    HOURS_PER_WORKING_DAY,
    Appointment,
    ClockError,
    DayStatus,
    Note,
    Session,
    Skip,
    Unit,
    WorkCalendar,
    add_working_seconds,
    compute_appointment,
    days,
    subtract_working_seconds,
    working_seconds_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
H = 3600


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def D(y, m, d):
    return date(y, m, d)


CAL = default_vn_calendar()


def skip_dates(appt: Appointment):
    return [e.date for e in appt.explanation if isinstance(e, Skip)]


def note_reasons(appt: Appointment):
    return [e.reason for e in appt.explanation if isinstance(e, Note)]


# --------------------------------------------------------------------------
# The table.  Columns: received_at, amount, unit, expected due, expected
# start_at, expected skipped dates, expected note reasons (in order).
# --------------------------------------------------------------------------
WH, WD, DAYS, SAME = "working_hours", "working_days", "days", "same_day"

# fmt: off
CASES = [
    # ---- ordinary week (Mon 3 Mar 2025) ------------------------------------
    pytest.param(
        # 1.5 h Mon morning (10:00-11:30) + 3.5 h Mon afternoon + 3 h Tue
        # morning (07:00-10:00) = 8 h -> Tue 10:00.
        at(2025, 3, 3, 10), 1, WD, at(2025, 3, 4, 10), at(2025, 3, 3, 10), [], [],
        id="1wd-from-10:00-monday",
    ),
    pytest.param(
        # 4.5 h + 3.5 h = 8 h exactly at Mon 17:00 (same day, not Tue 07:00).
        at(2025, 3, 3, 7), 1, WD, at(2025, 3, 3, 17), at(2025, 3, 3, 7), [], [],
        id="1wd-from-07:00-ends-17:00-same-day",
    ),
    pytest.param(
        # 8 working hours == 1 working day.
        at(2025, 3, 3, 7), 8, WH, at(2025, 3, 3, 17), at(2025, 3, 3, 7), [], [],
        id="8wh-from-07:00",
    ),
    pytest.param(
        # 06:15 is before opening: counted from 07:00; +2 h = 09:00.
        at(2025, 3, 3, 6, 15), 2, WH, at(2025, 3, 3, 9), at(2025, 3, 3, 7), [], ["before_opening"],
        id="before-opening",
    ),
    pytest.param(
        # 12:00 is the lunch break: counted from 13:30; +1 h = 14:30.
        at(2025, 3, 3, 12), 1, WH, at(2025, 3, 3, 14, 30), at(2025, 3, 3, 13, 30), [], ["lunch_break"],
        id="at-lunch",
    ),
    pytest.param(
        # 11:30 exactly is the end of the morning: counted from 13:30; +1 h = 14:30.
        at(2025, 3, 3, 11, 30), 1, WH, at(2025, 3, 3, 14, 30), at(2025, 3, 3, 13, 30), [], ["lunch_break"],
        id="exactly-11:30",
    ),
    pytest.param(
        # 11:00 + 0.5 h uses the morning up exactly: due 11:30, not 13:30.
        at(2025, 3, 3, 11), Decimal("0.5"), WH, at(2025, 3, 3, 11, 30), at(2025, 3, 3, 11), [], [],
        id="ends-exactly-at-11:30",
    ),
    pytest.param(
        # 10:00 + 1.5 h (float) = 11:30.
        at(2025, 3, 3, 10), 1.5, WH, at(2025, 3, 3, 11, 30), at(2025, 3, 3, 10), [], [],
        id="fractional-hours-float",
    ),
    pytest.param(
        # 0.5 working day = 4 h: 10:00-11:30 (1.5 h) + 13:30-16:00 (2.5 h).
        at(2025, 3, 3, 10), Decimal("0.5"), WD, at(2025, 3, 3, 16), at(2025, 3, 3, 10), [], [],
        id="half-working-day",
    ),
    pytest.param(
        # 17:00 exactly is closing: counted from Tue 07:00; +1 h = Tue 08:00.
        at(2025, 3, 3, 17), 1, WH, at(2025, 3, 4, 8), at(2025, 3, 4, 7), [], ["after_closing"],
        id="exactly-17:00",
    ),
    pytest.param(
        # Fri 16:00: 1 h Friday (16-17), Sat 8 / Sun 9 skipped, Mon 07:00 + 1 h.
        at(2025, 3, 7, 16), 2, WH, at(2025, 3, 10, 8), at(2025, 3, 7, 16), [D(2025, 3, 8), D(2025, 3, 9)], [],
        id="over-a-weekend",
    ),
    pytest.param(
        # Amount 0 after closing: the effective start (Tue 07:00).
        at(2025, 3, 3, 18), 0, WH, at(2025, 3, 4, 7), at(2025, 3, 4, 7), [], ["after_closing"],
        id="zero-hours-after-closing",
    ),
    pytest.param(
        # Amount 0 inside a session: the receipt itself.
        at(2025, 3, 3, 10), 0, WD, at(2025, 3, 3, 10), at(2025, 3, 3, 10), [], [],
        id="zero-days-in-session",
    ),
    # ---- Tết 2025: Mon 27 Jan - Sat 1 Feb off, Sun 2 Feb weekend ----------
    pytest.param(
        # Fri 24 Jan 10:00, 16 h: Fri 1.5 + 3.5 = 5 h (11 h left); skip Sat 25,
        # Sun 26, 27-31 Jan and Sat 1 Feb (Tết), Sun 2 Feb; Mon 3 Feb 8 h
        # (3 h left); Tue 4 Feb 07:00 + 3 h = 10:00.
        at(2025, 1, 24, 10), 2, WD, at(2025, 2, 4, 10), at(2025, 1, 24, 10),
        [D(2025, 1, 25), D(2025, 1, 26), D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29),
         D(2025, 1, 30), D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 2)],
        [],
        id="tet-2025",
    ),
    # ---- Tết 2026: Mon 16 - Fri 20 Feb off ------------------------------
    pytest.param(
        # Fri 13 Feb 17:30: after closing; next working day is Mon 23 Feb
        # (14-15 weekend, 16-20 Tết, 21-22 weekend).  3 x 8 h from Mon 07:00:
        # Mon 17:00, Tue 17:00, Wed 25 Feb 17:00.
        at(2026, 2, 13, 17, 30), 3, WD, at(2026, 2, 25, 17), at(2026, 2, 23, 7),
        [D(2026, 2, 14), D(2026, 2, 15), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18),
         D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 21), D(2026, 2, 22)],
        ["after_closing"],
        id="friday-evening-before-tet-2026",
    ),
    # ---- Hùng Kings' day --------------------------------------------------
    pytest.param(
        # 2025: Mon 7 Apr off.  Fri 4 Apr 14:00, 8 h: Fri 14-17 = 3 h (5 h left);
        # skip Sat 5, Sun 6, Mon 7; Tue 8: morning 4.5 h (0.5 h left),
        # 13:30 + 0.5 h = 14:00.
        at(2025, 4, 4, 14), 1, WD, at(2025, 4, 8, 14), at(2025, 4, 4, 14),
        [D(2025, 4, 5), D(2025, 4, 6), D(2025, 4, 7)], [],
        id="hung-kings-2025",
    ),
    pytest.param(
        # 2026: Sun 26 Apr (holiday) + Mon 27 (observed), Thu 30 Apr, Fri 1 May.
        # Fri 24 Apr 09:00, 40 h: Fri 2.5 + 3.5 = 6 h (34 left); skip 25, 26, 27;
        # Tue 28 (26 left), Wed 29 (18 left); skip 30 Apr, 1-3 May;
        # Mon 4 (10 left), Tue 5 (2 left); Wed 6 May 07:00 + 2 h = 09:00.
        at(2026, 4, 24, 9), 5, WD, at(2026, 5, 6, 9), at(2026, 4, 24, 9),
        [D(2026, 4, 25), D(2026, 4, 26), D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1),
         D(2026, 5, 2), D(2026, 5, 3)],
        [],
        id="hung-kings-2026-observed-and-30-4",
    ),
    # ---- 30/4 - 1/5 2025 with swapped Saturday 26 Apr ---------------------
    pytest.param(
        # Fri 25 Apr 15:00, 8 h: Fri 15-17 = 2 h (6 left); Sat 26 Apr is a
        # working day: morning 4.5 h (1.5 left); 13:30 + 1.5 h = Sat 15:00.
        at(2025, 4, 25, 15), 1, WD, at(2025, 4, 26, 15), at(2025, 4, 25, 15), [], ["swapped_working_day"],
        id="due-on-swapped-saturday-2025",
    ),
    pytest.param(
        # Received on the swapped Saturday 26 Apr 08:00, 24 h: Sat 3.5 + 3.5 =
        # 7 h (17 left); skip Sun 27; Mon 28 (9 left), Tue 29 (1 left); skip
        # Wed 30, Thu 1, Fri 2 May (substituted day off), Sat 3, Sun 4;
        # Mon 5 May 07:00 + 1 h = 08:00.
        at(2025, 4, 26, 8), 3, WD, at(2025, 5, 5, 8), at(2025, 4, 26, 8),
        [D(2025, 4, 27), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 3), D(2025, 5, 4)],
        ["swapped_working_day"],
        id="received-on-swapped-saturday-2025",
    ),
    pytest.param(
        # Sun 27 Apr 2025 is a day off: counted from Mon 28 07:00; +2 h = 09:00.
        at(2025, 4, 27, 10), 2, WH, at(2025, 4, 28, 9), at(2025, 4, 28, 7), [D(2025, 4, 27)], ["non_working_day"],
        id="received-on-sunday",
    ),
    # ---- 2/9 ------------------------------------------------------------------
    pytest.param(
        # 2025: Mon 1 + Tue 2 Sep off.  Fri 29 Aug 11:30 exactly -> from 13:30:
        # Fri 3.5 h (4.5 left); skip 30, 31 Aug, 1, 2 Sep; Wed 3 Sep morning is
        # exactly 4.5 h -> due 11:30 (the session end).
        at(2025, 8, 29, 11, 30), 1, WD, at(2025, 9, 3, 11, 30), at(2025, 8, 29, 13, 30),
        [D(2025, 8, 30), D(2025, 8, 31), D(2025, 9, 1), D(2025, 9, 2)], ["lunch_break"],
        id="national-day-2025",
    ),
    pytest.param(
        # 2026: Sat 22 Aug is a working day (swapped for Mon 31 Aug).  Fri 21 Aug
        # 17:00 exactly -> counted from Sat 22 Aug 07:00; +1 h = 08:00.
        at(2026, 8, 21, 17), 1, WH, at(2026, 8, 22, 8), at(2026, 8, 22, 7), [],
        ["after_closing", "swapped_working_day"],
        id="after-closing-into-swapped-saturday-2026",
    ),
    pytest.param(
        # 2026: Mon 31 Aug (substituted), Tue 1 and Wed 2 Sep off.  Fri 28 Aug
        # 10:00, 16 h: Fri 5 h (11 left); skip 29, 30, 31 Aug, 1, 2 Sep; Thu 3
        # (3 left); Fri 4 Sep 07:00 + 3 h = 10:00.
        at(2026, 8, 28, 10), 2, WD, at(2026, 9, 4, 10), at(2026, 8, 28, 10),
        [D(2026, 8, 29), D(2026, 8, 30), D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)], [],
        id="national-day-2026",
    ),
    # ---- Vietnam Cultural Day, Tue 24 Nov 2026 (listed by holidays 0.109) ---
    pytest.param(
        # Fri 20 Nov 18:00 -> counted from Mon 23 Nov 07:00; 1st day ends Mon
        # 17:00; Tue 24 off; 2nd day Wed 25 07:00-17:00.
        at(2026, 11, 20, 18), 2, WD, at(2026, 11, 25, 17), at(2026, 11, 23, 7),
        [D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 24)], ["after_closing"],
        id="vietnam-cultural-day-2026",
    ),
    # ---- same_day (cut-off 15:00) ---------------------------------------------
    pytest.param(
        # Before the cut-off on a working day: end of that day.
        at(2025, 3, 3, 14, 59), 1, SAME, at(2025, 3, 3, 17), at(2025, 3, 3, 14, 59), [], [],
        id="same-day-before-cutoff",
    ),
    pytest.param(
        # 15:00 exactly is at the cut-off: end of the next working day (Tue).
        at(2025, 3, 3, 15), 1, SAME, at(2025, 3, 4, 17), at(2025, 3, 3, 15), [], ["after_same_day_cutoff"],
        id="same-day-at-cutoff",
    ),
    pytest.param(
        # Before opening counts as before the cut-off: Mon 17:00.
        at(2025, 3, 3, 6), 1, SAME, at(2025, 3, 3, 17), at(2025, 3, 3, 7), [], ["before_opening"],
        id="same-day-before-opening",
    ),
    pytest.param(
        # At lunch (12:00 < 15:00): Mon 17:00, counted from 13:30.
        at(2025, 3, 3, 12), 0, SAME, at(2025, 3, 3, 17), at(2025, 3, 3, 13, 30), [], ["lunch_break"],
        id="same-day-at-lunch",
    ),
    pytest.param(
        # After closing: end of the next working day (Tue 17:00).
        at(2025, 3, 3, 17, 30), 1, SAME, at(2025, 3, 4, 17), at(2025, 3, 4, 7), [], ["after_closing"],
        id="same-day-after-closing",
    ),
    pytest.param(
        # On a Sunday: end of Monday.
        at(2025, 3, 9, 10), 1, SAME, at(2025, 3, 10, 17), at(2025, 3, 10, 7), [D(2025, 3, 9)], ["non_working_day"],
        id="same-day-on-sunday",
    ),
    pytest.param(
        # Fri 13 Feb 2026 15:30, after the cut-off: next working day is Mon
        # 23 Feb (weekend + Tết 16-20 + weekend), due 17:00.
        at(2026, 2, 13, 15, 30), 1, SAME, at(2026, 2, 23, 17), at(2026, 2, 13, 15, 30),
        [D(2026, 2, 14), D(2026, 2, 15), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18),
         D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 21), D(2026, 2, 22)],
        ["after_same_day_cutoff"],
        id="same-day-after-cutoff-before-tet-2026",
    ),
    pytest.param(
        # Fri 25 Apr 2025 16:00, after the cut-off: the next working day is the
        # swapped Saturday 26 Apr -> due Sat 17:00.
        at(2025, 4, 25, 16), 1, SAME, at(2025, 4, 26, 17), at(2025, 4, 25, 16), [],
        ["after_same_day_cutoff", "swapped_working_day"],
        id="same-day-into-swapped-saturday",
    ),
    # ---- days (calendar days) ----------------------------------------------------
    pytest.param(
        # Mon 3 Mar + 15 days = Tue 18 Mar (working) -> 17:00.  Weekends inside
        # the period are counted, not skipped.
        at(2025, 3, 3, 10), 15, DAYS, at(2025, 3, 18, 17), at(2025, 3, 3, 10), [], [],
        id="15-calendar-days",
    ),
    pytest.param(
        # Fri 17 Jan 2025 + 10 days = Mon 27 Jan (Tết): moved to the next working
        # day, Mon 3 Feb, 17:00; skipped 27 Jan - 2 Feb.
        at(2025, 1, 17, 10), 10, DAYS, at(2025, 2, 3, 17), at(2025, 1, 17, 10),
        [D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31),
         D(2025, 2, 1), D(2025, 2, 2)],
        ["due_date_moved"],
        id="calendar-days-ending-in-tet-2025",
    ),
    pytest.param(
        # Fri 7 Mar 18:00: counting starts Mon 10 Mar; +1 day = Tue 11 Mar 17:00.
        at(2025, 3, 7, 18), 1, DAYS, at(2025, 3, 11, 17), at(2025, 3, 10, 7),
        [D(2025, 3, 8), D(2025, 3, 9)], ["after_closing"],
        id="calendar-days-after-closing-friday",
    ),
    pytest.param(
        # Thu 6 Mar + 2 days = Sat 8 Mar (weekend) -> Mon 10 Mar 17:00.
        at(2025, 3, 6, 10), 2, DAYS, at(2025, 3, 10, 17), at(2025, 3, 6, 10),
        [D(2025, 3, 8), D(2025, 3, 9)], ["due_date_moved"],
        id="calendar-days-ending-on-saturday",
    ),
    pytest.param(
        # 0 days: end of the receipt day.
        at(2025, 3, 3, 10), 0, DAYS, at(2025, 3, 3, 17), at(2025, 3, 3, 10), [], [],
        id="zero-calendar-days",
    ),
    pytest.param(
        # Thu 24 Apr 2025 + 2 days = Sat 26 Apr, a swapped working day -> 17:00.
        at(2025, 4, 24, 10), 2, DAYS, at(2025, 4, 26, 17), at(2025, 4, 24, 10), [], ["swapped_working_day"],
        id="calendar-days-ending-on-swapped-saturday",
    ),
]
# fmt: on


@pytest.mark.parametrize("received, amount, unit, due, start, skips, notes", CASES)
def test_table(received, amount, unit, due, start, skips, notes):
    appt = compute_appointment(received, amount, unit, CAL)
    assert appt.appointment_at == due
    assert appt.start_at == start
    assert skip_dates(appt) == skips
    assert note_reasons(appt) == notes
    # Results are in the calendar's zone.
    assert appt.appointment_at.tzinfo == VN and appt.start_at.tzinfo == VN
    assert appt.appointment_at.utcoffset() == timedelta(hours=7)


# ---- explanation contents --------------------------------------------------------


def test_explanation_of_friday_evening_before_tet_2026():
    appt = compute_appointment(at(2026, 2, 13, 17, 30), 3, Unit.WORKING_DAYS, CAL)
    first = appt.explanation[0]
    assert first == Note(
        "after_closing",
        "received after closing; counted from 07:00 on 2026-02-23",
        D(2026, 2, 23),
        (("counted_from", "2026-02-23T07:00:00+07:00"),),
    )
    by_date = {e.date: e for e in appt.explanation if isinstance(e, Skip)}
    assert by_date[D(2026, 2, 14)] == Skip(D(2026, 2, 14), "weekend", "Weekend (Saturday)")
    assert by_date[D(2026, 2, 17)] == Skip(D(2026, 2, 17), "holiday", "Lunar New Year")
    assert by_date[D(2026, 2, 16)].label == "Lunar New Year's Eve"


def test_explanation_of_vietnam_cultural_day():
    appt = compute_appointment(at(2026, 11, 20, 18), 2, "working_days", CAL)
    assert appt.explanation[0].label == "received after closing; counted from 07:00 on 2026-11-23"
    assert appt.explanation[-1] == Skip(D(2026, 11, 24), "holiday", "Vietnam Cultural Day")


def test_explanation_of_swapped_saturday_and_json():
    appt = compute_appointment(at(2025, 4, 26, 8), 3, "working_days", CAL)
    # Chronological: the Saturday note comes before the skipped days.
    assert appt.explanation[0].reason == "swapped_working_day"
    assert appt.explanation[0].date == D(2025, 4, 26)
    assert "2025-05-02" in appt.explanation[0].label
    substituted = [e for e in appt.explanation if e.date == D(2025, 5, 2)][0]
    assert substituted.reason == "holiday" and "substituted" in substituted.label
    data = json.loads(json.dumps(appt.as_dict()))
    assert data["appointment_at"] == "2025-05-05T08:00:00+07:00"
    assert data["explanation"][0]["type"] == "note"
    assert data["explanation"][1] == {
        "type": "skip",
        "date": "2025-04-27",
        "reason": "weekend",
        "label": "Weekend (Sunday)",
    }


def test_due_date_moved_note():
    appt = compute_appointment(at(2025, 3, 6, 10), 2, "days", CAL)
    moved = appt.explanation[-1]
    assert moved.reason == "due_date_moved"
    assert moved.date == D(2025, 3, 8)
    assert dict(moved.params) == {"target_date": "2025-03-08", "due_date": "2025-03-10"}


def test_same_day_cutoff_note_and_custom_cutoff():
    appt = compute_appointment(at(2025, 3, 3, 15, 30), 1, "same_day", CAL)
    assert appt.explanation[0].label.startswith("received at or after the same-day cut-off 15:00")
    # With a 16:00 cut-off, 15:30 is still the same day.
    appt = compute_appointment(at(2025, 3, 3, 15, 30), 1, "same_day", CAL, same_day_cutoff=time(16))
    assert appt.appointment_at == at(2025, 3, 3, 17)


# ---- other units / inputs ----------------------------------------------------------


def test_unit_enum_and_string_agree():
    for unit in Unit:
        a = compute_appointment(at(2025, 3, 3, 10), 1, unit, CAL)
        b = compute_appointment(at(2025, 3, 3, 10), 1, unit.value, CAL)
        assert a == b


def test_input_in_another_timezone():
    # 03:00 UTC = 10:00 in Vietnam -> same as the 1 working day case.
    received = datetime(2025, 3, 3, 3, tzinfo=UTC)
    appt = compute_appointment(received, 1, "working_days", CAL)
    assert appt.appointment_at == at(2025, 3, 4, 10)
    assert appt.appointment_at.tzinfo == VN
    assert appt.start_at == received and appt.start_at.tzinfo == VN


def test_working_days_is_eight_hours_whatever_the_sessions():
    assert HOURS_PER_WORKING_DAY == 8
    for d in range(0, 16):
        assert compute_appointment(at(2025, 6, 4, 9), d, "working_days", CAL) == compute_appointment(
            at(2025, 6, 4, 9), d * 8, "working_hours", CAL
        )


# ---- configurable sessions ------------------------------------------------------------

ALT = vn_calendar(sessions=(Session(time(7, 30), time(11, 30)), Session(time(13), time(17))))


def test_alternative_sessions():
    # Mon 10:00: 10:00-11:30 (1.5 h) + 13:00-17:00 (4 h) = 5.5 h, 2.5 h left;
    # Tue 07:30 + 2.5 h = 10:00.
    appt = compute_appointment(at(2025, 3, 3, 10), 1, "working_days", ALT)
    assert appt.appointment_at == at(2025, 3, 4, 10)
    # 07:15 is before the 07:30 opening; 12:30 is in the 11:30-13:00 break.
    assert compute_appointment(at(2025, 3, 3, 7, 15), 0, "working_hours", ALT).start_at == at(
        2025, 3, 3, 7, 30
    )
    assert compute_appointment(at(2025, 3, 3, 12, 30), 1, "working_hours", ALT).appointment_at == at(
        2025, 3, 3, 14
    )
    # 11:30 is the session end: due 11:30 (1 h from 10:30).
    assert compute_appointment(at(2025, 3, 3, 10, 30), 1, "working_hours", ALT).appointment_at == at(
        2025, 3, 3, 11, 30
    )


# A desk also open on Saturday 8 Mar 2025, mornings only (07:30-11:30).
SAT = vn_calendar(
    extra_working={D(2025, 3, 8): "Saturday desk"},
    session_overrides={D(2025, 3, 8): (Session(time(7, 30), time(11, 30)),)},
)


def test_extra_working_saturday_morning_only():
    # Fri 15:00, 8 h: Fri 15-17 = 2 h (6 left); Sat 07:30-11:30 = 4 h (2 left);
    # Sun skipped; Mon 10 Mar 07:00 + 2 h = 09:00.
    appt = compute_appointment(at(2025, 3, 7, 15), 1, "working_days", SAT)
    assert appt.appointment_at == at(2025, 3, 10, 9)
    assert skip_dates(appt) == [D(2025, 3, 9)]
    assert note_reasons(appt) == ["extra_working_day"]
    assert SAT.day_status(D(2025, 3, 8)) == DayStatus(True, "extra_working_day", "Saturday desk")
    # Same day on that Saturday at 12:00: after closing -> Mon 17:00, counted from Mon 07:00.
    appt = compute_appointment(at(2025, 3, 8, 12), 1, "same_day", SAT)
    assert appt.appointment_at == at(2025, 3, 10, 17)
    assert appt.start_at == at(2025, 3, 10, 7)
    # Same day on that Saturday at 09:00: due at the end of its only session.
    assert compute_appointment(at(2025, 3, 8, 9), 1, "same_day", SAT).appointment_at == at(2025, 3, 8, 11, 30)
    # Calendar days ending on that Saturday: 11:30.
    assert compute_appointment(at(2025, 3, 6, 9), 2, "days", SAT).appointment_at == at(2025, 3, 8, 11, 30)


def test_holiday_beats_extra_working():
    cal = WorkCalendar(non_working={D(2025, 3, 8): "Closed"}, extra_working={D(2025, 3, 8): "Open"})
    assert not cal.is_working_day(D(2025, 3, 8))
    assert cal.day_status(D(2025, 3, 8)).reason == "holiday"


# ---- primitives ------------------------------------------------------------------------


def test_add_working_seconds():
    # Mon 10:00 + 5 h: 1.5 h morning + 3.5 h afternoon = 17:00 exactly (not Tue 07:00).
    assert add_working_seconds(at(2025, 3, 3, 10), 5 * H, CAL) == at(2025, 3, 3, 17)
    # + 0 returns the start itself, even outside a session.
    assert add_working_seconds(at(2025, 3, 3, 12), 0, CAL) == at(2025, 3, 3, 12)
    # From lunch: counted from 13:30.
    assert add_working_seconds(at(2025, 3, 3, 12), 60, CAL) == at(2025, 3, 3, 13, 31)
    # Across Tết 2026: Fri 13 Feb 16:00 + 2 h = 1 h Fri + Mon 23 Feb 08:00.
    assert add_working_seconds(at(2026, 2, 13, 16), 2 * H, CAL) == at(2026, 2, 23, 8)


def test_subtract_working_seconds():
    # One working day before Tue 10:00 is Mon 10:00.
    assert subtract_working_seconds(at(2025, 3, 4, 10), 8 * H, CAL) == at(2025, 3, 3, 10)
    # One working day before Wed 17:00 is Wed 07:00 (latest such instant).
    assert subtract_working_seconds(at(2025, 3, 5, 17), 8 * H, CAL) == at(2025, 3, 5, 7)
    # 2 h before Mon 10 Mar 08:00: 1 h Monday, then Fri 7 Mar 16:00.
    assert subtract_working_seconds(at(2025, 3, 10, 8), 2 * H, CAL) == at(2025, 3, 7, 16)
    # 1 h before 13:30 is 10:30 (the break holds no working time).
    assert subtract_working_seconds(at(2025, 3, 3, 13, 30), H, CAL) == at(2025, 3, 3, 10, 30)
    # 1 h before Mon 23 Feb 2026 08:00 is exactly the Monday opening 07:00.
    assert subtract_working_seconds(at(2026, 2, 23, 8), H, CAL) == at(2026, 2, 23, 7)
    # ... and 2 h before it is Fri 13 Feb 16:00 (Tết skipped).
    assert subtract_working_seconds(at(2026, 2, 23, 8), 2 * H, CAL) == at(2026, 2, 13, 16)
    assert subtract_working_seconds(at(2025, 3, 3, 12), 0, CAL) == at(2025, 3, 3, 12)


def test_working_seconds_between():
    # Fri 16:00 -> Mon 08:00: 1 h + 1 h.
    assert working_seconds_between(at(2025, 3, 7, 16), at(2025, 3, 10, 8), CAL) == 2 * H
    assert working_seconds_between(at(2025, 3, 10, 8), at(2025, 3, 7, 16), CAL) == 0
    assert working_seconds_between(at(2025, 3, 7, 16), at(2025, 3, 7, 16), CAL) == 0
    # Lunch break holds nothing.
    assert working_seconds_between(at(2025, 3, 3, 11, 30), at(2025, 3, 3, 13, 30), CAL) == 0
    # Fri 13 Feb 2026 07:00 -> Mon 23 Feb 07:00: just Friday's 8 h.
    assert working_seconds_between(at(2026, 2, 13, 7), at(2026, 2, 23, 7), CAL) == 8 * H
    # A week of April 2025 with the swapped Saturday: Mon 21 - Mon 28 Apr 07:00
    # = 5 weekdays + Sat 26 = 6 x 8 h.
    assert working_seconds_between(at(2025, 4, 21, 7), at(2025, 4, 28, 7), CAL) == 6 * 8 * H


def test_far_dates_grow_the_window():
    # Far apart requests (outside the holidays data: plain weekends only).
    assert compute_appointment(at(1990, 1, 2, 10), 1, "working_days", CAL).appointment_at == at(
        1990, 1, 3, 10
    )
    assert compute_appointment(at(2090, 1, 2, 10), 1, "working_days", CAL).appointment_at == at(
        2090, 1, 3, 10
    )
    # The largest amount: 3650 days.
    appt = compute_appointment(at(2025, 3, 3, 10), 3650, "days", CAL)
    assert appt.appointment_at.date() >= D(2035, 3, 1)
    assert compute_appointment(at(2025, 3, 3, 10), 3650, "working_days", CAL).appointment_at.year >= 2038


# ---- calendar queries ---------------------------------------------------------------


def test_day_status_and_days():
    assert CAL.day_status(D(2025, 4, 26)) == DayStatus(
        True, "swapped_working_day", "Swapped working day (for the day off on 2025-05-02)"
    )
    assert CAL.day_status(D(2026, 4, 26)) == DayStatus(False, "holiday", "Hung Kings' Commemoration Day")
    assert CAL.day_status(D(2025, 3, 8)) == DayStatus(False, "weekend", "Weekend (Saturday)")
    assert CAL.day_status(D(2025, 3, 10)) == DayStatus(True, "working_day", "Working day")
    assert CAL.is_working_day(D(2026, 8, 22)) and not CAL.is_working_day(D(2026, 8, 31))
    listing = days(CAL, D(2025, 4, 25), D(2025, 5, 5))
    assert [d for d, _ in listing] == [D(2025, 4, 25) + timedelta(n) for n in range(11)]
    assert [s.working for _, s in listing] == [
        True,
        True,
        False,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert days(CAL, D(2025, 5, 5), D(2025, 5, 4)) == []


def test_default_sessions():
    assert DEFAULT_SESSIONS == (Session(time(7), time(11, 30)), Session(time(13, 30), time(17)))
    assert sum(s.seconds for s in DEFAULT_SESSIONS) == 8 * H


def test_calendar_is_hashable_and_picklable():
    clone = pickle.loads(pickle.dumps(CAL))
    assert clone == CAL and hash(clone) == hash(CAL)
    assert compute_appointment(at(2025, 3, 3, 10), 1, "working_days", clone).appointment_at == at(
        2025, 3, 4, 10
    )


# ---- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, unit, code",
    [
        (-1, "working_days", "invalid_amount"),
        (Decimal("-0.5"), "working_hours", "invalid_amount"),
        (3651, "days", "invalid_amount"),
        (3651, "working_days", "invalid_amount"),
        (29201, "working_hours", "invalid_amount"),
        (1.5, "days", "invalid_amount"),
        (2, "same_day", "invalid_amount"),
        ("3", "working_days", "invalid_amount"),
        (None, "working_days", "invalid_amount"),
        (True, "working_days", "invalid_amount"),
        (float("nan"), "working_hours", "invalid_amount"),
        (float("inf"), "working_hours", "invalid_amount"),
        (Decimal("NaN"), "working_hours", "invalid_amount"),
        (1, "weeks", "invalid_unit"),
        (1, "WORKING_DAYS", "invalid_unit"),
        (1, None, "invalid_unit"),
        (1, ["days"], "invalid_unit"),
    ],
)
def test_rejected_inputs(amount, unit, code):
    with pytest.raises(ClockError) as info:
        compute_appointment(at(2025, 3, 3, 10), amount, unit, CAL)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_accepted_limits():
    compute_appointment(at(2025, 3, 3, 10), 3650, "days", CAL)
    compute_appointment(at(2025, 3, 3, 10), 29200, "working_hours", CAL)
    compute_appointment(at(2025, 3, 3, 10), 2.0, "days", CAL)
    compute_appointment(at(2025, 3, 3, 10), Decimal("1"), "same_day", CAL)


def test_naive_datetime_rejected():
    for fn in (
        lambda: compute_appointment(datetime(2025, 3, 3, 10), 1, "working_days", CAL),
        lambda: add_working_seconds(datetime(2025, 3, 3, 10), 1, CAL),
        lambda: subtract_working_seconds(datetime(2025, 3, 3, 10), 1, CAL),
        lambda: working_seconds_between(datetime(2025, 3, 3, 10), at(2025, 3, 4), CAL),
    ):
        with pytest.raises(ClockError) as info:
            fn()
        assert info.value.code == "naive_datetime"
    with pytest.raises(ClockError) as info:
        compute_appointment(date(2025, 3, 3), 1, "working_days", CAL)
    assert info.value.code == "invalid_datetime"
    with pytest.raises(ClockError) as info:
        add_working_seconds(at(2025, 3, 3, 10), -1, CAL)
    assert info.value.code == "invalid_amount"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sessions": ()},
        {"sessions": (Session(time(13), time(17)), Session(time(7), time(11)))},
        {"sessions": (Session(time(7), time(12)), Session(time(11), time(17)))},
        {"tz": "Mars/Olympus"},
        {"weekend": {7}},
        {"non_working": {datetime(2025, 1, 1): "x"}},
        {"swapped_working_days": frozenset({D(2025, 4, 26)})},
        {"session_overrides": {D(2025, 3, 8): ()}},
    ],
)
def test_invalid_calendars(kwargs):
    with pytest.raises(ClockError) as info:
        WorkCalendar(**kwargs)
    assert info.value.code == "invalid_calendar"


def test_invalid_session():
    with pytest.raises(ClockError) as info:
        Session(time(17), time(7))
    assert info.value.code == "invalid_calendar"


def test_calendar_without_working_days():
    cal = WorkCalendar(weekend=frozenset(range(7)))
    with pytest.raises(ClockError) as info:
        compute_appointment(at(2025, 3, 3, 10), 1, "working_days", cal)
    assert info.value.code == "out_of_range"


def test_window_growth_after_a_long_span():
    cal = WorkCalendar()
    # A 55-year window first, then computations that must grow it past 60 years.
    assert working_seconds_between(at(1990, 1, 1), at(2045, 1, 1), cal) > 0
    due = compute_appointment(at(2044, 12, 1, 10), 3650, "working_days", cal).appointment_at
    # 3650 working days of a Mon-Fri calendar = 730 weeks later, same weekday and time.
    assert due == at(2044, 12, 1, 10) + timedelta(weeks=730)
    back = subtract_working_seconds(at(1990, 3, 1, 10), 3650 * 8 * H, cal)
    assert back == at(1990, 3, 1, 10) - timedelta(weeks=730)
