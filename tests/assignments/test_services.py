"""Every action through its service: who may take it, what it writes (history, notices), and bad input
that names its field and leaves nothing half saved."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assignments import rules, services
from assignments.models import ExtensionRequest, Task, TaskEvent, TaskFile, TaskReport
from notices.models import Notice
from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed

from .conftest import at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def pdf(name="minh-chung.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_assign_with_a_date_writes_history_and_tells_the_lead_units_head(make_task, staff, org):
    task = make_task(date(2026, 3, 20), supporting_agencies=[org.commune2])
    assert task.status == rules.OPEN and task.due_on == task.original_due_on == date(2026, 3, 20)
    assert list(task.supporting_agencies.all()) == [org.commune2]
    assert [e.action for e in task.events.all()] == ["assign"]
    notice = Notice.objects.get(event="task_assigned", user=staff.head)
    assert Notice.objects.filter(event="task_assigned").count() == 1  # the second commune has no head here
    assert notice.user == staff.head and "Rà soát thủ tục" in notice.body and "20/03/2026" in notice.body


def test_supporting_units_hear_of_it_too(make_task, org, make_user):
    from organisation.models import Role

    head2 = make_user(roles=[(org.commune2, Role.HEAD)])
    make_task(date(2026, 3, 20), supporting_agencies=[org.commune2])
    assert Notice.objects.filter(event="task_assigned", user=head2).count() == 1


def test_assign_with_working_days_counts_on_the_working_calendar(make_task):
    # Monday 09:00 + 5 working days (40 working hours) ends the next Monday morning.
    task = make_task(deadline_kind="working_days", working_days=5)
    assert task.deadline_working_days == 5 and task.due_on == date(2026, 3, 9)


def test_assign_without_deadline(make_task):
    task = make_task()
    assert task.due_on is None and task.deadline_kind == "none" and task.due_at is None


def test_a_deadline_before_the_assignment_is_refused_naming_the_field(make_task):
    with pytest.raises(ValidationFailed) as exc:
        make_task(date(2026, 3, 1))
    assert exc.value.code == "deadline_before_assignment" and "due_on" in exc.value.fields
    assert not Task.objects.exists() and not TaskEvent.objects.exists() and not Notice.objects.exists()


def test_a_unit_outside_the_assigners_tree_is_refused(org, staff, make_user):
    from organisation.models import Role

    head2 = make_user(roles=[(org.commune, Role.HEAD)])
    with at("2026-03-02"):
        directive = services.create_directive(actor=head2, number="01/KH-UBND", issued_on=date(2026, 3, 2),
                                              signer="A", title="Kế hoạch", issuing_agency=org.commune)
        with pytest.raises(ValidationFailed) as exc:
            services.assign_task(actor=head2, directive=directive, title="X", lead_agency=org.commune2)
        assert exc.value.code == "outside_tree" and "lead_agency" in exc.value.fields
        with pytest.raises(ValidationFailed) as exc:
            services.assign_task(actor=head2, directive=directive, title="X", lead_agency=org.province)
        assert "lead_agency" in exc.value.fields
    assert not Task.objects.exists()


def test_supporting_units_are_checked_too(make_task, org):
    with pytest.raises(ValidationFailed) as exc:
        make_task(supporting_agencies=[org.province])
    assert "supporting_agencies" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        make_task(supporting_agencies=[org.commune])
    assert exc.value.code == "lead_supporting"


def test_only_the_assigners_heads_may_assign(directive, staff, org):
    with at("2026-03-02"), pytest.raises(NotAllowed):
        services.assign_task(actor=staff.officer, directive=directive, title="X", lead_agency=org.commune)
    # A manager above the unit may.
    with at("2026-03-02"):
        services.assign_task(actor=staff.manager, directive=directive, title="X", lead_agency=org.commune)


def test_progress_by_the_lead_unit_only(make_task, staff):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-05"):
        task = services.report_progress(task, actor=staff.officer, text="Đã rà soát 10 thủ tục", percent=40,
                                        files=[pdf()])
    assert task.progress_percent == 40 and task.version == 2
    report = TaskReport.objects.get()
    assert report.kind == "progress" and report.files.count() == 1
    with at("2026-03-05"), pytest.raises(NotAllowed):
        services.report_progress(task, actor=staff.desk2, text="x", percent=50)


def test_a_failed_action_leaves_no_file_and_no_report(make_task, staff):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-05"), pytest.raises(ValidationFailed) as exc:
        services.report_progress(task, actor=staff.officer, text="x", percent=120, files=[pdf()])
    assert "percent" in exc.value.fields
    assert not TaskReport.objects.exists() and not TaskFile.objects.exists()
    assert Task.objects.get().version == 1


def test_completion_accepted(make_task, staff, assigner):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-18"):
        task = services.report_completion(task, actor=staff.officer, text="Báo cáo số 12/BC-UBND", files=[pdf()])
    assert task.status == rules.COMPLETION_REPORTED and task.progress_percent == 100
    assert Notice.objects.filter(event="task_completion_reported", user=assigner).exists()
    with at("2026-03-23"):
        task = services.accept_completion(task, actor=assigner, note="Đạt yêu cầu")
    assert task.status == rules.DONE and task.verdict == rules.EARLY
    assert task.completed_at.date() == date(2026, 3, 18)  # the report's date, not the acceptance's
    assert [e.action for e in task.events.all()] == ["assign", "report_completion", "accept_completion"]
    assert Notice.objects.filter(event="task_accepted", user=staff.head).exists()


def test_completion_sent_back_then_reported_again(make_task, staff, assigner):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-18"):
        task = services.report_completion(task, actor=staff.officer, text="Xong")
    with at("2026-03-19"), pytest.raises(ValidationFailed) as exc:
        services.return_completion(task, actor=assigner, note="")
    assert "note" in exc.value.fields
    with at("2026-03-19"):
        task = services.return_completion(task, actor=assigner, note="Thiếu danh mục")
    assert task.status == rules.OPEN
    with at("2026-03-20"):
        task = services.report_completion(task, actor=staff.officer, text="Đã bổ sung danh mục")
    with at("2026-03-21"):
        task = services.accept_completion(task, actor=assigner)
    assert task.verdict == rules.ON_TIME
    outcomes = list(TaskReport.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["returned", "accepted"]


def test_actions_not_allowed_in_the_status_change_nothing(make_task, staff, assigner):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-05"):
        for action in (services.accept_completion, services.return_completion):
            with pytest.raises(ActionNotAllowed):
                action(task, actor=assigner, note="x")
        with pytest.raises(ActionNotAllowed) as exc:
            services.grant_extension(task, actor=assigner)
        assert exc.value.code == "no_pending_extension"
        with pytest.raises(NotAllowed):  # the lead cannot answer its own report
            services.report_completion(task, actor=staff.officer, text="x")
            services.accept_completion(task, actor=staff.officer)
    assert Task.objects.get().status == rules.COMPLETION_REPORTED


def test_an_extension_asked_after_completion_is_refused(make_task, staff, assigner):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-10"):
        task = services.report_completion(task, actor=staff.officer, text="Xong")
        with pytest.raises(ActionNotAllowed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-10", reason="Thêm việc")
    assert exc.value.code == "extension_after_completion" and exc.value.fields
    with at("2026-03-11"):
        task = services.accept_completion(task, actor=assigner)
        with pytest.raises(ActionNotAllowed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-10", reason="Thêm việc")
    assert exc.value.code == "extension_after_completion"
    assert not ExtensionRequest.objects.exists()


def test_extension_requests_bad_input(make_task, staff):
    task = make_task(date(2026, 3, 20))
    no_deadline = make_task(title="Không thời hạn")
    with at("2026-03-10"):
        with pytest.raises(ValidationFailed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-19", reason="x")
        assert exc.value.code == "not_later" and "proposed_due_on" in exc.value.fields
        with pytest.raises(ValidationFailed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="31/12", reason="x")
        assert "proposed_due_on" in exc.value.fields
        with pytest.raises(ValidationFailed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-01", reason=" ")
        assert "reason" in exc.value.fields
        with pytest.raises(ActionNotAllowed) as exc:
            services.request_extension(no_deadline, actor=staff.officer, proposed_due_on="2026-04-01", reason="x")
        assert exc.value.code == "no_deadline"
        services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-01", reason="Chờ số liệu")
        with pytest.raises(ActionNotAllowed) as exc:
            services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-02", reason="x")
        assert exc.value.code == "extension_pending"
    assert ExtensionRequest.objects.count() == 1


def test_dates_as_written_in_vietnamese(make_task, staff):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-10"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="31/03/2026", reason="x")
    assert ExtensionRequest.objects.get().proposed_due_on == date(2026, 3, 31)


def test_refusing_needs_a_reason_and_keeps_every_request_on_record(make_task, staff, assigner):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-10"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-01", reason="A")
        with pytest.raises(ValidationFailed):
            services.refuse_extension(task, actor=assigner, note="")
        task = services.refuse_extension(task, actor=assigner, note="Không có căn cứ")
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-27", reason="B")
        task = services.grant_extension(task, actor=assigner)
    states = list(ExtensionRequest.objects.order_by("id").values_list("state", flat=True))
    assert states == ["refused", "granted"]
    assert task.due_on == date(2026, 3, 27) and task.original_due_on == date(2026, 3, 20)
    assert Notice.objects.filter(event="task_extension_refused", user=staff.head).exists()
    assert Notice.objects.filter(event="task_extension_requested", user=assigner).count() == 2


def test_a_pending_request_lapses_when_completion_is_reported(make_task, staff):
    task = make_task(date(2026, 3, 20))
    with at("2026-03-10"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-04-01", reason="A")
        services.report_completion(task, actor=staff.officer, text="Xong sớm")
    assert ExtensionRequest.objects.get().state == "withdrawn"


def test_a_stale_version_is_a_conflict(make_task, staff):
    from organisation.errors import ConcurrentChange

    task = make_task(date(2026, 3, 20))
    with at("2026-03-05"):
        services.report_progress(task, actor=staff.officer, text="a", percent=10, expected_version=1)
        with pytest.raises(ConcurrentChange):
            services.report_progress(task, actor=staff.officer, text="b", percent=20, expected_version=1)
