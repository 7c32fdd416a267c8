"""Service clients in admin: register, choose scopes, deactivate, rotate the secret; never delete.

The admin is a thin layer over ``services.py``, which checks permissions and
writes the audit record. A secret is rendered once, on the page that answers
the registration or rotation, with ``Cache-Control: no-store``; it is never
put in a message (messages live in the session) or a URL.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from . import services
from .models import ServiceClient
from .scopes import SCOPES


class ServiceClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(code, f"{code} — {description}") for code, description in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Taking a scope away revokes the client's current tokens."),
    )

    class Meta:
        model = ServiceClient
        fields = ["name", "scopes"]

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        problems = services.service_client_scope_problems(scopes)
        if problems:
            raise forms.ValidationError(problems)
        return scopes


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    form = ServiceClientForm
    list_display = ("name", "client_id", "scope_list", "active", "created_at", "secret_rotated_at")
    list_filter = ("active",)
    search_fields = ("name", "=application__client_id")
    list_select_related = ("application",)
    readonly_fields = ("client_id", "active", "created_at", "deactivated_at", "secret_rotated_at")
    actions = ["rotate_secret", "deactivate", "reactivate"]

    @admin.display(description=_("client id"))
    def client_id(self, obj):
        return obj.application.client_id if obj.pk else "—"

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return " ".join(obj.scopes)

    def has_delete_permission(self, request, obj=None):
        # Kept for the audit log and webhook history; deactivate instead.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.service_client_update(actor=request.user, client=obj, name=data["name"], scopes=data["scopes"])
            return
        client, secret = services.service_client_register(actor=request.user, name=data["name"], scopes=data["scopes"])
        obj.pk = client.pk
        obj.application = client.application
        request._service_client_secret = secret  # for response_add, this request only

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_service_client_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return self._secret_page(request, ServiceClient.objects.select_related("application").get(pk=obj.pk), secret)

    def _secret_page(self, request, client, secret):
        response = TemplateResponse(
            request,
            "admin/accounts/serviceclient/secret.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Client secret"),
                "client": client,
                "secret": secret,
            },
        )
        add_never_cache_headers(response)
        return response

    @admin.action(permissions=["change"], description=_("Rotate the secret (revokes its tokens)"))
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Rotate one client's secret at a time."), messages.ERROR)
            return None
        client = queryset.select_related("application").get()
        try:
            secret = services.service_client_secret_rotate(actor=request.user, client=client)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return self._secret_page(request, client, secret)

    @admin.action(permissions=["change"], description=_("Deactivate (its tokens stop working at once)"))
    def deactivate(self, request, queryset):
        for client in queryset:
            services.service_client_deactivate(actor=request.user, client=client)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d service client deactivated.", "%(count)d service clients deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(permissions=["change"], description=_("Reactivate"))
    def reactivate(self, request, queryset):
        for client in queryset:
            services.service_client_reactivate(actor=request.user, client=client)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d service client reactivated.", "%(count)d service clients reactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


# django-oauth-toolkit's own admin pages would show and edit applications and tokens beside the
# audited services above; everything goes through the service client page instead.
for _model in (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
