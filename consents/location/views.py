"""Location pages: the switch (on through step-up, off in one click), the stored history, photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.two_factor.decorators import require_recent_verification
from consents.cookies.acting import acting_subject, channel_for
from consents.policy_shown import policy_shown_token, policy_shown_version
from consents.selectors import policy_current
from consents.services import ConsentError
from core.navigation import safe_next

from . import services
from .forms import PhotoForm, SharingOffForm
from .selectors import (
    location_coordinates,
    location_purpose,
    location_records_for,
    location_status_for,
    profile_photo_current,
)

RECORDS_PER_PAGE = 20
# Room for the multipart envelope around a photo at the size limit.
UPLOAD_ENVELOPE = 64 * 1024


def _back(request) -> str:
    return safe_next(request, default=reverse("consents:location"))


@login_required
def location_overview(request):
    """The person's switch, their stored locations (newest first) and their photo."""
    page = Paginator(location_records_for(user=request.user), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(record, *location_coordinates(record)) for record in page.object_list]
    return render(
        request,
        "consents/location/overview.html",
        {
            "status": location_status_for(user=request.user),
            "page": page,
            "rows": rows,
            "photo": profile_photo_current(user=request.user),
        },
    )


@require_recent_verification(minutes=10)
def location_on(request):
    """Turning location sharing on: sensitive, so a confirmation screen after a fresh check."""
    subject = acting_subject(request=request)
    purpose = location_purpose()
    if request.method == "POST":
        try:
            services.location_sharing_turn_on(
                subject=subject,
                actor=request.user,
                channel=channel_for(request=request, subject=subject),
                shown_version=policy_shown_version(
                    viewer=request.user, purpose=purpose, token=request.POST.get("shown")
                ),
            )
        except ConsentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Location sharing is on. You can turn it off at any time with one click."))
        return redirect(_back(request))
    # Nothing is written on GET: the form carries what was shown, recorded with the consent.
    current = policy_current()
    return render(
        request,
        "consents/location/on.html",
        {
            "purpose": purpose,
            "categories": purpose.data_categories.all(),
            "policy": current,
            "shown": policy_shown_token(viewer=request.user, purpose=purpose, version=current),
            "subject": subject,
            "acting_for": subject.pk != request.user.pk,
            "next": _back(request),
        },
    )


@login_required
def location_off(request):
    """Turning location sharing off: one click, never behind step-up; the person keeps or deletes the history."""
    subject = acting_subject(request=request)
    status = location_status_for(user=subject)
    form = SharingOffForm(request.POST if request.method == "POST" else None, has_history=bool(status.records))
    code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = services.location_sharing_turn_off(
                    subject=subject,
                    actor=request.user,
                    channel=channel_for(request=request, subject=subject),
                    history=form.choice(),
                )
            except ConsentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _sharing_off_message(done))
            return redirect(_back(request))
        code = 400
    return render(
        request,
        "consents/location/off.html",
        {
            "form": form,
            "status": status,
            "subject": subject,
            "acting_for": subject.pk != request.user.pk,
            "next": _back(request),
        },
        status=code,
    )


def _sharing_off_message(done: services.SharingTurnedOff) -> str:
    message = _("Location sharing is off. No location will be stored from any channel.")
    if done.deleted:
        message += " " + ngettext(
            "%(count)d stored location was deleted.", "%(count)d stored locations were deleted.", done.deleted
        ) % {"count": done.deleted}
    elif done.kept:
        message += " " + ngettext(
            "Your %(count)d stored location is kept under our retention rules; you can delete it here at any time.",
            "Your %(count)d stored locations are kept under our retention rules; you can delete them here at any time.",
            done.kept,
        ) % {"count": done.kept}
    return message


@require_POST
@login_required
def location_history_delete(request):
    subject = acting_subject(request=request)
    deleted = services.location_history_delete(user=subject, actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d stored location was deleted.", "%(count)d stored locations were deleted.", deleted)
        % {"count": deleted},
    )
    return redirect(_back(request))


@login_required
def photo_upload(request):
    """A profile photo; its location tags are removed before it is stored."""
    form = PhotoForm()
    status = 200
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > services.MAX_PHOTO_BYTES + UPLOAD_ENVELOPE:
            # Refused before the body is read: nothing of it is kept.
            form = PhotoForm(data={})
            form.full_clean()
            form.errors["photo"] = form.error_class([_("The photo is larger than 5 MB. Choose a smaller one.")])
            status = 400
        else:
            form = PhotoForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    saved = services.profile_photo_save(user=request.user, uploaded_file=form.cleaned_data["photo"])
                except services.LocationError as exc:
                    form.add_error("photo", exc.message)
                else:
                    messages.success(request, _photo_message(saved))
                    return redirect("consents:location_photo")
            status = 400
    return render(
        request,
        "consents/location/photo.html",
        {
            "form": form,
            "photo": profile_photo_current(user=request.user),
            "status": location_status_for(user=request.user),
        },
        status=status,
    )


def _photo_message(saved: services.PhotoSaved) -> str:
    if saved.recorded is not None:
        return _(
            "Photo saved. It carried a location, which was kept in your location history because location "
            "sharing is on; the stored photo itself has no location tags."
        )
    if saved.had_location:
        return _("Photo saved. It carried a location, which was removed and not kept: location sharing is off.")
    return _("Photo saved. It carried no location.")


@login_required
def photo_image(request):
    """The person's own photo, as stored (without location tags)."""
    name = profile_photo_current(user=request.user)
    if name is None:
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    return response


@require_POST
@login_required
def photo_delete(request):
    if services.profile_photo_delete(user=request.user):
        messages.success(request, _("Your photo was deleted."))
    return redirect("consents:location_photo")
