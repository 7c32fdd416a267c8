"""Writes for exports: the daily quota, queueing and running a build, downloads, expiry."""

import logging
import os
import secrets
import tempfile
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.services import audit_record
from core.dispatch import dispatch_on_commit
from core.files import stored_files_remove
from core.site import site_url
from notifications.services import notification_send
from privacy_requests.models import ExportFile, PrivacyRequest, RequestKind
from privacy_requests.notification_kinds import EXPORT_READY

from .builder import export_zip_write

logger = logging.getLogger(__name__)

# At most this many access/export requests per person in any 24 hours: a
# build reads everything held about the person, so it is not free.
EXPORT_DAILY_LIMIT = 3
EXPORT_WINDOW = timedelta(days=1)
# How long a download link works once the file is ready.
EXPORT_LINK_LIFETIME = timedelta(days=7)
EXPORT_DIRECTORY = "exports"
# The storage of STORAGES the ZIPs are kept in (settings/base.py); every web and worker host reaches
# the same files through it, so a download or a sweep never depends on which host built the file.
EXPORT_STORAGE = "exports"
EXPORT_KINDS = (RequestKind.ACCESS, RequestKind.EXPORT)


class ExportQuotaExceeded(Exception):
    """A person asked for more copies of their data than the daily limit allows."""

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        hours = max(1, -(-self.retry_after_seconds // 3600))
        self.message = ngettext(
            "You can ask for at most %(limit)d copies of your data a day. Please try again in %(hours)d hour.",
            "You can ask for at most %(limit)d copies of your data a day. Please try again in %(hours)d hours.",
            hours,
        ) % {"limit": EXPORT_DAILY_LIMIT, "hours": hours}
        super().__init__(self.message)


def export_quota_check(*, user, now=None) -> None:
    """Raise ``ExportQuotaExceeded`` if ``user`` already filed the day's access/export requests.

    Called by ``privacy_request_create`` for the access and export kinds,
    before anything is written. Counts every request filed in the last 24
    hours, whatever became of it, so withdrawing and refiling does not
    get round the limit.
    """
    now = now or timezone.now()
    since = now - EXPORT_WINDOW
    recent = list(
        PrivacyRequest.objects.filter(requester=user, kind__in=EXPORT_KINDS, received_at__gt=since)
        .order_by("received_at")
        .values_list("received_at", flat=True)[:EXPORT_DAILY_LIMIT]
    )
    if len(recent) < EXPORT_DAILY_LIMIT:
        return
    # The oldest of the counted requests leaves the window first.
    retry_at = recent[0] + EXPORT_WINDOW
    raise ExportQuotaExceeded(retry_after_seconds=(retry_at - now).total_seconds())


def export_storage() -> Storage:
    return storages[EXPORT_STORAGE]


def export_files_remove(file_names, *, log_missing: bool = True) -> int:
    """Delete export files from their storage; a file already gone is logged (unless expected), not an error."""
    return stored_files_remove(file_names, storage=EXPORT_STORAGE, log_missing=log_missing)


def _new_file_name() -> str:
    # Random, so the name reveals nothing and cannot be guessed.
    return f"{EXPORT_DIRECTORY}/{secrets.token_urlsafe(24)}.zip"


def export_queue(*, request: PrivacyRequest) -> ExportFile:
    """Create the export of ``request`` (queued) and build it in a worker after commit.

    A request has one export: calling this again returns the existing one
    and queues nothing new unless it failed.
    """
    from .tasks import export_build

    export, created = ExportFile.objects.get_or_create(request=request)
    if created or export.state == ExportFile.State.FAILED:
        if not created:
            ExportFile.objects.filter(pk=export.pk).update(state=ExportFile.State.QUEUED, progress=0)
            export.refresh_from_db()
        dispatch_on_commit(export_build, export.pk)
    return export


def _advisory_lock(export_id: int) -> bool:
    # One build per export at a time, across workers. A session-level lock
    # disappears with the connection, so a worker that dies mid-build never
    # leaves the export stuck: the next delivery takes the lock and starts over.
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [0x45585054, export_id])
        return bool(cursor.fetchone()[0])


def _advisory_unlock(export_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [0x45585054, export_id])


def export_build_run(*, export_id: int) -> bool:
    """Build the ZIP of one export; return False when there was nothing to do.

    Idempotent: a finished (ready or expired) export is left alone, one being
    built by another worker is left to it, and anything else (queued, or a
    build that died half-way) is built again from scratch under a new name.
    """
    if not _advisory_lock(export_id):
        return False
    try:
        export = ExportFile.objects.select_related("request__requester").filter(pk=export_id).first()
        if export is None or export.state in (ExportFile.State.READY, ExportFile.State.EXPIRED):
            return False
        user = export.request.requester
        if user is None:
            ExportFile.objects.filter(pk=export.pk).update(state=ExportFile.State.FAILED)
            return False
        # What an earlier attempt left, if it got as far as storing anything.
        export_files_remove([export.file_name], log_missing=False)
        file_name = _new_file_name()
        ExportFile.objects.filter(pk=export.pk).update(
            state=ExportFile.State.BUILDING, progress=0, file_name=file_name, attempts=export.attempts + 1
        )

        def progress(percent: int) -> None:
            ExportFile.objects.filter(pk=export.pk).update(progress=percent)

        # Built in a local temporary file (a ZIP is written with seeks), then stored in one go: the
        # stored file appears complete or not at all on an object store. The row names it before the
        # upload, so whatever a worker killed mid-upload leaves is deleted by the next attempt.
        try:
            with tempfile.TemporaryFile(suffix=".zip") as out:
                export_zip_write(user=user, out=out, progress=progress)
                size = out.seek(0, os.SEEK_END)
                stored_name = export_storage().save(file_name, File(out, name=file_name))
        except BaseException:
            export_files_remove([file_name], log_missing=False)
            raise
        _export_mark_ready(export=export, file_name=stored_name, size=size)
        return True
    finally:
        _advisory_unlock(export_id)


def _export_mark_ready(*, export: ExportFile, file_name: str, size: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        export.state = ExportFile.State.READY
        export.progress = 100
        export.file_name = file_name
        export.size_bytes = size
        export.ready_at = now
        export.expires_at = now + EXPORT_LINK_LIFETIME
        export.save(update_fields=["state", "progress", "file_name", "size_bytes", "ready_at", "expires_at"])
        audit_record(
            actor=None,
            action="privacy_request.export_ready",
            target=export.request,
            details={"export_id": export.pk, "size_bytes": size},
        )
        notification_send(
            recipient=export.request.requester,
            kind=EXPORT_READY,
            context={
                "request": export.request,
                "export": export,
                "progress_url": site_url(export_progress_path(export)),
            },
        )


def export_mark_failed(*, export_id: int) -> None:
    """The build gave up (time limit or retries spent): the citizen sees "failed", staff can queue it again."""
    export = ExportFile.objects.filter(pk=export_id).first()
    if export is None or export.state in (ExportFile.State.READY, ExportFile.State.EXPIRED):
        return
    export_files_remove([export.file_name], log_missing=False)
    ExportFile.objects.filter(pk=export_id).update(state=ExportFile.State.FAILED, file_name="")


def export_progress_path(export: ExportFile) -> str:
    from django.urls import reverse

    return reverse("privacy_requests:export_progress", args=[export.pk])


def export_download_record(*, export: ExportFile, user) -> None:
    """Note that the owner fetched the file (shown on the progress page, and audited)."""
    with transaction.atomic():
        export.downloaded_at = timezone.now()
        export.save(update_fields=["downloaded_at"])
        audit_record(
            actor=user,
            action="privacy_request.export_downloaded",
            target=export.request,
            details={"export_id": export.pk},
        )


def export_expire(*, export: ExportFile) -> None:
    """Delete the file of an export whose link has expired and mark it expired."""
    export_files_remove([export.file_name])
    with transaction.atomic():
        updated = (
            ExportFile.objects.filter(pk=export.pk)
            .exclude(state=ExportFile.State.EXPIRED)
            .update(state=ExportFile.State.EXPIRED, file_name="", size_bytes=0)
        )
        if updated:
            audit_record(
                actor=None,
                action="privacy_request.export_expired",
                target=export.request,
                details={"export_id": export.pk},
            )
    export.refresh_from_db()


def exports_expire_due(*, now=None) -> int:
    """Beat task: delete every export file past its expiry. Returns how many were expired."""
    now = now or timezone.now()
    due = ExportFile.objects.select_related("request").filter(state=ExportFile.State.READY, expires_at__lte=now)
    count = 0
    for export in due.iterator(chunk_size=500):
        export_expire(export=export)
        count += 1
    return count


def export_expired_message() -> str:
    return gettext("This download link has expired and the file has been deleted.")


def export_file_delete(*, export: ExportFile) -> None:
    """Delete an export's file and row (erasure of the person's data).

    The file goes once the caller's transaction commits: if the erasure
    rolls back, the row and its file both stay.
    """
    file_name = export.file_name
    export.delete()
    transaction.on_commit(lambda: export_files_remove([file_name]))


# An export still queued or building after this long lost its task (broker
# down at commit, worker killed): the beat scan queues it again. A build
# that is in fact still running holds its lock, so the extra task does nothing.
EXPORT_STALE_AFTER = timedelta(minutes=15)


def exports_requeue_stale(*, now=None) -> int:
    """Beat: queue again every export left queued or half-built. Returns how many were queued."""
    from .tasks import export_build

    now = now or timezone.now()
    stale = ExportFile.objects.filter(
        state__in=(ExportFile.State.QUEUED, ExportFile.State.BUILDING), created_at__lte=now - EXPORT_STALE_AFTER
    ).values_list("pk", flat=True)
    count = 0
    for export_id in stale.iterator(chunk_size=500):
        try:
            export_build.apply_async(args=(export_id,))
        except Exception:
            logger.warning("broker unreachable, export %s left for the next scan", export_id, exc_info=True)
            break
        count += 1
    return count
