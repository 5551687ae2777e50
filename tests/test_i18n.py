"""English as the second language: the catalogue is complete and compiled, and pages and API speak it.

The msgids are Vietnamese, so Vietnamese needs no catalogue and every English word comes from
locale/en/LC_MESSAGES/django.po. These tests read the catalogue with a small parser of their own,
extract the translatable strings from the code the way makemessages does (Django's templatize for
templates, the gettext calls for Python), and ask pages and the API for English.
"""

import ast
import gettext as gnu_gettext
import io
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages is run without: `makemessages -l en --ignore=.venv --ignore=bench --ignore=tests ...`.
IGNORED = {".venv", "bench", "tests", "staticfiles", "var", "node_modules", "migrations"}
# The API follows Accept-Language; pages follow the language cookie set by the top bar's switch.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- a small .po reader --------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file (blocks separated by blank lines): msgctxt, msgid, msgid_plural, msgstr list, flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, field = {"flags": set(), "msgstr": []}, None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue  # comments, references and obsolete (#~) entries
            elif line.startswith('"'):
                if field == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
            else:
                keyword, _, value = line.partition(" ")
                if keyword.startswith("msgstr"):
                    field = "msgstr"
                    entry["msgstr"].append(ast.literal_eval(value))
                else:
                    field = keyword
                    entry[keyword] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue():
    assert PO.exists(), "locale/en/LC_MESSAGES/django.po is missing: run makemessages -l en"
    entries = read_po(PO)
    header = [e for e in entries if e["msgid"] == "" and "msgctxt" not in e]
    return {
        "header": header[0] if header else None,
        "entries": [e for e in entries if not (e["msgid"] == "" and "msgctxt" not in e)],
    }


# --- what the code asks to translate -------------------------------------------------------------

PY_FUNCS = {
    "_": 1, "gettext": 1, "gettext_lazy": 1, "gettext_noop": 1, "ngettext": 2, "ngettext_lazy": 2,
    "pgettext": "ctx", "pgettext_lazy": "ctx", "npgettext": "ctxn", "npgettext_lazy": "ctxn",
}


def _sources(suffix: str):
    for path in sorted(BASE.rglob(f"*{suffix}")):
        if IGNORED & set(path.relative_to(BASE).parts):
            continue
        yield path


def _key(context, msgid, plural=None):
    return (context or "", msgid, plural)


def python_strings():
    """(context, msgid, plural) of every gettext call with literal arguments in our Python files."""
    found = {}
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            kind = PY_FUNCS.get(name)
            if kind is None:
                continue
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
            if kind == 1 and args[:1] and args[0] is not None:
                found[_key(None, args[0])] = f"{path.relative_to(BASE)}:{node.lineno}"
            elif kind == 2 and len(args) >= 2 and None not in args[:2]:
                found[_key(None, args[0], args[1])] = f"{path.relative_to(BASE)}:{node.lineno}"
            elif kind == "ctx" and len(args) >= 2 and None not in args[:2]:
                found[_key(args[0], args[1])] = f"{path.relative_to(BASE)}:{node.lineno}"
            elif kind == "ctxn" and len(args) >= 3 and None not in args[:3]:
                found[_key(args[0], args[1], args[2])] = f"{path.relative_to(BASE)}:{node.lineno}"
    return found


def template_strings():
    """(context, msgid, plural) of every translate / blocktranslate tag, through Django's templatize."""
    found = {}
    for path in _sources(".html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        # templatize writes Python-like calls amid filler; indentation means nothing here.
        text = "\n".join(line.strip() for line in text.splitlines())
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type in (tokenize.NAME, tokenize.STRING, tokenize.OP)
        ]
        for i, token in enumerate(tokens):
            if token.type != tokenize.NAME or token.string not in ("gettext", "ngettext", "pgettext", "npgettext"):
                continue
            if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
                continue
            args, j = [], i + 2
            while j < len(tokens) and tokens[j].type == tokenize.STRING:
                args.append(ast.literal_eval(tokens[j].string))
                j += 2 if j + 1 < len(tokens) and tokens[j + 1].string == "," else 1
            where = f"{path.relative_to(BASE)}"
            if token.string == "gettext" and args:
                found[_key(None, args[0])] = where
            elif token.string == "ngettext" and len(args) >= 2:
                found[_key(None, args[0], args[1])] = where
            elif token.string == "pgettext" and len(args) >= 2:
                found[_key(args[0], args[1])] = where
            elif token.string == "npgettext" and len(args) >= 3:
                found[_key(args[0], args[1], args[2])] = where
    return found


