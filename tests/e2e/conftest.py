"""What every browser test shares: Debian's Chromium driven by Playwright, and where screenshots go.

`pytestmark = BROWSER` marks a module's tests as browser tests, skipped where Chromium is not installed.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parent.parent / "output"

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() or shutil.which("chromium")),
                       reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()
        _wait_for_the_live_servers_requests()
        # Inside Playwright's event loop Django opens its own connection (asgiref's context-local
        # connections); close it here so the test database can be dropped at the end.
        from django.db import connections

        connections.close_all()


def _wait_for_the_live_servers_requests(timeout: float = 10.0) -> None:
    """A request the closed browser left in flight may still be querying in a live-server thread; the
    test database's flush (TRUNCATE) would then deadlock with it. Wait until no other session of this
    database is busy."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
