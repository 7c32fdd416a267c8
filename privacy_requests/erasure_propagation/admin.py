"""Erasure propagation in admin: the instructions' list, the queue's column and filter, the officer's closure.

``privacy_requests.admin`` mounts these on the rights requests' pages; the
closure posts to a view that calls ``services.erasure_propagation_close``
(which checks the permission again and writes the audit record).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_mixins import ReadOnlyAdminMixin

from ..models import PropagationState
from . import selectors, services
from .models import ErasureInstruction


class ClosePropagationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("why the remaining confirmations are not needed"),
        max_length=services.CLOSE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: the service was shut down, or confirmed in writing. Kept with the request and audited."
        ),
    )


class PropagationFilter(admin.SimpleListFilter):
    title = gettext_lazy("erasure by services")
    parameter_name = "propagation"

    def lookups(self, request, model_admin):
        return [
            ("pending", gettext_lazy("Waiting for services")),
            ("overdue", gettext_lazy("A service is overdue")),
            ("done", gettext_lazy("Fully done")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(propagation=PropagationState.PENDING)
        if self.value() == "overdue":
            return queryset.filter(erasure_overdue__gt=0)
        if self.value() == "done":
            return queryset.filter(
                propagation__in=[PropagationState.CONFIRMED, PropagationState.CLOSED], fully_done_at__isnull=False
            )
        return queryset


def may_close(user) -> bool:
    return bool(user.is_staff and user.has_perm(services.CLOSE_PERMISSION))


def services_column(obj) -> str:
    """The queue's column: "2/3 confirmed", with the overdue count flagged."""
    total = getattr(obj, "erasure_total", 0)
    if not total:
        return "-"
    text = _("%(confirmed)d/%(total)d confirmed") % {"confirmed": obj.erasure_confirmed, "total": total}
    if obj.propagation == PropagationState.CLOSED:
        text = _("%(text)s, closed by an officer") % {"text": text}
    if obj.erasure_overdue:
        return format_html(
            '{} <strong class="request-overdue">{}</strong>',
            text,
            _("%(count)d overdue") % {"count": obj.erasure_overdue},
        )
    return text


def change_view_context(*, request, obj, admin_site_name: str) -> dict:
    """What the request's page shows about the services, and the closure form for an officer."""
    rows = selectors.propagation_rows(request=obj)
    closable = obj.propagation == PropagationState.PENDING and may_close(request.user)
    return {
        "propagation_rows": rows,
        "close_propagation_form": ClosePropagationForm(prefix="close") if closable else None,
        "close_propagation_url": reverse(
            f"{admin_site_name}:privacy_requests_privacyrequest_close_propagation", args=[obj.pk]
        ),
    }


def close_propagation_view(request, *, model_admin, object_id: str):
    """POST the officer's closure; the service decides and audits, we report."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    privacy_request = model_admin.get_object(request, object_id)
    if privacy_request is None:
        raise Http404
    if not may_close(request.user):
        raise PermissionDenied
    opts = model_admin.model._meta
    back = redirect(
        reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[privacy_request.pk])
    )
    form = ClosePropagationForm(request.POST, prefix="close")
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, f"{form.fields['reason'].label}: {error}")
        return back
    try:
        closed = services.erasure_propagation_close(
            request=privacy_request, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.PropagationNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d outstanding instruction closed; the request is fully done.",
                "%(count)d outstanding instructions closed; the request is fully done.",
                closed,
            )
            % {"count": closed},
        )
    return back


@admin.register(ErasureInstruction)
class ErasureInstructionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every instruction sent, for following up a service that does not answer."""

    list_display = ("id", "request", "client", "kind", "status_shown", "issued_at", "due_at", "acknowledged_at")
    list_filter = ("status", "kind", "client")
    list_select_related = ("request", "client")
    search_fields = ("=request__reference",)
    fields = (
        "request",
        "client",
        "subject_id",
        "kind",
        "categories",
        "status",
        "issued_at",
        "due_at",
        "acknowledged_at",
        "erased_at",
        "ack_note",
        "closed_at",
        "closed_by",
        "closed_reason",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("status"))
    def status_shown(self, obj):
        status = selectors.display_status(obj, now=timezone.now())
        label = selectors.STATUS_LABELS[status]
        if status == selectors.OVERDUE:
            return format_html('<strong class="request-overdue">{}</strong>', label)
        return label
