"""Settings shared by every environment.

Everything that differs between machines comes from the environment through one
``env`` object; the environment-specific modules (dev, test, production) only
change defaults and switch features on or off.
"""

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, env
from .storage import STORAGE_BACKEND, STORAGE_ENDPOINT_ALLOWLIST, file_storage  # noqa: F401 - settings

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "privacy_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's widget templates, for the portal's form renderer (FORM_RENDERER below).
    "django.forms",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.weixin",
    "allauth.usersessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "core",
    "privacy_portal",
    "audit",
    "personal_data",
    "accounts",
    "consents",
    "privacy_requests",
    "retention",
    "notifications",
    "incidents",
    "webhooks",
]

MIDDLEWARE = [
    # Request counts and latency for /metrics (django-prometheus): first and last, to time everything.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.RequestIdMiddleware",
    # /healthz and /readyz, before anything that reads the session or the user (privacy_portal/middleware.py).
    "privacy_portal.middleware.ProbesFirstMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Outside the browser's middlewares: its exception hook answers allauth's redirects for every view.
    "allauth.account.middleware.AccountMiddleware",
    # BROWSER_MIDDLEWARE below, in that order; skipped by a service's API call (privacy_portal/middleware.py).
    "privacy_portal.middleware.BrowserMiddleware",
    # Only a view hook: asks nothing of a service's call, whose user is anonymous until DRF authenticates it.
    "consents.policy_acceptance.middleware.MaterialPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.NoStoreForPersonalPagesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# A person in a browser: their session, sign-in, gates, activity, the page's CSP and cookie choice.
# No view, template-response or exception hooks here (those need MIDDLEWARE).
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, with the person read by a prepared statement (accounts/session_user.py).
    "accounts.session_user.SessionUserMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.AccountLanguageMiddleware",
    "accounts.two_factor.middleware.SecondFactorStepMiddleware",
    "privacy_requests.cancellation.middleware.CancellationPendingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Replaces allauth's UserSessionsMiddleware, which wrote the session record on every request.
    "accounts.activity.middleware.SessionActivityMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the sign-in, second-factor and cancellation checks: only a person fully signed in is written for.
    "consents.cookies.middleware.GlobalPrivacyControlMiddleware",
    "consents.cookies.middleware.CookieChoiceVaryMiddleware",
]

# Admin's checks look for its session, authentication and message middlewares in MIDDLEWARE only;
# they are in BROWSER_MIDDLEWARE, which privacy_portal.middleware.browser_middleware_check checks instead.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

ROOT_URLCONF = "privacy_portal.urls"
WSGI_APPLICATION = "privacy_portal.wsgi.application"
ASGI_APPLICATION = "privacy_portal.asgi.application"

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
                "notifications.context_processors.inbox",
                "privacy_portal.context_processors.portal",
                "consents.cookies.context_processors.cookie_banner",
                "consents.policy_acceptance.context_processors.policy_banner",
                "consents.policy_acceptance.context_processors.policy_pending",
                "incidents.context_processors.incident_banner",
            ],
        },
    },
]

# Every form draws its fields and its error summary from templates/forms/ (core.form_rendering).
FORM_RENDERER = "core.form_rendering.PortalFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A connection kept for reuse (CONN_MAX_AGE, or one handed out by the pool) is
# tested before a request uses it, so a database restart costs one reconnect
# instead of an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# psycopg's connection pool, one per process (deploy/privacy-portal.env.example):
# DATABASE_POOL_MAX_SIZE > 0 switches it on. Django refuses a pool together with
# persistent connections, so CONN_MAX_AGE is then 0: closing returns to the pool.
if (_pool_max := env.int("DATABASE_POOL_MAX_SIZE", default=0)) > 0 and DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": _pool_max,
        # How long a request waits for a free connection before it fails (seconds).
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0


def prepared_statements_configure(database: dict, *, enabled: bool) -> None:
    """Let core.prepared's cursors prepare their statements on ``database`` (PostgreSQL), and plan each once.

    Django turns psycopg's preparing off (``prepare_threshold`` None) for the sake of
    poolers; any number turns it back on, and only core.prepared's cursors ask for it.
    ``enabled=False`` for a pooler that cannot keep prepared statements.

    A prepared statement is only planned once if PostgreSQL keeps its generic plan. Left to
    choose, it planned the consent check afresh on every execution (a custom plan for each id
    array: 0.4 ms of planning for 0.1 ms of work), so the connection asks for the generic plan.
    Only prepared statements and PL/pgSQL functions have a plan cache: Django's own queries,
    bound on the client, are planned as before.
    """
    if not database["ENGINE"].endswith("postgresql"):
        return
    options = database.setdefault("OPTIONS", {})
    options["prepare_threshold"] = 5 if enabled else None
    if enabled:
        options.setdefault("options", "-c plan_cache_mode=force_generic_plan")


