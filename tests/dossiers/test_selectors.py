"""Reads: the actions offered to each user, and the detail's fixed number of queries."""

import pytest
import time_machine
from django.db import transaction

from dossiers import selectors, services
from dossiers import transitions as tt
from dossiers.models import Apology
from organisation.errors import ActionNotAllowed, DomainError

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db


def test_actions_offered_per_role(make_dossier, staff, make_user):
    d = make_dossier(4)
    # The appraisal step is the officer's: only its holder hands it over (issue 9, row 6).
    assert selectors.actions_available(d, staff.head) == [
        "refuse", "assign", "request-supplement", "request-payment", "decide", "stop", "draft-result"]
    assert selectors.actions_available(d, staff.officer) == [
        "refuse", "transfer", "request-supplement", "request-payment", "draft-result"]
    # Stopping processing is the head's decision; the desk stops only a withdrawn dossier.
    assert selectors.actions_available(d, staff.desk) == [
        "refuse", "request-supplement", "request-payment", "withdraw"]
    assert selectors.actions_available(d, staff.desk2) == []
    assert selectors.actions_available(d, staff.manager) == []
    assert selectors.actions_available(d, make_user()) == []
    root = make_user(is_superuser=True)
    assert "decide" in selectors.actions_available(d, root)


def test_apology_offered_once_and_only_when_owed(make_dossier, staff):
    with time_machine.travel("2026-11-23 08:00 +0700", tick=False):
        d = make_dossier(4)
        assert "apologize" not in selectors.actions_available(d, staff.head)
    with time_machine.travel("2026-11-27 08:00 +0700", tick=False):  # past Thursday 08:00
        d.refresh_from_db()
        assert "apologize" in selectors.actions_available(d, staff.head)
        Apology.objects.create(dossier=d, issued_at=d.appointment_at, issued_by=staff.head, reason="Chậm",
                               old_appointment_at=d.appointment_at, new_appointment_at=d.appointment_at)
        d = selectors.dossier_detail_queryset().get(pk=d.pk)
        assert "apologize" not in selectors.actions_available(d, staff.head)


def test_detail_queryset_loads_everything_at_once(make_dossier, staff, django_assert_num_queries):
    d = make_dossier(5)
    with django_assert_num_queries(5):  # the dossier, steps, events, components, supplements
        d = selectors.dossier_detail_queryset().get(pk=d.pk)
    with django_assert_num_queries(0):
        [s.agency.code for s in d.steps.all()]
        [e.actor for e in d.events.all()]
        list(d.components.all())
        list(d.supplements.all())
        d.procedure.field.name  # noqa: B018


def test_reference_finds_a_dossier_before_and_after_receipt(staff, org, procedure, make_user):
    from .conftest import APPLICANT

    citizen = make_user()
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    assert selectors.get_visible_dossier(citizen, f"tt-{d.pk}").pk == d.pk
    d = services.receive(d, actor=staff.desk)
    assert selectors.get_visible_dossier(staff.desk, d.code).pk == d.pk
    assert selectors.get_visible_dossier(staff.desk, d.reference).pk == d.pk
    assert selectors.get_visible_dossier(citizen, f"TT-{d.pk}").pk == d.pk


# --- only what would succeed -------------------------------------------------------------------------


def _detail(d):
    return selectors.dossier_detail_queryset().get(pk=d.pk)


@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_transfer_is_offered_only_with_somewhere_to_go(make_dossier, staff, org):
    d = make_dossier(4)
    assert "transfer" in selectors.actions_available(_detail(d), staff.officer)  # next: approval
    d = services.transfer(d, actor=staff.officer)  # at approval, the last step
    # Still possible: the province above may take the step (liên thông).
    assert selectors.can_transfer(_detail(d))
    assert list(selectors.transfer_destinations(_detail(d))) == [org.province]
    org.province.is_active = False
    org.province.save()
    assert list(selectors.transfer_destinations(_detail(d))) == []
    assert "transfer" not in selectors.actions_available(_detail(d), staff.head)
    with pytest.raises(ActionNotAllowed) as info:
        services.transfer(d, actor=staff.head)
    assert info.value.code == "no_next_step"


