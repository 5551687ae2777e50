"""Electronic forms as data (procedures/formdefs.py): parsing definitions, checking values, prefill, page rows.

Pure: no database, no Django; every rule here runs in milliseconds.
"""

import copy
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedures import demo_forms, formdefs
from procedures.formdefs import DefinitionError, Problem, parse, prefill, validate

TODAY = dt.date(2026, 12, 2)


def t(vi, en="x"):
    return {"vi": vi, "en": en}


def field(name, kind, **extra):
    return {"name": name, "type": kind, "label": t(name), **extra}


def definition(*fields, **extra):
    return {"title": t("TỜ KHAI"), "fields": list(fields), **extra}


PARENTS = {"name": "parents", "type": "group", "label": t("Cha, mẹ"), "repeat": {"min": 1, "max": 2},
           "prefill": ["person", "person.household[relation=vợ|chồng]"],
           "fields": [field("full_name", "text", required=True, prefill="full_name"),
                      field("id_number", "id_number", prefill="id_number"),
                      field("birth_date", "date", past=True, prefill="birth_date")]}


def codes(result):
    return {path: [p.code for p in problems] for path, problems in result.errors.items()}


# --- parsing ------------------------------------------------------------------------------------------


def test_demo_forms_parse():
    for code, raw in demo_forms.FORMS.items():
        parsed = parse(raw)
        assert parsed.title["vi"] and parsed.title["en"], code


def test_parse_paths_and_groups():
    parsed = parse(definition(field("name", "text"), PARENTS,
                              {"name": "child", "type": "group", "label": t("Trẻ"), "fields": [field("sex", "text")]}))
    assert parsed.paths() == ["form.name", "form.parents[].full_name", "form.parents[].id_number",
                              "form.parents[].birth_date", "form.child.sex"]
    group = parsed.items[1]
    assert group.repeated and (group.repeat_min, group.repeat_max) == (1, 2)
    assert not parsed.items[2].repeated


@pytest.mark.parametrize("raw, code, where", [
    ([], "not_an_object", ""),
    ({"title": t("A"), "fields": []}, "no_fields", "fields"),
    ({"fields": [field("a", "text")]}, "text_languages", "title"),
    ({"title": {"vi": "A"}, "fields": [field("a", "text")]}, "text_languages", "title"),
    ({"title": t("A"), "fields": [field("a", "text")], "colour": 1}, "unknown_key", ""),
    (definition(field("a", "colour")), "unknown_type", "fields[0](a).type"),
    (definition(field("A b", "text")), "bad_name", "fields[0].name"),
    (definition(field("a", "text"), field("a", "date")), "duplicate_name", "fields[1].name"),
    (definition(field("a", "text", past=True)), "unknown_key", "fields[0](a)"),
    (definition(field("a", "text", pattern="(")), "bad_pattern", "fields[0](a).pattern"),
    (definition(field("a", "text", pattern="\\d+")), "text_languages", "fields[0](a).pattern_message"),
    (definition(field("a", "text", max_length=0)), "bad_integer", "fields[0](a).max_length"),
    (definition(field("a", "text", max_length=True)), "bad_integer", "fields[0](a).max_length"),
    (definition(field("a", "date", min="2026-02-30")), "bad_date", "fields[0](a).min"),
    (definition(field("a", "date", min="01/01/2020")), "bad_date", "fields[0](a).min"),
    (definition(field("a", "date", past="yes")), "bad_boolean", "fields[0](a).past"),
    (definition(field("a", "date", min="2026-01-02", max="2026-01-01")), "min_over_max", "fields[0](a)"),
    (definition(field("a", "number", min="x")), "bad_number", "fields[0](a).min"),
    (definition(field("a", "number", min="NaN")), "bad_number", "fields[0](a).min"),
    (definition(field("a", "id_number", id_kind="ssn")), "bad_id_kind", "fields[0](a).id_kind"),
    (definition(field("a", "choice")), "no_choices", "fields[0](a).choices"),
    (definition(field("a", "choice", choices=[{"value": "x", "label": t("X")}, {"value": "x", "label": t("Y")}])),
     "duplicate_name", "fields[0](a).choices[1].value"),
    (definition(field("a", "choice", choices=[{"value": "x"}])), "text_languages", "fields[0](a).choices[0].label"),
    (definition(field("a", "text", required="yes")), "bad_boolean", "fields[0](a).required"),
    (definition(field("a", "text", prefill="person.salary")), "bad_prefill", "fields[0](a).prefill"),
    (definition({"name": "g", "type": "group", "label": t("G"), "fields": []}), "no_fields", "fields[0](g).fields"),
    (definition({"name": "g", "type": "group", "label": t("G"), "fields": [
        {"name": "h", "type": "group", "label": t("H"), "fields": [field("a", "text")]}]}),
     "nested_group", "fields[0](g).fields[0]"),
    (definition({"name": "g", "type": "group", "label": t("G"), "repeat": {"min": 3, "max": 2},
                 "fields": [field("a", "text")]}), "bad_integer", "fields[0](g).repeat.min"),
    (definition({"name": "g", "type": "group", "label": t("G"), "repeat": {"min": 0},
                 "fields": [field("a", "text")]}), "bad_repeat", "fields[0](g).repeat"),
    (definition({"name": "g", "type": "group", "label": t("G"), "repeat": {"max": 51},
                 "fields": [field("a", "text")]}), "bad_integer", "fields[0](g).repeat.max"),
    (definition({"name": "g", "type": "group", "label": t("G"), "prefill": ["person"],
                 "fields": [field("a", "text")]}), "bad_group_prefill", "fields[0](g).prefill"),
    (definition({"name": "g", "type": "group", "label": t("G"), "repeat": {"max": 2}, "prefill": ["people"],
                 "fields": [field("a", "text")]}), "bad_group_prefill", "fields[0](g).prefill"),
    (definition({"name": "g", "type": "group", "label": t("G"), "repeat": {"max": 2},
                 "fields": [field("a", "text", prefill="full_name")]}), "bad_prefill", "fields[0](g).fields[0](a).prefill"),
    (definition(*[field(f"f{i}", "text") for i in range(201)]), "too_many_fields", "fields"),
    (definition(field("a", "text", label=t("A\x00"))), "bad_text", ""),
])
def test_definitions_that_do_not_parse(raw, code, where):
    with pytest.raises(DefinitionError) as error:
        parse(raw)
    assert (error.value.code, error.value.where) == (code, where)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children,
                                                                                        max_size=4), max_leaves=20))
