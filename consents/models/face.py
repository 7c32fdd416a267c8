from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StrongVerification(models.Model):
    """How a person reached identity level 3 (or tried to).

    Face verification goes through the face-recognition partner; the portal
    keeps only the outcome, the time and the partner's reference, never an
    image or template. Because face recognition must never be the only way,
    a bank-card check or an in-person check at a service counter (recorded
    by staff) reaches the same level.
    """

    class Method(models.TextChoices):
        FACE = "face", _("Face verification")
        BANK_CARD = "bank_card", _("Bank-card check")
        COUNTER = "counter", _("In person at a service counter")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        UNAVAILABLE = "unavailable", _("Provider unavailable")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="strong_verifications",
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    partner = models.ForeignKey(
        "consents.Partner", verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("strong verification")
        verbose_name_plural = _("strong verifications")

    def __str__(self):
        return f"{self.method}: {self.outcome}"
