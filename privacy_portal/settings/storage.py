"""Where uploads and exports are kept: the portal's disk, or an S3-compatible object store.

With one host, ``FileSystemStorage`` under ``MEDIA_ROOT`` is enough. With
several, every host must see the same files (a download answered by the
other host, the sweep run by whichever worker), so the deployment points
``STORAGE_BACKEND=s3`` at an object store in mainland China. Which endpoints
count as mainland is decided by the data-residency check
(``core.checks.check_file_storage``), not here.
"""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem").strip().lower()

# Host patterns of the object-store endpoints this deployment may use, each tied to the place it is in:
# "CN-GD=objects.example.gd.cn,cn-mainland=10.0.0.*". See core/storage_endpoints.py.
STORAGE_ENDPOINT_ALLOWLIST = env.list("STORAGE_ENDPOINT_ALLOWLIST", default=[])

# What a signed URL of the S3 backend is valid for, should anything ask for one. The portal itself
# streams downloads after its owner check (privacy_requests/exports/views.py) and hands out no URLs.
SIGNED_URL_SECONDS = 300
# Above this size a file read back from the object store is spooled to a temporary file on disk,
# not held in memory (django-storages' default of 0 would keep a whole export ZIP in memory).
S3_READ_MEMORY_BYTES = 2 * 1024 * 1024


def _s3_storage() -> dict:
    bucket = env.str("STORAGE_S3_BUCKET", default="")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs STORAGE_S3_BUCKET.")
    addressing_style = env.str("STORAGE_S3_ADDRESSING_STYLE", default="auto")
    if addressing_style not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured("STORAGE_S3_ADDRESSING_STYLE is 'auto', 'path' or 'virtual'.")
    encryption = env.str("STORAGE_S3_ENCRYPTION", default="AES256")
    options = {
        "bucket_name": bucket,
        # None (not "") when unset, so boto3 falls back to its own chain (instance role, AWS_* variables).
        "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("STORAGE_S3_REGION", default="") or None,
        "access_key": env.str("STORAGE_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("STORAGE_S3_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": None if addressing_style == "auto" else addressing_style,
        "location": env.str("STORAGE_S3_PREFIX", default="").strip("/"),
        # Personal data: every object private, every URL signed and short-lived, never a public domain.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        # Signature version 4, which every current S3-compatible store speaks (version 2 is retired).
        "signature_version": "s3v4",
        "custom_domain": None,
        # Names are random or time-stamped, so an existing object is never overwritten by accident, and
        # skipping the existence check saves a request per upload.
        "file_overwrite": True,
        "max_memory_size": S3_READ_MEMORY_BYTES,
        "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def file_storage() -> dict:
    """The STORAGES entry for uploads and exports, from ``STORAGE_BACKEND`` (read now, so tests can call it)."""
    backend = env.str("STORAGE_BACKEND", default="filesystem").strip().lower()
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend == "s3":
        return _s3_storage()
    raise ImproperlyConfigured("STORAGE_BACKEND is 'filesystem' (the default) or 's3'.")