prepared_statements_configure(DATABASES["default"], enabled=env.bool("DATABASE_PREPARED_STATEMENTS", default=True))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth, DRF throttles) and counters live in the cache: in
# production it must be shared by every process, e.g. CACHE_URL=redis://…/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A prefix for every cache key, when one Redis serves several deployments (or benchmark runs).
# Its own variable: django-environ passes ?key_prefix= in CACHE_URL to Django's Redis backend in a
# form the backend ignores.
if CACHE_KEY_PREFIX := env.str("CACHE_KEY_PREFIX", default=""):
    CACHES["default"]["KEY_PREFIX"] = CACHE_KEY_PREFIX
# Redis as the cache keeps the pages answering while Redis is down (core/cache.py).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.cache.ResilientRedisCache"

AUTH_USER_MODEL = "accounts.User"
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

SITE_ID = 1

# -- allauth: sign-up, sign-in, email verification, social accounts.
# The detailed choices live in settings/allauth.py.

# -- i18n: zh-hans first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Long, unambiguous dates in English (Django's zh-hans formats already read 2026年12月2日 14:05).
FORMAT_MODULE_PATH = ["privacy_portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Uploads ("default") and rights-request exports ("exports"): the disk under MEDIA_ROOT, or with
# STORAGE_BACKEND=s3 an object store every host shares (settings/storage.py). Code reaches files only
# through these storages, never by path.
STORAGES = {
    "default": file_storage(),
    "exports": file_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# -- Where personal data is kept (clause 6.1: in mainland China). The
# deployment declares it: "cn-mainland" or the ISO 3166-2:CN code of the
# mainland province its data centre is in (e.g. "CN-GD"). Undeclared,
# `check`, `migrate` and `runserver` stop at the privacy_portal.E001 system
# check (privacy_portal/checks.py).
DATA_RESIDENCY = {
    "database": env.str("DATA_RESIDENCY_DATABASE", default=""),
    "files": env.str("DATA_RESIDENCY_FILES", default=""),
}

# -- The production profile (privacy_portal.deploy_checks). `check --deploy` refuses every
# development backend (SQLite, an in-process cache, no broker, console mail, the sandbox
# providers, the in-memory SMS backend, DEBUG) unless a staging deployment says, in these exact
# words, that it is not production: then each is reported as a warning instead.
STAGING_ALLOW_DEV_BACKENDS = env.str("PORTAL_STAGING_ALLOW_DEV_BACKENDS", default="")
# The web and worker processes run the deploy checks as they start and refuse to start on an
# error (privacy_portal.startup); production switches this on.
DEPLOY_CHECKS_AT_START = False

# -- The order personal-data categories come in, in the export ZIP and on the pages that list them: by
# the app whose personal_data.py registers them (personal_data itself registers the inbox and the
# emails, for notifications sits below the registry); within an app, in the order it registers them.
PERSONAL_DATA_APP_ORDER = ["accounts", "consents", "incidents", "personal_data", "privacy_requests"]

# -- Mail. EMAIL_URL picks the backend (console, smtp, ...).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="隐私服务 <privacy@gov.example.cn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MESSAGE_ID_DOMAIN = env.str("OUTBOX_MESSAGE_ID_DOMAIN", default="privacy.gov.example.cn")
# The portal's public address, the start of every absolute link in emails and
# messages (core.site), e.g. https://privacy.gov.example.cn. Production must set
# it, with https (privacy_portal.E112, E113); dev and test have their own.
SITE_URL = env.str("SITE_URL", default="")

# -- Field encryption keys (issue #3 uses them). Comma-separated Fernet keys:
# the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Key for the keyed hashes (blind indexes) that let staff find a person by ID
# number or phone without decrypting every row.
FIELD_HMAC_KEY = env.str("FIELD_HMAC_KEY", default="")

# -- Tamper evidence (issue #11). Comma-separated keys for the hash chains of the
# audit log and the consent ledger (core.hash_chain): the first signs new links,
# every one verifies. From the environment only: whoever can rewrite the tables
# must not hold the key. Production must set it (deploy check core.E004).
AUDIT_CHAIN_KEY = env.list("AUDIT_CHAIN_KEY", default=[])
# Where the signed chain checkpoints are appended (core.checkpoints): a directory
# the database and its roles cannot reach, ideally shipped off the host as well.
CHAIN_CHECKPOINT_DIR = env.str("CHAIN_CHECKPOINT_DIR", default=str(BASE_DIR / "var" / "checkpoints"))
# The audit log is this many hash chains, each with its own head row, so that
# audited writes of different objects never wait for each other (audit.partitions).
# Raising it later is safe: events keep their partition.
AUDIT_CHAIN_PARTITIONS = env.int("AUDIT_CHAIN_PARTITIONS", default=64)
# How many partitions the audit verifier walks at once, each in a thread with its own connection.
AUDIT_VERIFY_WORKERS = env.int("AUDIT_VERIFY_WORKERS", default=4)

# -- Celery. With no broker configured, tasks run in-process right away.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# The longest task must finish well inside the visibility timeout, or Redis
# hands the same message to a second worker while the first still runs.
CELERY_VISIBILITY_TIMEOUT = 2 * 60 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# A Redis shared with other services (or other runs on one machine): every key the broker
# writes starts with this prefix, so nobody's queues meet and clean-up touches only ours.
if CELERY_BROKER_KEY_PREFIX := env.str("CELERY_BROKER_KEY_PREFIX", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_BROKER_KEY_PREFIX
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Work is acknowledged only after it ran, one message at a time per worker
# process, so a killed worker leaves its message for another one.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died is retried like any failure, up to max_retries,
# instead of being requeued forever.
CELERY_TASK_RETRY_ON_WORKER_LOST = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_TASK_DEFAULT_RETRY_DELAY = 60
# No countdown may outlive the visibility timeout; far-future work is a row
# with a due time that a beat task scans.
MAX_TASK_COUNTDOWN = CELERY_VISIBILITY_TIMEOUT // 2
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# -- Webhooks to service clients (webhooks/, docs/webhooks.md).
# A delivery is tried at most this many times, then dead-lettered (replayable from admin).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Backoff before try n+1: base × 2^(n−1) seconds, capped, then 50–100 % of it (jitter).
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 60 * 60)
# Connect and read timeout of one POST; redirects are never followed.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# After a rotation the previous secret still signs (a second v1=) for this long.
WEBHOOK_SECRET_ROTATION_GRACE_HOURS = env.int("WEBHOOK_SECRET_ROTATION_GRACE_HOURS", default=24)
# Tests only: let endpoints point at loopback and private addresses. The production profile refuses it.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# A CA bundle (PEM file) to verify endpoints' certificates with instead of the system's; empty: the system's.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")

# -- REST framework: authenticated by default; session auth enforces CSRF.
# How many reverse proxies (nginx, a load balancer) stand in front of the portal
# and append to X-Forwarded-For. The client address for rate limits and
# sign-in records is the entry that many hops from the right; with 0 (no
# proxy) the header is ignored, so a client cannot choose its own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

REST_FRAMEWORK = {
    # DRF's throttles read the same hop; left unset, DRF would trust any X-Forwarded-For.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # Services: an OAuth2 bearer token (client credentials, accounts/service_clients). Citizens: their
    # session. The bearer class comes first so an API call without credentials is answered 401 with a
    # WWW-Authenticate header, as OAuth2 clients expect.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.service_clients.authentication.ServiceClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # anon and user: citizens (per address, per account). The others are per service client, counted
    # in the shared cache across every process (ServiceClientRateThrottle); docs/api.md gives the reasons.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/min",
        "user": "600/min",
        "consent_check": env.str("API_RATE_CONSENT_CHECK", default="120000/min"),
        "consent_check_batch": env.str("API_RATE_CONSENT_CHECK_BATCH", default="3000/min"),
        "consent_events": env.str("API_RATE_CONSENT_EVENTS", default="6000/min"),
        "erasure": env.str("API_RATE_ERASURE", default="6000/min"),
        "interests_write": env.str("API_RATE_INTERESTS_WRITE", default="30000/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "privacy_portal.api_schema.PortalAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "privacy_portal.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
# -- OAuth2 for platform services (django-oauth-toolkit, client credentials only; docs/api.md).
# An access token lives at most an hour (deploy_checks refuses more): a leaked one is useful
# briefly, and a service simply asks for a new one.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH_ACCESS_TOKEN_SECONDS", default=3600),
    # Scopes come from accounts/service_clients/scopes.py; a client may ask only for those it was given.
    "SCOPES_BACKEND_CLASS": "accounts.service_clients.oauth.ServiceClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "accounts.service_clients.oauth.ServiceClientValidator",
    # RFC 9700 (OAuth 2.0 Security BCP), every recommendation on: only a hash of each token is stored,
    # never the bearer value itself; the grants and flows the portal does not use are refused outright
    # (they are unreachable anyway: only the token endpoint is mounted and every application is
    # client credentials), and check --deploy stays quiet.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Client credentials: no refresh tokens; no authorization codes (the authorize page is not mounted).
    "ERROR_RESPONSE_WITH_SCOPES": True,
}
# How long a verified bearer token's principal is remembered in the shared cache (at most its own
# remaining life). Revocation, deactivation and rotation delete the entry at once; this bounds the
# time anything else (a token deleted behind the portal's back) could go unnoticed.
SERVICE_PRINCIPAL_CACHE_SECONDS = 60
# Named, not swapped: accounts.ServiceClient's migration refers to it as a swappable model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# core.parsers.BoundedJSONParser: no API body is legitimately larger or deeper than this.
API_JSON_MAX_BYTES = 1024 * 1024
API_JSON_MAX_DEPTH = 32
SPECTACULAR_SETTINGS = {
    "TITLE": "Citizens' privacy portal API",
    "DESCRIPTION": "Consent checks for platform services and the citizen's own privacy data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes the API, not anybody's data; clients fetch it
    # before they hold a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request bodies get components of their own, so a field that may not be blank says so
    # (minLength 1) instead of sharing the response's looser shape.
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1 for its `webhooks` section: what the portal POSTs to service clients (webhooks/openapi.py).
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        "webhooks.openapi.consent_changed",
        "webhooks.openapi.request_completed",
        "webhooks.openapi.erasure_requested",
    ],
    # The default hook, then the error answers every operation can give (privacy_portal/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "privacy_portal.api_schema.add_error_responses",
    ],
}

# -- Security baseline.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
# Database sessions read through the shared cache while it is Redis (accounts/session_store.py):
# a signed-in page view reads no session row. A cached copy lives at most this many seconds.
SESSION_ENGINE = "accounts.session_store"
SESSION_CACHE_MAX_AGE = env.int("SESSION_CACHE_MAX_AGE", default=5 * 60)
# How stale (seconds) the "last seen" of a session on the sessions page may be: the
# session record is written at most once per interval, so a page view writes nothing.
SESSION_ACTIVITY_INTERVAL = env.int("SESSION_ACTIVITY_INTERVAL", default=5 * 60)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Demo people with printed passwords (seed_demo) exist only where this is on.
DEMO_DATA_ALLOWED = False

# -- Site facts shown on every page.
PORTAL_HOTLINE = "12345"
# The footer's sponsoring department and filing numbers, required of a government site in China:
# the ICP filing (MIIT) and the public-security filing (公安机关备案). Empty ones are left out;
# dev and test settings give demo values.
PORTAL_SPONSOR_DEPARTMENT = env.str("PORTAL_SPONSOR_DEPARTMENT", default="")
PORTAL_ICP_FILING = env.str("PORTAL_ICP_FILING", default="")
PORTAL_PSB_FILING = env.str("PORTAL_PSB_FILING", default="")
# Where letters to the privacy office go (the contact page).
PORTAL_POSTAL_ADDRESS = env.str("PORTAL_POSTAL_ADDRESS", default="")
PORTAL_NAME = _("Citizens' privacy portal")

# Log lines as text (``plain``) or as one JSON object a line (``json``) for a log shipper.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "core.logging.MaskPersonalDataFilter"},
        "request_id": {"()": "core.logging.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "security": {
            "handlers": ["console"],
            "filters": ["mask_personal_data"],
            "level": "INFO",
            "propagate": False,
        },
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# -- Error reporting (core/error_reporting.py): on when a DSN is set; every event is masked.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")

# -- /metrics (privacy_portal/metrics): answered to a bearer token or to addresses (CIDR) on
# this list; with neither set it answers 404. PROMETHEUS_MULTIPROC_DIR (read by
# prometheus_client itself) makes several gunicorn workers count together.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

CSRF_FAILURE_VIEW = "privacy_portal.views.csrf_failure"

# When Redis is down, publishing a task gives up quickly (the work is a row
# that a beat scan re-dispatches) instead of holding the person's request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] = 5

# Erasure propagation (issue #13): days a service has to acknowledge an
# erasure instruction before the request shows it overdue.
ERASURE_ACK_DAYS = env.int("ERASURE_ACK_DAYS", default=7)

# Feature settings, one module a concern, each owned by the code it configures.
from .allauth import *  # noqa: E402, F403
from .consents import *  # noqa: E402, F403
from .identity import *  # noqa: E402, F403
from .two_factor import *  # noqa: E402, F403
