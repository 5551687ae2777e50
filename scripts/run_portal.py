"""Serve the portal with a real Celery worker and beat beside it (`make run`).

Without REDIS_URL the worker and beat use the embedded file broker under var/broker, so a fresh
machine needs nothing else. External services that are not configured (national portal, payment gateway,
postal service, population database)
are served by their local stand-ins, and a demo signing certificate is made at first start. A child that
dies (a stand-in, the worker, beat or gunicorn) is started again after a back-off (1, 2, 4 … 30 s; back to 1 s once it has run a minute), with a log line; the portal stops
only on Ctrl-C or SIGTERM, which stops all three.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
PY = sys.executable

BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
# A child that ran this long before dying starts again after the shortest back-off.
HEALTHY_AFTER = 60.0


def log(message: str) -> None:
    print(f"MotCua: {message}", file=sys.stderr, flush=True)


def prepare(root: Path = ROOT) -> Path:
    """The data folder the demo writes to (beat's schedule, the SQLite file, mail, media); made if missing."""
    var = root / "var"
    var.mkdir(parents=True, exist_ok=True)
    return var


def commands(root: Path = ROOT, host: str = HOST, port: str = PORT) -> dict[str, list[str]]:
    schedule = prepare(root) / "celerybeat-schedule"
    return {
        "worker": [PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2",
                   "--pool=threads"],
        "beat": [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
        "web": [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4",
                "--access-logfile", "-"],
    }


def external_standins(env: dict, host: str = HOST, port: str = PORT) -> dict[str, list[str]]:
    """The stand-ins of the external services that are not configured (the national portal, the payment
    gateway, the postal service, the population database): each a real HTTP server, the portal pointed at it through `env`."""
    standins = {}
    if not env.get("DVCQG_URL"):
        # Dossiers can be seen arriving at the stand-in national portal's /_standin/log.
        dvcqg_port = env.get("DVCQG_STANDIN_PORT", "8090")
        env["DVCQG_URL"] = f"http://127.0.0.1:{dvcqg_port}"
        env.setdefault("DVCQG_USERNAME", "motcua")
        env.setdefault("DVCQG_PASSWORD", "motcua")
        env.setdefault("DVCQG_AGENCY_CODE", "000.00.00.H56")
        env.setdefault("DVCQG_INBOUND_TOKEN", "demo-dvcqg-token")
        standins["dvcqg-standin"] = [
            PY, "-m", "national.standin", "--port", dvcqg_port, "--username", env["DVCQG_USERNAME"],
            "--password", env["DVCQG_PASSWORD"], "--portal", f"http://{host}:{port}",
            "--token", env["DVCQG_INBOUND_TOKEN"]]
    if not env.get("PAYMENT_GATEWAY_URL"):
        gateway_port = env.get("PAYMENT_STANDIN_PORT", "8765")
        env["PAYMENT_GATEWAY_URL"] = f"http://127.0.0.1:{gateway_port}"
        standins["payment-standin"] = [PY, "manage.py", "run_payment_standin", "--port", gateway_port]
    if not env.get("POSTAL_SERVICE_URL"):
        postal_port = env.get("POSTAL_STANDIN_PORT", "8766")
        env["POSTAL_SERVICE_URL"] = f"http://127.0.0.1:{postal_port}"
        env.setdefault("POSTAL_CALLBACK_URL", f"http://{host}:{port}/buu-chinh/callback/")
        standins["postal-standin"] = [PY, "manage.py", "run_postal_standin", "--port", postal_port]
    if not env.get("POPULATION_SERVICE_URL"):
        # The demo citizen's data (and household) come from the stand-in population database.
        population_port = env.get("POPULATION_STANDIN_PORT", "8767")
        env["POPULATION_SERVICE_URL"] = f"http://127.0.0.1:{population_port}"
        env.setdefault("POPULATION_API_TOKEN", "demo-population-token")
        standins["population-standin"] = [PY, "-m", "population.standin", "--port", population_port,
                                          "--token", env["POPULATION_API_TOKEN"]]
    return standins


def demo_signer(env: dict) -> None:
    """No signing certificate configured: a demo CA and signer under var/signing (made at first start)."""
    if not env.get("SIGNING_PKCS12_PATH"):
        subprocess.run([PY, "manage.py", "create_demo_signer"], cwd=ROOT, env=env, check=True)
        env["SIGNING_PKCS12_PATH"] = str(ROOT / "var" / "signing" / "demo-signer.p12")
        env.setdefault("SIGNING_TRUST_ROOTS", str(ROOT / "var" / "signing" / "demo-ca.pem"))


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_START
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    """Keeps every child running until `stop()`; restarts one that exits, with a back-off."""

    children: dict[str, list[str]]
    cwd: Path = ROOT
    env: dict | None = None
    backoff_start: float = BACKOFF_START
    backoff_max: float = BACKOFF_MAX
    healthy_after: float = HEALTHY_AFTER
    poll: float = 0.5
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._children = [Child(name, cmd, backoff=self.backoff_start) for name, cmd in self.children.items()]

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, cwd=self.cwd, env=self.env)
        child.started_at = time.monotonic()
        child.restart_at = None

    def step(self) -> None:
        """One look at the children: note the dead ones, start those whose back-off is over."""
        now = time.monotonic()
        for child in self._children:
            if child.process is not None and child.process.poll() is not None and child.restart_at is None:
                code = child.process.returncode
                if now - child.started_at >= self.healthy_after:
                    child.backoff = self.backoff_start
                log(f"{child.name} exited with status {code}; restarting it in {child.backoff:g} s")
                child.restart_at = now + child.backoff
                child.backoff = min(child.backoff * 2, self.backoff_max)
            if child.restart_at is not None and now >= child.restart_at and not self.stopping.is_set():
                child.restarts += 1
                self._start(child)
                log(f"{child.name} restarted (restart {child.restarts})")

    def run(self) -> int:
        for child in self._children:
            self._start(child)
        try:
            while not self.stopping.wait(self.poll):
                self.step()
        finally:
            self.terminate()
        return 0

    def stop(self, *_) -> None:
        self.stopping.set()

    def terminate(self) -> None:
        alive = [c.process for c in self._children if c.process is not None and c.process.poll() is None]
        for p in alive:
            p.terminate()
        for p in alive:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def restarts(self, name: str) -> int:
        return next(c.restarts for c in self._children if c.name == name)

    def process(self, name: str) -> subprocess.Popen | None:
        return next(c.process for c in self._children if c.name == name)


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    prepare()
    # The demo serves its own static files (WhiteNoise) from the collected folder.
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    demo_signer(env)
    children = {**external_standins(env), **commands()}
    supervisor = Supervisor(children, cwd=ROOT, env=env)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    print(f"MotCua: http://{HOST}:{PORT}/ (Ctrl-C to stop)", flush=True)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
