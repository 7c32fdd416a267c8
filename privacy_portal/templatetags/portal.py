"""Template helpers shared by every page."""

from django import template

register = template.Library()


@register.filter
def display_name(user) -> str:
    """How the portal names a person: family name first, else their email.

    Never the username: it is an internal handle that means nothing to
    people and must not appear on pages or in messages.
    """
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.email
