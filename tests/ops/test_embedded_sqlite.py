"""Row 11 of issue 9: `resend_stuck_notices` on the embedded SQLite demo database (it failed every minute
with `near "FOR": syntax error`). A real SQLite file, migrated by a subprocess of the demo's settings."""

import os
import subprocess
import sys

import redis
from django.conf import settings

SCRIPT = """
from datetime import timedelta
from django.utils import timezone
import time_machine
from notices.models import Notice
from notices.tasks import resend_stuck_notices
with time_machine.travel(timezone.now() - timedelta(minutes=5)):
    for i in range(3):
        Notice.objects.create(event="received", channel="email", recipient="an@example.vn", subject="s", body="b",
                              dedupe_key=f"sqlite:{i}")
print("handed", resend_stuck_notices())
print("again", resend_stuck_notices())
"""


def test_resend_stuck_notices_runs_on_the_embedded_sqlite_database(tmp_path, own_redis):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "DEBUG")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "REDIS_URL": own_redis.url()}

    def manage(*args):
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout

    manage("migrate", "--noinput", "-v", "0")
    out = manage("shell", "-c", SCRIPT)
    assert "handed 3" in out and "again 0" in out  # the second run finds them leased
    assert redis.Redis.from_url(own_redis.url()).llen("celery") == 3
