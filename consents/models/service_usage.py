"""How often each platform service asked about a person, per day (clause 3.1: services used).

Consent checks are counted in each web process and written here in batches
(``consents.service_usage.counting``), never a row a check: the check is the
platform's hottest call.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .taxonomy import Purpose


class ServiceCheckDay(models.Model):
    """One service's consent checks about one person for one purpose on one day (Beijing time)."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "accounts.ServiceClient", verbose_name=_("service"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.ForeignKey(Purpose, verbose_name=_("purpose"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    checks = models.PositiveIntegerField(_("consent checks"), default=0)

    class Meta:
        verbose_name = _("consent checks by a service on a day")
        verbose_name_plural = _("consent checks by services per day")
        constraints = [
            models.UniqueConstraint(fields=["subject", "client", "purpose", "day"], name="service_check_day_once")
        ]
        indexes = [
            # The person's page, newest first; the retention sweep by day.
            models.Index(fields=["subject", "-day"], name="service_check_day_subject"),
            models.Index(fields=["day"], name="service_check_day_day"),
        ]

    def __str__(self):
        return f"{self.client_id}/{self.subject_id}/{self.day}"
