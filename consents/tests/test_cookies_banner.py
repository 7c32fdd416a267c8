"""The cookie banner for anonymous visitors: equal choices, no optional cookie or script before consent, GPC."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consents.cookies.selectors import ANALYTICS_COOKIE, CHOICE_COOKIE, analytics_counts

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GPC = {"HTTP_SEC_GPC": "1"}
CHOOSE = "/privacy/cookies/choose/"
PAGEVIEW = "/privacy/cookies/pageview/"
SCRIPT = "js/analytics.js"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def choose(client, choice, *, next_url="/policy/", **headers):
    return client.post(CHOOSE, {"choice": choice, "source": "banner", "next": next_url}, **headers)


def banner_buttons(html: str) -> list[str]:
    return re.findall(r'<button[^>]*data-testid="banner-cookie-(?:accept|refuse)"[^>]*>', html)


def test_an_anonymous_visitor_sees_the_banner_with_equal_choices_and_nothing_optional(client):
    response = client.get("/", **EN)
    html = response.content.decode()
    assert 'data-testid="cookie-banner"' in html
    accept, refuse = banner_buttons(html)
    # Same element, same classes: refusing is exactly as prominent as accepting.
    assert accept.replace("accept", "X") == refuse.replace("refuse", "X")
    assert "Accept analytics cookies" in html and "Refuse analytics cookies" in html
    assert 'href="/privacy/cookies/"' in html
    assert SCRIPT not in html
    assert ANALYTICS_COOKIE not in response.cookies and CHOICE_COOKIE not in response.cookies


def test_the_banner_works_without_javascript_refusal_sets_no_optional_cookie(client):
    response = choose(client, "refuse", **EN)
    assert response.status_code == 302 and response["Location"] == "/policy/"
    assert response.cookies[CHOICE_COOKIE].value == "refuse"
    assert ANALYTICS_COOKIE not in response.cookies or response.cookies[ANALYTICS_COOKIE].value == ""
    page = client.get("/policy/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page
    assert SCRIPT not in page
    assert "only strictly necessary cookies are used" in page
    assert client.post(PAGEVIEW).status_code == 403
    assert ANALYTICS_COOKIE not in client.cookies or client.cookies[ANALYTICS_COOKIE].value == ""
    assert analytics_counts()["pageviews"] == 0


def test_acceptance_loads_the_script_which_counts_and_then_sets_the_optional_cookie(client):
    response = choose(client, "accept", **EN)
    assert response.cookies[CHOICE_COOKIE].value == "accept"
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page
    assert re.search(r'<script src="/static/js/analytics.js" data-endpoint="/privacy/cookies/pageview/" defer>', page)

    counted = client.post(PAGEVIEW)
    assert counted.status_code == 204
    assert counted.cookies[ANALYTICS_COOKIE].value == "1"
    client.post(PAGEVIEW)
    assert analytics_counts() == {"pageviews": 2, "new_browsers": 1}


def test_choice_cookies_are_first_party_lax_httponly_and_secure_where_the_session_is(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    choice = choose(client, "accept").cookies[CHOICE_COOKIE]
    assert choice["samesite"] == "Lax" and choice["httponly"] and choice["secure"]
    assert choice["max-age"] == 180 * 24 * 60 * 60
    analytics = client.post(PAGEVIEW).cookies[ANALYTICS_COOKIE]
    assert analytics["samesite"] == "Lax" and analytics["httponly"] and analytics["secure"]


def test_refusing_later_removes_the_optional_cookie(client):
    choose(client, "accept")
    client.post(PAGEVIEW)
    response = choose(client, "refuse")
    assert response.cookies[ANALYTICS_COOKIE]["max-age"] == 0
    assert SCRIPT not in client.get("/").content.decode()


def test_the_pageview_endpoint_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    client.post(CHOOSE, {"choice": "accept", "source": "banner", "csrfmiddlewaretoken": token})
    assert client.post(PAGEVIEW).status_code == 403
    assert analytics_counts()["pageviews"] == 0
    assert client.post(PAGEVIEW, HTTP_X_CSRFTOKEN=token).status_code == 204
    assert analytics_counts()["pageviews"] == 1


def test_the_pageview_endpoint_is_post_only(client):
    choose(client, "accept")
    assert client.get(PAGEVIEW).status_code == 405


def test_global_privacy_control_counts_as_refusal(client):
    page = client.get("/", **EN, **GPC).content.decode()
    assert 'data-testid="cookie-banner"' not in page
    assert 'data-testid="cookie-gpc-notice"' in page
    assert "Global Privacy Control signal" in page
    assert SCRIPT not in page
    # Even an earlier acceptance in this browser gives way to the signal.
    choose(client, "accept")
    page = client.get("/", **EN, **GPC).content.decode()
    assert SCRIPT not in page and 'data-testid="cookie-gpc-notice"' in page
    response = client.post(PAGEVIEW, **GPC)
    assert response.status_code == 403 and ANALYTICS_COOKIE not in response.cookies
    assert analytics_counts()["pageviews"] == 0


def test_accepting_while_the_signal_is_sent_explains_that_the_signal_wins(client):
    response = choose(client, "accept", **EN, **GPC)
    page = client.get(response["Location"], **EN, **GPC).content.decode()
    assert "Global Privacy Control signal. We honour it" in page
    assert SCRIPT not in page


def test_the_banner_comes_back_only_to_a_safe_page(client):
    assert choose(client, "refuse", next_url="https://evil.example/").headers["Location"] == "/privacy/cookies/"
    assert choose(client, "refuse", next_url="//evil.example/").headers["Location"] == "/privacy/cookies/"


def test_an_unknown_choice_is_explained_and_changes_nothing(client):
    response = client.post(CHOOSE, {"choice": "maybe", "next": "/"}, **EN)
    assert CHOICE_COOKIE not in response.cookies
    assert "Choose whether to accept or refuse" in client.get("/", **EN).content.decode()


def test_choose_is_post_only(client):
    assert client.get(CHOOSE).status_code == 405


def test_the_details_page_names_every_cookie_and_offers_the_same_choice(client):
    page = client.get("/privacy/cookies/", **EN).content.decode()
    for name in ("sessionid", "csrftoken", "django_language", CHOICE_COOKIE, ANALYTICS_COOKIE):
        assert f"<code>{name}</code>" in page
    assert "Strictly necessary cookies (always on)" in page
    assert 'data-testid="settings-cookie-accept"' in page and 'data-testid="settings-cookie-refuse"' in page
    assert "You have not decided yet" in page


def test_anonymous_pages_pay_no_query_for_the_banner(client):
    with CaptureQueriesContext(connection) as queries:
        assert 'data-testid="cookie-banner"' in client.get("/").content.decode()
    assert not [query for query in queries if "consents_consentstate" in query["sql"]]


def test_pages_with_the_banner_vary_on_the_privacy_signal(client):
    vary = client.get("/")["Vary"]
    assert "Sec-GPC" in vary and "Cookie" in vary
    assert "Sec-GPC" not in client.get("/healthz").get("Vary", "")
