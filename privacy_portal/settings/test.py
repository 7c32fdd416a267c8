"""Settings for the test suite: PostgreSQL and Redis, as in production."""

import os

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, env, prepared_statements_configure
from .demo_site import (  # noqa: F401 - settings
    PORTAL_ICP_FILING,
    PORTAL_POSTAL_ADDRESS,
    PORTAL_PSB_FILING,
    PORTAL_SPONSOR_DEPARTMENT,
)

# Several runs of the suite may share this machine's PostgreSQL and Redis. Each run has an id
# (kept in the environment, so the worker processes a run starts share it): its own test
# database, and broker keys of its own on the shared Redis, which it alone deletes.
TEST_RUN_ID = os.environ.setdefault("TEST_RUN_ID", f"{os.getpid()}")

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
DATABASES = {
    "default": env.db(
        "TEST_DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/privacy_portal",
    ),
}
DATABASES["default"]["TEST"] = {"NAME": f"test_privacy_portal_{TEST_RUN_ID}"}
# Django's PostgreSQL backend, except that emptying tables between transactional tests
# passes the audit log's and the consent ledger's TRUNCATE triggers (see its docstring).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # As deployed: the hot paths' statements are prepared, each planned once (core/prepared.py).
    prepared_statements_configure(DATABASES["default"], enabled=True)
    DATABASES["default"]["ENGINE"] = "tests.postgresql_flush"
# Integration tests switch eager mode off and run a real worker on this broker.
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
if "TEST_CELERY_BROKER_URL" not in os.environ:
    # The shared Redis. A test's private redis-server (tests/integration) needs no prefix.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"test-{TEST_RUN_ID}:"
# Worker subprocesses of the fault tests (tests/integration) set this to false, so tasks they
# queue go through the broker as in production instead of running inline.
CELERY_TASK_ALWAYS_EAGER = env.bool("TEST_CELERY_TASK_ALWAYS_EAGER", default=True)
# Mail stays in memory; a worker subprocess is given TEST_EMAIL_URL (with EMAIL_URL for the
# host and port, read in base) to deliver to an SMTP sink the test process can count.
EMAIL_BACKEND = env.email_url("TEST_EMAIL_URL", default="memorymail://")["EMAIL_BACKEND"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIELD_ENCRYPTION_KEYS = ["NgtlnGfkgr2V_1Erql9Azh4oGTXKz0D9pWOdBn9DcSM="]
# The disk, whatever STORAGE_BACKEND says; the S3 tests switch to the moto server (tests/object_storage.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # Citizens' limits raised for the suite; the service clients' (per client) are production's.
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1000/min", "user": "1000/min"},  # noqa: F405
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# Not the test client's "testserver": a link that starts here was written from the setting.
SITE_URL = "https://privacy.test.example.cn"
DEMO_DATA_ALLOWED = True
WHITENOISE_USE_FINDERS = True
FIELD_HMAC_KEY = env.str("FIELD_HMAC_KEY", default="test-only-blind-index-key")
AUDIT_CHAIN_KEY = ["test-only-audit-chain-key-not-secret"]
# A test's rows are in its own open transaction, which the verifier's worker threads (other
# connections) cannot see; the parallel walk has its own transactional test.
AUDIT_VERIFY_WORKERS = 1
DATA_RESIDENCY = {"database": "cn-mainland", "files": "cn-mainland"}  # clause 6.1 check (core.checks)
# Error reporting is switched on by the test that checks it, against a local recorder only.
SENTRY_DSN = ""
