"""The outbox and its delivery against the stand-in national portal (a real HTTP server), in-process."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import services
from dossiers.models import TimelineEvent
from national.models import OutboxEntry, SyncState
from national.services import NO_NATIONAL_CODE, Outcome, claim, deliver, record_dossier_event, sweep
from organisation.errors import ActionNotAllowed

from .conftest import APPLICANT, drain, sent_statuses

pytestmark = pytest.mark.django_db


def rows(dossier):
    return list(OutboxEntry.objects.filter(dossier=dossier).order_by("id").values_list("service", "snapshot__status"))


def test_each_action_writes_its_rows_with_it(make_dossier, staff, mapped):
    d = make_dossier(10)
    assert rows(d) == [("DongBoHoSoMC", 2), ("CapNhatTienDoHoSoMC", 4), ("CapNhatTienDoHoSoMC", 9),
                       ("DongBoHoSoMC", 9), ("CapNhatTienDoHoSoMC", 10)]


def test_a_refused_action_writes_nothing(make_dossier, staff, mapped):
    d = make_dossier(2)
    before = rows(d)
    with pytest.raises(ActionNotAllowed):
        services.decide(d, actor=staff.head, result="x")
    assert rows(d) == before


def test_an_online_submission_waits_for_its_code(staff, mapped, make_user, org):
    citizen = make_user("congdan1")
    d = services.submit_online(citizen=citizen, procedure=mapped, agency=org.commune, applicant=dict(APPLICANT))
    assert rows(d) == []
    d = services.receive(d, actor=staff.desk)
    assert rows(d) == [("DongBoHoSoMC", 2)]


def test_the_outbox_row_is_one_statement(make_dossier, staff, mapped):
    d = make_dossier(4)
    event = TimelineEvent.objects.create(dossier=d, at=timezone.now(), action="request-supplement",
                                         from_status=4, to_status=5)
    with CaptureQueriesContext(connection) as queries:
        record_dossier_event(d, event)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")


def test_the_whole_life_arrives_in_order(portal_standin, make_dossier, staff, mapped):
    d = make_dossier(4)
    d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"])
    d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao CCCD"}])
    d = services.decide(d, actor=staff.head, result="Đã cấp")
    d = services.return_result(d, actor=staff.desk)
    assert drain() == {d.pk: Outcome.DONE}
    assert sent_statuses(portal_standin, d.code) == [
        ("DongBo", "2", "False"), ("TienDo", "4"), ("TienDo", "5"), ("TienDo", "4"), ("DongBo", "4", "True"),
        ("TienDo", "9"), ("DongBo", "9", "True"), ("TienDo", "10")]
    first = portal_standin.snapshot()["accepted"][0]
    obj = first["data"][0]
    assert first["madonvi"] == "000.00.00.H99"
    assert obj["MaTTHC"] == "1.004873" and obj["TenLinhVuc"] == "Hộ tịch" and obj["ChuHoSo"] == APPLICANT["full_name"]
    assert len(obj["NgayTiepNhan"]) == 14 and len(obj["NgayHenTra"]) == 14
    state = SyncState.objects.get(pk=d.pk)
    assert state.held_since and state.synced_at and state.last_error == "" and state.lease_owner == ""
    assert not OutboxEntry.objects.filter(dossier=d, sent_at__isnull=True).exists()
    assert drain([d.pk]) == {d.pk: Outcome.DONE}  # nothing twice
    assert len(sent_statuses(portal_standin, d.code)) == 8


def test_sync_off_keeps_everything_and_sends_the_backlog_later(settings, portal_standin, make_dossier, mapped):
    url, settings.DVCQG_URL = settings.DVCQG_URL, ""
    d = make_dossier(9)
    assert deliver(d.pk) == Outcome.OFF and sweep() == 0
    assert portal_standin.snapshot()["accepted"] == []
    settings.DVCQG_URL = url
    later = timezone.now() + timedelta(minutes=1)
    # the sweeper hands the backlog over (its publish goes to the broker; the worker's job is done here)
    assert sweep(now=later) == 1
    drain()
    assert [s[:2] for s in sent_statuses(portal_standin, d.code)] == [
        ("DongBo", "2"), ("TienDo", "4"), ("TienDo", "9"), ("DongBo", "9")]


@pytest.mark.parametrize("mode", ["error", "http500", "down", "garbage", "no_error_code"])
def test_a_failed_head_holds_the_later_changes_back(portal_standin, make_dossier, staff, mapped, mode):
    d = make_dossier(2)
    portal_standin.configure(fail=1, fail_mode=mode)
    assert deliver(d.pk) == Outcome.RETRY
    state = SyncState.objects.get(pk=d.pk)
    assert state.attempts == 1 and state.last_error and state.retry_at > timezone.now()
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    assert deliver(d.pk) == Outcome.WAITING  # backing off: the transfer waits behind the receipt
    assert portal_standin.snapshot()["accepted"] == []
    assert deliver(d.pk, force=True) == Outcome.DONE
    assert sent_statuses(portal_standin, d.code) == [("DongBo", "2", "False"), ("TienDo", "4")]
    state.refresh_from_db()
    assert state.attempts == 0 and state.last_error == ""


def test_an_expired_session_is_renewed(portal_standin, make_dossier, staff, mapped):
    d = make_dossier(2)
    drain()
    portal_standin.configure(expire_sessions=True)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    assert drain() == {d.pk: Outcome.DONE}
    assert portal_standin.snapshot()["logins"] == 2
    assert [r["why"] for r in portal_standin.snapshot()["refused"]] == ["session"]
    assert sent_statuses(portal_standin, d.code)[-1] == ("TienDo", "4")


def test_a_slow_answer_times_out_and_is_retried(portal_standin, settings, make_dossier, mapped):
    settings.DVCQG_TIMEOUT_SECONDS = 0.5
    d = make_dossier(2)
    portal_standin.configure(slow=1.5)
    assert deliver(d.pk) == Outcome.RETRY
    assert "timed out" in SyncState.objects.get(pk=d.pk).last_error
    portal_standin.configure(slow=0)
    import time

    time.sleep(1.2)  # the stand-in drops the abandoned call once its delay is over
    assert deliver(d.pk, force=True) == Outcome.DONE
    assert sent_statuses(portal_standin, d.code) == [("DongBo", "2", "False")]
    assert [r["why"] for r in portal_standin.snapshot()["refused"]] == ["abandoned by the caller"]


def test_no_national_code_blocks_and_says_so(portal_standin, make_dossier, procedure):
    d = make_dossier(2)
    assert deliver(d.pk) == Outcome.BLOCKED
    assert SyncState.objects.get(pk=d.pk).last_error == NO_NATIONAL_CODE
    assert OutboxEntry.objects.filter(dossier=d, sent_at__isnull=True).count() == 1  # kept, not skipped
    from national.services import set_national_code

    assert drain(force=False) == {d.pk: Outcome.WAITING}  # held back, not retried every minute
    set_national_code(procedure, "1.004873")  # setting the code lets it go at once
    drain(force=False)
    assert sent_statuses(portal_standin, d.code) == [("DongBo", "2", "False")]


def test_a_held_lease_keeps_a_second_worker_out(portal_standin, make_dossier, mapped):
    d = make_dossier(2)
    assert claim(d.pk, "worker-a")
    assert deliver(d.pk, owner="worker-b") == Outcome.BUSY
    assert portal_standin.snapshot()["accepted"] == []
    SyncState.objects.filter(pk=d.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # a's ran out
    assert deliver(d.pk, owner="worker-b") == Outcome.DONE
    assert len(portal_standin.snapshot()["accepted"]) == 1
