"""The staff roles. Their permissions are granted in issue #3's matrix."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    AUDITOR = "auditor", _("Auditor")
