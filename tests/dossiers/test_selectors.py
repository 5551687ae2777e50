"""Reads: the actions offered to each user, and the detail's fixed number of queries."""

import pytest
import time_machine

from dossiers import selectors, services
from dossiers.models import Apology

pytestmark = pytest.mark.django_db


def test_actions_offered_per_role(make_dossier, staff, make_user):
    d = make_dossier(4)
    assert selectors.actions_available(d, staff.head) == [
        "refuse", "transfer", "assign", "request-supplement", "request-payment", "decide", "stop"]
    assert selectors.actions_available(d, staff.officer) == [
        "refuse", "transfer", "request-supplement", "request-payment"]
    # Stopping processing is the head's decision; the desk stops only a withdrawn dossier.
    assert selectors.actions_available(d, staff.desk) == [
        "refuse", "transfer", "request-supplement", "request-payment", "withdraw"]
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
