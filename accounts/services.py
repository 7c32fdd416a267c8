"""Account changes. Every write to a user goes through a function here."""

from django.conf import settings
from django.contrib.auth.models import Group

from .models import User
from .staff.services import staff_groups_sync


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])


def staff_groups_ensure() -> dict[str, Group]:
    """Create the staff role groups with exactly the matrix's permissions; return them by role.

    The matrix lives in ``accounts.staff.roles``; ``migrate`` runs the same
    sync, so this is for callers that need the groups right now (seed_demo).
    """
    return staff_groups_sync()
