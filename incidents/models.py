"""Security incidents; the people they affect are told through a ``notifications.FanOut``."""

from datetime import timedelta

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


class Incident(models.Model):
    """A personal-data security incident, recorded by a privacy officer."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    # The notice's texts may be filled in after the incident is recorded (the
    # four-hour clock starts at discovery); sending waits until every one is
    # there (``services.incident_notice_problems``).
    description_zh = models.TextField(_("what happened (Chinese)"))
    description_en = models.TextField(_("what happened (English)"), blank=True)
    occurred_at = models.DateTimeField(
        _("happened at"), null=True, blank=True, help_text=_("When the incident began, as far as is known.")
    )
    discovered_at = models.DateTimeField(_("discovered at"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.GENERAL)
    categories = models.ManyToManyField(
        "consents.DataCategory", verbose_name=_("data categories affected"), blank=True, related_name="+"
    )
    consequences_zh = models.TextField(_("likely consequences for people (Chinese)"), blank=True)
    consequences_en = models.TextField(_("likely consequences for people (English)"), blank=True)
    measures_zh = models.TextField(_("measures taken (Chinese)"), blank=True)
    measures_en = models.TextField(_("measures taken (English)"), blank=True)
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
        "notifications.FanOut",
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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

    @property
    def description(self) -> str:
        return self._localised("description")

    @property
    def consequences(self) -> str:
        return self._localised("consequences")

    @property
    def measures(self) -> str:
        return self._localised("measures")

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
