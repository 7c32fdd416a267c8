"""Template helpers shared by every page."""

from django import template

from accounts.display import person_display_name

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


@register.filter
def field_anchor(field) -> str:
    """The id of the input an error summary's link leads to: the field's own, or its first choice's.

    A group of radios or checkboxes has no single input (Django gives its
    label no ``for``), so the link goes to the first option.
    """
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    if subwidgets and subwidgets[0].id_for_label:
        return subwidgets[0].id_for_label
    return field.auto_id or ""


@register.filter
def signed_in_name(user) -> str:
    """Who the header says is signed in; "" when there is nothing to show.

    Not ``display_name``: first and last name are whatever the account was
    given. The rule (verified name, else masked contact, never the handle) is
    ``accounts.display.person_display_name``, shared with the sign-in message.
    """
    return person_display_name(user)
