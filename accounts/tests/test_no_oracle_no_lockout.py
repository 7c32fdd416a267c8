"""Sign-up and sign-in tell nobody whether an address is registered, and nobody can lock an owner out."""

import statistics
import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, email, password, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, **headers)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out():
    owner = UserFactory(email="owner@example.cn")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(12):
        _sign_in(attacker, owner.email, "wrong-password")
    # The attacker's own attempts are slowed down...
    assert not _signed_in(attacker)
    assert "Too many" in _sign_in(attacker, owner.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # ...and the owner, at home, signs in at once.
    home = Client(REMOTE_ADDR="198.51.100.7")
    response = _sign_in(home, owner.email, PASSWORD)
    assert response.status_code == 302 and _signed_in(home)


def test_a_forged_forwarded_for_does_not_give_a_client_a_new_address():
    owner = UserFactory(email="owner@example.cn")
    for attempt in range(8):
        _sign_in(
            Client(REMOTE_ADDR="203.0.113.9"), owner.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}"
        )
    blocked = _sign_in(Client(REMOTE_ADDR="203.0.113.9"), owner.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert "_auth_user_id" not in blocked.wsgi_request.session


def test_the_api_throttle_ignores_a_forged_forwarded_for(settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "600/min"},
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        from rest_framework.throttling import AnonRateThrottle

        AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        statuses = [
            APIClient(REMOTE_ADDR="203.0.113.9").get("/api/v1/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
            for n in range(8)
        ]
    finally:
        api_settings.reload()
        AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}


def test_behind_a_trusted_proxy_ten_failing_citizens_do_not_lock_out_the_eleventh(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.1"
    for number in range(10):
        person = UserFactory(email=f"p{number}@example.cn")
        client = Client(REMOTE_ADDR=proxy)
        for _attempt in range(6):
            _sign_in(client, person.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    eleventh = UserFactory(email="eleventh@example.cn")
    client = Client(REMOTE_ADDR=proxy)
    response = _sign_in(client, eleventh.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 302 and _signed_in(client)


def _signup_seconds(email: str) -> float:
    started = time.perf_counter()
    Client().post(
        "/accounts/signup/",
        {"kind": "individual", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    return time.perf_counter() - started


def test_signing_up_with_a_known_address_takes_as_long_as_a_new_one(settings):
    # The real hasher: the test settings use a fast one, which would hide the difference.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    UserFactory(email="taken@example.cn")
    _signup_seconds("warm-up@example.cn")
    new = statistics.median(_signup_seconds(f"new{n}@example.cn") for n in range(3))
    known = statistics.median(_signup_seconds("taken@example.cn") for _n in range(3))
    # Before the fix a known address answered in about a sixth of the time.
    assert known > new * 0.5, (known, new)
