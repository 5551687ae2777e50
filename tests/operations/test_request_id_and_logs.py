"""Every request has an id: in the answer header, in JSON log lines, and in the tasks it enqueues."""

import json
import logging

from operations import context
from operations.celery_context import carry_request_id
from operations.logging import ContextFilter, JsonFormatter


def test_a_request_gets_an_id_in_its_answer(client, db):
    first = client.get("/thu-tuc/")
    second = client.get("/thu-tuc/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_balancers_id_is_kept_when_it_is_a_plain_token(client, db):
    assert client.get("/thu-tuc/", HTTP_X_REQUEST_ID="lb-4f2a9c1e-77")["X-Request-ID"] == "lb-4f2a9c1e-77"
    hostile = client.get("/thu-tuc/", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b" + "z" * 10)["X-Request-ID"]
    assert "\n" not in hostile and len(hostile) == 32


def _record(message="hello", **extra):
    record = logging.LogRecord("motcua.test", logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    ContextFilter().filter(record)
    return record


def test_json_lines_carry_the_request_and_task_ids_and_extra_fields():
    token = context.request_id.set("req-123456789")
    task = context.task_id.set("task-abc")
    try:
        line = json.loads(JsonFormatter().format(_record("đã tiếp nhận %s", dossier="X-1")))
    finally:
        context.request_id.reset(token)
        context.task_id.reset(task)
    assert line["request_id"] == "req-123456789"
    assert line["task_id"] == "task-abc"
    assert line["message"] == "đã tiếp nhận %s"
    assert line["dossier"] == "X-1"
    assert line["level"] == "INFO" and line["logger"] == "motcua.test"


def test_outside_a_request_no_ids_are_invented():
    line = json.loads(JsonFormatter().format(_record()))
    assert "request_id" not in line and "task_id" not in line


def test_a_task_published_during_a_request_carries_its_id():
    headers = {}
    token = context.request_id.set("req-abcdefgh")
    try:
        carry_request_id(headers=headers)
    finally:
        context.request_id.reset(token)
    assert headers == {"request_id": "req-abcdefgh"}
    empty = {}
    carry_request_id(headers=empty)
    assert empty == {}


def test_each_request_writes_one_access_line_with_its_id_and_route(client, db):
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("motcua.access")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = client.get("/thu-tuc/?q=khai+sinh")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["route"], line["status"]) == ("GET", "thu-tuc/", 200)
    assert line["duration_ms"] >= 0 and "khai" not in json.dumps(line)
