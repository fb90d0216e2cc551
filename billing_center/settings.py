"""Settings for the Billing Center.

Everything that differs between machines comes from the environment (see .env.example).
"""

import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def refuse_to_start(problem: str) -> NoReturn:
    """Stop with one line on stderr, no traceback. Exit status 3 is gunicorn's "worker failed to
    boot": its master stops instead of starting new workers that would fail the same way."""
    sys.stderr.write(f"Refusing to start with DJANGO_DEBUG off: {problem}\n")
    raise SystemExit(3)


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign production sessions and tokens, or None. Placeholders (of
    .env.example, of old compose files, Django's startproject keys) are known to everyone."""
    if not key:
        return "set DJANGO_SECRET_KEY (see .env.example)."
    lowered = key.lower()
    if any(mark in lowered for mark in ("change-me", "changeme", "change_me", "insecure")):
        return "DJANGO_SECRET_KEY is a placeholder; set a random one (see .env.example)."
    if len(key) < 50 or len(set(key)) < 5:  # what `check --deploy` accepts (security.W009)
        return "DJANGO_SECRET_KEY must be at least 50 random characters (see .env.example)."
    return None


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if DEBUG:  # a developer's machine (`make run` sets DJANGO_DEBUG=true): plain http, no secrets
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-for-debug"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    if problem := secret_key_problem(SECRET_KEY):
        refuse_to_start(problem)
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        refuse_to_start(
            "set DJANGO_ALLOWED_HOSTS to the host names of the site, comma-separated (no '*')."
        )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "knox",  # API tokens: a digest and an expiry per token (docs/decisions.md, "Sign-in")
    "axes",  # lockout after failed passwords, on every sign-in
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here instead of a CDN
    "csp",
    "django_celery_beat",
    "post_office",
    "common",
    "workspaces",
    "packages",
    "quota",
    "wallet",
    "orders",
    "invoices",
    "billing",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.views.ApplicationErrorMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
    "workspaces.middleware.SignInThrottleMiddleware",
    "workspaces.middleware.PasswordChangeRequiredMiddleware",  # after a temporary password
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 page or answer
]

