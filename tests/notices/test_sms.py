"""The SMS backends: a real HTTP gateway client and the file of the demo."""

import socket

import pytest

from notices.sms import FileSmsBackend, HttpSmsGateway, SmsError, get_sms_backend


def test_the_gateway_gets_json_and_the_key_in_a_header(gateway):
    backend = get_sms_backend()
    assert isinstance(backend, HttpSmsGateway)

    backend.send("0912345678", "Hồ sơ 000.01.01.H99-261123-0001 đã có kết quả.")

    (request,) = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["X-Api-Key"] == "khoa-bi-mat"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["body"] == {"to": "0912345678", "message": "Hồ sơ 000.01.01.H99-261123-0001 đã có kết quả."}


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_an_error_answer_is_a_failure_with_its_text(gateway, status):
    gateway.status = status
    with pytest.raises(SmsError, match=f"HTTP {status}.*quota exceeded"):
        get_sms_backend().send("0912345678", "x")


def test_an_unreachable_gateway_is_a_failure():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SmsError, match="unreachable"):
        HttpSmsGateway(f"http://127.0.0.1:{port}/", timeout=2).send("0912345678", "x")


def test_a_silent_gateway_times_out(gateway):
    gateway.hang = True
    with pytest.raises(SmsError, match="timed out|unreachable"):
        HttpSmsGateway(gateway.url, timeout=0.3).send("0912345678", "x")


def test_without_a_gateway_messages_go_to_a_file(sms_file):
    backend = get_sms_backend()
    assert isinstance(backend, FileSmsBackend)
    backend.send("0912345678", "Xin chào")
    backend.send("0987654321", "Tạm biệt")
    assert [(m["to"], m["message"]) for m in sms_file.messages()] == [("0912345678", "Xin chào"),
                                                                       ("0987654321", "Tạm biệt")]


def test_an_unwritable_file_is_a_failure(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(SmsError):
        FileSmsBackend(blocker).send("0912345678", "x")
