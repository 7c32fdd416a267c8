"""Erasure propagation: instructions on completion, signed acknowledgements, closure, what staff and citizen see."""

import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_EVENTS, ERASURE
from accounts.service_clients.tests.factories import service_client_with_token
from audit.models import AuditEvent
from privacy_requests import services
from privacy_requests.erasure_propagation import services as propagation
from privacy_requests.models import (
    ErasureInstruction,
    InstructionStatus,
    PrivacyRequest,
    PropagationState,
    RequestKind,
    RequestState,
)
from tests.factories import VerifiedCitizenFactory, step_up_passed
from webhooks.models import WebhookDelivery
from webhooks.signing import SIGNATURE_HEADER, signature_header
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db

SIGNATURE_META = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# A deletion of some categories only: the account stays, so the person can read the request's page.
PARTIAL = ["sign_in_activity"]


class Service:
    """A service client with its token and its webhook endpoint's secret, as the service itself holds them."""

    def __init__(self, *, scopes, name, events=("erasure.requested",)):
        self.client, self.token = service_client_with_token(scopes=scopes, name=name)
        self.endpoint, self.secret = webhook_endpoint_for_tests(
            client=self.client, events=events, url=f"https://{name.replace(' ', '-')}.example.com/hooks"
        )

    def api(self) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        return api

    def ack(self, instruction_id, *, body=None, secret=None, timestamp=None, signed=True, raw=None):
        document = (
            body
            if body is not None
            else {
                "instruction_id": instruction_id,
                "erased_at": timezone.now().isoformat(),
                "note": "purged from the recommendations store",
            }
        )
        payload = raw if raw is not None else json.dumps(document).encode()
        headers = {}
        if signed:
            headers[SIGNATURE_META] = signature_header(
                secrets=[secret or self.secret], timestamp=int(timestamp or time.time()), body=payload
            )
        response = self.api().generic(
            "POST",
            reverse("api-erasure-instruction-acknowledge", args=[instruction_id]),
            payload,
            content_type="application/json",
            **headers,
            **EN,
        )
        return response, payload, headers


@pytest.fixture
def shop():
    return Service(scopes=[ERASURE], name="shop service")


@pytest.fixture
def survey():
    return Service(scopes=[ERASURE, CONSENT_EVENTS], name="survey service")


@pytest.fixture
def newsletter():
    """Follows consents but holds no erasure scope: it gets no instruction."""
    return Service(scopes=[CONSENT_EVENTS], name="newsletter service", events=("consent.changed",))


# A second person with an identity of their own: a deletion keeps the first one's verified profile (issue #15).
OTHER_IDENTITY = ("赵磊", "440106198805123043")


@pytest.fixture
def li_na(db):
    return VerifiedCitizenFactory(email="li.na@example.cn")


def file_deletion(user, categories=None):
    details = {"categories": categories} if categories else {}
    return services.privacy_request_create(
        requester=user, kind=RequestKind.DELETION, details=details, identity_check=step_up_passed(user)
    )


def approve(request, maker, checker):
    services.privacy_request_start_review(request=request, actor=maker)
    services.privacy_request_propose(request=request, actor=maker, action="delete")
    return services.privacy_request_confirm(request=request, actor=checker)


def deleted(user, officer, checker, categories=None) -> PrivacyRequest:
    """A completed deletion; with ``categories`` only those go, and the person can still sign in."""
    request = approve(file_deletion(user, categories), officer, checker)
    request.refresh_from_db()
    return request


def instruction_of(request, service) -> ErasureInstruction:
    return ErasureInstruction.objects.get(request=request, client=service.client)


# -- Issuing ---------------------------------------------------------------------------------------