@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_assign_needs_a_step_being_worked_on(staff, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), outcome="supplement",
                        items="Ảnh 4x6")
    assert "assign" in tt.available_actions(d.status, {"head"})  # the table alone would offer it
    assert "assign" not in selectors.actions_available(_detail(d), staff.head)
    with pytest.raises(ActionNotAllowed) as info:
        services.assign(d, actor=staff.head, assignee=staff.officer)
    assert info.value.code == "no_current_step"


@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_the_fee_is_asked_for_once(make_dossier, staff):
    d = make_dossier(6)
    d = services.confirm_payment(d, actor=staff.desk)
    assert "request-payment" not in selectors.actions_available(_detail(d), staff.officer)
    before = (d.status, d.fee_amount, d.paid_at, d.version)
    with pytest.raises(ActionNotAllowed) as info:
        services.request_payment(d, actor=staff.officer, amount=20000)
    assert info.value.code == "payment_already_requested"
    d.refresh_from_db()
    assert (d.status, d.fee_amount, d.paid_at, d.version) == before


@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_a_counter_dossier_is_completed_only_by_the_desk(staff, procedure):
    d = _detail(services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                                outcome="supplement", items="Ảnh 4x6"))
    assert "supplement" in selectors.actions_available(d, staff.desk)
    assert "supplement" not in selectors.actions_available(d, staff.officer)
    assert "supplement" not in selectors.actions_available(d, staff.head)


def _args(action, d, staff):
    from worktime.services import add_working_hours

    if action == "apologize":
        return {"reason": "Chậm", "new_appointment_at": add_working_hours(d.appointment_at, 16, d.agency)}
    return {
        "refuse": {"reason": "Không đủ điều kiện"}, "stop": {"reason": "Dừng"}, "withdraw": {"reason": "Rút"},
        "assign": {"assignee": staff.officer}, "request-supplement": {"items": "Ảnh", "reason": "Thiếu"},
        "supplement": {"components": [{"name": "Ảnh"}]}, "request-payment": {"amount": 15000},
        "decide": {"result": "Đã cấp"}, "draft-result": {"result": "Dự thảo: cấp giấy"},
    }.get(action, {})


def _states(make_dossier, staff, org, procedure, make_user):
    from organisation.models import Agency, AgencyLevel

    states = {status: make_dossier(status) for status in (2, 4, 5, 6, 7, 9)}
    states["at approval"] = services.transfer(make_dossier(4), actor=staff.officer)
    states["counter supplement"] = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                                                   outcome="supplement", items="Ảnh")
    states["online"] = services.submit_online(citizen=make_user(), procedure=procedure, agency=org.commune,
                                              applicant=dict(APPLICANT))
    paid = services.confirm_payment(make_dossier(6), actor=staff.desk)
    states["fee paid"] = paid
    # A dossier at its last step with nowhere else to go: the province is closed.
    lonely = services.transfer(make_dossier(4), actor=staff.officer)
    Agency.objects.filter(pk=org.province.pk).update(is_active=False)
    Agency.objects.create(code="000.00.00.H98", name="Tỉnh khác", level=AgencyLevel.PROVINCE)
    states["nowhere to go"] = lonely
    return states


def test_every_action_offered_succeeds(make_dossier, staff, org, procedure, make_user):
    """Whatever is offered, to whoever, the service carries out (tried in a rolled-back transaction)."""
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        states = _states(make_dossier, staff, org, procedure, make_user)
    with time_machine.travel("2026-11-26 16:00 +0700", tick=False):  # the 3-day dossiers are due soon
        tried = 0
        for name, d in states.items():
            for user in (staff.desk, staff.officer, staff.head):
                for action in selectors.actions_available(_detail(d), user):
                    fresh = _detail(d)
                    try:
                        with transaction.atomic():
                            services.ACTIONS[action](fresh, actor=user, **_args(action, fresh, staff))
                            raise _RollBack
                    except _RollBack:
                        tried += 1
                    except DomainError as exc:
                        pytest.fail(f"{name}: {action} offered to {user.username} but refused: {exc.detail}")
        assert tried > 40


class _RollBack(Exception):
    pass
