"""Files under ``MEDIA_ROOT`` that go away with the rows naming them.

A file is written next to a ``.part`` twin while it is being built; removing
one means removing both, and a file already gone is not an error (a sweep
and a download expiry may race for it).
"""

import contextlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

PARTIAL_SUFFIX = ".part"


def media_path(file_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / file_name


def media_files_remove(file_names: Iterable[str]) -> None:
    """Remove each named file and its unfinished ``.part`` twin; empty names are skipped."""
    for name in file_names:
        if not name:
            continue
        for path in (media_path(name), media_path(name + PARTIAL_SUFFIX)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
