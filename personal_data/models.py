"""Legal holds: what keeps a person's data, or a category of everyone's, from erasure and expiry.

They live here, below every app that erases or expires data, so that each
eraser (``<app>/personal_data.py``) and the retention sweep ask the same
rules (``personal_data.holds``). The table keeps the name it was created
with in the retention app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)

    def past_review(self, *, today=None):
        today = today or timezone.localdate()
        return self.active().filter(review_date__lt=today)


class LegalHold(models.Model):
    """Keeps a person's data, a category's, or one category of one person's, from deletion and anonymisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    category = models.CharField(
        _("data category"), max_length=64, blank=True, default="", help_text=_("Empty: every category.")
    )
    # Why, as the legal ground and case reference: never personal data.
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    review_date = models.DateField(_("review date"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        # Created by the retention app; moved here without touching the table or its rows.
        db_table = "retention_legalhold"
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "category"], name="legalhold_active", condition=models.Q(lifted_at=None)),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(user=None, category=""), name="legalhold_person_or_category"),
        ]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self):
        return f"legal hold #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def is_past_review(self) -> bool:
        return self.is_active and self.review_date < timezone.localdate()
