"""The signed-in home page as the next step (issue #14): what to do next, open requests, messages, consents."""

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.test import Client

from consents import services as consent_services
from consents.models import Purpose
from notifications.services import notification_send
from privacy_portal.selectors import (
    CONFIRM_EMAIL,
    HOME_REQUESTS_SHOWN,
    TURN_ON_TWO_FACTOR,
    VERIFY_IDENTITY,
    home_next_steps_for,
    home_overview_for,
)
from privacy_requests.models import RequestKind
from privacy_requests.services import privacy_request_create
from tests.factories import CitizenFactory, VerifiedCitizenFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get("/", **EN)
    assert page.status_code == 200
    return page.content.decode()


def test_a_new_unverified_person_is_told_what_to_do_next():
    person = CitizenFactory()

    html = _home(person)

    assert home_next_steps_for(user=person) == (VERIFY_IDENTITY, TURN_ON_TWO_FACTOR)
    assert 'data-testid="home-next-steps"' in html
    assert 'href="/account/identity/verify/">Verify your identity</a>' in html
    assert 'href="/account/two-factor/">Turn on two-factor sign-in</a>' in html
    assert "Confirm your email address" not in html


def test_an_unconfirmed_email_comes_first():
    person = CitizenFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)

    assert home_next_steps_for(user=person)[0] == CONFIRM_EMAIL
    assert 'href="/accounts/email/">Confirm your email address</a>' in _home(person)


def test_steps_already_taken_are_not_shown():
    person = VerifiedCitizenFactory()

    assert VERIFY_IDENTITY not in home_next_steps_for(user=person)
    assert "Verify your identity" not in _home(person)


def test_open_requests_link_to_each_request_with_its_deadline():
    person = CitizenFactory()
    made = [
        privacy_request_create(requester=person, kind=kind, details={}, identity_check=step_up_passed(person))
        for kind in (RequestKind.DELETION, RequestKind.ACCESS)
    ]

    html = _home(person)

    for request in made:
        assert f'href="/requests/{request.pk}/"' in html and request.reference in html
    assert 'data-testid="home-requests"' in html


def test_only_a_few_open_requests_are_listed_with_a_link_to_the_rest():
    person = CitizenFactory()
    for kind in (RequestKind.DELETION, RequestKind.ACCESS, RequestKind.CORRECTION, RequestKind.EXPORT):
        privacy_request_create(requester=person, kind=kind, details={}, identity_check=step_up_passed(person))

    overview = home_overview_for(user=person)

    assert len(overview.open_requests) == HOME_REQUESTS_SHOWN and overview.more_requests
    assert "See all your requests" in _home(person)


def test_unread_messages_and_the_consent_summary_are_links():
    person = CitizenFactory()
    with transaction.atomic():
        notification_send(recipient=person, kind="welcome")
        notification_send(recipient=person, kind="welcome")
    consent_services.consent_grant(subject=person, purpose=Purpose.objects.get(code="surveys"))

    html = _home(person)
    overview = home_overview_for(user=person)

    assert 'href="/inbox/">Messages</a>' in html and "2 unread messages." in html
    assert 'href="/privacy/">Your consents</a>' in html
    assert overview.optional_on == 1
    assert f"1 of {overview.optional_total} optional uses are on." in html


def test_a_signed_out_visitor_sees_no_overview(client):
    html = client.get("/", **EN).content.decode()
    assert 'data-testid="home-overview"' not in html and 'data-testid="home-next-steps"' not in html
    assert "Sign in to get started" in html
