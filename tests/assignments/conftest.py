"""Fixtures of the assigned tasks: the province (assigner) and its two communes of the shared `org`,
a directive of the province, and a helper that runs an action at a given local time."""

from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assignments import services

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date | str, hour: int = 9, minute: int = 0) -> datetime:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


@contextmanager
def at(day, hour: int = 9, minute: int = 0):
    with time_machine.travel(local(day, hour, minute), tick=False):
        yield


@pytest.fixture
def assigner(staff):
    """The province's head (chuyenvien_tinh holds head at the province)."""
    return staff.province_officer


@pytest.fixture
def directive(org, assigner):
    with at("2026-03-02", 8):
        return services.create_directive(actor=assigner, number="15/CT-UBND", issued_on=date(2026, 3, 2),
                                         signer="Nguyễn Văn Tỉnh", title="Chỉ thị về cải cách hành chính năm 2026",
                                         issuing_agency=org.province)


@pytest.fixture
def make_task(directive, org, assigner):
    def make(due_on=None, *, day="2026-03-02", lead=None, **kwargs):
        with at(day, 9):
            return services.assign_task(actor=assigner, directive=directive, title=kwargs.pop("title", "Rà soát thủ tục"),
                                        lead_agency=lead or org.commune, due_on=due_on,
                                        deadline_kind=kwargs.pop("deadline_kind", "date" if due_on else "none"),
                                        **kwargs)

    return make