@settings(max_examples=300, deadline=None)
def test_any_json_parses_or_raises_definition_error(raw):
    try:
        parse(raw)
    except DefinitionError:
        pass


# --- checking values --------------------------------------------------------------------------------


def check(definition_raw, data):
    return validate(parse(definition_raw), data, today=TODAY)


def test_valid_values_are_cleaned():
    raw = definition(field("name", "text", required=True), field("born", "date", past=True),
                     field("id", "id_number"), field("phone", "phone"), field("mail", "email"),
                     field("n", "number", min=0, max=10), field("price", "number", decimals=2),
                     field("sex", "choice", choices=[{"value": "nam", "label": t("Nam")}]),
                     field("ok", "checkbox"), field("note", "long_text"), field("where", "address"))
    result = check(raw, {"name": "  An ", "born": "05/09/2020", "id": "0791 2345 6789", "phone": "+84 912.345.678",
                         "mail": "An@Example.VN", "n": "3", "price": "12,50", "sex": "nam", "ok": "on",
                         "note": "a\r\nb", "where": "Diên Khánh"})
    assert result.ok
    assert result.cleaned == {"name": "An", "born": "2020-09-05", "id": "079123456789", "phone": "0912345678",
                              "mail": "an@example.vn", "n": 3, "price": "12.5", "sex": "nam", "ok": True,
                              "note": "a\nb", "where": "Diên Khánh"}


def test_blank_optional_fields_are_left_out_and_checkbox_false():
    result = check(definition(field("a", "text"), field("b", "checkbox"), field("c", "date")), {"a": " ", "c": None})
    assert result.ok and result.cleaned == {"b": False}