def test_completion_instructs_every_erasure_client_once_with_one_delivery_each(
    li_na, officer, checker, shop, survey, newsletter
):
    request = deleted(li_na, officer, checker)

    assert request.state == RequestState.COMPLETED
    assert request.propagation == PropagationState.PENDING and request.fully_done_at is None
    instructions = list(request.erasure_instructions.order_by("client__name"))
    assert [i.client for i in instructions] == [shop.client, survey.client]
    for instruction, service in zip(instructions, (shop, survey), strict=True):
        assert instruction.status == InstructionStatus.PENDING
        assert instruction.subject_id == li_na.pk
        assert instruction.due_at - instruction.issued_at == timedelta(days=7)
        deliveries = WebhookDelivery.objects.filter(event_type="erasure.requested", endpoint=service.endpoint)
        assert deliveries.count() == 1
        payload = deliveries.get().payload
        assert payload["instruction_id"] == instruction.pk
        assert payload["request_id"] == request.pk
        assert payload["subject_id"] == li_na.pk
        assert payload["kind"] == "deletion"
        assert payload["ack_due_by"] == instruction.due_at.isoformat()
        # What was erased; never the account itself, which a deletion keeps (issue #15).
        assert "sign_in_activity" in payload["scope"].split(",")
        assert "profile" not in payload["scope"].split(",")
        # Ids only: nothing of the person's in the payload.
        assert "li.na" not in json.dumps(payload)
    assert not WebhookDelivery.objects.filter(event_type="erasure.requested", endpoint=newsletter.endpoint).exists()
    assert AuditEvent.objects.filter(action="privacy_request.erasure_instructed", target_id=str(request.pk)).exists()


