from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin

from .models import AuditEvent

# Written by accounts.staff.services.personal_data_reveal. The audit app
# does not import accounts (accounts depends on audit, not the reverse).
PERSONAL_DATA_REVEALED = "personal_data.revealed"
DETAILS_SUMMARY_LENGTH = 160


class PersonalDataRevealFilter(admin.SimpleListFilter):
    """One click to every reveal of a masked field: what auditors review first."""

    title = _("reveals of personal data")
    parameter_name = "reveals"

    def lookups(self, request, model_admin):
        return [("only", _("Only reveals of personal data"))]

    def queryset(self, request, queryset):
        if self.value() == "only":
            return queryset.filter(action=PERSONAL_DATA_REVEALED)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone: the log is written by services, never by hand."""

    list_display = ("created_at", "partition", "seq", "actor_id", "action", "target", "details_summary")
    list_filter = (PersonalDataRevealFilter, "action", "target_type")
    search_fields = ("action", "target_id", "=actor__id")
    search_help_text = _("An action, a target id, or an actor's user id.")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_select_related = False
    show_full_result_count = False

    @admin.display(description=_("target"))
    def target(self, obj):
        return f"{obj.target_type} #{obj.target_id}" if obj.target_type else ""

    @admin.display(description=_("details"))
    def details_summary(self, obj):
        # Details hold ids, field names and reasons, never personal values
        # (audit.services.record refuses them), so they can be listed.
        text = "; ".join(f"{key}={value}" for key, value in sorted(obj.details.items()))
        if len(text) > DETAILS_SUMMARY_LENGTH:
            text = text[: DETAILS_SUMMARY_LENGTH - 1] + "…"
        return text