@pytest.mark.parametrize("spec, value, code", [
    (field("a", "text", required=True), "", "required"),
    (field("a", "text", required=True), None, "required"),
    (field("a", "checkbox", required=True), False, "must_be_checked"),
    (field("a", "checkbox"), "maybe", "wrong_type"),
    (field("a", "text"), ["x"], "wrong_type"),
    (field("a", "text"), {"x": 1}, "wrong_type"),
    (field("a", "text", max_length=3), "abcd", "too_long"),
    (field("a", "text", min_length=3), "ab", "too_short"),
    (field("a", "text"), "a\x00b", "invalid_characters"),
    (field("a", "text", pattern="[A-Z]{2}", pattern_message=t("Hai chữ hoa")), "ab", "pattern"),
    (field("a", "date"), "2026-13-01", "invalid_date"),
    (field("a", "date"), "31/02/2020", "invalid_date"),
    (field("a", "date"), "yesterday", "invalid_date"),
    (field("a", "date"), 20200101, "wrong_type"),
    (field("a", "date", past=True), "2026-12-03", "date_in_future"),
    (field("a", "date", min="1900-01-01"), "1899-12-31", "date_before"),
    (field("a", "date", max="2000-01-01"), "2000-01-02", "date_after"),
    (field("a", "id_number"), "07912345678", "id_length"),
    (field("a", "id_number"), "0791234567890", "id_length"),
    (field("a", "id_number"), "07912345678A", "id_digits"),
    (field("a", "id_number"), "０７９１２３４５６７８９", "id_digits"),
    (field("a", "id_number"), 79123456789, "wrong_type"),
    (field("a", "id_number", id_kind="cmnd"), "1234567890", "id_length_cmnd"),
    (field("a", "id_number", id_kind="passport"), "12", "passport"),
    (field("a", "phone"), "12345", "invalid_phone"),
    (field("a", "phone"), "09123456789", "invalid_phone"),
    (field("a", "email"), "an@", "invalid_email"),
    (field("a", "email"), "a b@c.vn", "invalid_email"),
    (field("a", "email"), "a\x00@c.vn", "invalid_characters"),
    (field("a", "choice", choices=[{"value": "x", "label": t("X")}]), "x\x00", "invalid_characters"),
    (field("a", "number"), "ba", "not_a_number"),
    (field("a", "number"), "Infinity", "not_a_number"),
    (field("a", "number"), True, "wrong_type"),
    (field("a", "number"), "1.5", "too_many_decimals"),
    (field("a", "number", min=1), "0", "number_min"),
    (field("a", "number", max=10), 11, "number_max"),
    (field("a", "choice", choices=[{"value": "x", "label": t("X")}]), "y", "invalid_choice"),
])
def test_bad_values(spec, value, code):
    result = check(definition(spec), {"a": value})
    assert codes(result) == {"form.a": [code]}
    assert result.cleaned == {}


@pytest.mark.parametrize("spec, value, cleaned", [
    (field("a", "id_number", id_kind="cmnd"), "123456789", "123456789"),
    (field("a", "id_number", id_kind="passport"), "c1234567", "C1234567"),
    (field("a", "date", past=True), "2026-12-02", "2026-12-02"),
    (field("a", "date"), "5/9/2020", "2020-09-05"),
    (field("a", "number"), 7, 7),
    (field("a", "number", decimals=1), 2.5, "2.5"),
    (field("a", "checkbox"), True, True),
    (field("a", "text", pattern="[A-Z]{2}", pattern_message=t("x")), "AB", "AB"),
    (field("a", "text"), 12, "12"),
    (field("a", "phone"), "84912345678", "0912345678"),
])
def test_good_values(spec, value, cleaned):
    result = check(definition(spec), {"a": value})
    assert result.ok, result.errors
    assert result.cleaned["a"] == cleaned


def test_unknown_keys_and_wrong_shapes():
    raw = definition(field("a", "text"), PARENTS)
    assert codes(check(raw, {"a": "x", "b": "y", "parents": [{"full_name": "A"}]})) == {"form.b": ["unknown_field"]}
    assert codes(check(raw, ["x"])) == {"form": ["not_an_object"]}
    assert codes(check(raw, {"parents": {"full_name": "A"}})) == {"form.parents": ["not_a_list"]}
    assert codes(check(raw, {"parents": ["A"]})) == {"form.parents[0]": ["not_an_object"]}
    assert codes(check(raw, {"parents": [{"full_name": "A", "age": 3}]})) == {"form.parents[0].age": ["unknown_field"]}


