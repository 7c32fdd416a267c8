"""Privacy officers register clients' webhook endpoints, rotate secrets and replay deliveries; auditors read.

Secrets are shown once, on the page that answers the creation or the
rotation, never stored in a message or shown again. Every change goes through
``webhooks.services``, which writes the audit record.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.service_clients.models import ServiceClient
from core.admin_mixins import ReadOnlyAdminMixin

from . import services
from .events import EventType
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ROTATE_PERMISSION = "webhooks.rotate_secret_webhookendpoint"
REPLAY_PERMISSION = "webhooks.replay_webhookdelivery"


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["client", "url", "events", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            self.fields["client"].queryset = ServiceClient.objects.filter(active=True)


def _secret_page(model_admin, request, endpoint, secret: str, *, rotated: bool):
    return TemplateResponse(
        request,
        "admin/webhooks/webhookendpoint/secret.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "original": endpoint,
            "title": gettext("Signing secret"),
            "secret": secret,
            "rotated": rotated,
            "change_url": reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        },
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "client", "event_list", "active", "created_at"]
    list_filter = ["active", "client"]
    list_select_related = ["client"]
    readonly_fields = ["previous_secret_expires_at", "created_at", "updated_at", "delivery_log"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # The client an endpoint belongs to is chosen once; a new client registers its own endpoint.
        return ["client", *fields] if obj is not None else fields

    def has_delete_permission(self, request, obj=None):
        # Endpoints are deactivated, not deleted: their delivery log is kept.
        return False

    @admin.display(description=_("Events"))
    def event_list(self, obj):
        return ", ".join(obj.events or ())

    @admin.display(description=_("Delivery log"))
    def delivery_log(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:webhooks_webhookdelivery_changelist") + "?" + urlencode({"endpoint__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("Deliveries to this endpoint"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint=obj, url=data["url"], events=data["events"], active=data["active"], actor=request.user
            )
            return
        endpoint, secret = services.webhook_endpoint_create(
            client=data["client"],
            url=data["url"],
            events=data["events"],
            active=data["active"],
            actor=request.user,
        )
        obj.pk, obj.secret, obj.created_at = endpoint.pk, endpoint.secret, endpoint.created_at
        obj._state.adding = False
        request._webhook_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(self, request, obj, secret, rotated=False)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/rotate-secret/",
                self.admin_site.admin_view(self.rotate_view),
                name=f"{opts.app_label}_{opts.model_name}_rotate",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if request.user.has_perm(ROTATE_PERMISSION):
            extra["rotate_url"] = reverse("admin:webhooks_webhookendpoint_rotate", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def rotate_view(self, request, object_id):
        if not request.user.has_perm(ROTATE_PERMISSION):
            raise PermissionDenied
        endpoint = self.get_object(request, object_id)
        if endpoint is None:
            raise Http404
        if request.method == "POST":
            secret = services.webhook_secret_rotate(endpoint=endpoint, actor=request.user)
            return _secret_page(self, request, endpoint, secret, rotated=True)
        return TemplateResponse(
            request,
            "admin/webhooks/webhookendpoint/rotate.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": endpoint,
                "title": gettext("Rotate the signing secret"),
            },
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fk_name = "delivery"
    fields = ["number", "attempted_at", "response_code", "error", "duration_ms", "succeeded"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["number", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "event_type",
        "event_id",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_response_code",
        "created_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    fields = [
        "endpoint",
        "event_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_response_code",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    def has_replay_permission(self, request):
        return request.user.has_perm(REPLAY_PERMISSION)

    @admin.action(description=_("Replay the chosen deliveries (dead or delivered)"), permissions=["replay"])
    def replay(self, request, queryset):
        chosen = list(queryset)
        replayed = services.webhook_deliveries_replay(deliveries=chosen, actor=request.user)
        skipped = len(chosen) - replayed
        if replayed:
            self.message_user(
                request,
                gettext("%(count)d deliveries queued again.") % {"count": replayed},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext("%(count)d deliveries were skipped: only dead or delivered ones can be replayed.")
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["attempted_at", "endpoint", "delivery", "number", "response_code", "succeeded", "error"]
    list_filter = ["succeeded", "endpoint"]
    list_select_related = ["endpoint", "delivery"]
