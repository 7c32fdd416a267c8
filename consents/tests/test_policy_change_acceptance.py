"""Policy changes (clause 9): the banner before a version takes effect, the interstitial after, acceptance."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from consents.models import (
    ConsentAction,
    ConsentEvent,
    ConsentState,
    PolicyDisplay,
    PolicyVersion,
)
from consents.policy_acceptance import services
from consents.policy_acceptance.selectors import policy_pending_for
from consents.selectors import consent_ledger_verify
from consents.services import ConsentError
from tests.factories import CitizenFactory, GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = datetime.timedelta(days=1)
ACCEPT = "/privacy/policy/accept/"


def make_version(number="2026.2", *, material=True, effective_in=-DAY, published_ago=10 * DAY):
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version=number,
        text_zh=first.text_zh + "\n新增条款。",
        text_en=first.text_en + "\nA new clause.",
        summary_zh="新增人脸识别合作方。",
        summary_en="Adds a face-recognition partner.",
        material=material,
        published_at=now - published_ago,
        effective_at=now + effective_in,
    )


@pytest.fixture
def established_citizen(db):
    """An account older than any test version: they must accept a material change."""
    return CitizenFactory(date_joined=timezone.now() - 365 * DAY)


# -- The banner ---------------------------------------------------------------------------------------


def test_banner_shows_a_published_future_version_on_every_page(client):
    make_version(material=False, effective_in=30 * DAY, published_ago=DAY)
    for url in ("/", "/policy/", "/accounts/login/"):
        html = client.get(url, **EN).content.decode()
        assert 'data-testid="policy-banner"' in html, url
        assert "/policy/2026.2/changes/" in html and "/policy/2026.2/" in html


def test_no_banner_for_a_draft_or_once_in_effect(client):
    make_version("2026.2", material=False, effective_in=30 * DAY, published_ago=-DAY)  # published tomorrow
    assert 'data-testid="policy-banner"' not in client.get("/", **EN).content.decode()
    make_version("2026.3", material=False, effective_in=-DAY)
    assert 'data-testid="policy-banner"' not in client.get("/", **EN).content.decode()


def test_material_banner_warns_that_acceptance_will_be_asked(client):
    make_version(effective_in=30 * DAY, published_ago=DAY)
    assert "you will be asked to read and accept it" in client.get("/", **EN).content.decode()


def test_banner_is_recorded_once_per_person_and_version(client, established_citizen):
    version = make_version(material=False, effective_in=30 * DAY, published_ago=DAY)
    client.force_login(established_citizen)
    for _ in range(3):
        client.get("/", **EN)
    client.logout()
    client.force_login(established_citizen)  # a new session
    client.get("/", **EN)
    shown = PolicyDisplay.objects.filter(subject=established_citizen, context=PolicyDisplay.Context.POLICY_BANNER)
    assert [d.policy_version for d in shown] == [version]


def test_banner_costs_one_query_once_recorded(client, established_citizen, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    make_version(material=False, effective_in=30 * DAY, published_ago=DAY)
    request = RequestFactory().get("/")
    request.user = established_citizen
    request.session = {}
    from consents.policy_acceptance.context_processors import policy_banner

    template = Template('{% include "consents/banners/policy.html" %}{% include "consents/banners/policy.html" %}')
    context = Context(policy_banner(request))
    template.render(context)  # first view: look up, check, record
    request2 = RequestFactory().get("/")
    request2.user = established_citizen
    request2.session = request.session
    with django_assert_num_queries(1):
        html = Template(
            '{% include "consents/banners/policy.html" %}{% include "consents/banners/policy.html" %}'
        ).render(Context(policy_banner(request2)))
    assert html.count('data-testid="policy-banner"') == 2


# -- The interstitial ----------------------------------------------------------------------------------


def test_only_turning_on_an_optional_use_is_sent_to_the_interstitial(client, established_citizen):
    make_version()
    client.force_login(established_citizen)
    for url in ("/", "/privacy/", "/account/identity/", "/privacy/services/"):
        assert client.get(url).status_code == 200, url
    page = client.get("/privacy/consent/face_verification/confirm/?tab=1")
    assert page.url == ACCEPT + "?next=%2Fprivacy%2Fconsent%2Fface_verification%2Fconfirm%2F%3Ftab%3D1"


def test_exempt_pages_stay_open(client, established_citizen):
    make_version()
    client.force_login(established_citizen)
    for url in ("/policy/", "/policy/2026.2/", "/policy/2026.2/changes/", "/policy/versions/", "/healthz", ACCEPT):
        assert client.get(url).status_code == 200, url
    assert client.get("/static/css/site.css").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_the_interstitial_shows_summary_and_diff_link_and_records_the_display(client, established_citizen):
    version = make_version()
    client.force_login(established_citizen)
    html = client.get(ACCEPT + "?next=/privacy/", **EN).content.decode()
    assert "Adds a face-recognition partner." in html
    assert 'href="/policy/2026.2/changes/"' in html and "I have read and accept" in html
    display = PolicyDisplay.objects.get(subject=established_citizen)
    assert (display.context, display.policy_version) == (PolicyDisplay.Context.INTERSTITIAL, version)


def test_accepting_is_a_ledger_event_and_returns_to_the_page_wanted(client, established_citizen):
    version = make_version()
    client.force_login(established_citizen)
    done = client.post(ACCEPT, {"version": "2026.2", "next": "/privacy/services/"})
    assert done.status_code == 302 and done.url == "/privacy/services/"
    event = ConsentEvent.objects.get(subject=established_citizen)
    assert (event.action, event.purpose.code, event.policy_version) == (
        ConsentAction.RECONFIRMED,
        "service_provision",
        version,
    )
    state = ConsentState.objects.get(subject=established_citizen, purpose__code="service_provision")
    assert state.policy_version == version
    assert consent_ledger_verify().ok
    assert client.get("/privacy/services/").status_code == 200


def test_an_unsafe_next_is_ignored(client, established_citizen):
    make_version()
    client.force_login(established_citizen)
    assert client.post(ACCEPT, {"version": "2026.2", "next": "https://evil.example/"}).url == "/"


def test_accepting_a_stale_version_is_refused(client, established_citizen):
    make_version("2026.2", effective_in=-2 * DAY)
    make_version("2026.3", effective_in=-DAY)
    client.force_login(established_citizen)
    page = client.post(ACCEPT, {"version": "2026.2"}, **EN)
    assert page.status_code == 400 and "changed again" in page.content.decode()
    assert not ConsentEvent.objects.exists()
    client.post(ACCEPT, {"version": "2026.3"})
    # The newest material version covers the older one.
    assert client.get("/").status_code == 200


def test_accepting_twice_records_once(established_citizen):
    version = make_version()
    first = services.policy_accept(user=established_citizen, version=version)
    assert services.policy_accept(user=established_citizen, version=version) == first
    assert ConsentEvent.objects.filter(subject=established_citizen).count() == 1


def test_a_future_or_draft_version_cannot_be_accepted(established_citizen):
    with pytest.raises(ConsentError):
        services.policy_accept(user=established_citizen, version=make_version("2026.4", effective_in=DAY))
    with pytest.raises(ConsentError):
        services.policy_accept(user=established_citizen, version=make_version("2026.5", published_ago=-DAY))


def test_non_material_versions_and_newer_accounts_are_not_asked(client, established_citizen):
    make_version(material=False)
    client.force_login(established_citizen)
    assert client.get("/").status_code == 200
    make_version("2026.3")
    newcomer = UserFactory()  # joined after 2026.3 took effect: registered under it
    client.force_login(newcomer)
    assert client.get("/").status_code == 200
    assert policy_pending_for(user=established_citizen).version == "2026.3"


def test_staff_reach_admin_and_the_site(verified_client):
    make_version()
    staff = UserFactory(is_staff=True, is_superuser=True, date_joined=timezone.now() - 365 * DAY)
    client = verified_client(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/").status_code == 200


def test_a_child_also_sees_the_interstitial_and_can_acknowledge_it(client):
    make_version()
    minor = UserFactory(is_minor=True, language="en", date_joined=timezone.now() - 365 * DAY)
    guardian = UserFactory()
    GuardianLinkFactory(guardian=guardian, minor=minor)
    client.force_login(minor)
    html = client.get(ACCEPT, **EN).content.decode()
    assert "choices beyond the basic service stay with your guardian" in html
    client.post(ACCEPT, {"version": "2026.2"})
    assert client.get("/").status_code == 200
    assert consent_ledger_verify().ok


def test_nothing_to_accept_goes_back(client, established_citizen):
    client.force_login(established_citizen)
    assert client.get(ACCEPT + "?next=/privacy/").url == "/privacy/"
    assert client.get(ACCEPT).url == "/"


def test_anonymous_visitors_are_not_asked(client):
    make_version()
    assert client.get("/").status_code == 200
    assert client.get(ACCEPT).status_code == 302  # to sign in


# -- The API ------------------------------------------------------------------------------------------


def test_api_refuses_a_grant_until_accepted_then_grants(client, established_citizen):
    make_version()
    client.force_login(established_citizen)
    assert client.get("/api/v1/me/").status_code == 200
    grant = {"purpose": "surveys"}
    refused = client.post("/api/v1/consents/grant/", grant, content_type="application/json", **EN)
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "policy_acceptance_required" and body["policy_version"] == "2026.2"
    pending = client.get("/api/v1/consents/policy/accept/").json()
    assert pending["acceptance_required"] is True and pending["changes_url"].endswith("/policy/2026.2/changes/")
    wrong = client.post(
        "/api/v1/consents/policy/accept/", {"policy_version": "2026.1"}, content_type="application/json"
    )
    assert wrong.status_code == 409 and "2026.2" in wrong.json()["policy_version"][0]
    done = client.post("/api/v1/consents/policy/accept/", {"policy_version": "2026.2"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["policy_version"] == "2026.2"
    assert ConsentEvent.objects.get(subject=established_citizen).channel == "api"
    assert client.post("/api/v1/consents/grant/", grant, content_type="application/json").status_code == 200


def test_api_accept_needs_authentication_and_something_to_accept(established_citizen):
    assert APIClient().post("/api/v1/consents/policy/accept/", {"policy_version": "2026.2"}).status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(established_citizen)
    answer = api.post("/api/v1/consents/policy/accept/", {"policy_version": "2026.1"}, format="json")
    assert answer.status_code == 409
