"""Handing a browser a signed-in session, for tests whose subject is not the login page."""

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice


def give_browser_session(context, live_server, user, *, second_factor_passed: bool = False) -> None:
    """Sign ``context`` in as ``user`` with a session made by Django's test client.

    With ``second_factor_passed`` the session also counts as having passed
    django-otp's step (as after entering a code), which admin requires.
    """
    client = Client()
    client.force_login(user)
    session = client.session
    if second_factor_passed:
        device, _ = StaticDevice.objects.get_or_create(user=user, name="e2e")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}])
