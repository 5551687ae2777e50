"""The managers' dashboard: KPIs, comparison, drill-down, charts, and the links behind every number."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from tests.reporting.conftest import AN_BINH, PROVINCE

OCT = {"kind": "month", "month": "2026-10"}


def get(client, user, **params):
    client.force_login(user)
    response = client.get("/bao-cao/", {**OCT, **params})
    assert response.status_code == 200, response.content[:2000]
    return response


@pytest.mark.django_db
def test_province_view_kpis_units_and_comparison(client, staff, figures, org):
    response = get(client, staff.manager)
    dash = response.context["dash"]
    assert dash.unit.code == org.province.code  # a single top unit: start there
    assert {k: getattr(dash.totals, k) for k in PROVINCE} == PROVINCE
    units = {u.key: u for u in dash.units}
    assert set(units) == {org.commune.code, org.commune2.code}  # the province received nothing itself
    assert {k: getattr(units[org.commune.code], k) for k in AN_BINH} == AN_BINH
    # September, as it stood at its end: F1 received and still pending.
    assert (dash.previous.received, dash.previous.finished, dash.previous.pending_in_time) == (1, 0, 1)
    assert dash.comparison["received"]["delta"] == 10
    html = response.content.decode()
    for text in ("50,0%", "45,5%", "33,3%", "không có dữ liệu", org.commune.name, org.commune2.name):
        assert text in html
    assert "Tỷ lệ đúng hạn" in html and "Mức độ hài lòng" in html


@pytest.mark.django_db
def test_drill_down_province_commune_field_procedure(client, staff, figures, org, catalogue):
    dash = get(client, staff.manager, agency=org.commune.code).context["dash"]
    assert [u.code for u in dash.path] == [org.province.code, org.commune.code]
    assert dash.breakdown_kind == "field"
    fields = {r.label: r for r in dash.breakdown}
    assert (fields["Đất đai"].received, fields["Đất đai"].pending_late) == (3, 2)

    dash = get(client, staff.manager, agency=org.commune.code, field=catalogue.cert.pk).context["dash"]
    assert dash.breakdown_kind == "procedure"
    assert dash.totals.received == 3  # D2, D4, D9
    assert {r.label for r in dash.breakdown} == {"2.000815 – Chứng thực bản sao từ bản chính"}

    response = get(client, staff.manager, agency=org.commune.code, procedure=catalogue.copy.pk)
    dash = response.context["dash"]
    assert dash.procedure == catalogue.copy and dash.field == catalogue.cert
    assert (dash.totals.on_time, dash.totals.late, dash.totals.pending_late) == (1, 1, 1)


@pytest.mark.django_db
def test_every_number_links_to_the_dossiers_behind_it(client, staff, figures, org):
    response = get(client, staff.manager, agency=org.commune.code)
    html = unescape(response.content.decode())
    links = re.findall(r'href="(/bao-cao/ho-so/\?[^"]+)">([\d.]+)</a>', html)
    assert len(links) > 50
    seen = 0
    for href, number in links[:40]:
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert listed.context["page"].paginator.count == int(number.replace(".", "")), href
        seen += 1
    assert seen == 40


@pytest.mark.django_db
def test_kpi_link_for_unapologised_late(client, staff, figures, org):
    html = unescape(get(client, staff.manager, agency=org.commune.code).content.decode())
    href = re.search(r'href="(/bao-cao/ho-so/\?[^"]*metric=unapologised_late[^"]*)"', html).group(1)
    listed = client.get(href)
    assert {d.code for d, _ in listed.context["rows"]} == {figures.d4.code, figures.d7.code, figures.d9.code}


@pytest.mark.django_db
def test_charts_are_accessible_svg_with_the_figures_in_tables(client, staff, figures):
    html = get(client, staff.manager).content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2  # ranking, channel mix; the trend comes on its own request
    trend = client.get("/bao-cao/xu-huong/", OCT, HTTP_HX_REQUEST="true").content.decode()
    svgs += re.findall(r"<svg[^>]*>.*?</svg>", trend, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "aria-labelledby" in svg
    assert "cdn" not in (html + trend).lower()
    assert "Trực tuyến: 5 (45,5%)" in html  # the channel chart's description says the figures
    assert "10/2026: 57,1%" in trend         # and the trend's says each month's rate


@pytest.mark.django_db
def test_trend_fragment_and_page(client, staff, figures, org):
    client.force_login(staff.manager)
    page = client.get("/bao-cao/", {**OCT, "agency": org.commune.code}).content.decode()
    assert 'hx-get="/bao-cao/xu-huong/?' in page  # loaded after the page, with a plain link as fallback
    fragment = client.get("/bao-cao/xu-huong/", {**OCT, "agency": org.commune.code}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    rows = {r.key: r for r in fragment.context["trend"]}
    assert len(rows) == 12 and list(rows)[-1] == "2026-10"
    assert (rows["2026-10"].received, rows["2026-10"].on_time_rate) == (9, Decimal("60.0"))
    # F1: received in September (open at its end), finished in October.
    assert (rows["2026-09"].received, rows["2026-09"].finished, rows["2026-09"].pending_in_time) == (1, 0, 1)
    assert rows["2026-10"].finished == 5
    full = client.get("/bao-cao/xu-huong/", {**OCT, "agency": org.commune.code})
    assert "<html" in full.content.decode()
    html = unescape(fragment.content.decode())
    href = re.search(r'href="(/bao-cao/ho-so/\?[^"]*metric=pending_in_time[^"]*in_month=2026-09[^"]*)"', html).group(1)
    assert [d.code for d, _ in client.get(href).context["rows"]] == [figures.f1.code]
    assert client.get("/bao-cao/xu-huong/", {**OCT, "agency": org.commune2.code}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "month", "month": "2026-13"}, "month"), ({"kind": "custom", "from": "2026-10-31", "to": "2026-10-01"}, "from"),
     ({"kind": "custom", "from": "31/10/2026"}, "from"), ({"kind": "weekly"}, "kind"), ({"year": "abc", "kind": "year"}, "year")],
)
def test_bad_period_shows_a_message_next_to_the_field(client, staff, figures, params, field):
    client.force_login(staff.manager)
    response = client.get("/bao-cao/", params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="error"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "received"), [
    ({"kind": "quarter", "quarter": "4", "year": "2026"}, 12),   # Oct-Dec 2026, so far: + F2
    ({"kind": "year", "year": "2026"}, 13),                      # + F1 (September)
    ({"kind": "custom", "from": "2026-10-01", "to": "2026-10-15"}, 8),
])
def test_period_kinds(client, staff, figures, params, received):
    client.force_login(staff.manager)
    assert client.get("/bao-cao/", params).context["dash"].totals.received == received


@pytest.mark.django_db
def test_bad_field_or_unknown_procedure(client, staff, figures):
    client.force_login(staff.manager)
    assert client.get("/bao-cao/", {**OCT, "field": "x"}).status_code == 400
    assert client.get("/bao-cao/", {**OCT, "procedure": "999999"}).status_code == 404


@pytest.mark.django_db
def test_running_period_counts_late_only_what_is_already_late(client, staff, figures, org, catalogue):
    from dossiers.models import Channel
    from tests.reporting.conftest import at, make_dossier

    # Now is 20/11 10:00. F2 (due 05/11) is late already; one due on 25/11 is not yet; D5, D6 and D7,
    # received in October and still open, are late too (open at the end of the running period).
    make_dossier(org.commune, catalogue.birth, Channel.ONLINE, at(18, month=11), at(25, month=11))
    client.force_login(staff.manager)
    dash = client.get("/bao-cao/", {"kind": "month", "month": "2026-11"}).context["dash"]
    assert (dash.totals.received, dash.totals.pending_late, dash.totals.pending_in_time) == (2, 4, 1)


@pytest.mark.django_db
def test_766_page_lists_every_indicator_with_formula_threshold_points(client, commune_manager, figures):
    client.force_login(commune_manager)
    response = client.get("/bao-cao/chi-so-766/", OCT)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "24,72" in html and "10,00" in html and "Chưa tính được" in html
    assert "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia" in html and "không tính điểm" in html
    # The dossiers behind the progress rate: numerator and denominator both link.
    hrefs = re.findall(r'href="(/bao-cao/ho-so/\?[^"]*metric=national_in_time[^"]*)">5</a>', html)
    assert hrefs and client.get(hrefs[0]).context["page"].paginator.count == 5


@pytest.mark.django_db
def test_superuser_sees_everything(client, make_user, figures, org):
    admin = make_user("root", is_superuser=True, is_staff=True)
    dash = get(client, admin).context["dash"]
    assert dash.totals.received == 11
    assert dash.unit.code == org.province.code


@pytest.mark.django_db
def test_dossier_list_paginates(client, staff, figures):
    client.force_login(staff.manager)
    response = client.get("/bao-cao/ho-so/", {**OCT, "metric": "received"})
    page = response.context["page"]
    assert page.paginator.count == 11
    assert [d.received_at for d in page.object_list] == sorted(d.received_at for d in page.object_list)
    assert client.get("/bao-cao/ho-so/", {**OCT, "metric": "bogus"}).status_code == 400
    query = parse_qs(urlparse("/?" + response.context["query"]).query)
    assert query["metric"] == ["received"]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("base, filters", [
    ({"kind": "month", "month": "2026-10"}, {"agency": "X&1", "field": 7, "procedure": "", "channel": None}),
    ({"kind": "custom", "from": "2026-01-01", "to": "2026-10-31"}, {"channel": "online"}),
    ({}, {"agency": "A"}),                               # no period: the whole query encoded by `behind`
    ({"kind": "month", "agency": "B"}, {"agency": "C"}),  # a filter replacing a key of the period
])
def test_row_cells_are_the_cell_by_cell_tags(base, filters, language):
    """The dashboard's row cells, built in Python by `cells`, give the links and figures the tags `behind`, `num`
    and `pct` give one cell at a time (and the same HTML the included _cells.html template gave)."""
    from django.utils import translation
    from django.utils.html import conditional_escape, escape

    from reporting.selectors import Row
    from reporting.templatetags import reporting_tags as tags

    row = Row(received=1234567, finished=1000, early=3, on_time=4, late=3, pending_late=2, pending_in_time=5,
              waiting=1, online=6, apologised_late=1, supplemented=2, very_satisfied=1, satisfied=1, dissatisfied=0)
    with translation.override(language):
        html = tags.cells(row, base, **filters)
        numbers = {m: tags.num(getattr(row, m)) for _c, _l, what in tags.ROW_CELLS if not isinstance(what, str)
                   for m in what}
        labels = [tags._(label) for _c, label, _w in tags.ROW_CELLS]
        rates = {w: conditional_escape(tags.pct(getattr(row, w))) for _c, _l, w in tags.ROW_CELLS if isinstance(w, str)}
    cells = re.findall(r'<td class="([^"]+)" data-label="([^"]+)">(.*?)</td>\n', html)
    assert len(cells) == len(tags.ROW_CELLS) == 17 and html.count("<td") == 17
    assert html == "".join(f'<td class="{c}" data-label="{lb}">{x}</td>\n' for c, lb, x in cells)
    for (css, label, content), (want_css, _label, what), want_label in zip(cells, tags.ROW_CELLS, labels, strict=True):
        assert (css, label) == (want_css, escape(want_label))
        if isinstance(what, str):
            assert content == rates[what]
        else:
            want = " / ".join(f'<a href="{escape(tags.behind(base, m, **filters))}">{numbers[m]}</a>'
                              for m in what)
            assert content == want
    assert "metric=late_all" in html and "&amp;" in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_rate_cell_is_pct_escaped(language):
    """`rate_cell` (the rows' fast path) gives what `pct` gives, for every rate a row can show and beyond."""
    from decimal import Decimal

    from django.utils import translation
    from django.utils.html import conditional_escape

    from reporting.templatetags import reporting_tags as tags

    values = [None, *(Decimal(n).scaleb(-1) for n in range(-20, 12001, 7)), Decimal("100.0"), Decimal("0.0"), 5, 99.5]
    with translation.override(language):
        for value in values:
            assert tags.rate_cell(value, translation.get_language()) == conditional_escape(tags.pct(value)), value
