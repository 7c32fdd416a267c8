"""The staff roles. What each may do is the matrix in ``accounts.staff.roles``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    AUDITOR = "auditor", _("Auditor")
