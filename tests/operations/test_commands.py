"""The operator's commands: import staff, retry failed notices, purge by retention."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import queue_notice
from organisation.models import Agency, Role, StaffMembership
from organisation.staff_import import import_staff, split_vietnamese_name

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_vietnamese_names_split_family_name_first():
    assert split_vietnamese_name("Nguyễn Thị Lan") == ("Lan", "Nguyễn Thị")
    assert split_vietnamese_name("  Lê   Quang  Huy ") == ("Huy", "Lê Quang")
    assert split_vietnamese_name("Mai") == ("Mai", "")


def test_import_staff_creates_accounts_and_roles(org, tmp_path):
    org.commune.departments.get(code="VP")
    content = csv_bytes(
        "Tên đăng nhập,Họ tên,Email,Mã cơ quan,Vai trò,Phòng ban",
        f"lan.nt,Nguyễn Thị Lan,lan@example.vn,{org.commune.code},Cán bộ một cửa,VP",
        f"lan.nt,Nguyễn Thị Lan,lan@example.vn,{org.commune.code},head,",
        f"huy.lq,Lê Quang Huy,,{org.province.code},manager,",
    )
    path = tmp_path / "staff.csv"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_staff", str(path), stdout=out)
    assert "created 2, updated 0, roles added 3" in out.getvalue()
    lan = get_user_model().objects.get(username="lan.nt")
    assert (lan.last_name, lan.first_name, lan.email) == ("Nguyễn Thị", "Lan", "lan@example.vn")
    assert not lan.has_usable_password()
    assert sorted(StaffMembership.objects.filter(user=lan).values_list("role", flat=True)) == [
        Role.DESK_OFFICER, Role.HEAD]
    # importing the same file again changes nothing but counts the accounts as updated
    result = import_staff(content, "staff.csv")
    assert (result.created, result.updated, result.roles_added) == (0, 2, 0)


def test_a_wrong_row_imports_nothing_and_names_row_and_column(org):
    content = csv_bytes(
        "username,full_name,email,agency,role,department,active",
        f"ok.user,Trần Văn An,an@example.vn,{org.commune.code},desk_officer,,1",
        "bad user,Trần Văn Bình,not-an-email,000.99.99.H00,chief,XX,maybe",
    )
    result = import_staff(content, "staff.csv")
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "username"), (3, "email"), (3, "agency"), (3, "role"), (3, "active")}
    assert not get_user_model().objects.filter(username="ok.user").exists()


def test_a_file_without_required_columns_is_refused(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes("username,email", "a,b@c.vn"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_staff", str(path), stderr=io.StringIO())
    assert Agency.objects.count() == 3


def _notice(key, status, age_days=0, channel=NoticeChannel.EMAIL):
    n = queue_notice(event="received", channel=channel, recipient="a@example.vn", subject="s", body="b",
                     dedupe_key=key)
    Notice.objects.filter(pk=n.pk).update(status=status, attempts=8, created_at=timezone.now() - timedelta(days=age_days))
    return n.pk


def test_retry_failed_notices_requeues_only_the_chosen_ones(django_capture_on_commit_callbacks):
    email = _notice("e", NoticeStatus.FAILED)
    sms = _notice("s", NoticeStatus.FAILED, channel=NoticeChannel.SMS)
    sent = _notice("x", NoticeStatus.SENT)
    out = io.StringIO()
    call_command("retry_failed_notices", "--channel", "email", "--dry-run", stdout=out)
    assert "1 failed notice(s) would be re-queued" in out.getvalue()
    assert Notice.objects.get(pk=email).status == NoticeStatus.FAILED
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("retry_failed_notices", "--channel", "email", stdout=out)
    assert len(callbacks) == 1  # the re-queued notice is published after the commit
    email_row = Notice.objects.get(pk=email)
    assert (email_row.status, email_row.attempts) == (NoticeStatus.QUEUED, 0)
    assert Notice.objects.get(pk=sms).status == NoticeStatus.FAILED
    assert Notice.objects.get(pk=sent).status == NoticeStatus.SENT


def test_purge_keeps_queued_notices_and_by_default_everything(settings, org):
    old_sent = _notice("old-sent", NoticeStatus.SENT, age_days=400)
    old_queued = _notice("old-queued", NoticeStatus.QUEUED, age_days=400)
    new_sent = _notice("new-sent", NoticeStatus.SENT, age_days=10)
    out = io.StringIO()
    call_command("purge_retention", stdout=out)
    assert "keep for ever" in out.getvalue()
    assert Notice.objects.count() == 3

    settings.NOTICE_RETENTION_DAYS = 365
    call_command("purge_retention", stdout=out)
    assert set(Notice.objects.values_list("pk", flat=True)) == {old_queued, new_sent}
    assert old_sent not in set(Notice.objects.values_list("pk", flat=True))


def test_purge_history_by_retention(org):
    history = Agency.history.filter(code=org.commune.code)
    assert history.exists()
    history.update(history_date=timezone.now() - timedelta(days=800))
    out = io.StringIO()
    call_command("purge_retention", "--history-days", "730", "--dry-run", stdout=out)
    assert "history of organisation.Agency: 1 row(s) would be deleted" in out.getvalue()
    assert history.exists()
    call_command("purge_retention", "--history-days", "730", stdout=out)
    assert not Agency.history.filter(code=org.commune.code).exists()
    assert Agency.history.filter(code=org.province.code).exists()
    with pytest.raises(CommandError):
        call_command("purge_retention", "--history-days", "-1")
