"""How the portal names a person back to them, in one rule.

The username here is an internal handle (``u273ad690926a084d``, see
``AccountAdapter.populate_username``) that means nothing to the person and
must never reach a page or a message. The name a provider confirmed is theirs
to see; without one, their email address or mobile number, masked, since the
header and the sign-in message are read over people's shoulders. Typed-in
first and last names are not used: they are nobody's confirmed identity.

``person_display_name`` is the rule; the header's ``signed_in_name`` filter
and allauth's ``ACCOUNT_USER_DISPLAY`` (``user_display``) both call it.
"""

from django.utils.translation import gettext

from core.masking import mask_email, mask_phone

from .identity.selectors import verified_name_for


def person_display_name(user) -> str:
    """The verified name, else the masked email, else the masked mobile number; "" for nobody.

    At most one small query, none if the identity profile is already loaded
    (see ``verified_name_for``).
    """
    if user is None or not user.is_authenticated:
        return ""
    name = verified_name_for(user=user)
    if name:
        return name
    if user.email:
        return mask_email(user.email)
    if user.phone:
        return mask_phone(user.phone)
    return ""


def user_display(user) -> str:
    """allauth's name for the person ("Successfully signed in as …"), never empty."""
    return person_display_name(user) or gettext("your account")
