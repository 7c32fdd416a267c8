from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_email

from . import services
from .models import InboxMessage, OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state for operators; the message content is not shown."""

    list_display = ("id", "kind", "masked_to", "language", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("state", "kind", "language")
    fields = (
        "kind",
        "masked_to",
        "language",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["retry_now"]
    show_full_result_count = False

    @admin.display(description=_("to"))
    def masked_to(self, obj):
        return mask_email(obj.to_address)

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.retry_outboxemail")

    @admin.action(description=_("Retry sending the selected emails now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.outbox_retry(outbox_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "recipient_id", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    fields = ("recipient_id", "kind", "created_at", "read_at")
    readonly_fields = fields
    show_full_result_count = False
