"""The time rules of domain.md §6, one dossier at a time (reporting/rules.py): every case in a table."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reporting import rules
from reporting.rules import Facts, Round

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=9, month=10):
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


START, END = at(1, 0), at(1, 0, month=11)  # October 2026

R, DUE = at(5), at(8, 17)

DESK = [
    # (name, facts, expected desk state at END)
    ("not received", Facts(None), None),
    ("received after the end", Facts(at(2, 9, 11), at(5, 9, 11)), None),
    ("finished early (earlier day)", Facts(R, DUE, DUE, at(7)), rules.EARLY),
    ("finished on the due day", Facts(R, DUE, DUE, at(8, 16)), rules.ON_TIME),
    ("finished exactly at the due time", Facts(R, DUE, DUE, DUE), rules.ON_TIME),
    ("finished after the due time", Facts(R, DUE, DUE, at(9)), rules.LATE),
    ("open, due after the end", Facts(R, at(3, 9, 11), at(3, 9, 11)), rules.PENDING_IN_TIME),
    ("open, due passed", Facts(R, DUE, DUE), rules.PENDING_LATE),
    ("finished after the end counts as open", Facts(R, DUE, DUE, at(2, 9, 11)), rules.PENDING_LATE),
    ("waiting, requested before the due time, long past it",
     Facts(R, DUE, DUE, rounds=(Round(at(7)),)), rules.WAITING),
    ("waiting at the end, replied after it",
     Facts(R, at(20, 9, 11), at(20, 9, 11), rounds=(Round(at(7), at(3, 9, 11)),)), rules.WAITING),
    ("waiting, requested after the due time", Facts(R, DUE, DUE, rounds=(Round(at(9)),)), rules.PENDING_LATE),
    ("replied, restarted due ahead", Facts(R, at(3, 9, 11), at(12), rounds=(Round(at(7), at(10)),)),
     rules.PENDING_IN_TIME),
    ("two rounds, finished by the restarted due (Decree 61 on time)",
     Facts(R, at(20, 17), at(14), at(20, 10), rounds=(Round(at(6), at(7)), Round(at(9), at(15)))), rules.ON_TIME),
    ("apologised and kept the new date: still late", Facts(R, DUE, DUE, at(12), apology_issued_at=at(7),
                                                           apology_new_at=at(14)), rules.LATE),
]


@pytest.mark.parametrize("name,facts,expected", DESK, ids=[c[0] for c in DESK])
def test_desk_state(name, facts, expected):
    assert rules.desk_state(facts, END, TZ) == expected


NATIONAL = [
    ("finished by the due time plus the waiting", Facts(R, at(14), at(12), at(12), rounds=(Round(at(6), at(9)),)),
     rules.ON_TIME),
    ("finished after it", Facts(R, at(20), at(12), at(13), rounds=(Round(at(6), at(9)),)), rules.LATE),
    ("two rounds: late whatever the dates", Facts(R, at(20, 17), at(20, 17), at(10),
                                                 rounds=(Round(at(6), at(7)), Round(at(8), at(9)))), rules.LATE),
    ("two rounds, still open: late", Facts(R, at(20, 9, 11), at(20, 9, 11),
                                          rounds=(Round(at(6), at(7)), Round(at(8)))), rules.PENDING_LATE),
    ("second round requested after the end does not count yet",
     Facts(R, at(20, 9, 11), at(20, 9, 11), rounds=(Round(at(6), at(7)), Round(at(5, 9, 11)))), rules.PENDING_IN_TIME),
    ("waiting: judged at the request time, in time", Facts(R, DUE, DUE, rounds=(Round(at(7)),)), rules.PENDING_IN_TIME),
    ("waiting: requested after the due time", Facts(R, DUE, DUE, rounds=(Round(at(9)),)), rules.PENDING_LATE),
    ("open, portal due passed", Facts(R, at(3, 9, 11), at(30)), rules.PENDING_LATE),
    ("early", Facts(R, DUE, DUE, at(6)), rules.EARLY),
]


@pytest.mark.parametrize("name,facts,expected", NATIONAL, ids=[c[0] for c in NATIONAL])
def test_national_state(name, facts, expected):
    assert rules.national_state(facts, END, TZ) == expected


def test_the_two_readings_differ_on_two_supplement_rounds():
    f = Facts(R, at(20, 17), at(14), at(20, 10), rounds=(Round(at(6), at(7)), Round(at(9), at(15))))
    assert (rules.desk_state(f, END, TZ), rules.national_state(f, END, TZ)) == (rules.ON_TIME, rules.LATE)


APOLOGY = [
    ("no apology", Facts(R, DUE, DUE, at(12)), None),
    ("kept", Facts(R, DUE, DUE, at(12), apology_issued_at=at(7), apology_new_at=at(14)), rules.KEPT),
    ("kept exactly", Facts(R, DUE, DUE, at(14), apology_issued_at=at(7), apology_new_at=at(14)), rules.KEPT),
    ("missed", Facts(R, DUE, DUE, at(16), apology_issued_at=at(7), apology_new_at=at(14)), rules.MISSED),
    ("open past the new date", Facts(R, DUE, DUE, apology_issued_at=at(7), apology_new_at=at(14)), rules.MISSED),
    ("open, new date ahead", Facts(R, DUE, DUE, apology_issued_at=at(7), apology_new_at=at(4, 9, 11)), rules.PENDING),
    ("issued after the end", Facts(R, DUE, DUE, apology_issued_at=at(3, 9, 11), apology_new_at=at(6, 9, 11)), None),
]


@pytest.mark.parametrize("name,facts,expected", APOLOGY, ids=[c[0] for c in APOLOGY])
def test_apology_outcome(name, facts, expected):
    assert rules.apology_outcome(facts, END) == expected


MEMBERSHIP = [
    ("received and finished in it", Facts(R, DUE, DUE, at(7)), {"received", "finished", "processed"}),
    ("received before, finished in it", Facts(at(20, 9, 9), DUE, DUE, at(7)), {"finished", "processed"}),
    ("received before, still open", Facts(at(20, 9, 9), DUE, DUE), {"open", "processed"}),
    ("received in it, finished after", Facts(R, DUE, DUE, at(3, 9, 11)), {"received", "open", "processed"}),
    ("finished before it", Facts(at(1, 9, 9), at(3, 9, 9), at(3, 9, 9), at(2, 9, 9)), set()),
    ("received after it", Facts(at(1, 0, 11), at(3, 9, 11), at(3, 9, 11)), set()),
    ("received at the very start", Facts(START, DUE, DUE, at(2)), {"received", "finished", "processed"}),
    ("finished at the very end (excluded)", Facts(R, DUE, DUE, END), {"received", "open", "processed"}),
]


@pytest.mark.parametrize("name,facts,expected", MEMBERSHIP, ids=[c[0] for c in MEMBERSHIP])
def test_membership(name, facts, expected):
    assert rules.membership(facts, START, END) == expected
