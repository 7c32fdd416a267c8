"""Stored files that go away with the rows naming them, through Django's storage API.

Files live in a storage of ``STORAGES`` (the disk under ``MEDIA_ROOT`` on one
host, an object store shared by every host otherwise), so code names them by
storage alias and name, never by path. A file already gone is not an error
(a sweep and a download expiry may race for it, or another host's disk held
it before the deployment moved to shared storage), but it is logged, so that
copies that were never where the rows said show up in the logs rather than
nowhere. The log line carries the storage and the file name only; names are
chosen to say nothing about the person.
"""

import logging
from collections.abc import Iterable

from django.core.files.storage import storages

logger = logging.getLogger(__name__)


def stored_files_remove(file_names: Iterable[str], *, storage: str = "default", log_missing: bool = True) -> int:
    """Delete each named file from the storage ``storage``; empty names are skipped. Returns how many were there.

    ``log_missing=False`` is for clearing up after work that may have stopped
    before writing the file (a failed build), where a missing file is expected.
    """
    backend = storages[storage]
    removed = 0
    for name in file_names:
        if not name:
            continue
        # Storages do not agree on deleting a missing file (the disk and S3 say nothing), so ask first.
        if not backend.exists(name):
            if log_missing:
                logger.warning("stored file already gone: storage=%s name=%s", storage, name)
            continue
        backend.delete(name)
        removed += 1
    return removed
