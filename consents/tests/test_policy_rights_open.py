"""Issue #14: while a material policy change waits for an answer, no right is blocked.

Only turning on an optional use (the views in ``GATED_VIEWS``) waits for
acceptance; "I do not accept" is an answer that is recorded and honoured.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consents import services as consent_services
from consents.models import ConsentEvent, ConsentState, PolicyVersion, Purpose
from consents.policy_acceptance import services
from consents.policy_acceptance.middleware import GATED_VIEWS
from consents.policy_acceptance.selectors import DECLINED_AUDIT_ACTION
from consents.services import ConsentError
from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ACCEPT = "/privacy/policy/accept/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Every page a person has a right to, opened with a GET while the change is pending.
RIGHTS_PAGES = (
    "/",
    "/privacy/",
    "/privacy/history/",
    "/privacy/services/",
    "/privacy/location/",
    "/privacy/interests/",
    "/requests/",
    "/requests/new/access/",
    "/requests/new/export/",
    "/requests/new/correction/",
    "/requests/new/deletion/",
    "/requests/new/withdrawal/",
    "/requests/complaint/",
    "/requests/cancel/",
    "/inbox/",
    "/account/identity/",
    "/account/two-factor/",
    "/account/activity/",
    "/policy/",
    "/policy/2026.2/changes/",
)


def material_version(number="2026.2", *, effective_in=-DAY) -> PolicyVersion:
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version=number,
        text_zh=first.text_zh + "\n新增条款。",
        text_en=first.text_en + "\nA new clause.",
        summary_zh="新增合作方。",
        summary_en="Adds a partner.",
        material=True,
        published_at=now - 10 * DAY,
        effective_at=now + effective_in,
    )


@pytest.fixture
def citizen(db):
    """An account older than the new version, with one optional consent given under the old one."""
    person = CitizenFactory(date_joined=timezone.now() - 365 * DAY)
    consent_services.consent_grant(subject=person, purpose=Purpose.objects.get(code="surveys"))
    return person


@pytest.fixture
def pending(citizen, client):
    material_version()
    client.force_login(citizen)
    return client


def _surveys_granted(person) -> bool:
    return ConsentState.objects.get(subject=person, purpose__code="surveys", partner=None).granted


# -- Rights stay open ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", RIGHTS_PAGES)
def test_every_right_stays_reachable_while_acceptance_is_pending(pending, path):
    page = pending.get(path)
    # Some pages ask for a fresh second factor first: that is their own rule, not the policy's.
    assert not (page.status_code == 302 and page.url.startswith(ACCEPT)), path
    assert page.status_code in (200, 302), path


def test_withdrawing_a_consent_works_while_pending(pending, citizen):
    done = pending.post("/privacy/consent/surveys/withdraw/")

    assert done.status_code == 302 and not done.url.startswith(ACCEPT)
    assert not _surveys_granted(citizen)


def test_the_api_stays_open_for_rights_while_pending(pending, citizen):
    assert pending.get("/api/v1/me/").status_code == 200
    withdrawn = pending.post(
        "/api/v1/consents/withdraw/", {"purpose": "surveys"}, content_type="application/json", **EN
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert not _surveys_granted(citizen)


def test_the_pending_banner_links_to_the_change_and_is_not_shown_on_the_answer_page(pending):
    html = pending.get("/requests/", **EN).content.decode()
    assert 'data-testid="policy-pending-banner"' in html
    assert f'href="{ACCEPT}?next=/requests/"' in html
    assert 'data-testid="policy-pending-banner"' not in pending.get(ACCEPT, **EN).content.decode()


def test_no_pending_banner_costs_a_query_when_nothing_is_pending(client, citizen, django_assert_num_queries):
    from django.test import RequestFactory

    from consents.policy_acceptance.context_processors import policy_pending
    from consents.policy_acceptance.selectors import policy_notices

    policy_notices()  # the process's copy of the version table, as on any page after the first
    request = RequestFactory().get("/")
    request.user = citizen
    request.session = {}
    with django_assert_num_queries(0):
        assert not policy_pending(request)["policy_pending"]


# -- Only what rests on the new terms waits ----------------------------------------------------------


def test_turning_on_an_optional_use_goes_to_the_interstitial(pending, citizen):
    consent_services.consent_withdraw(subject=citizen, purpose=Purpose.objects.get(code="surveys"))

    granted = pending.post("/privacy/consent/surveys/grant/", HTTP_REFERER="http://testserver/privacy/")

    assert granted.status_code == 302 and granted.url == ACCEPT + "?next=%2Fprivacy%2F"
    assert not _surveys_granted(citizen)
    assert pending.get("/privacy/consent/face_verification/confirm/").url.startswith(ACCEPT)


def test_turning_recommendations_off_stays_open_but_on_waits(pending):
    assert pending.post("/privacy/interests/recommendations/", {"choice": "on"}).url.startswith(ACCEPT)
    assert not pending.post("/privacy/interests/recommendations/", {"choice": "off"}).url.startswith(ACCEPT)


def test_the_api_refuses_a_grant_until_accepted(pending, citizen):
    consent_services.consent_withdraw(subject=citizen, purpose=Purpose.objects.get(code="surveys"))

    refused = pending.post("/api/v1/consents/grant/", {"purpose": "surveys"}, content_type="application/json")

    assert refused.status_code == 403 and refused.json()["code"] == "policy_acceptance_required"
    assert not _surveys_granted(citizen)


def test_every_gated_view_name_exists():
    # A renamed URL would silently open its gate: each name must still resolve to a route.
    from django.urls import get_resolver

    def names(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif pattern.name:
                yield prefix + pattern.name

    assert set(GATED_VIEWS) <= set(names(get_resolver()))


# -- Staff -------------------------------------------------------------------------------------------


def test_staff_are_never_sent_to_the_interstitial(verified_client):
    material_version()
    staff = StaffFactory(is_superuser=True, date_joined=timezone.now() - 365 * DAY)
    client = verified_client(staff)

    assert client.get("/admin/").status_code == 200
    assert client.get("/").status_code == 200
    assert not client.post("/privacy/consent/surveys/grant/").url.startswith(ACCEPT)
    assert 'data-testid="policy-pending-banner"' not in client.get("/").content.decode()


# -- Declining -----------------------------------------------------------------------------------------


def test_the_interstitial_explains_what_declining_means(pending):
    html = pending.get(ACCEPT, **EN).content.decode()
    assert "I do not accept" in html
    assert "every right stays yours" in html


def test_declining_is_recorded_and_keeps_the_person_on_the_site(pending, citizen):
    done = pending.post(ACCEPT, {"version": "2026.2", "decision": "decline", "next": "/requests/"}, follow=True, **EN)

    assert done.redirect_chain[-1][0] == "/requests/" and done.status_code == 200
    html = done.content.decode()
    assert "You did not accept version 2026.2" in html
    assert 'data-testid="policy-pending-banner"' not in html
    event = AuditEvent.objects.get(action=DECLINED_AUDIT_ACTION)
    assert (event.actor_id, event.target_id, event.details["policy_version"]) == (citizen.pk, str(citizen.pk), "2026.2")
    # Nothing in the ledger changed: the consent given under the old terms stands.
    assert _surveys_granted(citizen)
    assert not ConsentEvent.objects.filter(subject=citizen, policy_version__version="2026.2").exists()


def test_declining_is_honoured_in_a_new_session(client, citizen):
    version = material_version()
    assert services.policy_decline(user=citizen, version=version) is True
    client.force_login(citizen)

    assert 'data-testid="policy-pending-banner"' not in client.get("/requests/").content.decode()
    # What rests on the new terms still waits, and the page says they declined.
    assert client.post("/privacy/consent/surveys/grant/").url.startswith(ACCEPT)
    assert 'data-testid="policy-declined-note"' in client.get(ACCEPT).content.decode()


def test_an_answer_given_elsewhere_clears_this_sessions_banner(pending, citizen):
    assert 'data-testid="policy-pending-banner"' in pending.get("/inbox/").content.decode()
    services.policy_accept(user=citizen, version=PolicyVersion.objects.get(version="2026.2"))  # e.g. over the API

    assert pending.get(ACCEPT + "?next=/inbox/").url == "/inbox/"
    assert 'data-testid="policy-pending-banner"' not in pending.get("/inbox/").content.decode()


def test_declining_to_a_gated_page_returns_home(pending):
    done = pending.post(ACCEPT, {"version": "2026.2", "decision": "decline", "next": "/privacy/consent/x/confirm/"})
    assert done.url == reverse("home")


def test_declining_twice_records_once_and_accepting_later_still_works(pending, citizen):
    version = PolicyVersion.objects.get(version="2026.2")
    pending.post(ACCEPT, {"version": "2026.2", "decision": "decline"})
    assert services.policy_decline(user=citizen, version=version) is False
    assert AuditEvent.objects.filter(action=DECLINED_AUDIT_ACTION).count() == 1

    pending.post(ACCEPT, {"version": "2026.2"})

    consent_services.consent_withdraw(subject=citizen, purpose=Purpose.objects.get(code="surveys"))
    assert pending.post("/privacy/consent/surveys/grant/").status_code == 302
    assert _surveys_granted(citizen)


def test_declining_what_was_accepted_is_refused(citizen):
    version = material_version()
    services.policy_accept(user=citizen, version=version)
    with pytest.raises(ConsentError):
        services.policy_decline(user=citizen, version=version)
    assert not AuditEvent.objects.filter(action=DECLINED_AUDIT_ACTION).exists()


def test_declining_a_stale_version_is_refused(client, citizen):
    material_version("2026.2", effective_in=-2 * DAY)
    material_version("2026.3")
    client.force_login(citizen)

    page = client.post(ACCEPT, {"version": "2026.2", "decision": "decline"})

    assert page.status_code == 400
    assert not AuditEvent.objects.filter(action=DECLINED_AUDIT_ACTION).exists()


def test_a_future_version_cannot_be_declined(citizen):
    with pytest.raises(ConsentError):
        services.policy_decline(user=citizen, version=material_version("2026.4", effective_in=DAY))
