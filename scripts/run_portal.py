"""Serve the portal with a real Celery worker and beat beside it (`make run`).

Without REDIS_URL the worker and beat use the embedded file broker under var/broker, so a fresh
machine needs nothing else. Ctrl-C stops all three.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
PY = sys.executable


def national_standin(env: dict) -> list[list[str]]:
    """Without DVCQG_URL the demo syncs with a stand-in national portal (national/standin.py) on
    DVCQG_STANDIN_PORT (default 8090): dossiers can be seen arriving at /_standin/log."""
    if env.get("DVCQG_URL"):
        return []
    port = env.get("DVCQG_STANDIN_PORT", "8090")
    env["DVCQG_URL"] = f"http://127.0.0.1:{port}"
    env.setdefault("DVCQG_USERNAME", "motcua")
    env.setdefault("DVCQG_PASSWORD", "motcua")
    env.setdefault("DVCQG_AGENCY_CODE", "000.00.00.H56")
    env.setdefault("DVCQG_INBOUND_TOKEN", "demo-dvcqg-token")
    print(f"DVCQG stand-in: {env['DVCQG_URL']}/_standin/log", flush=True)
    return [[PY, "-m", "national.standin", "--port", port, "--username", env["DVCQG_USERNAME"], "--password",
             env["DVCQG_PASSWORD"], "--portal", f"http://{HOST}:{PORT}", "--token", env["DVCQG_INBOUND_TOKEN"]]]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # The demo serves its own static files (WhiteNoise) from the collected folder.
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    commands = national_standin(env) + [
        [PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2", "--pool=threads"],
        [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", "2", "--threads", "4",
         "--access-logfile", "-"],
    ]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env) for cmd in commands]
    print(f"MotCua: http://{HOST}:{PORT}/ (Ctrl-C to stop)", flush=True)

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())