# --- the catalogue -------------------------------------------------------------------------------


def test_catalogue_is_english_with_plural_forms(catalogue):
    header = catalogue["header"]
    assert header is not None
    meta = header["msgstr"][0]
    assert "Language: en\n" in meta
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in meta
    assert "fuzzy" not in header["flags"], "the header is still fuzzy: compilemessages would skip nothing, gettext would"
    assert len(catalogue["entries"]) > 1000


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    empty = [e["msgid"] for e in catalogue["entries"] if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in catalogue["entries"] if "fuzzy" in e["flags"]]
    plural_forms = [e["msgid"] for e in catalogue["entries"] if e.get("msgid_plural") and len(e["msgstr"]) != 2]
    assert not empty, f"{len(empty)} untranslated: {empty[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"
    assert not plural_forms, f"English needs two plural forms: {plural_forms[:10]}"


_PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdifr]|%[sdif]|\{\w*\}|</?[a-zA-Z][^>]*>")


def test_translations_keep_placeholders_and_markup(catalogue):
    """A dropped %(name)s raises KeyError at run time; a changed {code} leaves a blank in an SMS."""
    wrong = []
    for e in catalogue["entries"]:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, translated in enumerate(e["msgstr"]):
            source = sources[min(i, 1)]
            if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(translated)):
                wrong.append((source, translated))
            if source[:1] == " " and translated[:1] != " " or source[-1:] == " " and translated[-1:] != " ":
                wrong.append((source, translated))
    assert not wrong, wrong[:10]


def test_no_english_entry_is_left_vietnamese(catalogue):
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    # Names of things that stay Vietnamese in English: the language's own name, and legal references.
    allowed = {"Tiếng Việt"}
    left = [
        (e["msgid"], s) for e in catalogue["entries"] for s in e["msgstr"]
        if vietnamese.search(s) and e["msgid"] not in allowed and "QĐ-TTg" not in s
    ]
    assert not left, left[:10]


