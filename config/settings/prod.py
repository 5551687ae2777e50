"""Production: everything from the environment, secure cookies."""

import os

from .base import *  # noqa: F403

if not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set in production")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Production logs are JSON lines (request and task ids included) unless LOG_FORMAT says otherwise.
if os.environ.get("LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405
    LOGGING["loggers"]["motcua.access"] = {"level": "INFO"}  # noqa: F405

# Static files with content-hashed names (cache them for ever); `collectstatic` writes the manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
