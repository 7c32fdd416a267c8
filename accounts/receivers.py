"""Security events from Django's auth signals go to the ``security`` log.

The log line names no person in full: the masking filter on the ``security``
logger rewrites ID numbers, phones and emails before any handler sees them.
"""

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from core.logging import security_log


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("email") or credentials.get("phone") or credentials.get("username") or "-"
    client = request.META.get("REMOTE_ADDR", "-") if request is not None else "-"
    security_log.warning("login failed: identifier=%s client=%s", identifier, client)


@receiver(email_confirmed)
def refresh_verification_level(sender, request, email_address, **kwargs):
    """A confirmed email is level 1 ("contact verified"): store it at once."""
    from accounts.identity.services import identity_level_refresh

    identity_level_refresh(user=email_address.user)
