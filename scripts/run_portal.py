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


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # The demo serves its own static files (WhiteNoise) from the collected folder.
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    # No signing certificate configured: a demo CA and signer under var/signing (created at first start).
    if not env.get("SIGNING_PKCS12_PATH"):
        subprocess.run([PY, "manage.py", "create_demo_signer"], cwd=ROOT, env=env, check=True)
        env["SIGNING_PKCS12_PATH"] = str(ROOT / "var" / "signing" / "demo-signer.p12")
        env.setdefault("SIGNING_TRUST_ROOTS", str(ROOT / "var" / "signing" / "demo-ca.pem"))
    commands = []
    # No payment gateway configured: the demo runs the local stand-in and points the portal at it.
    if not env.get("PAYMENT_GATEWAY_URL"):
        port = env.get("PAYMENT_STANDIN_PORT", "8765")
        env["PAYMENT_GATEWAY_URL"] = f"http://127.0.0.1:{port}"
        commands.append([PY, "manage.py", "run_payment_standin", "--port", port])
    # No postal service configured: the stand-in, which moves each order one step every 20 s.
    if not env.get("POSTAL_SERVICE_URL"):
        port = env.get("POSTAL_STANDIN_PORT", "8766")
        env["POSTAL_SERVICE_URL"] = f"http://127.0.0.1:{port}"
        env.setdefault("POSTAL_CALLBACK_URL", f"http://{HOST}:{PORT}/buu-chinh/callback/")
        commands.append([PY, "manage.py", "run_postal_standin", "--port", port])
    commands += [
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
