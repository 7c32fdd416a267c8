"""System checks for where the deployment keeps personal data (clause 6.1: stored in mainland China).

The portal cannot see where its database server or disks physically are,
so the deployment declares it, and ``manage.py check`` (and so ``migrate``,
``runserver`` and CI's ``check --deploy``) refuses to go on until the
declaration says mainland China::

    DATA_RESIDENCY = {"database": "CN-GD", "files": "CN-GD"}

(from the ``DATA_RESIDENCY_DATABASE`` and ``DATA_RESIDENCY_FILES``
environment variables). A value is ``cn-mainland``, or the ISO 3166-2:CN
code of the mainland province-level division the data centre is in
(``CN-GD`` Guangdong, ``CN-BJ`` Beijing, …), upper or lower case. Cloud
region names are not accepted as such: ``cn-hongkong`` is one vendor's name
for Hong Kong, which, like Macao and Taiwan, is outside mainland China for
clause 6.1. Name the province instead.

What can be seen is checked too, for every file storage in ``STORAGES``
but the static files (uploads in "default", rights-request exports in
"exports"): the portal's own disk is covered by the "files" declaration; an
S3-compatible object store only when its endpoint is on an allow-list entry
for the declared place (``core.storage_endpoints``), never without an
endpoint (boto3 would then use AWS's global regions); any other backend of
django-storages keeps files with a third party (Azure, Google Cloud,
Dropbox…), which clause 6.1 rules out.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.utils.module_loading import import_string

from .storage_endpoints import BadAllowlistEntry, allowlist_parse, endpoint_allowed

TAG = "data_residency"

MAINLAND = "cn-mainland"
# ISO 3166-2:CN: the 31 province-level divisions of the mainland. CN-HK,
# CN-MO and CN-TW are left out on purpose.
MAINLAND_PROVINCES = frozenset(
    f"cn-{code}"
    for code in (
        "ah", "bj", "cq", "fj", "gd", "gs", "gx", "gz", "ha", "hb", "he", "hi", "hl", "hn", "jl", "js",
        "jx", "ln", "nm", "nx", "qh", "sc", "sd", "sh", "sn", "sx", "tj", "xj", "xz", "yn", "zj",
    )
)  # fmt: skip
DECLARED = {"database": "its database is", "files": "its files (uploads and exports) are"}
HINT = (
    "Set DATA_RESIDENCY_DATABASE and DATA_RESIDENCY_FILES to 'cn-mainland' or to the ISO 3166-2:CN code of "
    "the mainland province the data centre is in (e.g. 'CN-GD'). Hong Kong (CN-HK), Macao (CN-MO) and "
    "Taiwan (CN-TW) are outside mainland China for clause 6.1."
)


def is_mainland(value: str) -> bool:
    normalised = value.strip().lower()
    return normalised == MAINLAND or normalised in MAINLAND_PROVINCES


def check_data_residency(app_configs=None, **kwargs) -> list:
    """privacy_portal.E001 when a declaration is missing, E002 when it is not mainland China."""
    declaration = getattr(settings, "DATA_RESIDENCY", None)
    if not isinstance(declaration, dict):
        declaration = {}
    problems = []
    for key, what in DECLARED.items():
        value = declaration.get(key) or ""
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Error(
                    f"DATA_RESIDENCY['{key}'] is missing or empty: the deployment must declare where {what} kept.",
                    hint=HINT,
                    id="privacy_portal.E001",
                )
            )
        elif not is_mainland(value):
            problems.append(
                Error(
                    f"DATA_RESIDENCY['{key}'] is {value!r}, which does not name a place in mainland China; "
                    f"clause 6.1 requires that {what} kept there.",
                    hint=HINT,
                    id="privacy_portal.E002",
                )
            )
    return problems


# Storages that hold no personal data: static files are the site's own CSS, scripts and images.
NOT_PERSONAL_STORAGES = frozenset({"staticfiles"})
S3_BACKENDS = ("storages.backends.s3.", "storages.backends.s3boto3.")
STORAGE_HINT = (
    "Keep uploads and exports on the portal's own disk (django.core.files.storage.FileSystemStorage) or in an "
    "S3-compatible object store in mainland China: set STORAGE_S3_ENDPOINT_URL to its endpoint and, unless it is "
    "a known mainland endpoint for DATA_RESIDENCY_FILES, list it in STORAGE_ENDPOINT_ALLOWLIST as "
    "PLACE=HOST-PATTERN (e.g. CN-GD=objects.gd.example.cn), PLACE being the province DATA_RESIDENCY_FILES names "
    "(any mainland place when it is cn-mainland)."
)


def check_file_storage(app_configs=None, **kwargs) -> list:
    """privacy_portal.E003 for a storage of uploads or exports outside the declared place; W001 when unknown."""
    problems: list = []
    for alias, config in settings.STORAGES.items():
        if alias not in NOT_PERSONAL_STORAGES:
            problems.extend(_check_storage(alias, config.get("BACKEND", ""), config.get("OPTIONS") or {}))
    return problems


def _check_storage(alias: str, backend: str, options: dict) -> list:
    if backend.startswith(S3_BACKENDS):
        return _check_object_store(alias, backend, options)
    # Every other backend of django-storages keeps files with a third party; known by name, installed or not.
    if backend.startswith("storages."):
        return [
            Error(
                f"The file storage '{alias}' ({backend}) keeps files with a third party.",
                hint=STORAGE_HINT,
                id="privacy_portal.E003",
            )
        ]
    try:
        storage_class = import_string(backend)
    except ImportError:
        return []  # Django reports an unimportable storage the first time it is used.
    if isinstance(storage_class, type) and issubclass(storage_class, FileSystemStorage | InMemoryStorage):
        return []
    return [
        Warning(
            f"The file storage '{alias}' ({backend}) is not a local file system storage or an S3-compatible "
            "object store; this check cannot tell where it keeps files.",
            hint=STORAGE_HINT,
            id="privacy_portal.W001",
        )
    ]


def _check_object_store(alias: str, backend: str, options: dict) -> list:
    endpoint = options.get("endpoint_url") or getattr(settings, "AWS_S3_ENDPOINT_URL", None) or ""
    if not endpoint:
        return [
            Error(
                f"The file storage '{alias}' ({backend}) names no endpoint, so boto3 sends files to AWS's global "
                "regions, outside mainland China.",
                hint=STORAGE_HINT,
                id="privacy_portal.E003",
            )
        ]
    declared = (getattr(settings, "DATA_RESIDENCY", None) or {}).get("files") or ""
    if not isinstance(declared, str) or not is_mainland(declared):
        return []  # E001 or E002 already says the declaration is wrong; no endpoint can match it.
    try:
        allowlist = allowlist_parse(getattr(settings, "STORAGE_ENDPOINT_ALLOWLIST", []))
    except BadAllowlistEntry as exc:
        return [
            Error(
                f"STORAGE_ENDPOINT_ALLOWLIST has an entry that is not PLACE=HOST-PATTERN: {exc}.",
                hint=STORAGE_HINT,
                id="privacy_portal.E003",
            )
        ]
    outside = [entry for entry in allowlist if not is_mainland(entry.place)]
    if outside:
        return [
            Error(
                f"STORAGE_ENDPOINT_ALLOWLIST allows {entry.pattern} for {entry.place!r}, which is not a place in "
                "mainland China.",
                hint=HINT,
                id="privacy_portal.E003",
            )
            for entry in outside
        ]
    host = urlsplit(str(endpoint)).hostname or ""
    if endpoint_allowed(host=host, declared=declared, allowlist=allowlist):
        return []
    return [
        Error(
            f"The file storage '{alias}' ({backend}) uses the endpoint host {host!r}, which is not allowed for "
            f"DATA_RESIDENCY_FILES={declared!r}: clause 6.1 requires that files be kept there.",
            hint=STORAGE_HINT,
            id="privacy_portal.E003",
        )
    ]


# -- Tamper evidence (issue #11) -------------------------------------------------------------------
# The fixed keys of the dev and test settings start like this; they are in the repository, so anyone
# could forge a chain signed with them.
PUBLISHED_KEY_PREFIXES = ("dev-only-", "test-only-")
CHAIN_KEY_MIN_LENGTH = 32


def check_chain_key(app_configs=None, **kwargs) -> list:
    """privacy_portal.E004 (deploy): the audit and consent chains need a real key from the environment."""
    keys = getattr(settings, "AUDIT_CHAIN_KEY", None) or []
    hint = (
        "Set AUDIT_CHAIN_KEY to one or more comma-separated random secrets of at least "
        f"{CHAIN_KEY_MIN_LENGTH} characters (the first signs); keep older keys listed after it."
    )
    if not keys:
        return [
            Error(
                "AUDIT_CHAIN_KEY is empty: the audit log and the consent ledger cannot be signed.",
                hint=hint,
                id="privacy_portal.E004",
            )
        ]
    problems = []
    for position, key in enumerate(keys, start=1):
        if len(key) < CHAIN_KEY_MIN_LENGTH or key.startswith(PUBLISHED_KEY_PREFIXES):
            problems.append(
                Error(
                    f"AUDIT_CHAIN_KEY key {position} is too short or is a published development key.",
                    hint=hint,
                    id="privacy_portal.E004",
                )
            )
    return problems
