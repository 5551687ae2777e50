"""The test suite: PostgreSQL and Redis by default (`make test` sets DATABASE_URL and REDIS_URL)."""

from .base import *  # noqa: F403
from .base import BASE_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
SMS_FILE_PATH = BASE_DIR / "var" / "test-sms"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests call tasks through the real broker only where they ask for a worker; elsewhere the
# outbox is flushed synchronously by the test helpers.
CELERY_TASK_ALWAYS_EAGER = False

# Each xdist worker gets its own Redis database, so one worker's cache.clear() (FLUSHDB) never wipes
# another's throttle counters or cached calendars: gw0 uses the given db, gw1 the one below it, ...
import os  # noqa: E402
import re  # noqa: E402

from .base import REDIS_URL  # noqa: E402

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):
    _match = re.match(r"^(.*/)(\d+)$", REDIS_URL)
    _base, _db = (_match.group(1), int(_match.group(2))) if _match else (REDIS_URL.rstrip("/") + "/", 15)
    TEST_REDIS_URL = f"{_base}{max(_db - int(_worker[2:]), 0)}"
    CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": TEST_REDIS_URL}}
    CELERY_BROKER_URL = TEST_REDIS_URL

# A replica alias that mirrors the test database, so the read routing can be tested (off unless a test turns
# REPLICA_READS_ENABLED on; the cluster test runs a real streaming replica).
from .base import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPLICA_READS_ENABLED = False
