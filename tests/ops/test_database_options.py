"""PostgreSQL binds the parameters on the server and prepares repeated statements per connection; behind
PgBouncer in transaction mode the binding stays and preparing is off (its prepared statements would not
follow the client from one server connection to the next)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = ("import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base');"
        "from config.settings import base; d = base.DATABASES['default'];"
        "print(json.dumps([d['OPTIONS'].get('server_side_binding'), d['OPTIONS'].get('prepare_threshold'),"
        "d.get('DISABLE_SERVER_SIDE_CURSORS', False)]))")


def options(**env) -> list:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=settings.BASE_DIR, capture_output=True, text=True,
                         env={**clean, "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", **env}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_server_side_binding_and_prepared_statements():
    assert options() == [True, 5, False]
    assert options(DATABASE_PREPARE_THRESHOLD="2") == [True, 2, False]
    assert options(DATABASE_PREPARE_THRESHOLD="off") == [True, None, False]


def test_behind_pgbouncer_binding_stays_and_preparing_is_off_unless_asked():
    assert options(DATABASE_PGBOUNCER="1") == [True, None, True]
    assert options(DATABASE_PGBOUNCER="1", DATABASE_PREPARE_THRESHOLD="5") == [True, 5, True]
