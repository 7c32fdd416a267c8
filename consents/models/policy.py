"""Versions of the privacy policy, and which version a person was shown."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .taxonomy import BilingualMixin


class PolicyVersion(BilingualMixin, models.Model):
    """One published text of the policy, in both languages (Markdown)."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"))
    summary_zh = models.TextField(_("summary of changes (Chinese)"), blank=True, default="")
    summary_en = models.TextField(_("summary of changes (English)"), blank=True, default="")
    material = models.BooleanField(
        _("material change"), default=False, help_text=_("Signed-in citizens must read and accept it once in effect.")
    )
    # Empty while the version is a draft; set by "publish".
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    effective_at = models.DateTimeField(_("effective from"), db_index=True)

    class Meta:
        ordering = ["-effective_at"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self):
        return self.version

    @property
    def text(self) -> str:
        return self._localised("text")

    @property
    def summary(self) -> str:
        return self._localised("summary")


class PolicyDisplay(models.Model):
    """A record that a consent request or policy notice was shown.

    Ties a consent to the exact text the person saw: which policy version,
    where (dashboard, banner, interstitial, purpose confirmation), when. A
    consent request's display is written with the answer it led to (the
    page's form carried what it showed), so ``shown_at`` is when the person
    answered with that text before them.
    """

    class Context(models.TextChoices):
        CONSENT_REQUEST = "consent_request", _("Consent request")
        POLICY_BANNER = "policy_banner", _("Policy change banner")
        INTERSTITIAL = "interstitial", _("Policy acceptance page")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_displays",
    )
    policy_version = models.ForeignKey(PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT)
    purpose = models.ForeignKey(
        "consents.Purpose", verbose_name=_("purpose"), null=True, blank=True, on_delete=models.PROTECT
    )
    context = models.CharField(_("where"), max_length=20, choices=Context.choices)
    shown_at = models.DateTimeField(_("shown"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-shown_at", "-id"]
        verbose_name = _("policy display")
        verbose_name_plural = _("policy displays")

    def __str__(self):
        return f"policy display #{self.pk}"
