"""Reads for exports: the access helper, and what the progress page shows."""

from django.http import Http404
from django.utils import timezone

from privacy_requests.models import ExportFile


def access_export_file(*, user, export_id: int) -> ExportFile:
    """The export ``export_id`` if ``user`` filed its request; 404 for anyone else, staff included."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    export = ExportFile.objects.select_related("request").filter(pk=export_id, request__requester=user).first()
    if export is None:
        raise Http404
    return export


def export_is_expired(*, export: ExportFile, now=None) -> bool:
    if export.state == ExportFile.State.EXPIRED:
        return True
    return export.expires_at is not None and export.expires_at <= (now or timezone.now())


def export_status(*, export: ExportFile) -> dict:
    """What the progress page and its JSON endpoint report."""
    expired = export_is_expired(export=export)
    state = ExportFile.State.EXPIRED if expired else export.state
    return {
        "id": export.pk,
        "request": export.request.reference,
        "state": state,
        "state_label": str(ExportFile.State(state).label),
        "progress": 100 if state == ExportFile.State.READY else export.progress,
        "ready": state == ExportFile.State.READY,
        "size_bytes": export.size_bytes,
        "ready_at": export.ready_at,
        "expires_at": export.expires_at,
        "downloaded_at": export.downloaded_at,
    }
