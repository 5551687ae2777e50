"""When a dossier was first complained about (`Dossier.complained_at`, dossiers/0026): written by the rating and
the feedback services in their transaction, kept at its first time, and copied by the migration from the rows
that say it (a dissatisfied rating, a complaint about the dossier). The 766's "complained" count reads it."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from citizens import services
from citizens.models import Feedback, Rating
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def complained(d) -> object:
    return Dossier.objects.values_list("complained_at", flat=True).get(pk=d.pk)


def test_a_dissatisfied_rating_or_a_complaint_marks_the_dossier_once(citizen, online_dossier):
    happy, unhappy, complained_of, remarked = (online_dossier(citizen, status=10) for _ in range(4))
    services.rate_dossier(happy, overall="very_satisfied")
    rating = services.rate_dossier(unhappy, overall="dissatisfied")
    assert complained(happy) is None and complained(unhappy) == rating.created_at
    first = services.submit_feedback(agency=complained_of.agency, subject="Chậm", body="Quá hẹn", name="A",
                                     citizen=citizen, dossier=complained_of, is_complaint=True)
    services.submit_feedback(agency=remarked.agency, subject="Góp ý", body="Nên thêm ghế", name="A",
                             citizen=citizen, dossier=remarked, is_complaint=False)
    assert complained(complained_of) == first.received_at and complained(remarked) is None
    # A later complaint, or a dissatisfied rating after it, keeps the first time.
    services.submit_feedback(agency=complained_of.agency, subject="Lần hai", body="Vẫn chậm", name="A",
                             citizen=citizen, dossier=complained_of, is_complaint=True)
    services.rate_dossier(complained_of, overall="dissatisfied")
    assert complained(complained_of) == first.received_at


@pytest.mark.parametrize("postgres_form", [True, False], ids=["one-update", "orm"])
def test_the_migration_copies_the_first_complaint_of_each_dossier(citizen, online_dossier, postgres_form):
    unhappy, complained_of, both, neither = (online_dossier(citizen, status=10) for _ in range(4))
    services.rate_dossier(unhappy, overall="dissatisfied")
    services.submit_feedback(agency=complained_of.agency, subject="Chậm", body="x", name="A", citizen=citizen,
                             dossier=complained_of, is_complaint=True)
    services.submit_feedback(agency=both.agency, subject="Chậm", body="x", name="A", citizen=citizen, dossier=both,
                             is_complaint=True)
    services.rate_dossier(both, overall="dissatisfied")
    services.rate_dossier(neither, overall="satisfied")
    want = sorted(Dossier.objects.values_list("pk", "complained_at"))
    assert [pk for pk, at in want if at] == sorted([unhappy.pk, complained_of.pk, both.pk])
    earliest = min(Rating.objects.get(dossier=both).created_at, Feedback.objects.get(dossier=both).received_at)
    assert complained(both) == earliest
    Dossier.objects.update(complained_at=None)
    migration = importlib.import_module("dossiers.migrations.0026_complained_fact_on_dossier")
    if postgres_form and connection.vendor == "postgresql":
        with connection.schema_editor() as editor:
            migration.copy_complaints(apps, editor)
    else:
        migration.copy_complaints(apps, SimpleNamespace(connection=SimpleNamespace(vendor="sqlite", alias="default")))
    assert sorted(Dossier.objects.values_list("pk", "complained_at")) == want


def test_a_second_complaint_about_a_dossier_is_a_repeat_and_the_migration_agrees(citizen, online_dossier):
    """Feedback.is_repeat (citizens/0007): a complaint about a dossier complained about before repeats it (the
    766's 5.3); a remark that is not a complaint, or a complaint about another dossier, does not."""
    d, other = online_dossier(citizen, status=10), online_dossier(citizen, status=10)

    def send(dossier, complaint=True):
        return services.submit_feedback(agency=dossier.agency, subject="Chậm", body="x", name="A", citizen=citizen,
                                        dossier=dossier, is_complaint=complaint)

    remark, first, second, elsewhere, third = send(d, False), send(d), send(d), send(other), send(d)
    want = {f.pk: f.is_repeat for f in (remark, first, second, elsewhere, third)}
    assert want == {remark.pk: False, first.pk: False, second.pk: True, elsewhere.pk: False, third.pk: True}
    Feedback.objects.update(is_repeat=False)
    migration = importlib.import_module("citizens.migrations.0007_feedback_is_repeat")
    if connection.vendor == "postgresql":
        with connection.schema_editor() as editor:
            migration.mark_repeats(apps, editor)
        assert dict(Feedback.objects.values_list("pk", "is_repeat")) == want
        Feedback.objects.update(is_repeat=False)
    migration.mark_repeats(apps, SimpleNamespace(connection=SimpleNamespace(vendor="sqlite", alias="default")))
    assert dict(Feedback.objects.values_list("pk", "is_repeat")) == want
