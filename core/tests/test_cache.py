"""The Redis cache keeps the portal answering while Redis does not."""

import logging
import socket

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

from core import cache as resilient
from tests.factories import UserFactory

LIVE_REDIS = "redis://127.0.0.1:6379/13"


def _closed_port() -> int:
    # A port nothing listens on: bound, then released.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _backend(location: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{settings.TEST_RUN_ID}-{prefix}",
        }
    }


@pytest.fixture(autouse=True)
def _fresh_state():
    resilient._down_until.clear()
    yield
    resilient._down_until.clear()


def test_with_redis_up_values_are_shared_through_redis():
    with override_settings(CACHES=_backend(LIVE_REDIS, "up")):
        cache = caches.create_connection("default")
        cache.set("answer", 42, 30)
        # Another process would see it: a fresh client reads it back from Redis, not from memory.
        other = caches.create_connection("default")
        assert other.get("answer") == 42
        assert not cache._fallback.has_key("answer")
        cache.delete("answer")


def test_with_redis_down_the_cache_answers_from_memory_and_says_so_once(caplog):
    with override_settings(CACHES=_backend(f"redis://127.0.0.1:{_closed_port()}/0", "down")):
        cache = caches.create_connection("default")
        with caplog.at_level(logging.WARNING, logger="core.cache"):
            cache.set("attempts", 1, 30)
            assert cache.incr("attempts") == 2
            assert cache.add("attempts", 5) is False
            assert cache.get("attempts") == 2
            cache.delete("attempts")
            assert cache.get("attempts") is None
    warnings = [record for record in caplog.records if record.name == "core.cache"]
    assert len(warnings) == 1 and "Redis does not answer" in warnings[0].getMessage()


def test_redis_is_tried_again_after_the_pause(monkeypatch):
    with override_settings(CACHES=_backend(LIVE_REDIS, "again")):
        cache = caches.create_connection("default")
        clock = [1000.0]
        monkeypatch.setattr(resilient.time, "monotonic", lambda: clock[0])
        cache._mark_down(ConnectionError("down"))
        cache.set("where", "memory", 30)
        assert cache._fallback.get("where") == "memory"
        clock[0] += resilient.RETRY_AFTER + 1
        cache.set("where", "redis", 30)
        assert caches.create_connection("default").get("where") == "redis"
        cache.delete("where")


@pytest.mark.django_db
def test_throttled_api_and_sign_in_pages_answer_while_redis_is_down(client):
    with override_settings(CACHES=_backend(f"redis://127.0.0.1:{_closed_port()}/0", "pages")):
        api = APIClient()
        api.force_authenticate(UserFactory())
        assert api.get("/api/v1/me/").status_code == 200
        assert client.get("/accounts/login/").status_code == 200
        response = client.post("/accounts/login/", {"login": "nobody@example.cn", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error: not a 500


def test_a_window_counter_is_shared_through_redis_and_expires_with_its_window():
    with override_settings(CACHES=_backend(LIVE_REDIS, "window")):
        cache = caches.create_connection("default")
        other = caches.create_connection("default")  # another process
        cache.delete("window")
        assert [resilient.window_count(cache, "window", 5), resilient.window_count(other, "window", 5)] == [1, 2]
        assert cache.get("window") == 2
        client = cache._cache.get_client()
        assert 0 < client.ttl(cache.make_and_validate_key("window")) <= 5
        # One redis.Redis per pool, not one per call.
        assert cache._cache.get_client() is client
        cache.delete("window")


def test_a_window_counter_counts_in_memory_while_redis_is_down():
    with override_settings(CACHES=_backend(f"redis://127.0.0.1:{_closed_port()}/0", "window-down")):
        cache = caches.create_connection("default")
        assert [resilient.window_count(cache, "window", 5) for _ in range(3)] == [1, 2, 3]
        assert cache._fallback.get("window") == 3


def test_entries_and_a_window_count_in_one_round_trip_through_redis():
    with override_settings(CACHES=_backend(LIVE_REDIS, "many-count")):
        cache = caches.create_connection("default")
        other = caches.create_connection("default")  # another process
        cache.delete_many(["window", "principal", "absent"])
        cache.set("principal", {"client": 7}, 30)
        found = {"principal": {"client": 7}}
        assert resilient.get_many_and_count(cache, ["principal", "absent"], "window", 5) == (found, 1)
        assert resilient.get_many_and_count(other, ["principal"], "window", 5) == (found, 2)
        assert resilient.window_count(cache, "window", 5) == 3  # the same counter as the throttles'
        assert 0 < cache._cache.get_client().ttl(cache.make_and_validate_key("window")) <= 5
        cache.delete_many(["window", "principal"])


def test_entries_and_a_window_count_from_memory_while_redis_is_down():
    with override_settings(CACHES=_backend(f"redis://127.0.0.1:{_closed_port()}/0", "many-count-down")):
        cache = caches.create_connection("default")
        cache._fallback.set("principal", "p", 30)
        assert [resilient.get_many_and_count(cache, ["principal"], "window", 5) for _ in range(2)] == [
            ({"principal": "p"}, 1),
            ({"principal": "p"}, 2),
        ]
