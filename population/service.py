"""The national population database (Cơ sở dữ liệu quốc gia về dân cư) behind an interface.

`PopulationService` is what the portal needs from it: one person by ID number (name, date of birth, gender,
permanent and current address, household). `HttpPopulationService` is the only client code: the same adapter
talks to the national service (through the provincial data-sharing platform) and to the stand-in
(`population.standin`), chosen by URL in configuration. Every failure (down, slow, refused, garbage) is one
exception, `PopulationUnavailable`, so a caller has one thing to handle: the citizen fills by hand.

Wire protocol (docs/population.md; JSON, credentials from configuration only):
- ``GET {url}/api/v1/citizens/{id_number}`` with ``Authorization: Bearer {POPULATION_API_TOKEN}``,
  ``X-Client-Id: {POPULATION_CLIENT_ID}`` and ``X-Purpose`` (why the data is read, logged by the service) →
  200 ``{"id_number", "full_name", "birth_date": "YYYY-MM-DD", "gender": "male|female|other",
  "permanent_address", "current_address", "household": {"code", "members": [{"id_number", "full_name",
  "birth_date", "gender", "relation"}]}}``; 404 ``{"error": "not_found"}`` for an unknown number.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("population")


class PopulationUnavailable(Exception):
    """The population service is not configured, down, slow, refused the call or answered nonsense."""


class PersonNotFound(Exception):
    """The service answered: no person with that ID number."""


@dataclass(frozen=True)
class HouseholdMember:
    id_number: str
    full_name: str
    birth_date: datetime.date | None
    gender: str
    relation: str


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    birth_date: datetime.date | None
    gender: str
    permanent_address: str
    current_address: str
    household_code: str = ""
    household: tuple[HouseholdMember, ...] = field(default_factory=tuple)


class PopulationService(Protocol):
    def person(self, id_number: str, *, purpose: str = "") -> Person:
        """The person with this ID number; PersonNotFound, or PopulationUnavailable."""


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        raise PopulationUnavailable(f"bad date {value!r}") from None


def _text(value) -> str:
    return " ".join(str(value or "").split())


def person_from_answer(answer: dict) -> Person:
    """The `Person` a 200 answer describes; PopulationUnavailable when it is not what the protocol says."""
    if not isinstance(answer, dict) or not answer.get("id_number") or not answer.get("full_name"):
        raise PopulationUnavailable("answer without id_number or full_name")
    household = answer.get("household") or {}
    members = household.get("members") if isinstance(household, dict) else None
    if members is not None and not isinstance(members, list):
        raise PopulationUnavailable("household members is not a list")
    return Person(
        id_number=_text(answer["id_number"]), full_name=_text(answer["full_name"]),
        birth_date=_date(answer.get("birth_date")), gender=_text(answer.get("gender")),
        permanent_address=_text(answer.get("permanent_address")),
        current_address=_text(answer.get("current_address")),
        household_code=_text(household.get("code")) if isinstance(household, dict) else "",
        household=tuple(
            HouseholdMember(id_number=_text(m.get("id_number")), full_name=_text(m.get("full_name")),
                            birth_date=_date(m.get("birth_date")), gender=_text(m.get("gender")),
                            relation=_text(m.get("relation")))
            for m in (members or []) if isinstance(m, dict) and m.get("full_name")
        ),
    )


class HttpPopulationService:
    def __init__(self, url: str | None = None, token: str | None = None, client_id: str | None = None,
                 timeout: float | None = None):
        from django.conf import settings

        self.url = (settings.POPULATION_SERVICE_URL if url is None else url).rstrip("/")
        self.token = settings.POPULATION_API_TOKEN if token is None else token
        self.client_id = settings.POPULATION_CLIENT_ID if client_id is None else client_id
        self.timeout = settings.POPULATION_TIMEOUT if timeout is None else timeout

    def person(self, id_number: str, *, purpose: str = "") -> Person:
        if not self.url:
            raise PopulationUnavailable("no population service URL configured")
        request = urllib.request.Request(
            f"{self.url}/api/v1/citizens/{urllib.parse.quote(id_number, safe='')}", method="GET",
            headers={"Accept": "application/json", "Authorization": f"Bearer {self.token}",
                     "X-Client-Id": self.client_id, "X-Purpose": urllib.parse.quote(purpose[:200])},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise PersonNotFound(id_number) from None
            log.warning("population service answered HTTP %s", exc.code)
            raise PopulationUnavailable(f"HTTP {exc.code}") from None
        except (OSError, TimeoutError) as exc:
            log.warning("population service unreachable: %s", exc)
            raise PopulationUnavailable(str(exc)) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise PopulationUnavailable("not JSON") from None
        return person_from_answer(answer)


def population_service() -> PopulationService:
    return HttpPopulationService()
