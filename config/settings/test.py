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
