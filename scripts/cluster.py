"""A MotCua cluster on one machine, for real, driven for a while with a node and a worker stopped mid-run.

    python scripts/cluster.py [--seconds 60] [--keep]

Starts, from Debian's packages and this checkout, in a scratch folder and on free loopback ports:
a PostgreSQL primary and its streaming replica (two clusters of their own, never the machine's),
PgBouncer in transaction mode in front of the primary, Redis, an SMS gateway stand-in that records
what it is sent, two gunicorn nodes (`config.settings.prod`, JSON logs) behind nginx, two Celery
workers and Celery beat (celery-redbeat). It then drives intakes, transfers, look-ups and reports
through nginx from several clients, stops web node A gracefully and starts it again, stops worker 1
and starts it again, and checks:

- no request failed (nginx retries a request that no node took: a refused connection);
- every notice was delivered, and every SMS reached the gateway exactly once;
- every dossier code is unique, and the replica holds every dossier of the primary;
- the reports were answered from the replica (its row reads grow while the primary's report reads do not);
- /metrics answers through nginx, and the nodes' logs are JSON lines carrying request ids.

Prints a JSON summary and exits 0 when every check holds, 1 otherwise (tests/cluster runs it in CI).
Needs: postgresql (initdb, pg_basebackup), pgbouncer, nginx, redis-server; run as root or as a user that
may run them (PostgreSQL and PgBouncer are started as the `postgres` user when run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "cluster-12345"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"cluster: {name} not found (apt-get install postgresql)")


def wait_port(port: int, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not open port {port}")


class SmsGateway:
    """Records every SMS it is sent; answers 200."""

    def __init__(self):
        self.received: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status":"ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Cluster:
    def __init__(self, folder: Path):
        self.dir = folder
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {name: free_port() for name in
                      ("primary", "replica", "pgbouncer", "redis", "nginx", "web_a", "web_b")}
        self.as_postgres = os.geteuid() == 0
        self.sms = SmsGateway()
        self.metrics_token = uuid.uuid4().hex

    # --- processes ---------------------------------------------------------------------------------
    def _run(self, cmd: list[str], *, postgres_user: bool = False, **kwargs) -> None:
        if postgres_user and self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)

    def _spawn(self, name: str, cmd: list[str], env: dict | None = None, postgres_user: bool = False) -> None:
        if postgres_user and self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        log = open(self.dir / f"{name}.log", "a")
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30, group: bool = True) -> None:
        """Stop a process (its whole group, or only its master, which then stops its workers gracefully)."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    # --- PostgreSQL primary and streaming replica ---------------------------------------------------
    def start_databases(self) -> None:
        primary, replica = self.dir / "pg-primary", self.dir / "pg-replica"
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run([pg_bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"], postgres_user=True)
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.ports['primary']}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nwal_level = replica\nmax_wal_senders = 4\n"
                       "fsync = off\nsynchronous_commit = off\nshared_buffers = 64MB\njit = off\n")
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n")
        self._spawn("pg-primary", [pg_bin("postgres"), "-D", str(primary)], postgres_user=True)
        wait_port(self.ports["primary"], "the primary")
        self._run([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
                   "-D", str(replica), "-R", "-X", "stream"], postgres_user=True)
        self._spawn("pg-replica", [pg_bin("postgres"), "-D", str(replica), "-p", str(self.ports["replica"])],
                    postgres_user=True)
        wait_port(self.ports["replica"], "the replica")
        self._run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
                   "motcua"])

    def start_pgbouncer(self) -> None:
        ini = self.dir / "pgbouncer.ini"
        (self.dir / "userlist.txt").write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"motcua = host=127.0.0.1 port={self.ports['primary']} dbname=motcua\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            f"unix_socket_dir = {self.dir}\nauth_type = trust\nauth_file = {self.dir / 'userlist.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        if self.as_postgres:
            for path in (ini, self.dir / "userlist.txt"):
                shutil.chown(path, "postgres")
        self._spawn("pgbouncer", ["pgbouncer", str(ini)], postgres_user=True)
        wait_port(self.ports["pgbouncer"], "PgBouncer")

    def start_redis(self) -> None:
        self._spawn("redis", ["redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(self.dir)])
        wait_port(self.ports["redis"], "Redis")

    # --- the portal ---------------------------------------------------------------------------------
    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": "cluster-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXY_COUNT": "1",  # nginx in front: it tells the client's address and the scheme
            # The portal's connections go through PgBouncer; the reports read the replica directly.
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports['pgbouncer']}/motcua",
            "DATABASE_PGBOUNCER": "1",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{self.ports['replica']}/motcua",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "MEDIA_ROOT": str(self.dir / "media"),
            "SMS_GATEWAY_URL": self.sms.url,
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_FORMAT": "json",
            "METRICS_TOKEN": self.metrics_token,
            "DEMO_PASSWORD": PASSWORD,
            "BEAT_LOCK_SECONDS": "10",
        })
        env.update(extra)
        return env

    def prepare_data(self) -> None:
        direct = f"postgres://postgres@127.0.0.1:{self.ports['primary']}/motcua"
        env = self.env(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=direct, DEBUG="0")
        env.pop("DATABASE_PGBOUNCER")
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start_web(self, node: str) -> None:
        prom = self.dir / f"prom-{node}"
        shutil.rmtree(prom, ignore_errors=True)
        prom.mkdir()
        self._spawn(node, [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.ports[node]}",
                           "--workers", "2", "--threads", "2", "--graceful-timeout", "20"],
                    env=self.env(PROMETHEUS_MULTIPROC_DIR=str(prom)))
        wait_port(self.ports[node], f"web node {node}")

    def start_worker(self, name: str) -> None:
        self._spawn(name, [PY, "-m", "celery", "-A", "config", "worker", "--pool=threads", "--concurrency=2",
                           "--loglevel=INFO", "-n", f"{name}@%h", "--without-gossip", "--without-mingle"],
                    env=self.env())

    def start_beat(self) -> None:
        self._spawn("beat", [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"], env=self.env())

    def start_nginx(self) -> None:
        (self.dir / "nginx").mkdir(exist_ok=True)
        self.write_nginx_conf(drained=())
        self._spawn("nginx", ["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir)])
        wait_port(self.ports["nginx"], "nginx")

    def reload_nginx(self, drained: tuple[str, ...]) -> None:
        self.write_nginx_conf(drained)
        self._run(["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-s", "reload"])
        time.sleep(1.0)  # the old nginx worker finishes its requests; new ones go to the remaining node

    def stop_web(self, node: str) -> None:
        """A planned stop, as an operator does it: take the node out of the balancer, then stop it gracefully."""
        self.reload_nginx(drained=(node,))
        self.stop(node, group=False)

    def restart_web(self, node: str) -> None:
        self.start_web(node)
        self.reload_nginx(drained=())

    def write_nginx_conf(self, drained: tuple[str, ...]) -> None:
        down = {node: " down" if node in drained else "" for node in ("web_a", "web_b")}
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {self.dir}/nginx-access.log;
    client_body_temp_path {self.dir}/nginx/body;
    proxy_temp_path {self.dir}/nginx/proxy;
    upstream motcua {{
        server 127.0.0.1:{self.ports['web_a']} max_fails=1 fail_timeout=5s{down['web_a']};
        server 127.0.0.1:{self.ports['web_b']} max_fails=1 fail_timeout=5s{down['web_b']};
    }}
    server {{
        listen 127.0.0.1:{self.ports['nginx']};
        client_max_body_size 50m;
        location / {{
            proxy_pass http://motcua;
            # A request no node took (a refused connection) goes to the other node; one a node took is
            # never sent twice (POSTs are not retried once sent).
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
""")

    def start(self) -> None:
        self.start_databases()
        self.start_pgbouncer()
        self.start_redis()
        self.prepare_data()
        for node in ("web_a", "web_b"):
            self.start_web(node)
        for worker in ("worker_1", "worker_2"):
            self.start_worker(worker)
        self.start_beat()
        self.start_nginx()

    def shutdown(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name, timeout=15)
        self.sms.server.shutdown()

    # --- SQL on either database ------------------------------------------------------------------
    def sql(self, query: str, *, database: str = "primary"):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.ports[database], user="postgres", dbname="motcua",
                             autocommit=True) as conn:
            return conn.execute(query).fetchall()


class Driver:
    """Clients through nginx: each loops intake → transfer → look-up, one asks for reports."""

    def __init__(self, base: str):
        self.base = base
        self.results: Counter = Counter()
        self.failures: list[str] = []
        self.dossiers: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None,
             headers: dict | None = None, expect=(200, 201)):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        what = f"{method} {path.split('?')[0]}"
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            status, payload = 0, str(exc).encode()
        with self.lock:
            self.results[(what if "/actions/" not in path else "POST action", status)] += 1
            if status not in expect:
                self.failures.append(f"{what} -> {status}: {payload[:300]!r}")
        return status, (json.loads(payload) if payload and status in expect else None)

    def token(self, username: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/token/", body={"username": username, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"cannot log in as {username}: {status}")
        return body["token"]

    def desk_client(self, token: str, until: float) -> None:
        while time.monotonic() < until:
            phone = "09" + "".join(random.choices("0123456789", k=8))
            status, body = self.call("POST", "/api/v1/dossiers/", token, {
                "procedure": "1.004873", "channel": "counter",
                "applicant": {"full_name": "Nguyễn Văn Cụm", "id_number": "0791" + phone[2:10],
                              "phone": phone, "email": "", "address": "Thôn Cụm"},
            }, headers={"Idempotency-Key": uuid.uuid4().hex})
            if status != 201:
                continue
            code = body["code"]
            with self.lock:
                self.dossiers.append((code, phone))
            self.call("POST", f"/api/v1/dossiers/{code}/actions/transfer/", token, {})
            self.call("GET", f"/api/v1/lookup/?code={code}&secret={phone[-4:]}")

    def report_client(self, token: str, until: float) -> None:
        while time.monotonic() < until:
            self.call("GET", "/api/v1/reports/on-time/?from=2026-01-01&to=2026-12-31&group_by=agency", token)
            self.call("GET", "/api/v1/reports/index-766/?from=2026-01-01&to=2026-12-31", token)
            time.sleep(0.2)


def _exit_on_sigterm(*_):
    raise SystemExit(143)  # runs the `finally` below: every server of the cluster is stopped


def run(seconds: int, keep: bool) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    folder = Path(tempfile.mkdtemp(prefix="motcua-cluster-"))
    os.chmod(folder, 0o755)
    cluster = Cluster(folder)
    summary: dict = {"folder": str(folder), "ports": cluster.ports}
    checks: dict[str, bool] = {}
    try:
        started = time.monotonic()
        cluster.start()
        summary["start_seconds"] = round(time.monotonic() - started, 1)
        driver = Driver(f"http://127.0.0.1:{cluster.ports['nginx']}")
        desk, manager = driver.token("motcua"), driver.token("quanly")
        replica_reads_before = cluster.sql(
            "select tup_returned from pg_stat_database where datname = 'motcua'", database="replica")[0][0]
        until = time.monotonic() + seconds
        clients = [threading.Thread(target=driver.desk_client, args=(desk, until)) for _ in range(3)]
        clients.append(threading.Thread(target=driver.report_client, args=(manager, until)))
        for client in clients:
            client.start()
        events = []
        plan = [(0.25, "stop web_a", lambda: cluster.stop_web("web_a")),
                (0.40, "start web_a", lambda: cluster.restart_web("web_a")),
                (0.50, "stop worker_1", lambda: cluster.stop("worker_1")),
                (0.65, "start worker_1", lambda: cluster.start_worker("worker_1"))]
        begin = until - seconds
        for at, label, action in plan:
            time.sleep(max(0.0, begin + at * seconds - time.monotonic()))
            action()
            events.append((round(time.monotonic() - begin, 1), label))
        for client in clients:
            client.join()
        summary["events"] = events
        summary["requests"] = {f"{what} {status}": n for (what, status), n in sorted(driver.results.items())}
        summary["failures"] = driver.failures[:20]
        checks["no request failed"] = not driver.failures and sum(driver.results.values()) > 0

        # The outbox drains: every notice delivered, every SMS at the gateway exactly once.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            queued = cluster.sql("select count(*) from notices_notice where status <> 'sent'")[0][0]
            if queued == 0:
                break
            time.sleep(1)
        sms_sent = cluster.sql("select count(*) from notices_notice where channel = 'sms' and status = 'sent'")[0][0]
        gateway = Counter((m["to"], m["message"]) for m in cluster.sms.received)
        summary["notices_not_sent"] = queued
        summary["sms"] = {"sent_in_outbox": sms_sent, "received_by_gateway": sum(gateway.values()),
                          "received_twice": sum(1 for n in gateway.values() if n > 1)}
        checks["every notice sent"] = queued == 0
        checks["every SMS exactly once"] = sms_sent == sum(gateway.values()) and all(n == 1 for n in gateway.values())

        codes = cluster.sql("select count(*), count(distinct code) from dossiers_dossier where code <> ''")[0]
        summary["dossiers"] = {"created_by_driver": len(driver.dossiers), "in_database": codes[0]}
        checks["every code unique"] = codes[0] == codes[1] and len(driver.dossiers) > 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            on_replica = cluster.sql("select count(*) from dossiers_dossier", database="replica")[0][0]
            on_primary = cluster.sql("select count(*) from dossiers_dossier")[0][0]
            if on_replica == on_primary:
                break
            time.sleep(0.5)
        checks["the replica holds every dossier"] = on_replica == on_primary
        replica_reads = cluster.sql(
            "select tup_returned from pg_stat_database where datname = 'motcua'", database="replica")[0][0]
        summary["replica_rows_read"] = replica_reads - replica_reads_before
        report_calls = sum(n for (what, status), n in driver.results.items() if "reports" in what and status == 200)
        checks["reports answered from the replica"] = report_calls > 0 and replica_reads > replica_reads_before

        request = urllib.request.Request(f"{driver.base}/metrics",
                                         headers={"Authorization": f"Bearer {cluster.metrics_token}"})
        metrics = urllib.request.urlopen(request, timeout=10).read().decode()
        checks["metrics through nginx"] = "motcua_outbox_queued" in metrics and "motcua_http_request_duration" in metrics
        logs = (folder / "web_b.log").read_text().splitlines()
        json_lines = [json.loads(line) for line in logs if line.startswith("{")]
        checks["JSON logs with request ids"] = any(line.get("request_id") and line.get("route")
                                                   for line in json_lines)
        worker_lines = [json.loads(line) for line in (folder / "worker_2.log").read_text().splitlines()
                        if line.startswith("{")]
        checks["worker logs carry the request id"] = any(line.get("request_id") and line.get("task_id")
                                                         for line in worker_lines)
    except Exception as exc:  # noqa: BLE001 - any fault is a failed run, reported with the logs' tails
        summary["error"] = repr(exc)
        checks["cluster ran"] = False
    finally:
        cluster.shutdown()
    summary["checks"] = checks
    ok = bool(checks) and all(checks.values())
    if not ok:
        summary["log_tails"] = {p.name: p.read_text()[-1500:] for p in sorted(folder.glob("*.log"))}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, data)")
    args = parser.parse_args()
    return run(args.seconds, args.keep)


if __name__ == "__main__":
    sys.exit(main())