def test_every_string_in_the_code_is_in_the_catalogue(catalogue):
    """A new gettext string without an English line shows Vietnamese on an English page."""
    known = {_key(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in catalogue["entries"]}
    wanted = {**python_strings(), **template_strings()}
    assert len(wanted) > 1000
    missing = sorted(f"{where}: {key[1]!r}" for key, where in wanted.items() if key not in known)
    assert not missing, (
        f"{len(missing)} strings are not in locale/en (run makemessages -l en and translate them): {missing[:15]}"
    )


def test_compiled_catalogue_matches_the_po(catalogue):
    """The .mo is committed so `make run` needs no gettext: it must not lag behind the .po."""
    assert MO.exists(), "run compilemessages"
    with MO.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    stale = []
    for e in catalogue["entries"]:
        if "msgctxt" in e:
            got = compiled.pgettext(e["msgctxt"], e["msgid"])
        elif e.get("msgid_plural"):
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            if got != e["msgstr"][:2]:
                stale.append(e["msgid"])
            continue
        else:
            got = compiled.gettext(e["msgid"])
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, f"{len(stale)} entries differ between django.po and django.mo: {stale[:5]}"


def test_msgfmt_accepts_the_catalogue():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed; the other catalogue tests still run")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True, text=True, check=False, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert re.search(r"^\d+ translated messages\.$", result.stderr.strip()), result.stderr


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def demo_catalogue(db):
    from organisation import demo as organisation_demo
    from procedures import demo as procedures_demo

    context = organisation_demo.seed({})
    return procedures_demo.seed(context)["procedures"]


@pytest.fixture(autouse=True)
def _vietnamese_again_after_each_test():
    """A page or API call in English leaves English active in the thread: later tests expect the default."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def english(client):
    """A browser that picked English in the top bar (the cookie /i18n/setlang/ sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
def test_home_page_in_english_and_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(client.get("/"))
    assert '<html lang="en">' in english
    assert "Electronic one-stop desk" in english
    assert "Look up administrative procedures, follow your dossiers and receive the results." in english
    assert "Administrative procedures" in english and "Log in" in english
    assert "Bộ phận Một cửa điện tử" not in english
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    vietnamese = _text(client.get("/"))
    assert '<html lang="vi">' in vietnamese
    assert "Bộ phận Một cửa điện tử" in vietnamese and "Electronic one-stop desk" not in vietnamese


@pytest.mark.django_db
def test_language_cookie_and_switch(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Skip to main content" in _text(client.get("/"))
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code == 302
    assert "Bỏ qua đến nội dung chính" in _text(client.get("/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Skip to main content" in _text(client.get("/"))


def test_catalogue_list_and_procedure_page_in_english(english, demo_catalogue):
    listing = _text(english.get("/thu-tuc/", {"q": "khai sinh"}))
    assert "Search by procedure name or code" in listing
    assert re.search(r"\d+ procedures? found\.", listing), "the plural form of the result count"
    assert "Procedure name" in listing
    assert "Tìm thấy" not in listing and "Tên thủ tục" not in listing
    birth = demo_catalogue["1.001193"]
    page = _text(english.get(f"/thu-tuc/{birth.code}/"))
    assert birth.name in page  # the procedure's own name is data and stays Vietnamese
    assert "Processing workflow" in page and "Implementing agency" in page and "Legal basis" in page
    assert re.search(r"\d+ working (day|days)\b", page)
    assert "Quy trình giải quyết" not in page and "ngày làm việc" not in page
    # Inter-agency procedures say so in English too.
    with_parent = _text(english.get("/thu-tuc/1.009994/"))
    assert "Inter-agency" in with_parent and "Liên thông" not in with_parent


@pytest.mark.django_db
def test_login_page_in_english(english):
    page = _text(english.get("/accounts/login/"))
    assert "Phone number or e-mail" in page and "Password" in page and "Citizen without an account? Sign up" in page
    assert "Tên đăng nhập" not in page
    failed = english.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    assert failed.status_code == 200
    assert "Tên đăng nhập" not in failed.content.decode()


@pytest.mark.django_db
def test_lookup_page_in_english(english):
    page = _text(english.get("/cong-dan/tra-cuu/"))
    assert "Look up the status of a dossier" in page
    assert "Last 4 digits of the applicant&#x27;s phone number" in page or "Last 4 digits of the applicant's phone number" in page
    assert "Tra cứu tình trạng hồ sơ" not in page
    answer = english.post("/cong-dan/tra-cuu/", {"code": "000.00.00.H99-260101-0001", "secret": "1234"})
    text = answer.content.decode()
    assert "No dossier was found with the code and the last 4 phone digits entered." in text, text[:3000]


@pytest.mark.django_db
def test_calendar_calculator_in_english(english):
    page = _text(english.get("/lich/"))
    assert "Calculate the return date" in page
    assert "A working day has 8 hours" in page
    assert "Tính ngày hẹn trả kết quả" not in page


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_error_detail_follows_accept_language(api, make_user):
    make_user("canbo", password="right-password-1")
    body = {"username": "canbo", "password": "wrong"}
    english = api.post("/api/v1/auth/token/", body, format="json", **EN)
    assert english.status_code in (400, 401), english.content
    assert english.json()["detail"] == "Wrong user name or password."
    vietnamese = api.post("/api/v1/auth/token/", body, format="json")
    assert vietnamese.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert english.json()["code"] == vietnamese.json()["code"]  # codes are for machines, never translated


@pytest.mark.django_db
def test_api_validation_fields_in_english(api):
    english = api.get("/api/v1/procedures/", {"online": "maybe"}, **EN)
    assert english.status_code == 400
    data = english.json()
    assert data["detail"].startswith("Invalid search parameter"), data
    assert data["fields"]["online"][0].startswith("Invalid online level; choose one of:"), data
    vietnamese = api.get("/api/v1/procedures/", {"online": "maybe"}).json()
    assert vietnamese["detail"].startswith("Tham số tìm kiếm không hợp lệ"), vietnamese
    assert vietnamese["fields"]["online"][0].startswith("Mức độ trực tuyến không hợp lệ"), vietnamese


# --- notices (SMS and e-mail text) ---------------------------------------------------------------


def test_notice_texts_follow_the_portals_language(settings):
    """Notices are written in the portal's language: English on a portal set to English."""
    from notices import messages

    ctx = {"code": "000.00.06.H56-261123-0001", "procedure": "Đăng ký khai sinh", "agency": "UBND xã An Bình",
           "received": "09:00 23/11/2026", "appointment": "17:00 25/11/2026"}
    subject, body = messages.render("received", ctx)
    assert subject == "Hồ sơ 000.00.06.H56-261123-0001 đã được tiếp nhận"
    settings.LANGUAGE_CODE = "en"
    subject, body = messages.render("received", ctx)
    assert subject == "Dossier 000.00.06.H56-261123-0001 has been received"
    assert body.startswith("Dossier 000.00.06.H56-261123-0001 (Đăng ký khai sinh) was received by UBND xã An Bình")
    assert "The result is due at 17:00 25/11/2026." in body


# --- reports: the 766 index and the period report ------------------------------------------------


def _in_english(message: str) -> str:
    from django.utils import translation

    with translation.override("en"):
        return translation.gettext(message)


def _index_texts(names_only: bool = False):
    """(Vietnamese, English) of every group name, indicator name, formula and "cannot compute" reason."""
    from reporting import indicators

    texts = [g.name for g in indicators.GROUPS]
    for rule in indicators.RULES:
        shown = rule.formula if rule.computable else rule.reason  # 1.4 too: the national sync is installed
        texts += [rule.name] if names_only else [rule.name, shown]
    pairs = [(vi, _in_english(vi)) for vi in dict.fromkeys(texts)]
    untranslated = [vi for vi, en in pairs if vi == en]
    assert not untranslated, f"no English for: {untranslated}"
    return pairs


def _plain(html: str) -> str:
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def english_manager(english, staff):
    english.force_login(staff.manager)
    return english


def test_index_766_page_in_english(english_manager):
    page = _plain(_text(english_manager.get("/bao-cao/chi-so-766/")))
    assert "Share of dossiers received online" in page and "Progress and results of processing" in page
    for vietnamese, english in _index_texts():
        assert english in page, english
        assert vietnamese not in page, vietnamese
    assert "Not computable: Assessed on the National Database on Administrative Procedures" in page
    assert "Chưa tính được" not in page


def test_period_report_in_english_names_the_indicators_in_english(english_manager):
    """The on-time report: the dashboard page in English, and its PDF with the 766 indicators."""
    from pypdf import PdfReader

    page = _plain(_text(english_manager.get("/bao-cao/")))
    assert "Dossiers received" in page and "By submission channel" in page
    assert "No data" in page, "the empty channel chart says so in English"
    assert "Không có dữ liệu" not in page and "Hồ sơ tiếp nhận" not in page
    response = english_manager.get("/bao-cao/bao-cao.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    for vietnamese, english in _index_texts(names_only=True):  # the PDF prints names, not formulas or reasons
        assert english in text, english
        assert vietnamese not in text, vietnamese


def test_dossiers_behind_a_number_in_english(english_manager):
    page = _plain(_text(english_manager.get("/bao-cao/ho-so/", {"metric": "online"})))
    assert "Submitted online: 0 dossiers" in page, page[:500]
    assert "Nộp trực tuyến" not in page


@pytest.mark.django_db
def test_index_766_api_in_english(api, staff):
    from reporting import indicators

    english = api.as_user(staff.manager).get("/api/v1/reports/index-766/", **EN)
    assert english.status_code == 200, english.content
    body = english.json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["3.2"]["name"] == "Share of dossiers received online"
    assert by_code["3.2"]["formula"] == "dossiers submitted online ÷ dossiers received (no points)"
    assert by_code["4.2b"]["reason"].startswith("The system does not yet record electronic certified copies")
    assert by_code["4.5a"]["formula"] == ("procedures with a component taken from the National Population Database "
                                          "÷ published procedures")
    assert {g["code"]: g["name"] for g in body["groups"]}["progress"] == "Progress and results of processing"
    for rule in indicators.RULES:
        item = by_code[rule.code]
        assert item["name"] == _in_english(rule.name) != rule.name
        assert item["formula"] == (_in_english(rule.formula) if rule.formula else "")
        assert item["reason"] == (_in_english(rule.reason) if rule.reason else "")
    vietnamese = api.as_user(staff.manager).get("/api/v1/reports/index-766/").json()
    assert {i["code"]: i["name"] for i in vietnamese["indicators"]}["3.2"] == "Tỷ lệ hồ sơ tiếp nhận trực tuyến"
    assert [i["code"] for i in vietnamese["indicators"]] == [i["code"] for i in body["indicators"]]


def test_index_766_api_help_texts_in_english(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "YYYY-MM-DD (default: today)" in schema
    assert "Why it cannot be computed yet (when computable = false)" in schema


# --- time limits on screens and printed forms ----------------------------------------------------


@pytest.mark.parametrize(("amount", "unit", "committed", "vietnamese", "english"), [
    (1, "working_days", None, "1 ngày làm việc", "1 working day"),
    (3, "working_days", None, "3 ngày làm việc", "3 working days"),
    (1, "working_hours", None, "1 giờ làm việc", "1 working hour"),
    (4, "working_hours", None, "4 giờ làm việc", "4 working hours"),
    (1, "days", None, "1 ngày", "1 day"),
    ("1.5", "working_days", None, "1,5 ngày làm việc", "1.5 working days"),
    (3, "working_days", 1, "1 ngày làm việc (theo quy định: 3 ngày làm việc)",
     "1 working day (by regulation: 3 working days)"),
    (1, "same_day", None, "Trong ngày", "Same day"),
])
def test_time_limit_text_has_plural_forms_in_english(amount, unit, committed, vietnamese, english):
    from decimal import Decimal

    from django.utils import translation

    from dossiers.documents import time_limit_text
    from procedures.models import Procedure

    procedure = Procedure(time_limit_amount=Decimal(str(amount)), time_limit_unit=unit,
                          committed_amount=None if committed is None else Decimal(committed))
    with translation.override("vi"):
        assert time_limit_text(procedure) == vietnamese
    with translation.override("en"):
        assert time_limit_text(procedure) == english


# --- dossier screens: the words that mean two things -------------------------------------------


def test_dossier_heading_and_intake_crumbs_in_english(english, staff, org):
    from decimal import Decimal

    from dossiers import services
    from procedures.models import Component, Field, Procedure

    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.004873", name="Xác nhận tình trạng hôn nhân", field=field, agency_levels="commune",
        time_limit_amount=Decimal(1), time_limit_unit="working_days", status="published", online_mode="partial",
    )
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai", kind="original")
    english.force_login(staff.desk)
    start = _plain(_text(english.get("/ho-so/tiep-nhan/")))
    assert "Dossiers › Intake" in start, start[:800]
    assert "1 working day" in start and "1 working days" not in start
    intake = _plain(_text(english.get(f"/ho-so/tiep-nhan/{procedure.code}/")))
    assert "Dossiers › Intake › 1.004873" in intake
    assert "1 working day" in intake and "1 working days" not in intake
    dossier = services.intake(actor=staff.desk, procedure=procedure, applicant={
        "full_name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678", "address": "Thôn 1",
    })
    detail = _plain(_text(english.get(f"/ho-so/{dossier.code}/")))
    assert f"Dossier {dossier.code}" in detail
    assert f"Dossiers {dossier.code}" not in detail
