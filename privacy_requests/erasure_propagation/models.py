"""An erasure instruction: one service client told to erase its copy of a person's data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InstructionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CONFIRMED = "confirmed", _("Confirmed")
    # A privacy officer closed it with a reason (the service never answered,
    # or no longer exists): the request can be fully done without it.
    CLOSED = "closed", _("Closed by a privacy officer")


class ErasureInstruction(models.Model):
    """Written in the transaction that completes a deletion or cancellation, with its webhook delivery.

    Holds ids only: the service looks the person up by ``subject_id``, the
    platform user id it already knows. "Overdue" is not stored: a pending
    instruction past ``due_at`` is overdue (``selectors.is_overdue``).
    """

    request = models.ForeignKey(
        "privacy_requests.PrivacyRequest",
        verbose_name=_("rights request"),
        on_delete=models.PROTECT,
        related_name="erasure_instructions",
    )
    # PROTECT: where an erasure instruction went stays on record; a client
    # that stops working is deactivated, not deleted.
    client = models.ForeignKey(
        "accounts.ServiceClient",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="erasure_instructions",
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    kind = models.CharField(_("kind"), max_length=15)
    # The data category codes the portal erased; the service erases the same.
    categories = models.JSONField(_("categories of data"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InstructionStatus.choices, default=InstructionStatus.PENDING
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    due_at = models.DateTimeField(_("acknowledgement due by"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased by the service at"), null=True, blank=True)
    ack_note = models.CharField(_("note from the service"), max_length=500, blank=True, default="")
    # The acknowledgement's signature, kept so the same signed acknowledgement
    # cannot be replayed against another instruction (unique).
    ack_nonce = models.CharField(max_length=128, null=True, blank=True, unique=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_reason = models.CharField(_("why closed without confirmation"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "client"], name="erasure_instruction_once_per_client"),
        ]
        indexes = [models.Index(fields=["client", "status"], name="erasure_instruction_client")]
        permissions = [("close_erasure_propagation", _("Can close erasure propagation with a reason"))]
        verbose_name = _("erasure instruction")
        verbose_name_plural = _("erasure instructions")

    def __str__(self):
        return f"erasure instruction #{self.pk}"