def test_a_completion_that_rolls_back_leaves_no_instruction_and_no_delivery(li_na, officer, checker, shop, monkeypatch):
    request = file_deletion(li_na)
    services.privacy_request_start_review(request=request, actor=officer)
    services.privacy_request_propose(request=request, actor=officer, action="delete")

    from privacy_requests.services import review

    def broken_notice(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(review, "_tell_citizen", broken_notice)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.privacy_request_confirm(request=request, actor=checker)

    request.refresh_from_db()
    assert request.state == RequestState.IN_REVIEW
    assert request.propagation == PropagationState.NOT_NEEDED
    assert not ErasureInstruction.objects.exists()
    assert not WebhookDelivery.objects.filter(event_type="erasure.requested").exists()


def test_without_erasure_clients_a_deletion_needs_no_propagation(li_na, officer, checker, newsletter):
    request = deleted(li_na, officer, checker)
    assert request.propagation == PropagationState.NOT_NEEDED
    assert not request.erasure_instructions.exists()


def test_other_kinds_send_no_instruction(li_na, officer, shop):
    request = services.privacy_request_create(
        requester=li_na,
        kind=RequestKind.COMPLAINT,
        details={"text": "Why do you keep my data?"},
        identity_check=step_up_passed(li_na),
    )
    services.privacy_request_start_review(request=request, actor=officer)
    services.privacy_request_complete(request=request, actor=officer, answer="Here is why.")
    assert not ErasureInstruction.objects.exists()


def test_an_inactive_erasure_client_gets_no_instruction(li_na, officer, checker, shop, survey):
    type(survey.client).objects.filter(pk=survey.client.pk).update(active=False)
    request = deleted(li_na, officer, checker)
    assert [i.client for i in request.erasure_instructions.all()] == [shop.client]


# -- Acknowledging ---------------------------------------------------------------------------------


def test_acknowledgements_confirm_and_the_last_one_makes_the_request_fully_done(li_na, officer, checker, shop, survey):
    request = deleted(li_na, officer, checker)
    first, second = instruction_of(request, shop), instruction_of(request, survey)

    response, _body, _headers = shop.ack(first.pk)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    first.refresh_from_db()
    assert first.status == InstructionStatus.CONFIRMED
    assert first.acknowledged_at is not None and first.ack_note == "purged from the recommendations store"
    request.refresh_from_db()
    assert request.propagation == PropagationState.PENDING

    response, _body, _headers = survey.ack(second.pk)
    assert response.status_code == 200, response.content
    request.refresh_from_db()
    assert request.propagation == PropagationState.CONFIRMED and request.fully_done_at is not None
    assert request.events.filter(action="propagation_confirmed").exists()
    assert AuditEvent.objects.filter(action="erasure_instruction.acknowledged").count() == 2
    assert AuditEvent.objects.filter(action="privacy_request.fully_done", target_id=str(request.pk)).exists()


def test_another_clients_instruction_is_not_found_and_untouched(li_na, officer, checker, shop, survey):
    request = deleted(li_na, officer, checker)
    theirs = instruction_of(request, survey)

    response, _body, _headers = shop.ack(theirs.pk)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == InstructionStatus.PENDING and theirs.acknowledged_at is None


def test_a_replayed_acknowledgement_is_a_conflict_and_changes_nothing(li_na, officer, checker, shop):
    request = deleted(li_na, officer, checker)
    instruction = instruction_of(request, shop)
    response, body, headers = shop.ack(instruction.pk)
    assert response.status_code == 200
    instruction.refresh_from_db()
    first_ack = instruction.acknowledged_at

    replay = shop.api().generic(
        "POST",
        reverse("api-erasure-instruction-acknowledge", args=[instruction.pk]),
        body,
        content_type="application/json",
        **headers,
    )

    assert replay.status_code == 409
    assert "status" in replay.json()
    instruction.refresh_from_db()
    assert instruction.acknowledged_at == first_ack


def test_a_signed_body_cannot_acknowledge_another_instruction(li_na, officer, checker, shop):
    first = deleted(li_na, officer, checker)
    other_person = VerifiedCitizenFactory(email="zhao.lei@example.cn", identity=OTHER_IDENTITY)
    second = deleted(other_person, officer, checker)
    one, two = instruction_of(first, shop), instruction_of(second, shop)
    response, body, headers = shop.ack(one.pk)
    assert response.status_code == 200

    replay = shop.api().generic(
        "POST",
        reverse("api-erasure-instruction-acknowledge", args=[two.pk]),
        body,
        content_type="application/json",
        **headers,
    )

    assert replay.status_code == 400
    assert "instruction_id" in replay.json()
    two.refresh_from_db()
    assert two.status == InstructionStatus.PENDING


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("unsigned", "signature"),
        ("wrong secret", "signature"),
        ("stale timestamp", "signature"),
        ("tampered body", "signature"),
        ("future erasure", "erased_at"),
        ("no erasure time", "erased_at"),
    ],
)
def test_a_bad_acknowledgement_is_refused_with_a_field_error_and_nothing_stored(
    li_na, officer, checker, shop, case, field
):
    request = deleted(li_na, officer, checker)
    instruction = instruction_of(request, shop)
    good = {"instruction_id": instruction.pk, "erased_at": timezone.now().isoformat()}
    if case == "unsigned":
        response, _b, _h = shop.ack(instruction.pk, signed=False)
    elif case == "wrong secret":
        response, _b, _h = shop.ack(instruction.pk, secret="whsec_not-the-endpoint-secret")
    elif case == "stale timestamp":
        response, _b, _h = shop.ack(instruction.pk, timestamp=time.time() - 3600)
    elif case == "tampered body":
        signed = json.dumps(good).encode()
        header = signature_header(secrets=[shop.secret], timestamp=int(time.time()), body=signed)
        tampered = json.dumps({**good, "note": "added later"}).encode()
        response = shop.api().generic(
            "POST",
            reverse("api-erasure-instruction-acknowledge", args=[instruction.pk]),
            tampered,
            content_type="application/json",
            **{SIGNATURE_META: header},
        )
    elif case == "future erasure":
        future = (timezone.now() + timedelta(days=1)).isoformat()
        response, _b, _h = shop.ack(instruction.pk, body={**good, "erased_at": future})
    else:
        response, _b, _h = shop.ack(instruction.pk, body={"instruction_id": instruction.pk})

    assert response.status_code == 400, response.content
    assert field in response.json()
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.PENDING and instruction.ack_nonce is None


def test_acknowledging_needs_a_token_with_the_erasure_scope(li_na, officer, checker, shop, newsletter):
    request = deleted(li_na, officer, checker, PARTIAL)
    instruction = instruction_of(request, shop)
    url = reverse("api-erasure-instruction-acknowledge", args=[instruction.pk])

    assert APIClient().post(url, {}, format="json").status_code == 401
    assert newsletter.api().post(url, {}, format="json").status_code == 403
    citizen = APIClient()
    citizen.force_login(li_na)
    assert citizen.post(url, {}, format="json").status_code == 403


