"""The HTTP adapter against the stand-in, over real HTTP: answers, unknown numbers, and every failure mapped
to PopulationUnavailable within the short time-out."""

import datetime
import json
import socket
import time
import urllib.request

import pytest

from population.service import (
    HttpPopulationService,
    PersonNotFound,
    PopulationUnavailable,
    person_from_answer,
    population_service,
)
from population.standin import StandInPopulation


def test_person_with_household(population):
    person = population_service().person("056090001234", purpose="Đăng ký khai sinh")
    assert person.full_name == "Nguyễn Văn An"
    assert person.birth_date == datetime.date(1990, 5, 12)
    assert person.gender == "male"
    assert "Diên Khánh" in person.permanent_address and person.current_address
    assert [(m.full_name, m.relation) for m in person.household] == [
        ("Nguyễn Văn An", "Chủ hộ"), ("Trần Thị Hoa", "Vợ"), ("Nguyễn Minh Khang", "Con")]
    call = population.calls[-1]
    assert call == {"id_number": "056090001234", "purpose": "Đăng ký khai sinh", "client_id": "motcua-demo",
                    "status": 200}


def test_unknown_number_is_not_found(population):
    with pytest.raises(PersonNotFound):
        population_service().person("000000000000")


def test_wrong_token_is_unavailable(population):
    with pytest.raises(PopulationUnavailable):
        HttpPopulationService(token="wrong").person("056090001234")


@pytest.mark.parametrize("options", [{"down": True}, {"garbage": True}])
def test_down_or_garbage_is_unavailable(population, options):
    population.configure(**options)
    with pytest.raises(PopulationUnavailable):
        population_service().person("056090001234")


def test_slow_answer_times_out(population, settings):
    settings.POPULATION_TIMEOUT = 0.3
    population.configure(slow=2)
    started = time.monotonic()
    with pytest.raises(PopulationUnavailable):
        population_service().person("056090001234")
    assert time.monotonic() - started < 1.5


def test_stopped_service_is_unavailable(settings):
    server = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    url = server.url
    server.stop()
    with pytest.raises(PopulationUnavailable):
        HttpPopulationService(url=url, timeout=0.5).person("056090001234")


def test_not_configured_is_unavailable(settings):
    settings.POPULATION_SERVICE_URL = ""
    with pytest.raises(PopulationUnavailable):
        population_service().person("056090001234")


def test_closed_port_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PopulationUnavailable):
        HttpPopulationService(url=f"http://127.0.0.1:{port}", token="t", client_id="c", timeout=0.5).person("1" * 12)


@pytest.mark.parametrize("answer", [[], {}, {"id_number": "1"}, {"id_number": "1", "full_name": "A",
                                                                 "birth_date": "12/05/1990"},
                                    {"id_number": "1", "full_name": "A", "household": {"members": "x"}}])
def test_answers_outside_the_protocol_are_unavailable(answer):
    with pytest.raises(PopulationUnavailable):
        person_from_answer(answer)


def test_control_surface(population):
    def post(path, body):
        request = urllib.request.Request(population.url + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.loads(response.read())

    post("/_standin/people", [{"id_number": "111111111111", "full_name": "Người Mới", "birth_date": "2000-01-01"}])
    assert population_service().person("111111111111").full_name == "Người Mới"
    post("/_standin/config", {"down": True})
    with pytest.raises(PopulationUnavailable):
        population_service().person("111111111111")
    post("/_standin/reset", {})
    with pytest.raises(PersonNotFound):
        population_service().person("111111111111")
    with urllib.request.urlopen(population.url + "/_standin/log", timeout=2) as response:
        assert [c["status"] for c in json.loads(response.read())["calls"]] == [404]
