"""The zero-setup default: SQLite, tasks in-process, mail to the console."""

from .base import *  # noqa: F403
from .base import env
from .demo_site import (  # noqa: F401 - settings
    PORTAL_ICP_FILING,
    PORTAL_POSTAL_ADDRESS,
    PORTAL_PSB_FILING,
    PORTAL_SPONSOR_DEPARTMENT,
)

DEBUG = env.bool("DEBUG", default=True)
# A fixed key is acceptable only here: dev settings never serve real people.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=["di67kwyhDaJQdnjtHq1P-clgyUmN4RDolpzd8s8ajfk="],
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))  # noqa: F405
DEMO_DATA_ALLOWED = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FIELD_HMAC_KEY = env.str("FIELD_HMAC_KEY", default="dev-only-blind-index-key")
AUDIT_CHAIN_KEY = env.list("AUDIT_CHAIN_KEY", default=["dev-only-audit-chain-key-never-used-in-production"])
# The developer machine holds demo people only; it declares the mainland so
# that `make run` passes the residency check like a real deployment must.
DATA_RESIDENCY = {
    "database": env.str("DATA_RESIDENCY_DATABASE", default="cn-mainland"),
    "files": env.str("DATA_RESIDENCY_FILES", default="cn-mainland"),
}
