"""The citizen's pages for an export: progress, and the download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from privacy_requests.models import ExportFile

from . import services
from .selectors import access_export_file, export_is_expired, export_status


def export_file_response(*, export: ExportFile, user):
    """The ZIP as an attachment, never cached; Http404 if the file is not there.

    Streamed through the portal from the exports storage, after the caller's
    owner check, rather than handed out as a link to the object store: the
    check runs on every download, and the store needs no public address.
    """
    if not export.file_name:
        raise Http404
    try:
        handle = services.export_storage().open(export.file_name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    services.export_download_record(export=export, user=user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"personal-data-{export.request.reference}.zip",
        content_type="application/zip",
    )
    # Also honoured by NoStoreForPersonalPagesMiddleware for token-authenticated downloads.
    response.personal_data = True
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_GET
def export_progress(request, export_id: int):
    export = access_export_file(user=request.user, export_id=export_id)
    status = export_status(export=export)
    return render(request, "privacy_requests/exports/progress.html", {"export": export, "status": status})


@login_required
@require_GET
def export_download(request, export_id: int):
    export = access_export_file(user=request.user, export_id=export_id)
    if export_is_expired(export=export):
        services.export_expire(export=export)
        return render(request, "privacy_requests/exports/expired.html", {"export": export}, status=410)
    if export.state != ExportFile.State.READY:
        return redirect("privacy_requests:export_progress", export_id=export.pk)
    return export_file_response(export=export, user=request.user)
