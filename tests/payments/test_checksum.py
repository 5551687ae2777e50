"""The pure checksum and bill rules."""

import hashlib
import hmac

import pytest

from payments import checksum, fees

FIELDS = ["addition_fee", "client_id", "command", "trans_amount", "transaction_id", "version"]
VALUES = {"addition_fee": 0, "client_id": "c1", "command": "pay", "trans_amount": 15000, "transaction_id": "T1",
          "version": "2.0", "ignored": "x"}


def test_hmac_sha256_over_pipe_joined_fields_in_configured_order():
    expected = hmac.new(b"k", b"0|c1|pay|15000|T1|2.0", hashlib.sha256).hexdigest()
    assert checksum.compute(VALUES, FIELDS, "k", "hmac-sha256") == expected
    assert checksum.verify(VALUES, FIELDS, "k", "hmac-sha256", expected)
    assert checksum.verify(VALUES, FIELDS, "k", "hmac-sha256", expected.upper())


def test_sha256_with_key_appended():
    expected = hashlib.sha256(b"0|c1|pay|15000|T1|2.0|k").hexdigest()
    assert checksum.compute(VALUES, FIELDS, "k", "sha256-key-appended") == expected


@pytest.mark.parametrize("change", [{"trans_amount": 15001}, {"transaction_id": "T2"}, {"client_id": "c2"}])
def test_any_signed_field_changed_fails(change):
    good = checksum.compute(VALUES, FIELDS, "k", "hmac-sha256")
    assert not checksum.verify({**VALUES, **change}, FIELDS, "k", "hmac-sha256", good)


def test_order_key_and_empty_checksum_matter():
    good = checksum.compute(VALUES, FIELDS, "k", "hmac-sha256")
    assert not checksum.verify(VALUES, list(reversed(FIELDS)), "k", "hmac-sha256", good)
    assert not checksum.verify(VALUES, FIELDS, "other", "hmac-sha256", good)
    assert not checksum.verify(VALUES, FIELDS, "k", "hmac-sha256", "")
    assert not checksum.verify(VALUES, FIELDS, "k", "hmac-sha256", None)
    # An unsigned extra field does not matter.
    assert checksum.verify({**VALUES, "ignored": "y"}, FIELDS, "k", "hmac-sha256", good)


def test_configuration_faults_raise():
    with pytest.raises(checksum.ChecksumConfigError):
        checksum.compute(VALUES, FIELDS, "", "hmac-sha256")
    with pytest.raises(checksum.ChecksumConfigError):
        checksum.compute(VALUES, FIELDS, "k", "md5")


def test_bill_lines_with_exemptions():
    lines = fees.bill_lines([("Lệ phí", 15000), ("Phí", 8001)], 50)
    assert [(line.amount, line.exempted, line.due) for line in lines] == [(15000, 7500, 7500), (8001, 4001, 4000)]
    assert fees.total(lines) == 11500
    assert fees.total(fees.bill_lines([("Lệ phí", 15000)], 100)) == 0
    assert fees.total(fees.bill_lines([("Lệ phí", 15000)], 0)) == 15000
    with pytest.raises(ValueError):
        fees.bill_lines([("x", 1)], 101)
    with pytest.raises(ValueError):
        fees.bill_lines([("x", -1)], 0)
