from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_email

from . import selectors, services
from .models import FanOut, InboxMessage, OutboxEmail
from .topics import fan_out_topics, topic_for_key


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


def fan_out_progress_text(fan_out: FanOut) -> str:
    progress = selectors.fan_out_progress(fan_out=fan_out)
    return gettext("%(queued)d of %(total)d queued, %(sent)d emails sent, %(failed)d failed") % {
        "queued": progress.queued,
        "total": progress.total,
        "sent": progress.sent,
        "failed": progress.failed,
    }


@admin.register(FanOut)
class FanOutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every mass notification (incident notices, policy announcements) and how far it has got; read-only.

    Whoever may see a topic's subject (a topic's ``view_permission``, e.g.
    incidents) may see every fan-out: a fan-out holds no personal data beyond
    counts, and its rows are written only by the services.
    """

    list_display = ("key", "kind", "progress", "created_at", "updated_at", "finished_at")
    list_filter = ("kind",)
    search_fields = ("key",)
    # Each row counts its emails' states: keep the page short.
    list_per_page = 25
    fields = ("key", "kind", "audience", "progress", "created_at", "updated_at", "finished_at")
    readonly_fields = fields

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return fan_out_progress_text(obj)

    @admin.display(description=_("who is told"))
    def audience(self, obj):
        topic = topic_for_key(obj.key)
        return topic.audience if topic is not None else "—"

    def has_view_permission(self, request, obj=None):
        permissions = ["notifications.view_fanout"]
        permissions += [topic.view_permission for topic in fan_out_topics.entries() if topic.view_permission]
        return any(request.user.has_perm(permission) for permission in permissions)

    def has_module_permission(self, request):
        return self.has_view_permission(request)
