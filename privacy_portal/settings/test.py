"""Settings for the test suite: PostgreSQL and Redis, as in production."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
DATABASES = {
    "default": env.db(
        "TEST_DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/privacy_portal",
    ),
}
# Integration tests switch eager mode off and run a real worker on this broker.
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIELD_ENCRYPTION_KEYS = ["NgtlnGfkgr2V_1Erql9Azh4oGTXKz0D9pWOdBn9DcSM="]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "1000/min", "consent_check": "100000/min"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
DEMO_DATA_ALLOWED = True
WHITENOISE_USE_FINDERS = True
FIELD_HMAC_KEY = env.str("FIELD_HMAC_KEY", default="test-only-blind-index-key")
