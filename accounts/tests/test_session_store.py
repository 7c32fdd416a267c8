"""Sessions read through the shared cache (accounts/session_store.py): no session row per page, ending still ends.

With Redis as the cache a signed-in page reads its session from Redis; every
way of ending a session (signing out the other devices, a password change)
must still end it in every process, and with Redis down the store reads the
database as before.
"""

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from core import cache as resilient
from core.process_cache import process_tables_forget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIVE_REDIS = "redis://127.0.0.1:6379/13"
PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Battery-Staple-77"


def _redis_cache(location: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{settings.TEST_RUN_ID}-sessions-{prefix}",
        }
    }


@pytest.fixture
def redis_cache():
    resilient._down_until.clear()
    with override_settings(CACHES=_redis_cache(LIVE_REDIS, "up")):
        caches["default"].clear()
        process_tables_forget()
        yield caches["default"]
        caches["default"].clear()
    process_tables_forget()


@pytest.fixture
def redis_down():
    resilient._down_until.clear()
    # A port nothing listens on: every Redis call fails and the cache falls back to memory.
    with override_settings(CACHES=_redis_cache("redis://127.0.0.1:9/0", "down")):
        process_tables_forget()
        yield caches["default"]
    resilient._down_until.clear()
    process_tables_forget()


def _session_queries(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))
    return [query["sql"] for query in captured.captured_queries if "django_session" in query["sql"]]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/privacy/")  # the first page records the session and leaves it in the cache
    return client


def test_with_redis_a_signed_in_page_reads_no_session_row(redis_cache):
    client = _signed_in(UserFactory())

    assert _session_queries(client, "/privacy/") == []
    assert _session_queries(client, "/") == []


def test_with_redis_down_the_session_comes_from_the_database(redis_down):
    client = _signed_in(UserFactory())

    assert len(_session_queries(client, "/privacy/")) == 1


def test_signing_out_the_other_devices_ends_their_cached_sessions(redis_cache):
    user = UserFactory()
    here, there = _signed_in(user), _signed_in(user)
    assert there.get("/account/activity/").status_code == 200

    here.post("/account/activity/sessions/end-others/")

    assert there.get("/account/activity/").status_code == 302
    assert here.get("/account/activity/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1


def test_a_password_change_ends_the_other_cached_sessions(redis_cache, django_capture_on_commit_callbacks):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    here, there = Client(), Client()
    for client in (here, there):
        assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    assert there.get("/account/activity/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302

    assert there.get("/account/activity/").status_code == 302
    assert here.get("/account/activity/").status_code == 200


def test_a_session_ended_while_redis_was_down_is_not_brought_back_by_the_cache(redis_cache, settings):
    """The copy Redis kept through an outage lives at most SESSION_CACHE_MAX_AGE; at 0 it is never trusted."""
    settings.SESSION_CACHE_MAX_AGE = 0
    user = UserFactory()
    client = _signed_in(user)
    # Ended behind the cache's back, as during an outage: only the row goes.
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=client.session.session_key).delete()

    assert client.get("/account/activity/").status_code == 302
