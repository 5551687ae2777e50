"""Settings shared by every environment.

Every environment variable the portal reads is read here, once, with its default and a one-line
comment; the README's configuration table lists the same variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
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
# Lateness forecast (dossiers/lateness.py): minutes between two refreshes of the step statistics and of
# every open dossier's risk (beat); days of finished steps the statistics read; fewest finished steps at an
# agency before its own figures are used; pseudo-count shrinking them towards all agencies and the legal
# step time; the chance from which a dossier is flagged "at risk" (Nguy cơ trễ hạn).
FORECAST_REFRESH_MINUTES = int(os.environ.get("FORECAST_REFRESH_MINUTES", "30"))
FORECAST_WINDOW_DAYS = int(os.environ.get("FORECAST_WINDOW_DAYS", "90"))
FORECAST_MIN_SAMPLES = int(os.environ.get("FORECAST_MIN_SAMPLES", "5"))
FORECAST_SHRINK = float(os.environ.get("FORECAST_SHRINK", "5"))
FORECAST_THRESHOLD = float(os.environ.get("FORECAST_THRESHOLD", "0.5"))
# The portal's public address, printed in the QR code of receipts as a look-up link (empty: the bare code).
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
# Lifetime of an API bearer token in hours; an older token gets 401 and is deleted (log in again).
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))
# Seconds the shared cache keeps a token's owner (user, memberships); every change forgets it at once.
API_TOKEN_CACHE_SECONDS = int(os.environ.get("API_TOKEN_CACHE_SECONDS", "300"))
# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For; the client's
# address is read from the entry the outermost of them wrote (0: no proxy, the connection's own address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Longest value of one query parameter (a search, a code, a date): longer is refused with a 400.
QUERY_VALUE_MAX_CHARS = int(os.environ.get("QUERY_VALUE_MAX_CHARS", "1000"))
# Limits of one dossier's components and files, over intake, online submission and supplements together:
# at most this many components (rows of `components[N]`), this many files, this many bytes of files.
DOSSIER_MAX_COMPONENTS = int(os.environ.get("DOSSIER_MAX_COMPONENTS", "50"))
# The staff lists (dossiers.lists): a count stops at this many rows ("10 000+", `count_capped` in the API),
# and each list's queries run under this statement timeout (PostgreSQL; 0 turns it off).
DOSSIER_LIST_COUNT_CAP = int(os.environ.get("DOSSIER_LIST_COUNT_CAP", "10000"))
DOSSIER_BADGE_COUNT_CAP = int(os.environ.get("DOSSIER_BADGE_COUNT_CAP", "999"))
# The searches (dossiers.lists): a code, ID number or phone reads at most this many newest matches; a name's
# matched ids are read first up to this many; beyond, a sparse name is read from its index entries and a dense
# one by walking the scope (the cost ratio of one walk step to one index entry).
DOSSIER_SEARCH_MATCH_CAP = int(os.environ.get("DOSSIER_SEARCH_MATCH_CAP", "2000"))
DOSSIER_NAME_MATCH_CAP = int(os.environ.get("DOSSIER_NAME_MATCH_CAP", "10000"))
DOSSIER_NAME_WALK_COST = int(os.environ.get("DOSSIER_NAME_WALK_COST", "8"))
DOSSIER_LIST_STATEMENT_TIMEOUT_MS = int(os.environ.get("DOSSIER_LIST_STATEMENT_TIMEOUT_MS", "5000"))
DOSSIER_MAX_FILES = int(os.environ.get("DOSSIER_MAX_FILES", "30"))
DOSSIER_MAX_TOTAL_BYTES = int(os.environ.get("DOSSIER_MAX_TOTAL_BYTES", str(60 * 1024 * 1024)))
# Turn on login through an OpenID Connect provider (e.g. the national identity service).
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
# A streaming replica for reads that may lag a little (the reports); empty: everything reads the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# Django's own connection pool (psycopg_pool) per process: "min,max" connections, e.g. "2,10"; empty: off.
# Behind PgBouncer in transaction mode leave it empty and set DATABASE_PGBOUNCER instead.
DATABASE_POOL = os.environ.get("DATABASE_POOL", "")
# The database is reached through PgBouncer in transaction mode: no server-side cursors, no prepared statements.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
# psycopg prepares a statement on the server once a connection has run it this many times ("off": never).
# Unset: 5, and off behind PgBouncer (see DATABASES below).
_prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "").strip().lower()
DATABASE_PREPARE_THRESHOLD = (None if _prepare == "off" else int(_prepare) if _prepare
                              else None if DATABASE_PGBOUNCER else 5)
# S3-compatible object store for uploads and results (any endpoint: MinIO, Ceph, a cloud); empty: MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "") or None
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "") or None
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "") or None
# Seconds a signed download link of a private file stays valid (object store).
PRIVATE_FILES_URL_SECONDS = int(os.environ.get("PRIVATE_FILES_URL_SECONDS", "60"))
# nginx serves private files from MEDIA_ROOT through this internal location (X-Accel-Redirect); empty: Python.
PRIVATE_FILES_X_ACCEL_PREFIX = os.environ.get("PRIVATE_FILES_X_ACCEL_PREFIX", "")
# Log format: "json" (one JSON object per line, with request and task ids) or "text".
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
# Bearer token Prometheus presents at /metrics; empty: /metrics answers only the loopback address.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Seconds the domain gauges of /metrics are cached, so several scrapers cost one set of queries.
METRICS_CACHE_SECONDS = int(os.environ.get("METRICS_CACHE_SECONDS", "15"))
# Error reports to Sentry (personal data scrubbed); empty: off.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
# Days to keep sent and failed notices, and history rows, for `manage.py purge_retention` (0: for ever).
NOTICE_RETENTION_DAYS = int(os.environ.get("NOTICE_RETENTION_DAYS", "0"))
HISTORY_RETENTION_DAYS = int(os.environ.get("HISTORY_RETENTION_DAYS", "0"))
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
    "axes",
    "csp",
    # MotCua's rooms
    "organisation",
    "worktime",
    "procedures",
    "dossiers",
    "notices",
    "citizens",
    "national",
    "reporting",
    "operations",
    "assignments",
    "payments",
    "signing",
    "postal",
    "population",
]

MIDDLEWARE = [
    "operations.middleware.RequestIdMiddleware",
    "operations.metrics.MetricsMiddleware",
    "operations.routers.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organisation.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "organisation.middleware.QueryParameterGuard",
    "organisation.middleware.UploadLimitGuard",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
        if DATABASE_POOL:
            _min, _, _max = DATABASE_POOL.partition(",")
            DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
            DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": int(_min), "max_size": int(_max or _min)}
        # psycopg binds the parameters on the server (the extended protocol; Django's default binds them
        # into the SQL text on the client) and, once a statement has run DATABASE_PREPARE_THRESHOLD times
        # on a connection, prepares it there, so PostgreSQL plans the detail's and the lists' fixed
        # queries once per connection instead of on every request. Behind PgBouncer in transaction mode
        # server-side binding still works (unnamed statements live within one transaction), but a
        # prepared statement lives in one server connection that the next transaction may not get:
        # preparing is off there unless DATABASE_PREPARE_THRESHOLD is set (PgBouncer >= 1.21 with
        # `max_prepared_statements` tracks them).
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = DATABASE_PREPARE_THRESHOLD
        if DATABASE_PGBOUNCER:
            DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_PGBOUNCER
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
# Reports read from the replica when there is one (operations/routers.py); writes always go to the primary.
DATABASE_ROUTERS = ["operations.routers.ReplicaRouter"]
# Reports read from the replica only when one is configured (the test settings turn it on per test).
REPLICA_READS_ENABLED = "replica" in DATABASES
# The URL prefixes whose GET requests read from the replica.
REPLICA_URL_PREFIXES = ("/bao-cao/", "/api/v1/reports/")

if REDIS_URL:
    # Redis, with a per-process memory while Redis does not answer (config/cache.py: no 500 for an outage).
    CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# The log-in lock-out (django-axes, `organisation.auth`) comes first, then the password check.
AUTHENTICATION_BACKENDS = ["organisation.auth.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
# Login lock-out: this many failed logins for one user name from one client address within the window lock
# that pair (not the account everywhere) for the window; an administrator unlocks in the admin.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", "900"))
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCK_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "organisation.net.client_ip"
AXES_USERNAME_CALLABLE = "organisation.auth.lockout_username"
AXES_LOCKOUT_CALLABLE = "organisation.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The lock lasts LOGIN_LOCK_SECONDS from the failure that set it; tries during the lock do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

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
if AWS_STORAGE_BUCKET_NAME:
    # Private by default: every download is a short-lived signed link, handed out after the visibility check.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "default_acl": "private", "querystring_auth": True, "querystring_expire": PRIVATE_FILES_URL_SECONDS,
        "file_overwrite": False,
    }}
# Uploaded scans: at most 10 MB each, PDF, JPEG or PNG by content.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# One request carries at most the files one dossier may hold (organisation.middleware.UploadLimitGuard).
DATA_UPLOAD_MAX_NUMBER_FILES = DOSSIER_MAX_FILES
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
    # DRF's parsers, the JSON one refusing NUL bytes (organisation.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "organisation.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "organisation.api.errors.exception_handler",
    # drf-spectacular's schema plus every operation's error responses in the error format.
    "DEFAULT_SCHEMA_CLASS": "organisation.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "anon": "120/min"},
    # Throttles key on `organisation.net.client_ip`; DRF's own reading of the address agrees with it.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
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
    # One name for the satisfaction scale, wherever it appears (ratings, feedback answers).
    "ENUM_NAME_OVERRIDES": {"OverallEnum": "citizens.models.Overall.values",
                            "TaskStatusEnum": "assignments.models.TaskStatus.choices"},
}

# --- Celery ------------------------------------------------------------------------------------
# With Redis: Redis is the broker. Without: kombu's file transport under var/, so `make run` on a
# fresh machine still runs a real worker and beat with nothing else installed.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    if REDIS_URL.startswith("redis://"):  # kombu's Redis transport, one client per channel (config/broker.py)
        CELERY_BROKER_TRANSPORT = "config.broker:Transport"
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
# The worker and beat reconnect forever when the broker goes away (kombu's back-off: 2 s more each try,
# at most 30 s); a request's publish is bounded by the time-out above and never retries.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = False
if REDIS_URL:
    # Beat may run on every node: the schedule lives in Redis and one beat at a time holds its lock; when
    # that node dies, another takes over within the lock's timeout.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 2}
    CELERY_REDBEAT_KEY_PREFIX = "motcua:redbeat:"
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5
    CELERY_REDBEAT_LOCK_TIMEOUT = int(os.environ.get("BEAT_LOCK_SECONDS", "30"))
# The worker logs through LOGGING (JSON lines with request and task ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "operations.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "operations.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(task_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request with its id, route, status and duration: on with JSON logs (production).
        "motcua.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # WeasyPrint and its font subsetter log dozens of lines per printed form.
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

SESSION_COOKIE_HTTPONLY = True
# A stale form (lost CSRF cookie, old tab) gets the portal's own 403 page.
CSRF_FAILURE_VIEW = "organisation.error_pages.csrf_failure"
# Content-Security-Policy (django-csp) on every page: scripts and styles from the portal's own files, and
# inline <script>/<style> only with the request's nonce (`nonce="{{ request.csp_nonce }}"`); no inline
# event handlers or style attributes (static/js/motcua.js binds `data-autosubmit` and `data-print`).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", csp_constants.NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

if SENTRY_DSN:
    from operations.sentry import init as _init_sentry

    _init_sentry(SENTRY_DSN, environment=os.environ.get("DJANGO_SETTINGS_MODULE", "").rsplit(".", 1)[-1])
# --- Online payment of fees (payments app; integrations.md "Payment") ---------------------------
# The active gateway's name (a key of PAYMENT_GATEWAYS).
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "national")
# Base URL of the national payment platform; empty: `make run` starts the local stand-in and sets it.
PAYMENT_GATEWAY_URL = os.environ.get("PAYMENT_GATEWAY_URL", "")
# Our client id (merchant code) at the gateway.
PAYMENT_CLIENT_ID = os.environ.get("PAYMENT_CLIENT_ID", "motcua-demo")
# Key that signs our requests; key that verifies the gateway's confirmations (demo keys by default).
PAYMENT_REQUEST_KEY = os.environ.get("PAYMENT_REQUEST_KEY", "demo-request-key")
PAYMENT_CONFIRM_KEY = os.environ.get("PAYMENT_CONFIRM_KEY", "demo-confirm-key")
# Checksum algorithm: "hmac-sha256" (hex HMAC over the |-joined fields) or "sha256-key-appended".
PAYMENT_CHECKSUM_ALGORITHM = os.environ.get("PAYMENT_CHECKSUM_ALGORITHM", "hmac-sha256")
# The signed fields, in order, comma-separated: of a payment request, of a confirmation, of a query.
PAYMENT_REQUEST_FIELDS = os.environ.get("PAYMENT_REQUEST_FIELDS",
                                        "addition_fee,client_id,command,trans_amount,transaction_id,version")
PAYMENT_CONFIRM_FIELDS = os.environ.get(
    "PAYMENT_CONFIRM_FIELDS",
    "client_id,dossier_code,gateway_transaction_id,paid_at,receipt_no,result_code,trans_amount,transaction_id")
PAYMENT_QUERY_FIELDS = os.environ.get("PAYMENT_QUERY_FIELDS", "client_id,command,transaction_id,version")
# Seconds to wait for the gateway before telling the citizen to retry.
PAYMENT_GATEWAY_TIMEOUT = float(os.environ.get("PAYMENT_GATEWAY_TIMEOUT", "10"))
# The beneficiary account printed on the bill sent to the gateway.
PAYMENT_BENEFICIARY_ACCOUNT = os.environ.get("PAYMENT_BENEFICIARY_ACCOUNT", "")
# Reconciliation: every N minutes (Celery beat), ask the gateway about payments pending for N minutes or more.
PAYMENT_RECONCILE_AFTER_MINUTES = int(os.environ.get("PAYMENT_RECONCILE_AFTER_MINUTES", "10"))
# A payment the gateway still reports unpaid after this many hours is closed as failed.
PAYMENT_PENDING_EXPIRE_HOURS = int(os.environ.get("PAYMENT_PENDING_EXPIRE_HOURS", "24"))
# Port of the payment stand-in started by `make run` when PAYMENT_GATEWAY_URL is empty.
PAYMENT_STANDIN_PORT = int(os.environ.get("PAYMENT_STANDIN_PORT", "8765"))


def _fields(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


# One entry per gateway (field list, order and algorithm per gateway); another gateway is another entry.
PAYMENT_GATEWAYS = {
    PAYMENT_GATEWAY: {
        "url": PAYMENT_GATEWAY_URL, "client_id": PAYMENT_CLIENT_ID,
        "request_key": PAYMENT_REQUEST_KEY, "confirm_key": PAYMENT_CONFIRM_KEY,
        "algorithm": PAYMENT_CHECKSUM_ALGORITHM, "request_fields": _fields(PAYMENT_REQUEST_FIELDS),
        "confirm_fields": _fields(PAYMENT_CONFIRM_FIELDS), "query_fields": _fields(PAYMENT_QUERY_FIELDS),
        "timeout": PAYMENT_GATEWAY_TIMEOUT, "beneficiary_account": PAYMENT_BENEFICIARY_ACCOUNT,
    },
}

# --- Digital signatures (signing app; PAdES with pyHanko) -------------------------------------------
# The signer's PKCS#12 file and its password; empty path: nothing is signed (the admin page says why).
# `make run` creates a demo CA and signer under var/signing at first start when no path is configured.
SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD = os.environ.get("SIGNING_PKCS12_PASSWORD", "demo-signing")
# Certificates (PEM or DER files, comma-separated) a signature must chain to; empty: the PKCS#12's own chain.
SIGNING_TRUST_ROOTS = [p.strip() for p in os.environ.get("SIGNING_TRUST_ROOTS", "").split(",") if p.strip()]
# The reason and place written into each signature.
SIGNING_REASON = os.environ.get("SIGNING_REASON", "Kết quả giải quyết thủ tục hành chính")
SIGNING_LOCATION = os.environ.get("SIGNING_LOCATION", "")
# Where create_demo_signer writes the demo CA and signer.
SIGNING_DEMO_DIR = BASE_DIR / "var" / "signing"

# --- Public postal service (postal app; integrations.md "Postal service") ------------------------------
# Base URL of the postal operator's API; empty: `make run` starts the local stand-in and sets it.
POSTAL_SERVICE_URL = os.environ.get("POSTAL_SERVICE_URL", "")
# Our API token there, and the secret its callbacks are signed with (HMAC-SHA256 of the body); demo values.
POSTAL_API_TOKEN = os.environ.get("POSTAL_API_TOKEN", "demo-postal-token")
POSTAL_CALLBACK_SECRET = os.environ.get("POSTAL_CALLBACK_SECRET", "demo-postal-callback-secret")
# Our customer code at the postal operator.
POSTAL_CUSTOMER_CODE = os.environ.get("POSTAL_CUSTOMER_CODE", "MOTCUA-DEMO")
# The callback URL given with each order; empty: PORTAL_URL + /buu-chinh/callback/.
POSTAL_CALLBACK_URL = os.environ.get("POSTAL_CALLBACK_URL", "")
# Seconds to wait for the postal service.
POSTAL_TIMEOUT = float(os.environ.get("POSTAL_TIMEOUT", "10"))
# Minutes between two polls (Celery beat) of open orders; orders not yet accepted are resent then.
POSTAL_POLL_MINUTES = int(os.environ.get("POSTAL_POLL_MINUTES", "15"))
# Port of the postal stand-in started by `make run` when POSTAL_SERVICE_URL is empty.
POSTAL_STANDIN_PORT = int(os.environ.get("POSTAL_STANDIN_PORT", "8766"))

# --- National population database (population app; docs/population.md) ---------------------------------
# Base URL of the population data service (through the provincial data-sharing platform); empty: `make run`
# starts the local stand-in and sets it; elsewhere look-ups answer "unavailable" and citizens fill by hand.
POPULATION_SERVICE_URL = os.environ.get("POPULATION_SERVICE_URL", "")
# Our bearer token and client id there (demo values).
POPULATION_API_TOKEN = os.environ.get("POPULATION_API_TOKEN", "demo-population-token")
POPULATION_CLIENT_ID = os.environ.get("POPULATION_CLIENT_ID", "motcua-demo")
# Seconds to wait for it (connect and read): short, the citizen is waiting on the page.
POPULATION_TIMEOUT = float(os.environ.get("POPULATION_TIMEOUT", "3"))
# How long the data of a consented look-up may fill a submission before it must be looked up again.
POPULATION_LOOKUP_VALID_MINUTES = int(os.environ.get("POPULATION_LOOKUP_VALID_MINUTES", "120"))
# Port of the population stand-in started by `make run` when POPULATION_SERVICE_URL is empty.
POPULATION_STANDIN_PORT = int(os.environ.get("POPULATION_STANDIN_PORT", "8767"))
