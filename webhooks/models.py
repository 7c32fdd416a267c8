"""Webhook endpoints of service clients, the outbox of deliveries, and the log of attempts."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField

from .events import EventType


class WebhookEndpoint(models.Model):
    """Where one service client wants events pushed, and the secrets the pushes are signed with.

    Two secrets may be valid at once: after a rotation the new one signs,
    and the previous one signs too until ``previous_secret_expires_at``, so
    the client can switch its verifier without losing a delivery.
    """

    client = models.ForeignKey(
        "accounts.ServiceClient",
        verbose_name=_("service client"),
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, help_text=_("The event types pushed to this endpoint."))
    secret = EncryptedTextField(_("signing secret"), editable=False)
    previous_secret = EncryptedTextField(_("previous signing secret"), blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["client_id", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        permissions = [("rotate_secret_webhookendpoint", _("Can rotate a webhook endpoint's signing secret"))]

    def __str__(self):
        return self.url

    def clean(self):
        from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

        from .services import webhook_endpoint_problems

        client = self.client if self.client_id is not None else None
        problems = webhook_endpoint_problems(client=client, url=self.url, events=self.events)
        if problems:
            # The client is fixed once the endpoint exists, so its problem is the form's, not a field's.
            raise ValidationError(
                {NON_FIELD_ERRORS if field == "client" else field: m for field, m in problems.items()}
            )

    def signing_secrets(self, *, now=None) -> list[str]:
        """The secrets to sign with now: the current one, then the previous one while its grace lasts."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERING = "delivering", _("Delivering")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class WebhookDelivery(models.Model):
    """One event for one endpoint: an outbox row, written in the transaction of the change.

    The row is the truth: a broker or worker outage delays it, the beat scan
    finds it again. The payload holds ids only, never personal values.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Due time while pending; the end of the sender's lease while delivering.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Set when a task for this row is in the queue, so the beat scan does not queue it again.
    queued_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("replay_webhookdelivery", _("Can replay a webhook delivery"))]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try at delivering: the endpoint's delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("time"), default=timezone.now)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempt_endpoint")]
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"
