"""One message to many people, and the record of who has been told.

These models came from ``incidents`` (issue #10): policy announcements use
them as much as incident notices. They keep their original tables, so the
rows written before the move are the rows read after it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FanOut(models.Model):
    """One message sent to many people through the outbox, in batches.

    Generic on purpose: the key's prefix names the topic (``incident:12``,
    ``policy:3``) registered in ``notifications.topics``. ``cursor`` is the
    last user id whose messages were written; it moves in the same
    transaction as the batch, so a crash loses at most the uncommitted batch
    and a rerun starts after the last committed one.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("notification kind"), max_length=64)
    total = models.PositiveIntegerField(_("people"), default=0)
    cursor = models.BigIntegerField(_("last user id written"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last batch"), auto_now=True)
    finished_at = models.DateTimeField(_("all queued"), null=True, blank=True)

    class Meta:
        db_table = "incidents_fanout"
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification fan-out")
        verbose_name_plural = _("notification fan-outs")

    def __str__(self):
        return self.key


class FanOutRecipient(models.Model):
    """One person already written to by a fan-out: a rerun never writes to them again."""

    fan_out = models.ForeignKey(FanOut, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    outbox_email = models.ForeignKey(
        "notifications.OutboxEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "incidents_fanoutrecipient"
        constraints = [models.UniqueConstraint(fields=["fan_out", "user"], name="fanout_recipient_once")]
        verbose_name = _("fan-out recipient")
        verbose_name_plural = _("fan-out recipients")

    def __str__(self):
        return f"fan-out {self.fan_out_id} → user {self.user_id}"
