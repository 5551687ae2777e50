"""Error reports leave the portal without the citizens' personal data."""

from operations.sentry import FILTERED, mask, scrub


def test_id_numbers_phones_and_emails_are_masked_in_any_text():
    text = "CCCD 079123456781, CMND 123456789, ĐT 0912 345 678 / +84912345678 / 0912.345.678, mail lan@example.vn"
    masked = mask(text)
    for secret in ("079123456781", "123456789", "0912 345 678", "+84912345678", "0912.345.678", "lan@example.vn"):
        assert secret not in masked
    assert masked.startswith("CCCD " + FILTERED)


def test_dossier_codes_and_times_are_kept():
    text = "000.00.06.H56-261123-0001 at 2026-11-23T09:30:00+07:00, 3 ngày"
    assert mask(text) == text


def test_personal_keys_request_body_and_user_are_dropped():
    event = {
        "message": "IntegrityError for applicant 079123456781",
        "user": {"id": 7, "username": "congdan", "email": "a@b.vn", "ip_address": "1.2.3.4"},
        "request": {"url": "https://x/ho-so/", "data": {"full_name": "Nguyễn Thị Lan"}, "cookies": {"sessionid": "s"},
                    "headers": {"Authorization": "Bearer abc", "User-Agent": "x"}, "query_string": "q=Lan"},
        "extra": {"applicant": {"full_name": "Nguyễn Thị Lan"}, "phone": "0912345678", "count": 3,
                  "nested": [{"id_number": "079123456781"}, "gọi 0912345678"]},
    }
    clean = scrub(event)
    assert clean["user"] == {"id": 7}
    assert "data" not in clean["request"] and "cookies" not in clean["request"]
    assert clean["request"]["headers"] == {"User-Agent": "x"}
    assert clean["request"]["query_string"] == FILTERED
    assert clean["extra"]["applicant"] == FILTERED and clean["extra"]["phone"] == FILTERED
    assert clean["extra"]["count"] == 3
    assert clean["extra"]["nested"][0]["id_number"] == FILTERED
    assert "0912345678" not in str(clean) and "Nguyễn Thị Lan" not in str(clean)
    assert event["extra"]["phone"] == "0912345678"  # the original is not changed in place
