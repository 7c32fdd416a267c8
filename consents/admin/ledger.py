"""The consent ledger, current consent states and what each person was shown: read-only, by user id."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin

from ..models import ConsentEvent, ConsentState, PolicyDisplay


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: append-only; a person appears by id only."""

    list_display = (
        "created_at",
        "subject_id_display",
        "seq",
        "purpose",
        "purpose_version",
        "partner",
        "action",
        "channel",
        "policy_version",
        "actor_id_display",
    )
    list_filter = ("action", "channel", "purpose")
    list_select_related = ("purpose", "partner", "policy_version")
    search_fields = ("=subject__id", "=subject_ref")
    search_help_text = _("A person's user id, or the subject reference of a chain.")
    show_full_result_count = False
    fields = (
        "subject_ref",
        "seq",
        "subject_id_display",
        "purpose",
        "purpose_version",
        "partner",
        "action",
        "policy_version",
        "channel",
        "actor_id_display",
        "created_at",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id if obj.subject_id is not None else _("anonymised")

    @admin.display(description=_("given by (user id)"))
    def actor_id_display(self, obj):
        return obj.actor_id


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each person has agreed to now, by user id."""

    list_display = (
        "subject_id_display",
        "purpose",
        "partner",
        "granted",
        "purpose_version",
        "policy_version",
        "channel",
        "by_guardian",
        "updated_at",
    )
    list_filter = ("granted", "by_guardian", "channel", "purpose")
    list_select_related = ("purpose", "partner", "policy_version")
    search_fields = ("=subject__id",)
    search_help_text = _("A person's user id.")
    show_full_result_count = False
    fields = (
        "subject_id_display",
        "purpose",
        "partner",
        "granted",
        "purpose_version",
        "policy_version",
        "channel",
        "by_guardian",
        "event",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id


@admin.register(PolicyDisplay)
class PolicyDisplayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("shown_at", "subject_id_display", "policy_version", "purpose", "context")
    list_filter = ("context", "policy_version")
    list_select_related = ("policy_version", "purpose")
    search_fields = ("=subject__id",)
    show_full_result_count = False
    fields = ("subject_id_display", "policy_version", "purpose", "context", "shown_at")
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id
