"""At sign-in, note in the session whether a cancellation is pending, so later pages need not ask.

Connected on import (``PrivacyRequestsConfig.ready`` imports this module;
the middleware does too, so it is connected wherever the middleware runs).
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .selectors import cancellation_open_for

# The user id this session was found to have no open cancellation for.
SESSION_KEY = "privacy_cancellation_clear"


@receiver(user_logged_in, dispatch_uid="privacy_requests.cancellation.remember_state")
def cancellation_state_remember(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if cancellation_open_for(user=user) is None:
        session[SESSION_KEY] = user.pk
    else:
        session.pop(SESSION_KEY, None)
