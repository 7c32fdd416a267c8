"""Devices named from their user agent on the sign-in history and signed-in devices pages."""

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone, translation

from accounts.activity import services
from accounts.activity.devices import browser_and_system, device_name
from tests.factories import UserFactory

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (CHROME_WINDOWS, "Chrome 131 on Windows"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge 131 on Windows",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Safari/605.1.15",
            "Safari 17 on macOS",
        ),
        (IPHONE, "Mobile Safari 17 on iOS (iPhone)"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome Mobile 131 on Android (Pixel 8)",
        ),
        ("curl/8.5.0", "curl 8"),
        ("", "Unknown device"),
        (None, "Unknown device"),
        ("x" * 5000, "Unknown device"),
    ],
)
def test_common_browsers_are_named_as_people_know_them(user_agent, name):
    with translation.override("en"):
        assert device_name(user_agent) == name


def test_the_name_is_translated_and_the_parse_is_done_once():
    browser_and_system.cache_clear()
    with translation.override("zh-hans"):
        assert device_name(CHROME_WINDOWS) == "Windows 上的 Chrome 131"
        assert device_name("") == "未知设备"
    with translation.override("en"):
        assert device_name(CHROME_WINDOWS) == "Chrome 131 on Windows"
    assert browser_and_system.cache_info().misses == 2 and browser_and_system.cache_info().hits == 1


def _signed_in(user, agent) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "device", "when"),
    [
        ("en", "Chrome 131 on Windows", "2 December 2026, 14:05"),
        ("zh-hans", "Windows 上的 Chrome 131", "2026年12月2日 14:05"),
    ],
)
def test_sessions_and_history_show_device_names_and_long_dates(language, device, when):
    user = UserFactory(language=language)
    client = _signed_in(user, CHROME_WINDOWS)
    # allauth records the session on the first request that carries it.
    client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    two_past_two = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=timezone.get_fixed_timezone(8 * 60))
    UserSession.objects.filter(user=user).update(created_at=two_past_two, last_seen_at=two_past_two)
    record = services.login_activity_record(
        user=user, ip="203.0.113.7", user_agent=CHROME_WINDOWS, method="email_password"
    )
    type(record).objects.filter(pk=record.pk).update(created_at=two_past_two)

    sessions = client.get("/account/activity/sessions/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    history = client.get("/account/activity/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for html in (sessions, history):
        assert device in html and when in html
        assert "AppleWebKit" not in html and "12/02/2026" not in html
