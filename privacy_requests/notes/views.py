"""The admin page that adds an internal note (mounted by ``PrivacyRequestAdmin.get_urls``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..staff.forms import NoteForm
from .services import NoteRefused, privacy_request_note_add


def may_add_note(*, model_admin, request, obj) -> bool:
    """Staff who may see this request (the admin's object permission) and work the queue; auditors only read."""
    return model_admin.has_view_permission(request, obj) and model_admin.may_act(request, obj)


def note_add(request, *, model_admin, object_id: str):
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404
    if not may_add_note(model_admin=model_admin, request=request, obj=obj):
        raise PermissionDenied
    opts = model_admin.model._meta
    change_url = reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    form = NoteForm(request.POST if request.method == "POST" else None, prefix="note")
    if form.is_bound and form.is_valid():
        try:
            privacy_request_note_add(request=obj, author=request.user, body=form.cleaned_data["body"])
        except NoteRefused as refused:
            form.add_error("body", refused.message)
        else:
            messages.success(request, _("Note added. Only staff can read it."))
            return redirect(f"{change_url}#request-notes")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Add an internal note to %(reference)s") % {"reference": obj.reference},
        "opts": opts,
        "original": obj,
        "form": form,
        "change_url": change_url,
        "has_view_permission": True,
    }
    return TemplateResponse(
        request, "admin/privacy_requests/note_add.html", context, status=400 if form.errors else 200
    )
