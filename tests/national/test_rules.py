"""The pure rules of the national sync, exhaustively."""

from datetime import UTC, datetime, timedelta

import pytest

from national import rules

ACTIONS = ["submit", "receive", "refuse", "transfer", "assign", "request-supplement", "supplement",
           "request-payment", "confirm-payment", "decide", "return", "withdraw", "stop", "apologize", "late"]
STATUSES = [None, *range(1, 11)]


def test_every_status_has_a_national_code():
    assert sorted(rules.STATUS_CODES) == list(range(1, 11))
    assert [rules.status_code(s) for s in range(1, 11)] == [str(s) for s in range(1, 11)]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("before", STATUSES)
@pytest.mark.parametrize("after", STATUSES[1:])
def test_services_for_every_event(action, before, after):
    unknown = rules.services_for(action, before, after, known=False)
    assert unknown == ()
    known = rules.services_for(action, before, after, known=True)
    if before is None or action == "receive":
        assert known == (rules.SYNC_DOSSIER,)
        return
    status_changed = before != after
    assert (rules.PROGRESS in known) == (status_changed or action == "transfer")
    assert (rules.SYNC_DOSSIER in known) == (action in {"supplement", "decide", "apologize"})
    if len(known) == 2:
        assert known == (rules.PROGRESS, rules.SYNC_DOSSIER)  # progress first, then the new data


def test_wire_time_is_local_time_without_separators():
    at = datetime(2026, 11, 23, 2, 30, 5, tzinfo=UTC)
    assert rules.wire_time(at) == "20261123093005"
    assert rules.parse_wire_time("20261123093005") == at
    assert rules.wire_time(None) == "" and rules.parse_wire_time("") is None


def test_backoff_doubles_and_is_capped():
    waits = [rules.backoff(n, 30, 3600) for n in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(seconds=3600)


@pytest.mark.parametrize(("status", "body", "verdict"), [
    (200, b'{"error_code": 0}', rules.Answer.OK),
    (200, b'{"error_code": "00", "message": "ok"}', rules.Answer.OK),
    (200, b'{"error_code": "0"}', rules.Answer.OK),
    (200, b'{"error_code": 1, "message": "Loi"}', rules.Answer.FAILED),
    (200, b'{"error_code": -2, "message": "x"}', rules.Answer.SESSION),
    (200, b'{"error_code": 7, "message": "Session expired"}', rules.Answer.SESSION),
    (401, b'', rules.Answer.SESSION),
    (200, b'<html>maintenance</html>', rules.Answer.FAILED),
    (200, b'{"message": "ok"}', rules.Answer.FAILED),
    (200, b'[0]', rules.Answer.FAILED),
    (200, b'', rules.Answer.FAILED),
    (500, b'{"error_code": 0}', rules.Answer.FAILED),
    (503, b'', rules.Answer.FAILED),
    (400, b'{"error_code": 0}', rules.Answer.FAILED),
    (None, None, rules.Answer.FAILED),
])
def test_reading_answers_never_takes_a_doubt_for_success(status, body, verdict):
    assert rules.read_answer(status, body)[0] == verdict
