"""docker-compose.yml, read (Docker cannot run here): every service restarts by itself and has a health
check (issue 9 row 3), and the file has the cluster's shape that scripts/cluster.py runs for real."""

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"
LONG_RUNNING = {"always", "unless-stopped"}


def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_every_service_restarts_and_has_a_health_check():
    found = services()
    assert {"db", "db-replica", "pgbouncer", "redis", "migrate", "web", "nginx", "worker", "beat"} <= set(found)
    for name, service in found.items():
        restart = str(service.get("restart", ""))
        if name == "migrate":  # the one-shot job: again on failure, never once done
            assert restart.startswith("on-failure"), name
        else:
            assert restart in LONG_RUNNING, (name, restart)
        check = service.get("healthcheck") or {}
        assert not check.get("disable") and check.get("test"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_web_check_asks_healthz_and_beat_keeps_no_schedule_file():
    found = services()
    assert "/healthz" in " ".join(found["web"]["healthcheck"]["test"])
    beat = " ".join(found["beat"]["command"])
    assert "/tmp" not in beat and "--schedule" not in beat  # the schedule and its lock live in Redis


def test_the_cluster_shape():
    found = services()
    for name in ("web", "worker", "beat"):
        assert found[name]["deploy"]["replicas"] >= 2, name
    app = found["web"]["environment"]
    assert "@pgbouncer:" in app["DATABASE_URL"] and app["DATABASE_PGBOUNCER"] == "1"
    assert "@db-replica:" in app["DATABASE_REPLICA_URL"]
    assert "@db:" in found["migrate"]["environment"]["DATABASE_URL"]  # DDL straight to the primary
    assert "ports" not in found["web"] and found["nginx"]["ports"]
    assert any("replica-entrypoint.sh" in v for v in found["db-replica"]["volumes"])
    root = COMPOSE.parent
    for mount in found["nginx"]["volumes"] + found["db"]["volumes"] + found["db-replica"]["volumes"]:
        source = mount.split(":")[0]
        if source.startswith("./"):
            assert (root / source).exists(), source
    entry = (root / "deploy/postgres/replica-entrypoint.sh").read_text()
    assert "pg_basebackup" in entry and " -R " in entry
    nginx = (root / "deploy/nginx/nginx.conf").read_text()
    assert "server web:8000" in nginx and "proxy_next_upstream error timeout;" in nginx and "internal;" in nginx
