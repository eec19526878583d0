"""Daptar's one settings module, driven by DAPTAR_* environment variables.

Every value a deployment may change is read here through three small typed
helpers; app code reads django.conf.settings at call time, never at import.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DAPTAR_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"DAPTAR_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(f"DAPTAR_{name}")
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(f"DAPTAR_{name}")
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The configured key, else one generated once into var/ (which git ignores)."""
    if key := env_str("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

ORGANISATION_NAME = env_str("ORGANISATION_NAME", "জনসেবা সংঘ")
ORGANISATION_NAME_EN = env_str("ORGANISATION_NAME_EN", "Janaseba Sangha")
DAPTAR_HIJRI_OFFSET_DAYS = env_int("HIJRI_OFFSET_DAYS", 0)

INSTALLED_APPS = [
    "daptar.accounts",
    "daptar.units",
    "daptar.people",
    "daptar.audit",
    "daptar.notifications",
    "daptar.directives",
    "daptar.reports",
    "daptar.returns",
    "daptar.meetings",
    "daptar.letters",
    "daptar.dashboard",
    "daptar.social",
    "daptar.register",
    "daptar.website",
    "daptar.sms",
    "daptar.lib",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "daptar.accounts.middleware.ActingUnitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "daptar.urls"
WSGI_APPLICATION = "daptar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "daptar" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "daptar.accounts.context_processors.office",
            ],
            "builtins": ["daptar.lib.templatetags.daptar"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'daptar.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
    # at BEGIN so two writers queue on the busy timeout instead of failing with
    # "database is locked" halfway through a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "units:home"
LOGOUT_REDIRECT_URL = "website:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The cache holds login and API throttling counters, so it must be shared by
# every web process: the database is the one thing they all share already.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "daptar_cache",
    },
    # "throttle" (the API's request counters) is set in the shared caches block at the end.
}

SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SSL_REDIRECT", False)
# TLS ends at the proxy in front (docs/deploy.md), which also redirects plain HTTP;
# DAPTAR_SSL_REDIRECT=1 makes Daptar redirect itself when there is no such proxy.
SILENCED_SYSTEM_CHECKS = ["security.W008"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LANGUAGE_CODE = "bn"
LANGUAGES = [("bn", _("Bengali")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Dhaka"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "daptar" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env_str("S3_BUCKET"):
    # Media (photos, attachments) in a private S3-compatible bucket; Daptar serves
    # renditions and downloads itself, so nothing in the bucket needs to be public.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY"),
            "secret_key": env_str("S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG

_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        }
        if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "daptar@localhost")

# SMS gateway (daptar/lib/notify.py): "console" logs messages; "http" posts form fields.
DAPTAR_SMS_BACKEND = env_str("SMS_BACKEND", "console")
DAPTAR_SMS_URL = env_str("SMS_URL")
DAPTAR_SMS_API_KEY = env_str("SMS_API_KEY")
DAPTAR_SMS_TO_FIELD = env_str("SMS_TO_FIELD", "to")
DAPTAR_SMS_TEXT_FIELD = env_str("SMS_TEXT_FIELD", "message")
DAPTAR_SMS_KEY_FIELD = env_str("SMS_KEY_FIELD", "api_key")
DAPTAR_SMS_EXTRA_FIELDS = env_str("SMS_EXTRA_FIELDS")  # e.g. "sender=DAPTAR&type=unicode"
DAPTAR_SMS_TIMEOUT = env_int("SMS_TIMEOUT", 15)
# Outbox retries: back-off doubles from one minute up to six hours, then gives up.
DAPTAR_OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
# Directives: remind this many hours before the due time; escalate this long after it.
DAPTAR_REMIND_BEFORE_HOURS = env_int("REMIND_BEFORE_HOURS", 24)
DAPTAR_ESCALATE_AFTER_HOURS = env_int("ESCALATE_AFTER_HOURS", 0)
DAPTAR_ATTACHMENT_MAX_MB = env_int("ATTACHMENT_MAX_MB", 10)
DAPTAR_LETTER_MAX_ATTACHMENTS = env_int("LETTER_MAX_ATTACHMENTS", 5)
DAPTAR_SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Information returns: reminders before the due time, escalation after, how long a reopening lasts.
DAPTAR_RETURNS_REMIND_BEFORE_HOURS = env_int("RETURNS_REMIND_BEFORE_HOURS", 48)
DAPTAR_RETURNS_ESCALATE_AFTER_HOURS = env_int("RETURNS_ESCALATE_AFTER_HOURS", 24)
DAPTAR_RETURNS_REOPEN_DAYS = env_int("RETURNS_REOPEN_DAYS", 7)
# Illustrated reports and the public website (docs/reports.md).
DAPTAR_REPORT_PHOTO_MAX_MB = env_int("REPORT_PHOTO_MAX_MB", 20)
DAPTAR_REPORT_PHOTOS_MAX = env_int("REPORT_PHOTOS_MAX", 20)
DAPTAR_REPORT_PHOTO_MAX_PIXELS = env_int("REPORT_PHOTO_MAX_PIXELS", 64_000_000)  # bombs refused
DAPTAR_REPORT_RENDITION_WIDTHS = [320, 800, 1600]
DAPTAR_REPORTS_PUBLISH_ON_APPROVE = env_bool("REPORTS_PUBLISH_ON_APPROVE", False)
DAPTAR_REPORTS_STORAGE = env_str("REPORTS_STORAGE", "default")  # a STORAGES alias, e.g. "s3"
DAPTAR_WEBSITE_CACHE_SECONDS = env_int("WEBSITE_CACHE_SECONDS", 300)
DAPTAR_WEBSITE_PHOTO_CACHE_SECONDS = env_int("WEBSITE_PHOTO_CACHE_SECONDS", 86400)
DAPTAR_SOCIAL_MAX_ATTEMPTS = env_int("SOCIAL_MAX_ATTEMPTS", 8)
DAPTAR_SOCIAL_TIMEOUT = env_int("SOCIAL_TIMEOUT", 15)
# Dynamism: the index's weight per measure (docs/dashboard.md); a measure left out weighs 0.
DAPTAR_DYNAMISM_WEIGHTS = {
    "ack_speed": 10,
    "ack_on_time": 15,
    "overdue": 10,
    "completeness": 15,
    "timeliness": 10,
    "reporting": 15,
    "returned": 5,
    "attendance": 20,
}
DAPTAR_DYNAMISM_ACK_HOURS = (24, 168)  # median acknowledgement time scoring 100 / scoring 0
DAPTAR_DYNAMISM_CACHE_SECONDS = env_int("DYNAMISM_CACHE_SECONDS", 600)
# Meetings: generated video rooms live under this address (the public Jitsi Meet server
# unless an organisation runs its own); set it empty and hosts paste a link.
DAPTAR_JITSI_BASE_URL = env_str("JITSI_BASE_URL", "https://meet.jit.si")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Login throttling: failures allowed per account and per address in the window.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "daptar.lib.pagination.Pagination",
    "EXCEPTION_HANDLER": "daptar.lib.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["daptar.lib.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE", "600/minute"),
        "login": env_str("API_LOGIN_RATE", "10/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Daptar API",
    "DESCRIPTION": (
        "The office network's REST API. Authenticate with `Authorization: Token <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MeetingModeEnum": "daptar.meetings.models.Meeting.Mode",
        "MeetingStatusEnum": "daptar.meetings.models.Meeting.Status",
        "DeliveryViaEnum": "daptar.directives.models.Delivery.Via",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- two-way SMS (daptar/sms, daptar/lib/sslwireless.py, daptar/lib/sms.py) ---
# DAPTAR_SMS_BACKEND=sslwireless posts to DAPTAR_SMS_URL/api/v3/send-sms with
# DAPTAR_SMS_API_KEY as api_token and this sender id (masking) as sid.
DAPTAR_SMS_SENDER_ID = env_str("SMS_SENDER_ID")
# csms_id = prefix + outbox row id: unique per message, the same on every retry.
DAPTAR_SMS_CSMS_PREFIX = env_str("SMS_CSMS_PREFIX", "dpt")
# The generic "http" gateway sends the same key in this form field, when set (e.g. "msgid").
DAPTAR_SMS_ID_FIELD = env_str("SMS_ID_FIELD")
# Gateway status codes that mean "this csms_id was already sent" (besides any answer
# whose error message says "duplicate").
DAPTAR_SSLWIRELESS_DUPLICATE_CODES = [int(c) for c in env_list("SSLWIRELESS_DUPLICATE_CODES")]
# The estimate shown before a directive goes out by SMS, in taka per SMS part.
DAPTAR_SMS_PRICE_PER_PART = env_str("SMS_PRICE_PER_PART", "0.35")
# Inbound SMS and delivery reports: HMAC-SHA256 of "<timestamp>.<body>" with this secret
# (or, with DAPTAR_SMS_WEBHOOK_AUTH=token, the secret itself in X-Daptar-Token).
DAPTAR_SMS_WEBHOOK_SECRET = env_str("SMS_WEBHOOK_SECRET")
DAPTAR_SMS_WEBHOOK_AUTH = env_str("SMS_WEBHOOK_AUTH", "hmac")
DAPTAR_SMS_WEBHOOK_MAX_AGE = env_int("SMS_WEBHOOK_MAX_AGE", 300)  # seconds

# --- sign-in: two factors, sign-in by phone, sessions, expiring API tokens (docs/sign-in.md) ---
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# django-otp marks the request's user verified; then the gate keeps a user who owes a second
# factor on the sign-in pages, and the sign-in list notes where each session was last seen.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "daptar.accounts.middleware.SignInMiddleware",
)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "daptar.accounts.authentication.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Desks at these levels (and staff) must use a second factor; empty switches the rule off.
DAPTAR_2FA_REQUIRED_LEVELS = env_list("2FA_REQUIRED_LEVELS", "central,division,district")
DAPTAR_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
# One-time codes by SMS (sign-in by phone, phone verification, second factor).
DAPTAR_SMS_CODE_MINUTES = env_int("SMS_CODE_MINUTES", 5)
DAPTAR_SMS_CODE_ATTEMPTS = env_int("SMS_CODE_ATTEMPTS", 5)  # wrong tries before a code dies
DAPTAR_SMS_CODES_PER_NUMBER = env_int("SMS_CODES_PER_NUMBER", 3)  # per SMS_CODE_WINDOW
DAPTAR_SMS_CODES_PER_ADDRESS = env_int("SMS_CODES_PER_ADDRESS", 10)
DAPTAR_SMS_CODE_WINDOW_MINUTES = env_int("SMS_CODE_WINDOW_MINUTES", 15)
OTP_TOTP_ISSUER = ORGANISATION_NAME_EN
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP key or a recovery code
DAPTAR_RECOVERY_CODES = 10

# --- social media: Facebook Pages, Telegram channels, X, and the Telegram bot ---
# Fernet keys (comma-separated, newest first) that encrypt channel credentials at rest.
# Unset, a development key is derived from SECRET_KEY (daptar.social.credentials).
DAPTAR_SOCIAL_KEY = env_list("SOCIAL_KEY")
DAPTAR_FACEBOOK_API_URL = env_str("FACEBOOK_API_URL", "https://graph.facebook.com/v21.0")
DAPTAR_TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org")
DAPTAR_X_API_URL = env_str("X_API_URL", "https://api.x.com")
DAPTAR_SOCIAL_HTTP_TIMEOUT = env_int("SOCIAL_HTTP_TIMEOUT", 20)
DAPTAR_SOCIAL_MAX_ATTEMPTS = env_int("SOCIAL_MAX_ATTEMPTS", 8)
# The organisation's bot: its token, and the secret Telegram sends back in every webhook call.
DAPTAR_TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN")
DAPTAR_TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET")

# --- public site under a crowd (docs/performance.md) ---
# The whole-page cache of the public pages, per process, in MB (0 turns it off).
DAPTAR_WEBSITE_PAGE_CACHE_MB = env_int("WEBSITE_PAGE_CACHE_MB", 64)

# --- offline field work ---
# The service worker and the sent-once keys behind the phone's outbox (daptar/offline).
INSTALLED_APPS += ["daptar.offline"]

# --- operations: set-up, shutdown, worker lease, database faults, backups (issue 15) ---
INSTALLED_APPS += ["daptar.operations"]
# Outermost, so a database fault anywhere below answers 503 instead of 500.
MIDDLEWARE.insert(0, "daptar.operations.middleware.DatabaseFaultMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # How long a write waits for SQLite's one write lock before the request answers 503.
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("SQLITE_BUSY_SECONDS", 20)
# Seconds a database-fault 503 asks the client to wait (Retry-After).
DAPTAR_DB_RETRY_AFTER_SECONDS = env_int("DB_RETRY_AFTER_SECONDS", 5)
# A task left RUNNING this long (its worker died) goes back to the queue; longer than any task.
DAPTAR_TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 900)
# Stored files with no row are deleted by the periodic job once they are this old.
DAPTAR_ORPHAN_GRACE_HOURS = env_int("ORPHAN_GRACE_HOURS", 24)
# Where `manage.py backup` writes its timestamped folders; pg_dump/pg_restore/psql to use.
DAPTAR_BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
DAPTAR_PG_BIN_DIR = env_str("PG_BIN_DIR", "")
# `manage.py serve` (make run): web processes and threads, task workers, the periodic pass.
DAPTAR_WEB_WORKERS = env_int("WEB_WORKERS", 1)
DAPTAR_WEB_THREADS = env_int("WEB_THREADS", 4)
DAPTAR_TASK_WORKERS = env_int("TASK_WORKERS", 1)
DAPTAR_PERIODIC_SECONDS = env_int("PERIODIC_SECONDS", 300)
DAPTAR_SHUTDOWN_SECONDS = env_int("SHUTDOWN_SECONDS", 30)
# A queued e-mail or SMS a worker is sending is kept from the others this long (its lease).
DAPTAR_OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)

# --- register: committees, imports, research figures (issue 14) ---
# Months a full committee's term lasts, per level slug; levels not named get the default.
DAPTAR_REGISTER_TERM_MONTHS = {
    slug: int(months)
    for slug, _sep, months in (
        item.partition("=")
        for item in env_list(
            "REGISTER_TERM_MONTHS", "central=36,division=36,district=36,upazila=24,union=24,ward=24"
        )
    )
}
DAPTAR_REGISTER_DEFAULT_TERM_MONTHS = env_int("REGISTER_DEFAULT_TERM_MONTHS", 36)
# A convening committee is temporary: it must form a full committee within this time.
DAPTAR_REGISTER_CONVENING_MONTHS = env_int("REGISTER_CONVENING_MONTHS", 3)
# Posts every unit must fill; the vacant-post list counts units without a holder.
DAPTAR_REGISTER_REQUIRED_POSTS = env_list(
    "REGISTER_REQUIRED_POSTS", "office_secretary,president,general_secretary"
)
# An applied import can be undone as a whole for this long.
DAPTAR_REGISTER_UNDO_HOURS = env_int("REGISTER_UNDO_HOURS", 24)
# Sheets with more rows than this are read by the worker, with a progress bar.
DAPTAR_REGISTER_SYNC_ROWS = env_int("REGISTER_SYNC_ROWS", 2000)
# The research cell's small-count rule: no figure under this is shown.
DAPTAR_REGISTER_MIN_CELL = env_int("REGISTER_MIN_CELL", 5)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {  # type: ignore[operator]
    "CommitteeKindEnum": "daptar.register.models.Committee.Kind",
    "UnitKindEnum": "daptar.units.models.Unit.Kind",
    "CommitteeStateEnum": "daptar.register.models.Committee.State",
    "ImportStateEnum": "daptar.register.models.ImportBatch.State",
}

# --- shared caches (issue 15) ---
# Rate limits, login throttling and cached figures must be shared by every web process
# and every machine, or N processes allow N times the limit: the database cache by
# default (one small write per API call), Redis for large deployments
# (DAPTAR_REDIS_URL, e.g. redis://127.0.0.1:6379/0; docs/operations.md).
DAPTAR_REDIS_URL = env_str("REDIS_URL")
if DAPTAR_REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DAPTAR_REDIS_URL,
            "KEY_PREFIX": alias,
        }
        for alias in ("default", "throttle")
    }
else:
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "daptar_cache",
        "KEY_PREFIX": "throttle",
    }

# --- API schema (issue 15) ---
# Every operation documents its error answers (400, 401, 403, 404, 409, 429 …).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "daptar.lib.schema.document_errors",
]

# Two API enums are now named "kind": each gets its own name.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {  # type: ignore[operator]
    "SocialChannelKindEnum": "daptar.social.models.SocialChannel.Kind",
    "UnitKindEnum": "daptar.units.models.Unit.Kind",
}
