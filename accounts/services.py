"""Account changes. Every write to a user goes through a function here."""

from django.conf import settings
from django.contrib.auth.models import Group

from .models import User
from .roles import StaffRole


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])


def staff_groups_ensure() -> dict[str, Group]:
    """Create the staff role groups if they are missing; return them by role."""
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in StaffRole}
