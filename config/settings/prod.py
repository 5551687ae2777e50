"""Production: everything from the environment, HTTPS only, secure cookies.

Refuses to start without `SECRET_KEY`, `DATABASE_URL` and `REDIS_URL`: the embedded SQLite database, file
cache and file broker of `make run` are for the demo only and must never be fallen back to silently.

HTTPS: every plain-HTTP request is redirected (`SECURE_SSL_REDIRECT`) and browsers are told to use HTTPS
only (HSTS, `SECURE_HSTS_SECONDS`). Behind a reverse proxy that terminates TLS, set `TRUSTED_PROXY_COUNT`
(the proxies in front of the portal): the proxy's `X-Forwarded-Proto: https` is then believed, so the
redirect does not loop. A proxy that redirects to HTTPS itself may instead turn the portal's redirect off
with `SECURE_SSL_REDIRECT=0`. `X-Forwarded-Proto` is never believed without a trusted proxy, since a client
could send it.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TRUSTED_PROXY_COUNT, env_bool

_missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"config.settings.prod needs {', '.join(_missing)} in the environment: production never falls back to "
        "the demo's SQLite database, file cache, file broker or demo secret key (see README, Configuration)."
    )

DEBUG = False

# Redirect plain HTTP to HTTPS (turn off only where the proxy in front redirects itself).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# HSTS: browsers use HTTPS only for this long (seconds); 0 turns the header off.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Health probes from inside the deployment speak plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
if TRUSTED_PROXY_COUNT > 0:
    # The TLS-terminating proxy tells the scheme; believed only when proxies are declared trusted.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# No script of the portal reads the CSRF cookie (forms carry the token), so it is HttpOnly too.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Production logs are JSON lines (request and task ids included) unless LOG_FORMAT says otherwise.
if os.environ.get("LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405
    LOGGING["loggers"]["motcua.access"] = {"level": "INFO"}  # noqa: F405

# Static files with content-hashed names (cache them for ever); `collectstatic` writes the manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
