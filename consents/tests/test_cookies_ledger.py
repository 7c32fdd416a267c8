"""Signed-in cookie choices go to the consent ledger; the dashboard panel and the API show them."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject
from rest_framework.test import APIClient

from consents.cookies.selectors import ANALYTICS_COOKIE, CHOICE_COOKIE
from consents.cookies.services import cookie_choice_record
from consents.models import ConsentChannel, ConsentEvent, ConsentState, DataCategory, PolicyDisplay, Purpose
from consents.selectors import consent_check, policy_current
from consents.services import purpose_widen
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHOOSE = "/privacy/cookies/choose/"
SCRIPT = "js/analytics.js"


def cookies_purpose():
    return Purpose.objects.get(code="cookies_analytics")


def last_event(user):
    return ConsentEvent.objects.filter(subject=user, purpose__code="cookies_analytics").order_by("-seq").first()


def test_a_signed_in_acceptance_on_the_banner_is_a_ledger_grant_from_the_banner(client, citizen):
    client.force_login(citizen)
    assert 'data-testid="cookie-banner"' in client.get("/", **EN).content.decode()
    client.post(CHOOSE, {"choice": "accept", "source": "banner", "next": "/"})
    event = last_event(citizen)
    assert event.action == "granted" and event.channel == ConsentChannel.COOKIE_BANNER
    assert event.actor_id == citizen.pk and event.policy_version == policy_current()
    assert consent_check(subject=citizen, purpose=cookies_purpose()).allowed
    assert PolicyDisplay.objects.filter(
        subject=citizen, purpose=cookies_purpose(), context=PolicyDisplay.Context.COOKIE_BANNER
    ).exists()
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page and SCRIPT in page


def test_a_refusal_from_the_dashboard_panel_is_a_withdrawal_through_the_web(client, citizen):
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "accept", "source": "banner"})
    client.post("/privacy/cookies/pageview/")
    response = client.post(CHOOSE, {"choice": "refuse", "source": "panel", "next": "/privacy/"})
    assert response["Location"] == "/privacy/"
    assert response.cookies[ANALYTICS_COOKIE]["max-age"] == 0
    event = last_event(citizen)
    assert event.action == "withdrawn" and event.channel == ConsentChannel.WEB
    assert not ConsentState.objects.get(subject=citizen, purpose=cookies_purpose()).granted
    assert SCRIPT not in client.get("/").content.decode()


def test_an_anonymous_choice_is_not_carried_into_the_account(client, citizen):
    client.post(CHOOSE, {"choice": "accept", "source": "banner"})
    client.force_login(citizen)
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' in page and SCRIPT not in page
    assert not ConsentEvent.objects.filter(subject=citizen).exists()
    assert client.post("/privacy/cookies/pageview/").status_code == 403


def test_the_ledger_choice_follows_the_person_to_another_browser(client, citizen):
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "refuse", "source": "banner"})
    elsewhere = type(client)()
    elsewhere.force_login(citizen)
    page = elsewhere.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page and SCRIPT not in page


def test_a_widened_purpose_asks_again(client, citizen):
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "accept", "source": "banner"})
    purpose_widen(purpose=cookies_purpose(), actor=None, data_categories=[DataCategory.objects.get(code="location")])
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' in page and SCRIPT not in page


def test_gpc_overrides_a_signed_in_acceptance_in_that_browser(client, citizen):
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "accept", "source": "banner"})
    page = client.get("/", HTTP_SEC_GPC="1", **EN).content.decode()
    assert SCRIPT not in page and 'data-testid="cookie-gpc-notice"' in page


def test_a_minor_may_refuse_alone_but_acceptance_needs_a_guardian(client):
    minor = UserFactory(is_minor=True, language="en")
    client.force_login(minor)
    response = client.post(CHOOSE, {"choice": "accept", "source": "banner", "next": "/"}, **EN)
    assert CHOICE_COOKIE not in response.cookies
    assert "a guardian makes this choice" in client.get("/", **EN).content.decode()
    response = client.post(CHOOSE, {"choice": "refuse", "source": "banner", "next": "/"}, **EN)
    assert response.status_code == 302
    # Saying no protects the child, so the ledger takes it from them.
    assert last_event(minor).action == "withdrawn"
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page and SCRIPT not in page


def test_a_guardian_decides_for_the_ward_from_the_panel(client, citizen):
    minor = UserFactory(is_minor=True, language="en")
    GuardianLinkFactory(guardian=citizen, minor=minor)
    client.force_login(citizen)
    response = client.post(CHOOSE, {"choice": "accept", "source": "panel", "subject": minor.pk})
    # The guardian's own browser does not take the ward's choice.
    assert CHOICE_COOKIE not in response.cookies
    event = last_event(minor)
    assert event.channel == ConsentChannel.GUARDIAN and event.actor_id == citizen.pk
    assert consent_check(subject=minor, purpose=cookies_purpose()).allowed
    assert last_event(citizen) is None


def test_nobody_decides_for_a_person_who_is_not_their_ward(client, citizen):
    other = UserFactory(is_minor=True)
    client.force_login(citizen)
    assert client.post(CHOOSE, {"choice": "accept", "source": "panel", "subject": other.pk}).status_code == 404
    assert client.post(CHOOSE, {"choice": "accept", "source": "panel", "subject": "x"}).status_code == 404
    assert not ConsentEvent.objects.exists()


# -- The dashboard panel ------------------------------------------------------------------------------


def render_panel(request_user, subject=None, **headers):
    request = RequestFactory().get("/privacy/", **headers)
    request.user = request_user
    context = {"request": request, "csrf_token": "t"}
    if subject is not None:
        context["subject"] = subject
    return Template("{% load consent_panels_cookies %}{% cookie_panel %}").render(Context(context))


def test_the_panel_shows_the_same_choice_in_two_queries(citizen, django_assert_num_queries):
    cookie_choice_record(subject=citizen, accept=True, channel=ConsentChannel.COOKIE_BANNER, actor=citizen)
    with django_assert_num_queries(2):
        html = render_panel(citizen, HTTP_ACCEPT_LANGUAGE="en")
    assert "<section" in html and "<h2" in html
    assert "accepted" in html and 'data-testid="panel-cookie-refuse"' in html
    assert 'name="subject"' not in html


def test_the_panel_for_a_ward_posts_for_the_ward(citizen):
    minor = UserFactory(is_minor=True)
    html = render_panel(citizen, subject=minor)
    assert f'name="subject" value="{minor.pk}"' in html


# -- The API ------------------------------------------------------------------------------------------


def test_the_api_reports_the_choice_from_the_ledger(citizen):
    api = APIClient()
    api.force_login(citizen)
    assert api.get("/api/v1/consents/cookies/").json()["choice"] is None
    cookie_choice_record(subject=citizen, accept=True, channel=ConsentChannel.WEB, actor=citizen)
    body = api.get("/api/v1/consents/cookies/").json()
    assert body["choice"] == "accept" and body["analytics_allowed"] is True and body["channel"] == "web"
    assert body["policy_version"] == policy_current().version
    with_gpc = api.get("/api/v1/consents/cookies/", HTTP_SEC_GPC="1").json()
    assert with_gpc["analytics_allowed"] is False and with_gpc["global_privacy_control"] is True


def test_the_api_needs_a_signed_in_person():
    assert APIClient().get("/api/v1/consents/cookies/").status_code in (401, 403)


# -- The Global Privacy Control signal in the ledger (issue #15) ----------------------------------------


def gpc_events(user):
    return ConsentEvent.objects.filter(subject=user, purpose__code="cookies_analytics", channel=ConsentChannel.GPC)


def test_gpc_turns_a_signed_in_acceptance_into_one_ledger_refusal(client, citizen):
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "accept", "source": "banner"})
    page = client.get("/", HTTP_SEC_GPC="1", **EN).content.decode()
    assert 'data-testid="cookie-gpc-recorded"' in page and SCRIPT not in page
    event = gpc_events(citizen).get()
    assert event.action == "withdrawn" and event.actor_id == citizen.pk
    assert not consent_check(subject=citizen, purpose=cookies_purpose()).allowed
    # Later requests with the signal find nothing to change: no second event, no repeated notice.
    for _ in range(3):
        page = client.get("/privacy/", HTTP_SEC_GPC="1", **EN).content.decode()
    assert gpc_events(citizen).count() == 1
    assert 'data-testid="cookie-gpc-recorded"' not in page
    # Without the signal, the recorded refusal is the person's choice everywhere.
    page = client.get("/", **EN).content.decode()
    assert 'data-testid="cookie-banner"' not in page and SCRIPT not in page


def test_gpc_records_a_refusal_for_a_person_who_had_not_chosen(client, citizen):
    client.force_login(citizen)
    client.get("/", HTTP_SEC_GPC="1")
    assert gpc_events(citizen).get().action == "withdrawn"
    assert ConsentState.objects.get(subject=citizen, purpose=cookies_purpose()).channel == ConsentChannel.GPC


def test_gpc_writes_nothing_over_a_refusal_and_nothing_for_visitors(client, citizen):
    client.get("/", HTTP_SEC_GPC="1")
    assert not ConsentEvent.objects.exists()
    client.force_login(citizen)
    client.post(CHOOSE, {"choice": "refuse", "source": "banner"})
    before = ConsentEvent.objects.count()
    client.get("/", HTTP_SEC_GPC="1")
    assert ConsentEvent.objects.count() == before and not gpc_events(citizen).exists()


def test_without_the_signal_the_middleware_asks_the_database_nothing(rf, citizen, django_assert_num_queries):
    from consents.cookies.middleware import GlobalPrivacyControlMiddleware

    request = rf.get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was loaded without a GPC header"))
    middleware = GlobalPrivacyControlMiddleware(lambda request: "page")
    with django_assert_num_queries(0):
        assert middleware(request) == "page"
    signalled = rf.get("/", HTTP_SEC_GPC="1")
    signalled.user = citizen
    GlobalPrivacyControlMiddleware(lambda request: "page")(signalled)
    assert gpc_events(citizen).count() == 1
