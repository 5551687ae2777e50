"""Row 3 of issue 9: every service of docker-compose.yml restarts by itself and has a health check
(Docker cannot run here, so the file is read)."""

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"
LONG_RUNNING = {"always", "unless-stopped"}


def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_every_service_restarts_and_has_a_health_check():
    found = services()
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(found)
    for name, service in found.items():
        restart = str(service.get("restart", ""))
        if name == "migrate":  # the one-shot job: again on failure, never once done
            assert restart.startswith("on-failure"), name
        else:
            assert restart in LONG_RUNNING, (name, restart)
        check = service.get("healthcheck") or {}
        assert not check.get("disable") and check.get("test"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_web_check_asks_healthz_and_beat_keeps_its_schedule_in_var():
    found = services()
    assert "/healthz" in " ".join(found["web"]["healthcheck"]["test"])
    beat = " ".join(found["beat"]["command"])
    assert "/tmp" not in beat and "/app/var/celerybeat-schedule" in beat
    assert any(v.endswith(":/app/var") for v in found["beat"]["volumes"])
