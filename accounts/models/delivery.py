"""Offline delivery of documents (clause 2.4): the address is used for the delivery and kept only until it is done."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField


class DeliveryStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.Model):
    """A document (a certificate, a licence, a card) sent to a citizen by post or courier.

    The recipient's name, mobile number and address are encrypted at rest,
    like the identity fields, and blanked by retention 90 days after the
    delivery is done or cancelled (``retention.rules``); what was delivered,
    the status and the dates stay for statistics. Changes go through
    ``accounts.delivery.services`` only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # A description of the document, never personal: it outlives the address.
    item = models.CharField(_("what is delivered"), max_length=100)
    recipient_name = EncryptedTextField(_("recipient"), blank=True, default="")
    mobile = EncryptedTextField(_("recipient's mobile number"), blank=True, default="")
    region = EncryptedTextField(_("province and city"), blank=True, default="")
    street = EncryptedTextField(_("street address"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.REQUESTED
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="delivery_user_time"),
            # What the retention sweep reads: finished deliveries by the date they finished.
            models.Index(fields=["status", "delivered_at"], name="delivery_done_time"),
            models.Index(fields=["status", "cancelled_at"], name="delivery_cancel_time"),
        ]
        constraints = [
            # A finished delivery always has the date retention counts from.
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.DELIVERED, delivered_at=None), name="delivery_delivered_at"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.CANCELLED, cancelled_at=None), name="delivery_cancelled_at"
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"delivery #{self.pk}"

    @property
    def address_blanked(self) -> bool:
        """Retention (or erasure) has removed the recipient's details."""
        return not (self.recipient_name or self.mobile or self.region or self.street)
