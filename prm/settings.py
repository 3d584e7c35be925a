"""Settings for the Partner-MEDDIC PRM. Everything that differs between machines comes from the environment."""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from prm.env import env_bool, env_database, env_email, env_int, env_list, env_redis_url, env_str
from prm.event_codes import EVENT_CODES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-3c9f1e7a5b2d4c6e8f0a"  # noqa: S105

# Absolute links in emails and API answers (invitation links).
SITE_URL = (env_str("SITE_URL", default="http://127.0.0.1:8000") or "").rstrip("/")
# In development the host of SITE_URL is allowed too, so `make run HOST=… PORT=…` answers on the address it prints.
_DEBUG_HOSTS = list(dict.fromkeys(["127.0.0.1", "localhost", urlsplit(SITE_URL).hostname or "127.0.0.1"]))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=_DEBUG_HOSTS if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "prm.admin_site.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "prm",
    "partners",
    "deals",
    "meddic",
    "knowledge",
    "audit",
    "notifications",
    "enablement",
    "webhooks",
]

MIDDLEWARE = [
    "prm.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses an oversized body before anything below reads it.
    "prm.body_limit.BodyLimitMiddleware",
    "prm.form_encoding.FormEncodingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "prm.session_timeouts.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prm.tenancy.TenantScopeMiddleware",
    # A view failing because the database is away answers 503 (prm.unavailable; handler500 does the same for
    # middleware above).
    "prm.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"

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
                "prm.context_processors.tenancy",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL by DATABASE_URL. Connections persist with health checks:
# opening a connection per request costs several times the throughput of small views.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default takes concurrent writers: in WAL mode readers go on while one connection writes,
    # IMMEDIATE takes the write lock when a transaction begins (a writer that first read and then wants to write
    # would otherwise fail at once instead of waiting), and a writer waits up to SQLITE_BUSY_TIMEOUT seconds for
    # its turn. Only a wait longer than that is a "database is locked", answered 503 (prm.unavailable).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", default=20, minimum=1),
    }
# On PostgreSQL, row-level security keeps vendors apart in the database too (prm.rls): queries inside a vendor
# scope run as this role, limited to that vendor's rows. DATABASE_RLS=false turns this second line of defence off.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "prm.pg"
DATABASE_TENANT_ROLE = (
    env_str("DATABASE_TENANT_ROLE", default="prm_tenant") if env_bool("DATABASE_RLS", True) else ""
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    # A Redis that is away degrades the cache (misses, dropped writes) instead of failing requests (prm.cache).
    CACHES = {
        "default": {
            "BACKEND": "prm.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A logged-in session ends after this long without a request, and this long after the login in any case
# (prm.session_timeouts). The cookie and the store keep a session an hour longer, so that the request after the
# timeout still finds it and the login page can say why the user has to sign in again; then the store forgets it.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=2 * 60 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT + 60 * 60
# "Remember this device" (partner users only, partners.remember): that many days idle or since the login.
SESSION_REMEMBER_DAYS = env_int("SESSION_REMEMBER_DAYS", default=30, minimum=1)

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): email login, no open sign-up (people join by invitation), verified emails,
# rate limits on the shared cache, MFA with TOTP and recovery codes.
ACCOUNT_ADAPTER = "partners.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = (
    "[Partner MEDDIC] "  # without the sites framework allauth would use the host name
)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Partner users may sign in with a one-time code sent by mail instead of a password; a second factor, where the
# user has one, is still asked for (allauth's MFA stage). "Remember this device" is offered on both forms.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {
    "login": "partners.forms_login.LoginForm",
    "request_login_code": "partners.forms_login.RequestLoginCodeForm",
}
# Failed logins: 10 a minute from one address, and 5 in 5 minutes per account *from one address*
# (partners.adapters): an attacker elsewhere cannot lock the account's owner out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Partner MEDDIC"
# Accept the code of the neighbouring 30-second window too: phones drift by a few seconds.
MFA_TOTP_TOLERANCE = 1

