"""Security incidents and the fan-out that tells the people they affect."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# The provincial cyberspace office must have the report within four hours
# of discovery for a "relatively major" incident or worse.
REPORT_WINDOW = timedelta(hours=4)


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    RELATIVELY_MAJOR = "relatively_major", _("Relatively major")
    MAJOR = "major", _("Major")
    ESPECIALLY_MAJOR = "especially_major", _("Especially major")


# Severities that start the four-hour reporting clock.
REPORTABLE = (Severity.RELATIVELY_MAJOR, Severity.MAJOR, Severity.ESPECIALLY_MAJOR)


class Audience(models.TextChoices):
    ALL = "all", _("All users")
    CATEGORY = "category", _("Users with data in a category")
    IDS = "ids", _("A list of user ids (CSV)")


class FanOut(models.Model):
    """One message sent to many people through the outbox, in batches.

    Generic on purpose: an incident notice today, a policy announcement
    tomorrow. ``cursor`` is the last user id whose messages were written; it
    moves in the same transaction as the batch, so a crash loses at most the
    uncommitted batch and a rerun starts after the last committed one.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("notification kind"), max_length=64)
    total = models.PositiveIntegerField(_("people"), default=0)
    cursor = models.BigIntegerField(_("last user id written"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last batch"), auto_now=True)
    finished_at = models.DateTimeField(_("all queued"), null=True, blank=True)

    class Meta:
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
        constraints = [models.UniqueConstraint(fields=["fan_out", "user"], name="fanout_recipient_once")]
        verbose_name = _("fan-out recipient")
        verbose_name_plural = _("fan-out recipients")

    def __str__(self):
        return f"fan-out {self.fan_out_id} → user {self.user_id}"


class Incident(models.Model):
    """A personal-data security incident, recorded by a privacy officer."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description = models.TextField(_("what happened"))
    discovered_at = models.DateTimeField(_("discovered at"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.GENERAL)
    categories = models.ManyToManyField(
        "consents.DataCategory", verbose_name=_("data categories affected"), blank=True, related_name="+"
    )
    measures = models.TextField(_("measures taken"), blank=True)
    advice_zh = models.TextField(_("advice to people (Chinese)"))
    advice_en = models.TextField(_("advice to people (English)"))
    reported_at = models.DateTimeField(
        _("reported to the cyberspace office at"),
        null=True,
        blank=True,
        help_text=_("Relatively major incidents or worse: within 4 hours of discovery."),
    )
    audience = models.CharField(_("affected people"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    audience_category = models.CharField(
        _("personal-data category"),
        max_length=50,
        blank=True,
        help_text=_("For “users with data in a category”: people with records in this category."),
    )
    # Uploaded as CSV and validated (ids only, every id an account).
    audience_user_ids = models.JSONField(_("user ids"), default=list, blank=True)
    banner_until = models.DateTimeField(
        _("portal banner until"), null=True, blank=True, help_text=_("Shown on every portal page once notified.")
    )
    fan_out = models.OneToOneField(
        FanOut, verbose_name=_("notification"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who recorded and changed it is in the audit log (incident.recorded / incident.changed).
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")

    def __str__(self):
        return self.title_en or self.title_zh

    @property
    def title(self) -> str:
        return self._localised("title")

    @property
    def advice(self) -> str:
        return self._localised("advice")

    def _localised(self, field: str) -> str:
        english = (translation.get_language() or "").startswith("en")
        return getattr(self, f"{field}_en" if english else f"{field}_zh") or getattr(self, f"{field}_zh")

    @property
    def report_required(self) -> bool:
        return self.severity in REPORTABLE

    @property
    def report_deadline(self):
        """When the report to the provincial cyberspace office is due, or None."""
        if not self.report_required or self.discovered_at is None:
            return None
        return self.discovered_at + REPORT_WINDOW

    @property
    def report_overdue(self) -> bool:
        deadline = self.report_deadline
        if deadline is None:
            return False
        return (self.reported_at or timezone.now()) > deadline
