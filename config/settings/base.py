"""Settings shared by every environment.

Every environment variable the portal reads is read here, once, with its default and a one-line
comment; the README's configuration table lists the same variables.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- environment -------------------------------------------------------------------------------
# Secret for signing sessions and tokens; the default is for the demo only.
SECRET_KEY = os.environ.get("SECRET_KEY", "motcua-demo-secret-key-change-me-in-production-0123456789")
# Debug pages; never on in production.
DEBUG = env_bool("DEBUG", False)
# Host names the portal answers to, comma-separated.
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
# Database; default: an SQLite file under var/ (the embedded demo database).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Redis for the cache and the Celery broker; default: no Redis (local cache, embedded file broker).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Local time zone of the desks and of every printed time.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
# Password of the demo accounts created by seed_demo.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
# Where uploads and generated files live (Django's storage API; S3 is a STORAGES setting away).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# SMS gateway: an HTTP endpoint and key; empty means the console/file backend of the demo.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
# E-mail backend (Django's); the demo writes mails to var/mail.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# SMTP time-out in seconds, so a stuck mail server cannot hold a worker.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Sender address of notices.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")
# Mark dossiers "due soon" this many working hours before their appointment (default one working day).
DUE_SOON_WORKING_HOURS = int(os.environ.get("DUE_SOON_WORKING_HOURS", "8"))
# Minutes between two deadline sweeps run by Celery beat.
SWEEP_INTERVAL_MINUTES = int(os.environ.get("SWEEP_INTERVAL_MINUTES", "5"))
# The portal's public address, printed in the QR code of receipts as a look-up link (empty: the bare code).
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
# Turn on login through an OpenID Connect provider (e.g. the national identity service).
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
# National Public Service Portal (DVCQG) adapter base URL; empty: sync off, changes wait in the outbox.
DVCQG_URL = os.environ.get("DVCQG_URL", "")
# Paths of the adapter's log-in and service endpoints under DVCQG_URL.
DVCQG_AUTH_PATH = os.environ.get("DVCQG_AUTH_PATH", "/auth")
DVCQG_SYNC_PATH = os.environ.get("DVCQG_SYNC_PATH", "/service")
# The account and the unit code (madonvi) the portal is registered with at DVCQG.
DVCQG_USERNAME = os.environ.get("DVCQG_USERNAME", "")
DVCQG_PASSWORD = os.environ.get("DVCQG_PASSWORD", "")
DVCQG_AGENCY_CODE = os.environ.get("DVCQG_AGENCY_CODE", "")
# The secret DVCQG presents (Bearer) when it pushes a dossier to us; empty: the inbound endpoint refuses all.
DVCQG_INBOUND_TOKEN = os.environ.get("DVCQG_INBOUND_TOKEN", "")
# Seconds before a call to DVCQG is abandoned (connect and read), and retried later.
DVCQG_TIMEOUT_SECONDS = float(os.environ.get("DVCQG_TIMEOUT_SECONDS", "10"))
# Backoff after a failed call: this many seconds, doubled per failure, capped at the maximum.
DVCQG_RETRY_BASE_SECONDS = float(os.environ.get("DVCQG_RETRY_BASE_SECONDS", "30"))
DVCQG_RETRY_MAX_SECONDS = float(os.environ.get("DVCQG_RETRY_MAX_SECONDS", "3600"))
# How long one worker holds a dossier's sending lease (a killed worker's lease runs out after it).
DVCQG_LEASE_SECONDS = float(os.environ.get("DVCQG_LEASE_SECONDS", "120"))
# Seconds between two runs of the sweeper that hands back stuck or due changes (beat).
DVCQG_SWEEP_SECONDS = float(os.environ.get("DVCQG_SWEEP_SECONDS", "30"))

# --- Django ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    # MotCua's rooms
    "organisation",
    "worktime",
    "procedures",
    "dossiers",
    "notices",
    "citizens",
    "national",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organisation.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisation.context_processors.staff",
                "notices.context_processors.unread_notices",
            ],
        },
    }
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles any plan costed above 100,000 (a scoped dossier list at 24,000 rows
        # already is): 10-30 ms of LLVM work per query, more than the query itself. Off for the portal's
        # short queries; a long report may still `SET LOCAL jit = on` in its own transaction.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "motcua.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The dossier detail's fixed reads run as prepared statements on PostgreSQL (planning their joins cost
# more than running them). Set False behind a connection pooler in transaction mode (PgBouncer), where a
# session's prepared statements do not follow it.
DATABASE_PREPARED_READS = True

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

AUTHENTICATION_BACKENDS = ["organisation.auth.ThrottledModelBackend"]
# Login throttling: this many failed logins for one user name within the window lock it for the window.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", "900"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded scans: at most 10 MB each, PDF, JPEG or PNG by content.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
SMS_FILE_PATH = BASE_DIR / "var" / "sms"

# --- Login through an OpenID Connect provider (the national identity service) ---------------------
if OIDC_ENABLED:
    INSTALLED_APPS += ["mozilla_django_oidc"]
    AUTHENTICATION_BACKENDS += ["citizens.oidc.CitizenOIDCBackend"]
    # Client registration and the provider's endpoints.
    OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid profile email phone"

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisation.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "organisation.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "organisation.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"lookup": "30/min", "login": "10/min", "anon": "120/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MotCua API",
    "DESCRIPTION": "The electronic one-stop desk: catalogue, dossiers, calendar, look-up and reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the repository's own static files: the portal works on an intranet with no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ------------------------------------------------------------------------------------
# With Redis: Redis is the broker. Without: kombu's file transport under var/, so `make run` on a
# fresh machine still runs a real worker and beat with nothing else installed.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A Redis that takes the connection and then goes silent must not hang a request's publish.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 2}
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = BASE_DIR / "var" / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must not hang a request when the broker is down: the outbox keeps the notice.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 0
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and its font subsetter log dozens of lines per printed form.
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
