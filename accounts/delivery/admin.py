"""Deliveries in admin, for customer service: recipient details masked, revealed one at a time with a reason.

Staff mark a delivery dispatched or delivered with the two actions below,
which go through the services (and so the audit log). Nobody adds, edits or
deletes a delivery here: the citizen requests it, retention blanks it.

Registered with the admin site when ``accounts.admin`` imports this module; the
masked fields are listed in ``accounts.staff.masked_fields``.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Delivery
from accounts.staff.admin_mixins import RevealableAdminMixin
from core.admin_mixins import ReadOnlyAdminMixin

from . import services

STAFF_PERMISSION = "accounts.change_delivery"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, RevealableAdminMixin, admin.ModelAdmin):
    # Read-only pages: the status changes only through the two actions below.
    list_display = (
        "id",
        "user_id",
        "item",
        "status",
        "masked_recipient_name",
        "masked_mobile",
        "masked_region",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status",)
    search_fields = ("=id", "=user__id")
    search_help_text = _("A delivery number or a person's account number.")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = (
        "user",
        "item",
        "status",
        "masked_recipient_name",
        "masked_mobile",
        "masked_region",
        "masked_street",
        "created_at",
        "dispatched_at",
        "delivered_at",
        "cancelled_at",
    )
    readonly_fields = fields
    actions = ["mark_dispatched", "mark_delivered"]

    def has_deliver_permission(self, request) -> bool:
        return request.user.has_perm(STAFF_PERMISSION)

    @admin.display(description=_("recipient"))
    def masked_recipient_name(self, obj):
        return self.masked_with_reveal(obj, "recipient_name")

    @admin.display(description=_("recipient's mobile number"))
    def masked_mobile(self, obj):
        return self.masked_with_reveal(obj, "mobile")

    @admin.display(description=_("province and city"))
    def masked_region(self, obj):
        return self.masked_with_reveal(obj, "region")

    @admin.display(description=_("street address"))
    def masked_street(self, obj):
        return self.masked_with_reveal(obj, "street")

    def _apply(self, request, queryset, change, done_message):
        done, refused = 0, []
        for delivery in queryset.order_by("pk"):
            try:
                change(delivery=delivery, actor=request.user)
            except services.DeliveryTransitionNotAllowed as error:
                refused.append(f"#{delivery.pk}: {error.message}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Mark dispatched"), permissions=["deliver"])
    def mark_dispatched(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.delivery_dispatch,
            lambda count: (
                ngettext("%(count)d delivery marked dispatched.", "%(count)d deliveries marked dispatched.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Mark delivered"), permissions=["deliver"])
    def mark_delivered(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.delivery_mark_delivered,
            lambda count: (
                ngettext("%(count)d delivery marked delivered.", "%(count)d deliveries marked delivered.", count)
                % {"count": count}
            ),
        )
