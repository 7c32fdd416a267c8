"""Per-client rate limits, counted in the shared cache."""

import pytest
from django.core.cache import cache
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.service_clients.throttling import ServiceClientRateThrottle, parse_rate


@api_view(["GET"])
@permission_classes([HasServiceScope(CONSENT_CHECK)])
@throttle_classes([ServiceClientRateThrottle])
def limited(request):
    return Response({"ok": True})


limited.cls.throttle_scope = "consent_check"

urlpatterns = [path("api/v1/test-limited/", limited), path("", include("privacy_portal.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_the_platform_rates_are_the_documented_ones(settings):
    from privacy_portal.settings import base

    rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert parse_rate(rates["consent_check"]) == (120_000, 60)
    assert parse_rate(rates["consent_check_batch"]) == (3_000, 60)
    # Citizens keep theirs.
    assert (rates["anon"], rates["user"]) == ("60/min", "600/min")


def test_each_client_has_its_own_count_and_the_answer_is_a_429_with_retry_after(settings, service_client):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "consent_check": "3/min"},
    }
    cache.clear()
    _first, first_token = service_client(scopes=[CONSENT_CHECK])
    _second, second_token = service_client(scopes=[CONSENT_CHECK])
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Bearer {first_token}")
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {second_token}")
    assert [first.get("/api/v1/test-limited/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/test-limited/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert second.get("/api/v1/test-limited/").status_code == 200


def test_the_count_lives_in_the_shared_cache_under_the_client(settings, service_client):
    """The count is a key of Django's cache (Redis in production, shared by every process), per client."""
    import time

    cache.clear()
    client, token = service_client(scopes=[CONSENT_CHECK])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    window = int(time.time() // 60)
    api.get("/api/v1/test-limited/")
    api.get("/api/v1/test-limited/")
    counted = cache.get(f"throttle:service:consent_check:{client.application_id}:{window}")
    assert counted == 2 or cache.get(f"throttle:service:consent_check:{client.application_id}:{window + 1}")


def test_a_client_seen_before_is_counted_in_the_round_trip_that_reads_its_token(settings, service_client, monkeypatch):
    from accounts.service_clients import throttling

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "consent_check": "2/min"},
    }
    cache.clear()
    _client, token = service_client(scopes=[CONSENT_CHECK])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/test-limited/").status_code == 200  # first sight: the throttle counts on its own
    monkeypatch.setattr(throttling, "window_count", lambda *args: pytest.fail("a second round trip to count"))
    # Counted once a call, in the shared cache: the limit holds as before.
    assert [api.get("/api/v1/test-limited/").status_code for _ in range(2)] == [200, 429]