ROOT_URLCONF = "billing_center.urls"
WSGI_APPLICATION = "billing_center.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workspaces.context_processors.current_membership",
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. `make run` and `make test` start an embedded PostgreSQL "
        "for you; to run Django by hand, use `scripts/stack.py exec -- <command>` or set "
        "DATABASE_URL (see .env.example)."
    )
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("The Billing Center runs on PostgreSQL only (DATABASE_URL).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair, right password too
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (issued invoice PDFs): never served as public media, only through views that
# check the account. Keep it on persistent storage (a volume in containers) and back it up.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Billing Center <billing@localhost>")
# A mail server that accepts and never answers must not hold a worker: every SMTP call times out.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=20)
# The outbox (common/outbox.py): notices are rows of post_office's Email table, written in the
# transaction that causes them and sent by the Celery task "outbox.deliver" through EMAIL_BACKEND.
# A failed attempt is retried every RETRY_INTERVAL, MAX_RETRIES times, then marked failed.
POST_OFFICE = {
    "CELERY_ENABLED": False,  # common/outbox.py dispatches its own task after commit
    "MAX_RETRIES": env.int("EMAIL_MAX_RETRIES", default=16),  # 4 hours of outage by default
    "RETRY_INTERVAL": timedelta(minutes=env.int("EMAIL_RETRY_MINUTES", default=15)),
    "BATCH_SIZE": 100,
    "THREADS_PER_PROCESS": 4,
    "BATCH_DELIVERY_TIMEOUT": 3 * EMAIL_TIMEOUT + 10,
    "LOG_LEVEL": 2,  # a log row per attempt, sent or failed, shown in admin
    "DEFAULT_PRIORITY": "medium",
}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")


def _redis_database_after(url: str) -> str:
    """redis://host:port/N → redis://host:port/N+1 (N is 0 when the URL names none); a socket
    URL (unix://) is kept as it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    database = parts.path.strip("/")
    return urlunsplit(parts._replace(path=f"/{int(database) + 1 if database.isdigit() else 1}"))


# One cache for every gunicorn worker: the sign-in throttles count there. A Redis that does not
# answer fails fast; the throttles then let requests through (the lockout is in the database).
# The cache has a Redis database of its own (CACHE_URL, by default REDIS_URL's database + 1), so
# a cache.clear() (FLUSHDB) never drops the broker's queued tasks.
CACHE_URL = env("CACHE_URL", default="") or _redis_database_after(REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "billing",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
# A worker process that dies mid-task (OOM killer, kill -9) puts the task back in the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then answers 401 with WWW-Authenticate.
        "workspaces.signin.TokenAuthentication",  # knox's, 401 for a malformed token
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a size and a nesting limit (no RecursionError 500s); forms as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "NON_FIELD_ERRORS_KEY": "detail",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Sign-in attempts (token API, login page, admin login together): per client address and
    # per submitted username (workspaces/signin.py); the lockout below is per pair.
    "DEFAULT_THROTTLE_RATES": {"signin_ip": "20/min", "signin_username": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Billing Center API",
    "DESCRIPTION": (
        "Plan packages, traffic packages, workspaces and bills. Errors: 400 "
        '`{"errors": {"field": ["message"]}}`, 404 for anything of another account, 409 '
        '`{"errors": {"detail": ["message"]}}` for business conflicts.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# HTTPS. On by default in production, off with DJANGO_DEBUG=true (`make run`, plain http). TLS
# ends at the proxy in front, which must set X-Forwarded-Proto (and drop the client's own).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS (sent on https responses only): a year, this host and its subdomains. Preload only acts
# once someone submits the registrable domain to the browsers' list (docs/decisions.md).
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): scripts, styles, images and requests of this origin only;
# the templates have no inline script or handler (static/js/site.js), tests/test_deploy.py checks.
CONTENT_SECURITY_POLICY = {
    # Swagger UI writes its setup as an inline script and style (drf-spectacular's template):
    # that page alone goes without a policy; its files come from drf-spectacular-sidecar.
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in (docs/decisions.md, "Sign-in"). The client's address, for the lockout and the
# throttles: with DJANGO_TRUSTED_PROXY_COUNT proxies in front (production: the one that ends TLS),
# the one X-Forwarded-For entry the nearest of them wrote (counted from the right; what a client
# sends itself is to the left of it); 0 (make run) reads the connection's address only.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
# API tokens (django-rest-knox): a token expires API_TOKEN_TTL_DAYS after its last use, and
# API_TOKEN_MAX_AGE_DAYS after its creation however much it is used; then its client logs in again.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
API_TOKEN_MAX_AGE_DAYS = max(env.int("API_TOKEN_MAX_AGE_DAYS", default=90), API_TOKEN_TTL_DAYS)
# Live tokens per user; a new login beyond it ends the one unused for longest.
API_TOKENS_PER_USER = 100
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",  # API.md: `Authorization: Token <token>`, as before knox
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=API_TOKEN_MAX_AGE_DAYS),
    "MIN_REFRESH_INTERVAL": 60,  # seconds: one expiry write a minute at most per token
}
# django-axes: 5 wrong passwords for one username from one address lock that pair out for 15
# minutes (the right password included); attempts and lockouts are rows shown in admin, and
# `manage.py axes_reset_username <name>` (or axes_reset) lifts a lockout.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not extend it: it ends when the page and the 429 said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "workspaces.signin.client_ip"
AXES_USERNAME_CALLABLE = "workspaces.signin.lockout_username"
AXES_VERBOSE = False  # no "AXES: BEGIN" line on stderr at every start (commands print one line)
AXES_LOCKOUT_CALLABLE = "workspaces.views.signin_locked_out"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# Arrears: days from the first unpaid bill until the account's workspaces are locked (SPEC 5.4).
BILLING_LOCK_AFTER_DAYS = env.int("BILLING_LOCK_AFTER_DAYS", default=14)
# Usage older than this many days is refused by the metering API (an operator imports it).
USAGE_MAX_AGE_DAYS = env.int("USAGE_MAX_AGE_DAYS", default=31)
# Workspaces per unit of work of the nightly run (a chunk commits atomically).
BILLING_CHUNK_WORKSPACES = env.int("BILLING_CHUNK_WORKSPACES", default=1000)
# Who hears about billing trouble (isolated accounts, days beyond catch-up): comma-separated
# e-mail addresses; staff users with an e-mail address when empty.
BILLING_OPERATOR_EMAILS = env.list("BILLING_OPERATOR_EMAILS", default=[])
# The watchdog of the nightly run: a run whose chunks made no progress for this long gets its
# idle pending chunks sent to the workers again; after this many re-sends it is marked stalled.
BILLING_CHUNK_STALL_SECONDS = env.int("BILLING_CHUNK_STALL_SECONDS", default=300)
BILLING_CHUNK_MAX_REDISPATCHES = env.int("BILLING_CHUNK_MAX_REDISPATCHES", default=3)
# Days a customer may dispute a bill after its day; raw hourly samples are kept at least
# USAGE_MAX_AGE_DAYS + this long (USAGE_RETENTION_DAYS), then their day partitions are dropped.
BILLING_DISPUTE_DAYS = env.int("BILLING_DISPUTE_DAYS", default=62)
USAGE_RETENTION_DAYS = env.int("USAGE_RETENTION_DAYS", default=93)
# The seller printed on order receipts (orders/history.py): the vendor's registered name, its
# address and taxpayer ID (empty lines are left out). A receipt is not a VAT invoice.
RECEIPT_SELLER = {
    "name": env("RECEIPT_SELLER_NAME", default="Billing Center"),
    "address": env("RECEIPT_SELLER_ADDRESS", default=""),
    "taxpayer_id": env("RECEIPT_SELLER_TAXPAYER_ID", default=""),
}
# The vendor's bank account that customers transfer cash to, shown with the reference to quote
# when an order lacks money (orders/paying.py). Demo values with DJANGO_DEBUG on; empty in
# production until set (the page then tells the customer to ask finance for the account).
_DEMO_BANK = ("Billing Center Demo Ltd.", "Demo Bank, Shanghai Branch", "6222 0000 1234 5678")
BILLING_BANK_ACCOUNT = {
    "name": env("BILLING_BANK_ACCOUNT_NAME", default=_DEMO_BANK[0] if DEBUG else ""),
    "bank": env("BILLING_BANK_ACCOUNT_BANK", default=_DEMO_BANK[1] if DEBUG else ""),
    "number": env("BILLING_BANK_ACCOUNT_NUMBER", default=_DEMO_BANK[2] if DEBUG else ""),
}