def test_a_client_catches_up_on_its_pending_instructions(li_na, officer, checker, shop, survey):
    first = deleted(li_na, officer, checker)
    second = deleted(VerifiedCitizenFactory(email="zhao.lei@example.cn", identity=OTHER_IDENTITY), officer, checker)
    shop.ack(instruction_of(first, shop).pk)

    response = shop.api().get(reverse("api-erasure-instructions"), {"status": "pending"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["instruction_id"] for row in rows] == [instruction_of(second, shop).pk]
    assert rows[0]["status"] == "pending" and rows[0]["request_id"] == second.pk
    everything = shop.api().get(reverse("api-erasure-instructions")).json()["results"]
    assert {row["instruction_id"] for row in everything} == {
        instruction_of(first, shop).pk,
        instruction_of(second, shop).pk,
    }
    bad = shop.api().get(reverse("api-erasure-instructions"), {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_overdue_is_derived_and_listed(li_na, officer, checker, shop):
    request = deleted(li_na, officer, checker)
    instruction = instruction_of(request, shop)
    ErasureInstruction.objects.filter(pk=instruction.pk).update(due_at=timezone.now() - timedelta(hours=1))

    rows = shop.api().get(reverse("api-erasure-instructions"), {"status": "overdue"}).json()["results"]

    assert [row["instruction_id"] for row in rows] == [instruction.pk]
    assert rows[0]["status"] == "overdue"
    # Late is still accepted: the service did erase.
    response, _b, _h = shop.ack(instruction.pk)
    assert response.status_code == 200


# -- The officer's closure -------------------------------------------------------------------------


def change_url(request):
    return reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])


def close_url(request):
    return reverse("admin:privacy_requests_privacyrequest_close_propagation", args=[request.pk])


def test_a_privacy_officer_closes_what_is_outstanding_with_a_reason(
    li_na, officer, checker, shop, survey, verified_client
):
    request = deleted(li_na, officer, checker)
    shop.ack(instruction_of(request, shop).pk)
    client = verified_client(officer)

    refused = client.post(close_url(request), {"close-reason": "   "}, follow=True)
    assert "why the remaining confirmations are not needed" in refused.content.decode()
    request.refresh_from_db()
    assert request.propagation == PropagationState.PENDING

    response = client.post(
        close_url(request), {"close-reason": "The survey service was shut down on 1 December."}, follow=True
    )

    assert response.status_code == 200
    request.refresh_from_db()
    assert request.propagation == PropagationState.CLOSED and request.fully_done_at is not None
    closed = instruction_of(request, survey)
    assert closed.status == InstructionStatus.CLOSED and closed.closed_by == officer
    assert closed.closed_reason == "The survey service was shut down on 1 December."
    assert instruction_of(request, shop).status == InstructionStatus.CONFIRMED
    event = AuditEvent.objects.get(action="privacy_request.propagation_closed")
    assert event.actor_id == officer.pk and event.details["instructions"] == [closed.pk]
    # A late acknowledgement of a closed instruction changes nothing.
    late, _b, _h = survey.ack(closed.pk)
    assert late.status_code == 409


def test_customer_service_cannot_close_propagation(li_na, officer, checker, shop, customer_service, verified_client):
    request = deleted(li_na, officer, checker)
    client = verified_client(customer_service)

    page = client.get(change_url(request))
    assert page.status_code == 200
    assert "Close the outstanding instructions" not in page.content.decode()
    response = client.post(close_url(request), {"close-reason": "never answered"})

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.propagation == PropagationState.PENDING


def test_the_close_service_refuses_without_permission_or_reason(li_na, officer, checker, shop, staff):
    request = deleted(li_na, officer, checker)
    with pytest.raises(propagation.PropagationNotAllowed):
        propagation.erasure_propagation_close(request=request, actor=staff, reason="no answer")
    with pytest.raises(propagation.PropagationNotAllowed):
        propagation.erasure_propagation_close(request=request, actor=officer, reason="")
    assert instruction_of(request, shop).status == InstructionStatus.PENDING


# -- What staff and the citizen see ----------------------------------------------------------------


def test_staff_see_which_services_confirmed_and_which_are_overdue(
    li_na, officer, checker, shop, survey, verified_client
):
    request = deleted(li_na, officer, checker)
    shop.ack(instruction_of(request, shop).pk)
    ErasureInstruction.objects.filter(client=survey.client).update(due_at=timezone.now() - timedelta(days=1))
    client = verified_client(officer)

    page = client.get(change_url(request), **EN).content.decode()
    assert 'class="propagation propagation-confirmed"' in page
    assert 'class="propagation propagation-overdue"' in page
    assert "shop service" in page and "survey service" in page
    assert "Close the outstanding instructions" in page

    queue = client.get(reverse("admin:privacy_requests_privacyrequest_changelist"), **EN).content.decode()
    assert "1/2 confirmed" in queue and "1 overdue" in queue
    overdue_only = client.get(
        reverse("admin:privacy_requests_privacyrequest_changelist"), {"propagation": "overdue"}, **EN
    )
    assert request.reference in overdue_only.content.decode()


def citizen_page(user, request) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("privacy_requests:detail", args=[request.pk]), **EN)
    assert response.status_code == 200
    return response.content.decode()


