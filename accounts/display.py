"""How the portal names a person back to them: ``ACCOUNT_USER_DISPLAY``.

allauth's default shows the username, which here is an internal handle
(``u273ad690926a084d``, see ``AccountAdapter.populate_username``) that means
nothing to the person and should never reach a page. The name the provider
confirmed is theirs to see; without one, their email address, masked, since
a sign-in message can be read over a shoulder.
"""

from django.utils.translation import gettext

from core.masking import mask_email, mask_phone

from .models import IdentityProfile


def verified_legal_name(user) -> str:
    """The legal name a real-name check confirmed, or "" if none did."""
    try:
        profile = user.identity
    except IdentityProfile.DoesNotExist:
        return ""
    return profile.legal_name if profile.is_verified_field("legal_name") else ""


def user_display(user) -> str:
    name = verified_legal_name(user)
    if name:
        return name
    if user.email:
        return mask_email(user.email)
    if user.phone:
        return mask_phone(user.phone)
    return gettext("your account")