def test_repeated_group_paths_limits_and_blank_rows():
    raw = definition(PARENTS)
    result = check(raw, {"parents": [{"full_name": "Mẹ", "id_number": "079123456789"},
                                     {"full_name": "", "id_number": "123", "birth_date": "2030-01-01"}]})
    assert codes(result) == {"form.parents[1].full_name": ["required"], "form.parents[1].id_number": ["id_length"],
                             "form.parents[1].birth_date": ["date_in_future"]}
    three = [{"full_name": name} for name in ("A", "B", "C")]
    assert codes(check(raw, {"parents": three})) == {"form.parents": ["too_many_rows"]}
    assert check(raw, {"parents": three}).errors["form.parents"] == [Problem("too_many_rows", {"max": 2})]
    assert codes(check(raw, {"parents": []})) == {"form.parents": ["too_few_rows"]}
    assert codes(check(raw, {})) == {"form.parents": ["too_few_rows"]}
    ok = check(raw, {"parents": [{"full_name": " ", "id_number": ""}, {"full_name": "Cha"}]})
    assert ok.ok and ok.cleaned == {"parents": [{"full_name": "Cha"}]}


def test_non_repeated_group():
    raw = definition({"name": "child", "type": "group", "label": t("Trẻ"),
                      "fields": [field("name", "text", required=True)]})
    assert codes(check(raw, {})) == {"form.child.name": ["required"]}
    assert check(raw, {"child": {"name": "Bé"}}).cleaned == {"child": {"name": "Bé"}}
    assert codes(check(raw, {"child": "Bé"})) == {"form.child": ["not_an_object"]}


def test_prefix():
    result = validate(parse(definition(field("a", "text", required=True))), {}, today=TODAY, prefix="x")
    assert list(result.errors) == ["x.a"]


def test_birth_registration_demo_form_accepts_a_real_filing():
    result = validate(parse(demo_forms.BIRTH), {
        "declarant": {"full_name": "Trần Thị Bình", "id_number": "056190001234", "address": "Diên Khánh, Khánh Hòa",
                      "relation": "Mẹ"},
        "child": {"full_name": "Nguyễn Minh An", "sex": "male", "birth_date": "20/11/2026",
                  "birth_place": "Bệnh viện Đa khoa tỉnh Khánh Hòa", "ethnicity": "Kinh", "nationality": "Việt Nam"},
        "parents": [{"role": "me", "full_name": "Trần Thị Bình", "birth_date": "1994-03-02", "ethnicity": "Kinh",
                     "nationality": "Việt Nam", "address": "Diên Khánh", "id_number": "056190001234"}],
        "commitment": True,
    }, today=TODAY)
    assert result.ok, result.errors
    assert result.cleaned["child"]["birth_date"] == "2026-11-20"


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "zz"]),
                       st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
                       | st.lists(st.text(max_size=3), max_size=2)))
@settings(max_examples=300, deadline=None)
def test_any_values_give_cleaned_data_or_errors_by_path(data):
    raw = definition(field("a", "date", past=True), field("b", "id_number", required=True),
                     field("c", "number", min=0, max=5))
    result = validate(parse(raw), data, today=TODAY)
    assert bool(result.cleaned) != bool(result.errors) or (not result.cleaned and result.errors)
    assert all(path.startswith("form.") for path in result.errors)
    if result.ok:
        assert set(result.cleaned) <= {"a", "b", "c"}


# --- prefill -------------------------------------------------------------------------------------------


RECORD = {"id_number": "056190001234", "full_name": "Trần Thị Bình", "birth_date": dt.date(1994, 3, 2),
          "gender": "nu", "address": "Diên Khánh", "phone": "0912345678", "email": "binh@example.vn",
          "household": [{"id_number": "056088001111", "full_name": "Trần Văn Ông", "birth_date": "1960-01-01",
                         "relation": "Cha"},
                        {"id_number": "056089002222", "full_name": "Nguyễn Văn Chồng", "birth_date": "1990-05-06",
                         "relation": "Chồng"}]}


def test_prefill_fields_groups_and_household():
    raw = definition(field("name", "text", prefill="person.full_name"), field("born", "date",
                                                                              prefill="person.birth_date"),
                     field("sex", "choice", prefill="person.gender",
                           choices=[{"value": "nam", "label": t("Nam")}, {"value": "nu", "label": t("Nữ")}]),
                     field("note", "text"), PARENTS,
                     {"name": "me", "type": "group", "label": t("Tôi"),
                      "fields": [field("mail", "email", prefill="person.email"), field("x", "text")]})
    values = prefill(parse(raw), RECORD)
    assert values["name"] == "Trần Thị Bình" and values["born"] == "1994-03-02" and values["sex"] == "nu"
    assert values["note"] == ""
    assert values["parents"] == [
        {"full_name": "Trần Thị Bình", "id_number": "056190001234", "birth_date": "1994-03-02"},
        {"full_name": "Nguyễn Văn Chồng", "id_number": "056089002222", "birth_date": "1990-05-06"},
    ]
    assert values["me"] == {"mail": "binh@example.vn", "x": ""}
    assert validate(parse(raw), values, today=TODAY).ok


