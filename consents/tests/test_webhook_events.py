"""Consent changes push ``consent.changed`` to subscribed service clients, from the same transaction."""

import pytest
from django.db import transaction

from consents import services
from consents.models import ConsentEvent, Partner, Purpose
from tests.factories import UserFactory
from webhooks.models import WebhookDelivery
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    return webhook_endpoint_for_tests(events=["consent.changed"])[0]


def payloads():
    return [d.payload for d in WebhookDelivery.objects.order_by("pk")]


def test_a_grant_and_a_withdrawal_each_push_ids_and_the_ledger_reference(endpoint):
    person, surveys = UserFactory(), Purpose.objects.get(code="surveys")

    granted = services.consent_grant(subject=person, purpose=surveys)
    withdrawn = services.consent_withdraw(subject=person, purpose=surveys)

    ledger = {e.pk: e.hash for e in ConsentEvent.objects.filter(subject=person)}
    assert payloads() == [
        {
            "subject": person.pk,
            "purpose": "surveys",
            "partner": None,
            "state": state,
            "effective_at": event.created_at.isoformat(),
            "ledger_event": event.pk,
            "ledger_hash": ledger[event.pk],
        }
        for state, event in (("granted", granted), ("withdrawn", withdrawn))
    ]
    assert {d.endpoint_id for d in WebhookDelivery.objects.all()} == {endpoint.pk}
    assert WebhookDelivery.objects.values("event_id").distinct().count() == 2


def test_withdrawing_a_purpose_also_pushes_the_partner_sharing_it_ends(endpoint):
    person = UserFactory()
    surveys, partner = Purpose.objects.get(code="surveys"), Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=person, purpose=surveys)
    services.consent_grant(subject=person, purpose=surveys, partner=partner)
    WebhookDelivery.objects.all().delete()

    services.consent_withdraw(subject=person, purpose=surveys)

    assert sorted((p["partner"] or "", p["state"]) for p in payloads()) == [
        ("", "withdrawn"),
        ("survey_partner", "withdrawn"),
    ]


def test_a_refused_change_pushes_nothing(endpoint):
    basic = Purpose.objects.filter(kind="basic").first()
    with pytest.raises(services.ConsentError):
        services.consent_withdraw(subject=UserFactory(), purpose=basic)
    assert not WebhookDelivery.objects.exists()


def test_a_change_rolled_back_later_in_the_callers_transaction_pushes_nothing(endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.consent_grant(subject=UserFactory(), purpose=Purpose.objects.get(code="surveys"))
        raise RuntimeError("the caller's next step failed")
    assert not WebhookDelivery.objects.exists()


def test_endpoints_of_other_events_hear_nothing():
    webhook_endpoint_for_tests(events=["request.completed"])
    services.consent_grant(subject=UserFactory(), purpose=Purpose.objects.get(code="surveys"))
    assert not WebhookDelivery.objects.exists()
