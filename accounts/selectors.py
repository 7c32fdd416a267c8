"""Reads about accounts that other apps need."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

# Before issue #13 platform services signed in as user accounts holding this permission (and a
# DRF token). Their tokens are gone, but such accounts may remain; they are machines, not people.
_SERVICE_PERMISSION = {"codename": "check_consent", "content_type__app_label": "consents"}


def citizen_accounts() -> QuerySet:
    """Active accounts of people the portal serves: never staff, superusers or service accounts.

    Citizen mail (policy announcements, incident notices, surveys) is sent to
    these only: a member of staff is told about an incident through staff
    channels, and a service account has nobody to read it.
    """
    service = Q(**{f"user_permissions__{key}": value for key, value in _SERVICE_PERMISSION.items()}) | Q(
        **{f"groups__permissions__{key}": value for key, value in _SERVICE_PERMISSION.items()}
    )
    users = get_user_model()._default_manager
    return users.filter(is_active=True, is_staff=False, is_superuser=False).exclude(
        pk__in=users.filter(service).values("pk")
    )
