"""The portal on a real cluster topology (scripts/cluster.py): nginx, two web nodes, PgBouncer, a streaming
replica, two workers and beat, driven for a minute while a web node and a worker are stopped and started."""

import json
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.cluster

NEEDS = ("nginx", "pgbouncer", "redis-server")


def test_a_node_and_a_worker_stopped_under_load_are_invisible_to_users():
    missing = [tool for tool in NEEDS if not shutil.which(tool) and not shutil.which(f"/usr/sbin/{tool}")]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/ensure_system_packages.sh installs them)")
    process = subprocess.Popen([sys.executable, "scripts/cluster.py", "--seconds", "60"], cwd=settings.BASE_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        process.terminate()  # SIGTERM: the script stops every server it started before it exits
        stdout, stderr = process.communicate(timeout=120)
        pytest.fail(f"the cluster run took more than 15 minutes\n{stderr[-3000:]}")
    assert stdout.strip(), stderr[-3000:]
    summary = json.loads(stdout)
    print(json.dumps({k: summary.get(k) for k in ("events", "requests", "sms", "dossiers", "replica_rows_read",
                                                   "checks")}, indent=1))
    failed = [name for name, ok in summary["checks"].items() if not ok]
    assert not failed, json.dumps({"failed": failed, "failures": summary.get("failures"),
                                   "error": summary.get("error"), "logs": summary.get("log_tails")},
                                  indent=1, ensure_ascii=False)[:8000]
    assert process.returncode == 0