# Without EMAIL_URL, development prints mail on the console; production drops it with a warning (prm.mail), as
# its invitation and password-reset links must not end up in a log.
if DEBUG or env_str("EMAIL_URL"):
    EMAIL_CONFIG = env_email("EMAIL_URL", default="consolemail://")
    globals().update(EMAIL_CONFIG)
else:
    EMAIL_BACKEND = "prm.mail.DroppingEmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Partner MEDDIC <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# Uploaded files (enablement material) are never served from a public URL: views check access first.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTP security. HTTPS is on by default outside DEBUG; turn it off only behind no TLS at all (local compose).
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The client's address, for rate limits and the authentication log: behind the proxy, the address the proxy
# appended to X-Forwarded-For (what the client itself put there is ignored); otherwise the connection's.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "prm.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "prm.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner MEDDIC API",
    "DESCRIPTION": "Partner relationship management with Partner-MEDDIC deal qualification.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    # Every event a webhook can receive, with its body (webhooks.openapi).
    "WEBHOOKS": [f"webhooks.openapi.{code.replace('.', '_')}" for code in EVENT_CODES],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable enum names where fields share a name or a choice set (the partner's `status` keeps `StatusEnum`).
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "partners.models.PartnerStatus",
        "ChampionStatusEnum": "meddic.models.ChampionStatus",
        "YesNoUnknownEnum": "meddic.models.TriState",
        "StateEnum": "meddic.models.ReviewState",
        "TaskStateEnum": "knowledge.models.RunState",
        "TierEnum": "partners.models.Tier",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process (eager) for the embedded default.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = True
# A broker that is away fails a publish within about a second (no long hang in a request); the task is then kept
# in the outbox and sent again (prm.outbox).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# Products of the product: invitation lifetime and the partner CSV import limit.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", default=7, minimum=1)
INVITATION_RESEND_SECONDS = env_int("INVITATION_RESEND_SECONDS", default=60, minimum=1)
# The task that feeds every channel from an event (prm.events), and how long sent mail is kept.
EVENT_FAN_OUT_TASK = "notifications.tasks.event_fan_out"
MAIL_KEEP_DAYS = env_int("MAIL_KEEP_DAYS", default=30, minimum=1)
# Webhooks may go to http:// and private or loopback addresses (besides DEBUG): only for a closed network.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# KPI snapshots follow deal changes this many seconds later (changes within the delay share one recompute).
KPI_RECOMPUTE_DELAY_SECONDS = env_int("KPI_RECOMPUTE_DELAY_SECONDS", default=30, minimum=0)
# Insight analyses are recomputed in the request up to this many closed deals, in the background above it.
INSIGHTS_INLINE_DEALS = env_int("INSIGHTS_INLINE_DEALS", default=5000, minimum=0)
PARTNER_IMPORT_MAX_BYTES = env_int("PARTNER_IMPORT_MAX_BYTES", default=1_000_000, minimum=1024)
PARTNER_IMPORT_MAX_ROWS = env_int("PARTNER_IMPORT_MAX_ROWS", default=2000, minimum=1)
# Every imported deal row is registered (and, for the preview, rolled back): fewer rows than partners.
# An import file with more lines than this is checked and imported by a task, with progress on the page.
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", default=200, minimum=1)
DEAL_IMPORT_MAX_BYTES = env_int("DEAL_IMPORT_MAX_BYTES", default=2 * 1024 * 1024, minimum=1024)
DEAL_IMPORT_MAX_ROWS = env_int("DEAL_IMPORT_MAX_ROWS", default=1000, minimum=1)
# Largest enablement file a vendor may upload (PDF, Office, images, MP4).
# Partner users compare their company with the average of at least this many other partners of their tier
# (fewer, and the benchmark is hidden: it would show those partners' own figures).
BENCHMARK_MIN_PARTNERS = env_int("BENCHMARK_MIN_PARTNERS", default=3, minimum=2)
# Personal API tokens expire after this many days unless their owner chose fewer (at most API_TOKEN_MAX_DAYS).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", default=90, minimum=1)
API_TOKEN_MAX_DAYS = max(365, API_TOKEN_TTL_DAYS)
CONTENT_MAX_BYTES = env_int("CONTENT_MAX_BYTES", default=20 * 1024 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"secrets": {"()": "prm.log_filters.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}
