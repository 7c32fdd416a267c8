"""Privacy policy versions in admin: drafted, then published and announced; fixed once published."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import PolicyVersion
from ..policy_acceptance import services as policy_services

POLICY_TEXT_FIELDS = ("version", "text_zh", "text_en", "summary_zh", "summary_en", "material", "effective_at")


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = list(POLICY_TEXT_FIELDS)

    def clean_effective_at(self):
        effective_at = self.cleaned_data["effective_at"]
        if effective_at <= timezone.now():
            raise ValidationError(
                _("Choose a future date: people must be told of a new version before it takes effect."),
                code="past",
            )
        return effective_at


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("version", "material", "publication", "effective_at")
    list_filter = ("material",)
    search_fields = ("version",)
    actions = ["publish"]
    ordering = ("-effective_at",)

    @admin.display(description=_("published"))
    def publication(self, obj):
        if policy_services.policy_is_draft(version=obj):
            return _("Draft (not published)")
        return obj.published_at

    def get_readonly_fields(self, request, obj=None):
        # What people were shown and accepted never changes afterwards.
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return (*POLICY_TEXT_FIELDS, "published_at")
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return (*POLICY_TEXT_FIELDS, "published_at")
        return POLICY_TEXT_FIELDS

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Publish and announce to every citizen"), permissions=["change"])
    def publish(self, request, queryset):
        versions = list(queryset.order_by("effective_at"))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/consents/policyversion/publish_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Publish policy versions"),
                    "opts": self.model._meta,
                    "versions": versions,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        published = 0
        for version in versions:
            try:
                policy_services.policy_publish(version=version, actor=request.user)
            except ValidationError:
                # The service's only refusal: the effective date has come.
                self.message_user(
                    request,
                    _("Version %(version)s was not published: its effective date has passed. Set a future date.")
                    % {"version": version.version},
                    messages.ERROR,
                )
                continue
            published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d version published; its announcement is being written to every citizen's inbox "
                    "and email outbox.",
                    "%(count)d versions published; their announcements are being written to every citizen's "
                    "inbox and email outbox.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )
        return None
