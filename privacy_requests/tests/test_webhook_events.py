"""A deletion or cancellation carried out pushes ``request.completed``; other kinds do not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy_requests import services
from privacy_requests.cancellation import services as cancellation
from privacy_requests.models import PrivacyRequest, RequestKind
from tests.factories import CitizenFactory, VerifiedCitizenFactory, step_up_passed
from webhooks.models import WebhookDelivery
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def endpoint():
    return webhook_endpoint_for_tests(events=["request.completed"])[0]


def completed_payloads():
    return [d.payload for d in WebhookDelivery.objects.filter(event_type="request.completed")]


def test_a_confirmed_deletion_pushes_its_completion(officer, checker):
    person = VerifiedCitizenFactory()
    request = services.privacy_request_create(
        requester=person, kind=RequestKind.DELETION, details={}, identity_check=step_up_passed(person)
    )
    services.privacy_request_start_review(request=request, actor=officer)
    services.privacy_request_propose(request=request, actor=officer, action="delete")
    assert completed_payloads() == []

    services.privacy_request_confirm(request=request, actor=checker)

    request.refresh_from_db()
    assert completed_payloads() == [
        {
            "request": request.pk,
            "kind": "deletion",
            "subject": person.pk,
            "completed_at": request.closed_at.isoformat(),
        }
    ]


def test_a_completed_cancellation_pushes_its_completion(staff):
    person = CitizenFactory()
    request = cancellation.cancellation_request(user=person, identity_check=step_up_passed(person))
    PrivacyRequest.objects.filter(pk=request.pk).update(cooling_off_until=timezone.now() - timedelta(minutes=1))
    request.refresh_from_db()

    services.privacy_request_complete(request=request, actor=staff)

    [payload] = completed_payloads()
    assert (payload["request"], payload["kind"], payload["subject"]) == (request.pk, "cancellation", person.pk)


def test_other_kinds_complete_without_a_push(staff):
    person = VerifiedCitizenFactory()
    request = services.privacy_request_create(
        requester=person,
        kind=RequestKind.COMPLAINT,
        details={"subject": "Slow", "message": "Too slow"},
        identity_check=step_up_passed(person),
    )
    services.privacy_request_complete(request=request, actor=staff, answer="We added a second server.")
    assert completed_payloads() == []