def test_prefill_limits_rows_skips_unknown_choices_and_empty_records():
    raw = definition(field("sex", "choice", prefill="person.gender", choices=[{"value": "nam", "label": t("Nam")}]),
                     {**PARENTS, "repeat": {"min": 1, "max": 1}, "prefill": ["person.household[]"]})
    parsed = parse(raw)
    values = prefill(parsed, RECORD)
    assert values["sex"] == ""
    assert [row["full_name"] for row in values["parents"]] == ["Trần Văn Ông"]
    assert prefill(parsed, None) == formdefs.blank_values(parsed)
    assert prefill(parsed, {}) == {"sex": "", "parents": [{"full_name": "", "id_number": "", "birth_date": ""}]}
    no_household = prefill(parsed, {"full_name": "A"})
    assert no_household["parents"] == [{"full_name": "", "id_number": "", "birth_date": ""}]


def test_prefill_never_lists_the_person_twice():
    raw = definition({**PARENTS, "prefill": ["person", "person.household[relation=vợ|chồng|chủ hộ]"]})
    record = {"id_number": "056192004321", "full_name": "Trần Thị Hoa", "household": [
        {"id_number": "056090001234", "full_name": "Nguyễn Văn An", "relation": "Chủ hộ"},
        {"id_number": "056192004321", "full_name": "Trần Thị Hoa", "relation": "Vợ"},
        {"id_number": "056219000777", "full_name": "Nguyễn Minh Khang", "relation": "Con"}]}
    assert [row["full_name"] for row in prefill(parse(raw), record)["parents"]] == ["Trần Thị Hoa", "Nguyễn Văn An"]


def test_prefill_does_not_touch_the_definition():
    parsed = parse(copy.deepcopy(demo_forms.BIRTH))
    before = repr(parsed)
    prefill(parsed, RECORD)
    assert repr(parsed) == before


# --- pages ---------------------------------------------------------------------------------------------


def test_from_flat_reads_rows_and_blank_values():
    parsed = parse(definition(field("a", "text"), PARENTS))
    posted = {"form.a": "x", "form.parents.rows": "2", "form.parents[0].full_name": "A",
              "form.parents[1].full_name": "B", "form.parents[1].id_number": "079123456789"}
    values = formdefs.from_flat(parsed, posted.get)
    assert values == {"a": "x", "parents": [{"full_name": "A"}, {"full_name": "B", "id_number": "079123456789"}]}
    assert validate(parsed, values, today=TODAY).ok
    assert len(formdefs.from_flat(parsed, {"form.parents.rows": "999"}.get)["parents"]) == 2
    assert len(formdefs.from_flat(parsed, {"form.parents.rows": "-1"}.get)["parents"]) == 1
    assert len(formdefs.from_flat(parsed, {"form.parents.rows": "²"}.get)["parents"]) == 1


def test_add_and_remove_rows_within_limits():
    parsed = parse(definition(PARENTS))
    values = formdefs.blank_values(parsed)
    assert len(values["parents"]) == 1
    values = formdefs.add_row(parsed, values, "parents")
    assert len(values["parents"]) == 2
    assert len(formdefs.add_row(parsed, values, "parents")["parents"]) == 2  # max 2
    values["parents"][0]["full_name"] = "A"
    values["parents"][1]["full_name"] = "B"
    left = formdefs.remove_row(parsed, values, "parents", 0)
    assert [r["full_name"] for r in left["parents"]] == ["B"]
    assert len(formdefs.remove_row(parsed, left, "parents", 0)["parents"]) == 1  # min 1
    assert formdefs.remove_row(parsed, values, "parents", 7) == values
    assert formdefs.add_row(parsed, values, "nothing") == values


def test_drafts_keep_values_without_nul():
    assert formdefs.without_nul({"a\x00": ["x\x00y", {"b": "\x00"}], "c": True}) == {"a": ["xy", {"b": ""}], "c": True}
