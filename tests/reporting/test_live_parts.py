"""The live counts read in two parts (reporting/selectors._live_grouped): the dossiers received or finished in
the window with every count, those received before it and still open at its end with the few conditions of
the open family. Both give exactly what one query over every dossier the window touches gives, for every
metric, over windows that end in the past and one that is still running (reports are read on 20 November)."""

from datetime import date

import pytest
from django.db.models import F

from reporting import selectors
from reporting.periods import Period, month

WINDOWS = {
    "oct": month(2026, 10),
    "nov (running)": month(2026, 11),
    "mid-oct": Period(date(2026, 10, 6), date(2026, 10, 21)),
    "oct 21-27": Period(date(2026, 10, 21), date(2026, 10, 27)),
    "sep-oct": Period(date(2026, 9, 1), date(2026, 10, 31)),
    "late-oct to now": Period(date(2026, 10, 26), date(2026, 12, 31)),
}
KEYS = {"a": F("agency_id"), "p": F("procedure_id"), "c": F("channel")}
NAMES = {*selectors.Row.NUMBERS, *selectors.OPEN_PARTS, *selectors.INDEX_COLUMNS, "in_time", "processed", "open",
         "unapologised_late"} - {"rated"}


def _one_query(flt, keys, aggregates):
    """The counts as one GROUP BY over every dossier the window touches (the reading before the split)."""
    return selectors._values(selectors.touched_in(flt).annotate(**keys), keys, aggregates)


def _by_key(rows, keys, names):
    return {tuple(d[k] for k in keys): {n: int(d.get(n) or 0) for n in names} for d in rows}


@pytest.mark.parametrize("name", WINDOWS)
def test_two_parts_give_the_counts_of_one_query(figures, rules_fixture, name):
    flt = selectors.ReportFilter(WINDOWS[name])
    for keys in (KEYS, {}):
        full = selectors._window_aggregates(flt, NAMES)
        want = _by_key(_one_query(flt, keys, full), keys, full)
        got = _by_key(selectors._live_grouped(flt, keys, NAMES), keys, full)
        # One query yields a row for a key whose dossiers count nowhere: the same as zeros.
        want = {k: v for k, v in want.items() if any(v.values()) or not keys}
        got = {k: v for k, v in got.items() if any(v.values()) or not keys}
        assert got == want and any(any(v.values()) for v in want.values())
    index = selectors._aggregates(flt, selectors.INDEX_LIVE)
    keys = {"p": F("procedure_id")}
    want = _by_key(_one_query(flt, keys, index), keys, index)
    got = _by_key(selectors._live_grouped(flt, keys, set(selectors.INDEX_LIVE), aggregates=selectors._aggregates),
                  keys, index)
    assert got == want


@pytest.mark.parametrize("name", WINDOWS)
def test_every_metric_of_the_open_before_part_is_what_the_split_takes(figures, rules_fixture, name):
    """For the dossiers received before the window and open at its end, each metric is none of them, all of them,
    or the same dossiers as the open-family metric it is read from."""
    flt = selectors.ReportFilter(WINDOWS[name])
    part = selectors.open_before(flt)
    everyone = set(part.values_list("id", flat=True))
    end, start = flt.received_end_at, flt.start_at

    def ids(metric):
        return set(part.filter(selectors.metric_q(metric, end, start)).values_list("id", flat=True))

    for metric in selectors.METRICS:
        if metric in selectors.OPEN_BEFORE_NONE:
            assert ids(metric) == set(), metric
        elif metric in selectors.OPEN_BEFORE_ALL:
            assert ids(metric) == everyone, metric
        elif metric in selectors.OPEN_BEFORE_SAME:
            assert ids(metric) == ids(selectors.OPEN_BEFORE_SAME[metric]), metric
    # The two parts are disjoint and together every dossier the window touches.
    other = set(selectors.received_or_finished(flt).values_list("id", flat=True))
    assert not other & everyone
    assert other | everyone == set(selectors.touched_in(flt).values_list("id", flat=True))


def test_the_split_is_tested_on_open_dossiers_of_every_kind(figures, rules_fixture):
    """The fixture has, open at the end of one of the windows and received before it: waiting, pending late with
    an apology, pending in time, late by the national reading and complained-about dossiers (else the walk above
    would prove little)."""
    found = set()
    for period in WINDOWS.values():
        flt = selectors.ReportFilter(period)
        part = selectors.open_before(flt)
        for metric in selectors.OPEN_BEFORE_COUNTED:
            if part.filter(selectors.metric_q(metric, flt.received_end_at, flt.start_at)).exists():
                found.add(metric)
    assert found >= {"waiting", "pending_late", "pending_in_time", "apologised_late", "national_late",
                     "national_in_time", "apology_missed"}, found


@pytest.mark.django_db
def test_the_open_dossiers_are_counted_from_their_indexes_alone():
    """The dossiers open at a period's end are most of a running period's rows (80,720 at 10,000,000 dossiers):
    the live statement asks nothing of the apologies nor of the complaints (their facts are on the dossier,
    dossiers/0024 and 0026, and in the covering index of the open dossiers, reporting/0008); the complaints keep
    an index of their own (reporting/0009) for the 766's repeated complaints."""
    from django.db import connection

    flt = selectors.ReportFilter(month(2026, 11))
    for names, aggregates, keys in ((NAMES, selectors._window_aggregates, KEYS),
                                    (set(selectors.INDEX_LIVE), selectors._aggregates, {"p": F("procedure_id")})):
        sql, _params, _columns = selectors._live_statement.__wrapped__(flt, tuple(keys.items()), frozenset(names),
                                                                        aggregates)
        assert "dossiers_apology" not in sql and "citizens_feedback" not in sql
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                       "('report_open_facts', 'report_open_cover', 'report_feedback_complaint', "
                       "'report_rating_dissatisfied') ORDER BY indexname")
        found = dict(cursor.fetchall())
    assert sorted(found) == ["report_feedback_complaint", "report_open_facts", "report_rating_dissatisfied"]
    assert "apologised_at, apology_due_at, complained_at" in found["report_open_facts"]
    assert "WHERE is_complaint" in found["report_feedback_complaint"]