def test_the_citizen_sees_each_service_waiting_confirmed_or_overdue_then_fully_done(
    li_na, officer, checker, shop, survey
):
    request = deleted(li_na, officer, checker, PARTIAL)
    assert request.erasure_instructions.get(client=shop.client).categories == PARTIAL

    page = citizen_page(li_na, request)
    assert "shop service" in page and "survey service" in page
    assert page.count('data-testid="propagation-pending"') == 2
    assert "fully done once every service below confirms" in page

    shop.ack(instruction_of(request, shop).pk)
    ErasureInstruction.objects.filter(client=survey.client).update(due_at=timezone.now() - timedelta(days=1))
    page = citizen_page(li_na, request)
    assert 'data-testid="propagation-confirmed"' in page and "Confirmed (erased on" in page
    assert 'data-testid="propagation-overdue"' in page and "Overdue" in page

    api = APIClient()
    api.force_login(li_na)
    detail = api.get(reverse("api-request", args=[request.pk])).json()
    assert detail["propagation"] == "pending" and detail["fully_done_at"] is None
    assert {(row["service"], row["status"]) for row in detail["services"]} == {
        ("shop service", "confirmed"),
        ("survey service", "overdue"),
    }

    survey.ack(instruction_of(request, survey).pk)
    page = citizen_page(li_na, request)
    assert "Fully done on" in page
    assert api.get(reverse("api-request", args=[request.pk])).json()["propagation"] == "confirmed"
    assert "Every service confirmed the erasure" in page  # the timeline


def test_the_citizen_page_in_chinese(li_na, officer, checker, shop):
    request = deleted(li_na, officer, checker, PARTIAL)
    type(li_na).objects.filter(pk=li_na.pk).update(language="zh-hans")
    client = Client()
    client.force_login(li_na)
    page = client.get(
        reverse("privacy_requests:detail", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "shop service" in page
    assert "持有副本的各服务的删除情况" in page and "等待中（" in page


def test_a_completed_cancellation_instructs_with_the_closed_accounts_id(shop, staff):
    from privacy_requests.cancellation import services as cancellation
    from tests.factories import CitizenFactory

    wang = CitizenFactory(email="wang.fang@example.cn")
    request = cancellation.cancellation_request(user=wang, identity_check=step_up_passed(wang))
    PrivacyRequest.objects.filter(pk=request.pk).update(cooling_off_until=timezone.now() - timedelta(minutes=1))
    request.refresh_from_db()

    services.privacy_request_complete(request=request, actor=staff)

    instruction = instruction_of(request, shop)
    assert instruction.kind == RequestKind.CANCELLATION and instruction.subject_id == wang.pk
    payload = WebhookDelivery.objects.get(event_type="erasure.requested", endpoint=shop.endpoint).payload
    assert payload["kind"] == "cancellation" and payload["subject_id"] == wang.pk
    wang.refresh_from_db()
    assert not wang.is_active  # the account is closed; the instruction still names whom to erase
