"""Production: every secret from the environment, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
FIELD_HMAC_KEY = env.str("FIELD_HMAC_KEY")
# Required: `manage.py check --deploy` fails without it (privacy_portal.E004).
AUDIT_CHAIN_KEY = env.list("AUDIT_CHAIN_KEY", default=[])
# No default: the deployment itself must say where its data lives (clause 6.1).
DATA_RESIDENCY = {
    "database": env.str("DATA_RESIDENCY_DATABASE"),
    "files": env.str("DATA_RESIDENCY_FILES"),
}
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one key in production.")
if len(FIELD_HMAC_KEY) < 32:
    raise ImproperlyConfigured("FIELD_HMAC_KEY must be at least 32 characters in production.")

# gunicorn (wsgi.py) and the Celery worker and beat run `check --deploy` before serving or
# consuming anything, and stop on an error: a dev backend never serves real people.
DEPLOY_CHECKS_AT_START = True

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the node itself over plain HTTP; a redirect to HTTPS would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# Without the pool (DATABASE_POOL_MAX_SIZE unset or 0), each process keeps its
# connection a minute; with it, the pool keeps them and Django must not.
if "pool" not in DATABASES["default"].get("OPTIONS", {}):  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
