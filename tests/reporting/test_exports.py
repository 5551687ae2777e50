"""The dashboard, its Excel file, its PDF and the API give the same figures; open data has no personal data."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.exports import row_columns

OCT = {"kind": "month", "month": "2026-10"}
API_OCT = {"from": "2026-10-01", "to": "2026-10-31"}


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:]}


@pytest.mark.django_db
def test_dashboard_excel_and_api_agree(client, api, staff, figures, org):
    client.force_login(staff.manager)
    dash = client.get("/bao-cao/", OCT).context["dash"]
    book = load_workbook(io.BytesIO(client.get("/bao-cao/xuat-excel/", OCT).content))
    api_body = api.as_user(staff.manager).get("/api/v1/reports/on-time/", {**API_OCT, "group_by": "agency"}).json()
    api_rows = {r["label"]: r for r in api_body["rows"]}
    units = sheet_rows(book["Đơn vị"])
    headers = dict(row_columns())
    for unit in dash.units:
        excel = units[unit.label]
        api_row = api_rows[unit.label]
        for name, header in headers.items():
            page_value = getattr(unit, name)
            page_value = None if page_value is None else (float(page_value) if "rate" in name or "share" in name else page_value)
            assert excel[header] == page_value, (unit.label, name)
            if name in api_row:
                assert api_row[name] == page_value, (unit.label, name)
    totals = units["Tổng cộng"]
    assert totals[headers["received"]] == api_body["totals"]["received"] == 11
    assert totals[headers["on_time_rate"]] == api_body["totals"]["on_time_rate"] == 57.1

    fields_api = api.as_user(staff.manager).get("/api/v1/reports/on-time/", {**API_OCT, "group_by": "field"}).json()
    fields_xl = sheet_rows(book["Lĩnh vực"])
    for r in fields_api["rows"]:
        assert fields_xl[r["label"]][headers["late"]] == r["late"]
        assert fields_xl[r["label"]][headers["on_time_rate"]] == r["on_time_rate"]

    channels_api = api.as_user(staff.manager).get("/api/v1/reports/on-time/", {**API_OCT, "group_by": "channel"}).json()
    channels_xl = sheet_rows(book["Kênh nộp"])
    for r in channels_api["rows"]:
        assert channels_xl[r["label"]][headers["received"]] == r["received"]

    summary = {r[0]: r for r in book["Tổng hợp"].iter_rows(values_only=True) if r and r[0]}
    assert summary[headers["received"]][1:] == (11, 1, 10)
    assert summary[headers["on_time_rate"]][1:] == (57.1, None, None)  # nothing finished in September: no rate


@pytest.mark.django_db
def test_excel_766_sheet_matches_the_api(client, api, commune_manager, figures):
    client.force_login(commune_manager)
    book = load_workbook(io.BytesIO(client.get("/bao-cao/xuat-excel/", OCT).content))
    ws = book["Chỉ số 766"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    body = api.as_user(commune_manager).get("/api/v1/reports/index-766/", API_OCT).json()
    for item in body["indicators"]:
        row = rows[item["code"]]
        assert row[7] == item["rate"] and row[9] == item["points"], item["code"]
    last = list(ws.iter_rows(values_only=True))[-1]
    assert last[8] == 100 and last[9] == body["total"]["points"] == 24.72


@pytest.mark.django_db
def test_dossier_list_excel(client, staff, figures):
    client.force_login(staff.manager)
    response = client.get("/bao-cao/ho-so/xuat-excel/", {**OCT, "metric": "late_all"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = {r[0] for r in rows[2:]}
    assert codes == {figures.d3.code, figures.d4.code, figures.d6.code, figures.d7.code, figures.d9.code, figures.e2.code}


@pytest.mark.django_db
def test_pdf_of_the_period_report_in_vietnamese(client, staff, figures, org):
    client.force_login(staff.manager)
    response = client.get("/bao-cao/bao-cao.pdf", {**OCT, "agency": org.commune.code})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Báo cáo tình hình giải quyết hồ sơ" in text
    assert "UBND xã An Bình" in text and "Tỷ lệ đúng hạn" in text and "60,0%" in text
    assert "Chỉ số Quyết định 766/QĐ-TTg" in text and "24,72" in text
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts  # an embedded font, not a fallback that drops the diacritics


@pytest.mark.django_db
def test_public_unit_page_and_open_data(client, figures, org):
    response = client.get(f"/bao-cao/cong-khai/{org.commune.code}/", {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert org.commune.name in html and "60,0%" in html  # October's on-time rate

    data = json.loads(client.get(f"/bao-cao/cong-khai/{org.commune.code}/du-lieu.json", {"year": "2026"}).content)
    assert data["agency"]["code"] == org.commune.code
    months = {m["month"]: m for m in data["months"]}
    assert (months["2026-10"]["received"], months["2026-10"]["on_time_rate"]) == (9, 60.0)
    assert months["2026-10"]["satisfaction_rate"] == 66.7
    assert months["2026-01"]["on_time_rate"] is None
    assert data["totals"]["received"] == 11  # F1 (September) and F2 (November) too

    raw = client.get(f"/bao-cao/cong-khai/{org.commune.code}/du-lieu.csv", {"year": "2026"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    october = next(r for r in rows if r["month"] == "2026-10")
    assert (october["received"], october["on_time_rate"], october["agency_name"]) == ("9", "60.0", org.commune.name)
    everything = raw + json.dumps(data, ensure_ascii=False)
    for personal in ("Nguyễn Văn", "0912345678", figures.d1.code, "Trần Thị B"):
        assert personal not in everything


@pytest.mark.django_db
def test_public_pages_need_no_login_and_reject_bad_input(client, figures, org):
    assert client.get("/bao-cao/cong-khai/").status_code == 200
    assert org.commune.name in client.get("/bao-cao/cong-khai/").content.decode()
    assert client.get("/bao-cao/cong-khai/no-such-unit/").status_code == 404
    assert client.get(f"/bao-cao/cong-khai/{org.commune.code}/", {"year": "abc"}).status_code == 400
    bad = client.get(f"/bao-cao/cong-khai/{org.commune.code}/du-lieu.json", {"year": "1800"})
    assert bad.status_code == 400 and "year" in bad.json()["fields"]


@pytest.mark.django_db
def test_excel_in_english_names_indicators_groups_and_metrics_in_english(client, commune_manager, figures):
    client.cookies["django_language"] = "en"
    client.force_login(commune_manager)
    book = load_workbook(io.BytesIO(client.get("/bao-cao/xuat-excel/", OCT).content))
    assert "Chỉ số 766" not in book.sheetnames
    rows = {r[1]: r for r in book["Decision 766 indicators"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert rows["2.1"][:4] == (
        "Progress and results of processing", "2.1", "Share of dossiers processed ahead of time, on time or still within time",
        "(dossiers finished in the period ahead of time or on time + dossiers in process within time at its end) "
        "÷ (dossiers finished in the period + dossiers in process at its end); the waiting for a supplement is "
        "subtracted, a dossier still waiting is judged when the supplement was requested, two or more supplement "
        "requests count as late",
    )
    assert rows["3.1"][9] is None  # published without points
    assert "National Database on Administrative Procedures" in rows["1.1"][3]
    listing = client.get("/bao-cao/ho-so/xuat-excel/", {**OCT, "metric": "late_all"})
    first = next(load_workbook(io.BytesIO(listing.content)).active.iter_rows(values_only=True))
    assert first[0] == "Overdue (processed or in process)"
