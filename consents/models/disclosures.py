"""The disclosure ledger: who received whose personal data, when, and on what basis.

Rows are written once by ``consents.disclosures.services.disclosure_record``
and never changed afterwards, except for the notice bookkeeping (when each
person was told, when a deferred notice was released). A subject row keeps
the disclosure's count after the person's account is erased: only the link
to the person is forgotten.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .taxonomy import DataCategory, Partner, Purpose


class DisclosureKind(models.TextChoices):
    SHARING = "sharing", _("Sharing")
    TRANSFER = "transfer", _("Transfer")
    DISCLOSURE = "disclosure", _("Disclosure")


class DisclosureBasis(models.TextChoices):
    CONSENT = "consent", _("Your consent")
    LAW = "law", _("A law or regulation")
    COURT = "court", _("A court order")
    GOVERNMENT_AGENCY = "government_agency", _("A government agency's lawful request")
    DISPUTE = "dispute", _("Handling a dispute")
    MERGER = "merger", _("A merger, division or similar reorganisation")


class Disclosure(models.Model):
    """One occasion on which personal data left the portal."""

    recipient_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("recipient partner"),
    )
    recipient_authority = models.CharField(
        _("recipient authority"),
        max_length=200,
        blank=True,
        help_text=_("A court, agency or other body that is not a partner, by name."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DisclosureKind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=DisclosureBasis.choices)
    purpose = models.ForeignKey(
        Purpose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("purpose"),
    )
    data_categories = models.ManyToManyField(
        DataCategory, related_name="disclosures", verbose_name=_("data categories")
    )
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    notice_deferred = models.BooleanField(_("notice deferred"), default=False)
    defer_reason = models.TextField(_("reason notice is deferred"), blank=True)
    defer_review_date = models.DateField(_("review deferral on"), null=True, blank=True)
    notice_released_at = models.DateTimeField(_("deferred notice released at"), null=True, blank=True)
    subject_count = models.PositiveIntegerField(_("people concerned"), default=0)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            # Exactly one recipient: a partner, or an authority named in text.
            models.CheckConstraint(
                condition=(Q(recipient_partner__isnull=False) & Q(recipient_authority=""))
                | (Q(recipient_partner__isnull=True) & ~Q(recipient_authority="")),
                name="disclosure_one_recipient",
            ),
            # A deferral without its reason and review date is not a deferral the law allows.
            models.CheckConstraint(
                condition=Q(notice_deferred=False) | (~Q(defer_reason="") & Q(defer_review_date__isnull=False)),
                name="disclosure_deferral_complete",
            ),
        ]

    def __str__(self):
        return f"disclosure #{self.pk}"

    @property
    def recipient_name(self) -> str:
        return self.recipient_partner.name if self.recipient_partner_id else self.recipient_authority

    @property
    def notice_withheld(self) -> bool:
        """Deferred by a privacy officer and not yet released: the people concerned are not told."""
        return self.notice_deferred and self.notice_released_at is None


class DisclosureSubject(models.Model):
    """One person whose data a disclosure included, and when they were told."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="subject_rows", verbose_name=_("disclosure")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="disclosure_rows",
        verbose_name=_("person"),
    )
    notified_at = models.DateTimeField(_("told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person in a disclosure")
        verbose_name_plural = _("people in disclosures")
        constraints = [models.UniqueConstraint(fields=["disclosure", "user"], name="disclosure_subject_once")]
        indexes = [
            models.Index(fields=["user", "disclosure"], name="disclosure_subject_user"),
            # The notice sender walks the people not told yet.
            models.Index(
                fields=["disclosure", "id"], condition=Q(notified_at__isnull=True), name="disclosure_subject_untold"
            ),
        ]

    def __str__(self):
        return f"disclosure #{self.disclosure_id} / user #{self.user_id}"
