"""Consent withdrawal by request (completes at once) and complaints (answered in the portal and by email)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from consents.models import ConsentChannel, Purpose
from consents.selectors import consent_check
from consents.services import consent_grant
from notifications.models import InboxMessage
from privacy_requests import services
from privacy_requests.fulfilment.withdrawal import withdrawal_purposes_validate
from privacy_requests.models import RequestKind, RequestState
from privacy_requests.services import TransitionNotAllowed
from tests.factories import CitizenFactory, step_up_passed

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhao_lei(db):
    """A citizen whose address the tests expect mail at."""
    return CitizenFactory(email="zhao.lei@example.cn")


def purpose(code) -> Purpose:
    return Purpose.objects.get(code=code)


# -- Consent withdrawal -------------------------------------------------------------------


def test_a_withdrawal_request_completes_at_once_and_the_consent_check_says_no(zhao_lei):
    for code in ("personal_settings", "service_optimisation"):
        consent_grant(subject=zhao_lei, purpose=purpose(code), actor=zhao_lei)
    assert consent_check(subject=zhao_lei, purpose=purpose("personal_settings")).allowed

    details = {"purposes": withdrawal_purposes_validate(purposes=["personal_settings", "service_optimisation"])}
    request = services.privacy_request_create(
        requester=zhao_lei, kind=RequestKind.WITHDRAWAL, details=details, identity_check=step_up_passed(zhao_lei)
    )

    # Filing it is enough: the filing service completes it, whichever page or API filed it.
    assert request.state == RequestState.COMPLETED
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    for code in ("personal_settings", "service_optimisation"):
        assert not consent_check(subject=zhao_lei, purpose=purpose(code)).allowed
    event = zhao_lei.consent_events.filter(purpose__code="personal_settings").order_by("-id").first()
    assert (event.action, event.channel, event.actor_id) == ("withdrawn", ConsentChannel.WEB, zhao_lei.pk)


def test_a_withdrawal_entered_by_staff_waits_for_staff(zhao_lei, staff):
    # Staff write down the citizen's words, not purpose codes: a person decides what they name.
    request = services.privacy_request_create(
        requester=zhao_lei,
        kind=RequestKind.WITHDRAWAL,
        details={"text": "stop the surveys"},
        channel="phone",
        identity_check_note="security questions answered",
        filed_by=staff,
    )
    assert request.state == RequestState.IDENTITY_VERIFIED


def test_the_request_page_withdraws_at_once(client, zhao_lei):
    consent_grant(subject=zhao_lei, purpose=purpose("personal_settings"), actor=zhao_lei)
    client.force_login(zhao_lei)
    client.get("/")
    step_up_passed(zhao_lei, client=client)
    response = client.post("/requests/new/withdrawal/", {"purposes": ["personal_settings"]})
    assert response.status_code == 302
    request = zhao_lei.privacy_requests.get()
    assert request.state == RequestState.COMPLETED
    assert not consent_check(subject=zhao_lei, purpose=purpose("personal_settings")).allowed


@pytest.mark.parametrize("codes", [[], ["no_such_purpose"], ["service_provision"]])
def test_only_optional_purposes_can_be_named(codes):
    with pytest.raises(ValidationError) as raised:
        withdrawal_purposes_validate(purposes=codes)
    assert list(raised.value.message_dict) == ["purposes"]


# -- Complaints and questions -----------------------------------------------------------


def test_a_complaint_needs_an_answer_to_complete(zhao_lei, staff):
    request = services.privacy_request_create(
        requester=zhao_lei,
        kind=RequestKind.COMPLAINT,
        details={"subject": "Slow", "message": "Too slow"},
        identity_check=step_up_passed(zhao_lei),
    )
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=staff, answer="   ")
    request.refresh_from_db()
    assert request.state == RequestState.IDENTITY_VERIFIED


def test_the_answer_is_shown_in_the_portal_and_emailed(client, zhao_lei, staff, django_capture_on_commit_callbacks):
    request = services.privacy_request_create(
        requester=zhao_lei,
        kind=RequestKind.COMPLAINT,
        details={"subject": "Slow", "message": "Too slow"},
        identity_check=step_up_passed(zhao_lei),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff, answer="We added a second server.")
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED and request.answer == "We added a second server."
    [message] = [m for m in mail.outbox if request.reference in m.subject]
    assert message.to == ["zhao.lei@example.cn"] and "We added a second server." in message.body
    assert InboxMessage.objects.filter(recipient=zhao_lei, body__contains="We added a second server.").exists()
    client.force_login(zhao_lei)
    page = client.get(f"/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "We added a second server." in page.content.decode()


def test_an_anonymous_complainant_gets_the_answer_at_their_address(staff, django_capture_on_commit_callbacks):
    request = services.privacy_request_create(
        requester=None,
        kind=RequestKind.COMPLAINT,
        details={"subject": "Cookies", "message": "Why?"},
        contact_email="visitor@example.cn",
    )
    if request.state == RequestState.SUBMITTED:
        # Nobody to verify: staff note that before answering (clause 10: answer after checking who asks).
        services.privacy_request_verify(request=request, actor=staff, identity_check_note="Anonymous: no account")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff, answer="Only necessary cookies are set.")
    [message] = [m for m in mail.outbox if request.reference in m.subject]
    assert message.to == ["visitor@example.cn"] and "Only necessary cookies are set." in message.body
