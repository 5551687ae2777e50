"""The 766 index from the database: the counts behind each indicator on the October fixture."""

from decimal import Decimal
from fractions import Fraction

import pytest

from reporting import selectors
from reporting.periods import month
from tests.reporting.test_indicators import COUNTS

OCT = month(2026, 10)


@pytest.mark.django_db
def test_counts_for_one_commune(figures, org):
    index = selectors.index_766({org.commune.id}, OCT)
    assert {k: index.counts[k] for k in COUNTS} == COUNTS
    assert index.counts["synced"] == 0  # nothing of the fixture reached the national portal
    items = {i.rule.code: i for i in index.result.indicators}
    assert items["1.4"].computable and items["1.4"].points == 0
    assert index.result.points == Decimal("24.72")


@pytest.mark.django_db
def test_indicator_1_4_counts_what_the_national_portal_holds(figures, org):
    """1.4 = dossiers synced with a receipt date in the period ÷ dossiers received in it (domain.md §7)."""
    from dossiers.models import Dossier
    from national.models import SyncState

    received = selectors.received_in(selectors.ReportFilter(OCT, frozenset({org.commune.id})))
    total = received.count()
    first, second, *_ = list(received.order_by("pk"))
    Dossier.objects.filter(pk=first.pk).update(national_code="G22.99-261015-0001")  # filed on the portal
    SyncState.objects.update_or_create(dossier=second, defaults={"held_since": second.received_at})
    index = selectors.index_766({org.commune.id}, OCT)
    assert (index.counts["synced"], index.counts["received"]) == (2, total)
    item = {i.rule.code: i for i in index.result.indicators}["1.4"]
    assert item.exact_rate == Fraction(200, total)  # a percentage


@pytest.mark.django_db
def test_procedures_counted_are_published_ones_the_unit_performs(figures, org, catalogue):
    # All three published procedures are performed at commune level; the draft is ignored.
    assert selectors.procedure_counts(frozenset({org.commune.id})) == {
        "procedures_published": 3, "procedures_online": 2, "procedures_with_fee": 1, "procedures_population": 0}
    # A province performs none of them (agency_levels "commune") unless one is linked to it.
    assert selectors.procedure_counts(frozenset({org.province.id})) == {
        "procedures_published": 0, "procedures_online": 0, "procedures_with_fee": 0, "procedures_population": 0}
    catalogue.plot.agencies.add(org.province)
    assert selectors.procedure_counts(frozenset({org.province.id})) == {
        "procedures_published": 1, "procedures_online": 0, "procedures_with_fee": 0, "procedures_population": 0}


@pytest.mark.django_db
def test_indicator_4_5a_counts_procedures_taking_a_component_from_the_population_database(figures, org, catalogue):
    """4.5a = published procedures with a component the catalogue marks as held in the national population
    database ÷ published procedures the unit performs (domain.md §7). Two such components of one procedure
    count it once; a draft's component counts nothing; a component held elsewhere counts nothing."""
    from procedures.models import Component, DataHolder

    Component.objects.create(procedure=catalogue.birth, order=1, name="Thông tin cư trú của cha mẹ",
                             held_in=DataHolder.POPULATION)
    Component.objects.create(procedure=catalogue.birth, order=2, name="Thông tin căn cước của người đi khai",
                             held_in=DataHolder.POPULATION)
    Component.objects.create(procedure=catalogue.copy, order=1, name="Bản chính giấy tờ", held_in=DataHolder.REUSED)
    Component.objects.create(procedure=catalogue.draft, order=1, name="Thông tin cư trú",
                             held_in=DataHolder.POPULATION)
    counts = selectors.procedure_counts(frozenset({org.commune.id}))
    assert (counts["procedures_population"], counts["procedures_published"]) == (1, 3)
    item = {i.rule.code: i for i in selectors.index_766({org.commune.id}, OCT).result.indicators}["4.5a"]
    assert item.computable and (item.numerator, item.denominator) == (1, 3)
    assert item.exact_rate == Fraction(100, 3)
    assert item.points == Decimal("0.67")  # 2 points × 1/3 (below its 100% threshold: proportional)


@pytest.mark.django_db
def test_province_index_covers_both_communes(figures, org):
    index = selectors.index_766({org.province.id, org.commune.id, org.commune2.id}, OCT, agency=org.province.code)
    assert index.counts["received"] == 11
    assert index.counts["feedback_due"] == 4  # the Phú Mỹ complaint overdue too
    items = {i.rule.code: i for i in index.result.indicators}
    # National reading: An Bình 5 of 10 processed in time, Phú Mỹ 1 of 2 (E2 late).
    assert (items["2.1"].numerator, items["2.1"].denominator, items["2.1"].rate) == (6, 12, Decimal("50.0"))


@pytest.mark.django_db
def test_empty_period_scores_nothing_rather_than_everything(figures, org):
    index = selectors.index_766({org.commune.id}, month(2025, 1))
    rates = {i.rule.code: i.rate for i in index.result.indicators if i.computable}
    # Only the catalogue-based rates exist without dossiers: 3.1 (no points), 3.5b (no procedure paid online)
    # and 4.5a (no procedure takes a component from the population database).
    assert {c for c, r in rates.items() if r is not None} == {"3.1", "3.5b", "4.5a"}
    assert index.result.points == Decimal("0.00")
