"""The OpenAPI schema documents every webhook event, and real deliveries match what it says."""

import json

import jsonschema
import pytest
import yaml
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_EVENTS, ERASURE
from accounts.service_clients.tests.factories import service_client_register_for_test
from consents.models import Purpose
from consents.services import consent_grant, consent_withdraw
from privacy_requests import services as requests
from privacy_requests.models import RequestKind
from tests.factories import VerifiedCitizenFactory, step_up_passed
from webhooks.models import WebhookDelivery
from webhooks.services import delivery_body
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db

EVENTS = ("consent.changed", "request.completed", "erasure.requested")


@pytest.fixture
def schema():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def body_schema(schema, event_type):
    """The event's body as a JSON Schema document (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""
    content = schema["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return {"components": schema["components"], **content}


def test_every_event_is_a_webhook_of_the_schema_with_its_signature_explained(schema):
    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == set(EVENTS)
    for event_type in EVENTS:
        operation = schema["webhooks"][event_type]["post"]
        assert "X-Portal-Signature" in operation["description"]
        assert "HMAC-SHA256" in operation["description"]
        assert "2XX" in operation["responses"]


def test_the_new_api_operations_are_documented(schema):
    paths = schema["paths"]
    assert "post" in paths["/api/v1/consent-check/batch/"]
    assert "get" in paths["/api/v1/erasure-instructions/"]
    acknowledge = paths["/api/v1/erasure-instructions/{instruction_id}/acknowledge/"]["post"]
    assert {"200", "400", "404", "409"} <= set(acknowledge["responses"])


def test_real_deliveries_of_every_event_match_the_schema(schema, officer, checker):
    client, _ = service_client_register_for_test(scopes=[CONSENT_EVENTS, ERASURE])
    webhook_endpoint_for_tests(client=client, events=list(EVENTS))
    person = VerifiedCitizenFactory()
    surveys = Purpose.objects.get(code="surveys")
    consent_grant(subject=person, purpose=surveys)
    consent_withdraw(subject=person, purpose=surveys)
    # A deletion of one category: completing it sends request.completed and erasure.requested.
    request = requests.privacy_request_create(
        requester=person,
        kind=RequestKind.DELETION,
        details={"categories": ["sign_in_activity"]},
        identity_check=step_up_passed(person),
    )
    requests.privacy_request_start_review(request=request, actor=officer)
    requests.privacy_request_propose(request=request, actor=officer, action="delete")
    requests.privacy_request_confirm(request=request, actor=checker)

    seen = set()
    for delivery in WebhookDelivery.objects.order_by("pk"):
        document = json.loads(delivery_body(delivery))
        jsonschema.validate(document, body_schema(schema, document["type"]), cls=jsonschema.Draft202012Validator)
        seen.add(document["type"])
    assert seen == set(EVENTS)


def test_a_body_that_breaks_the_documented_shape_fails_the_check(schema):
    bad = {
        "id": "6f1c2d1e-0000-4000-8000-000000000000",
        "type": "consent.changed",
        "created_at": "2026-12-03T10:00:00Z",
        "data": {"subject": 7, "purpose": "surveys", "state": "paused"},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, body_schema(schema, "consent.changed"), cls=jsonschema.Draft202012Validator)
