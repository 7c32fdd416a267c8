"""The webhook events in the OpenAPI schema (its ``webhooks`` section, OpenAPI 3.1).

A service client learns from the schema what the portal will POST to its
endpoint, with the same tools it uses for the API it calls. The shapes here
describe what ``webhooks.services.delivery_body`` sends for each event type
(real deliveries are checked against the schema in
``privacy_portal/tests/test_webhook_schema.py``); the
prose guide with the verification steps is docs/webhooks.md.
"""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from .events import EventType

SIGNATURE_HELP = (
    "Headers: `X-Portal-Event-Id` (as `id`), `X-Portal-Event-Type` (as `type`), `X-Portal-Timestamp` "
    "(Unix seconds of this attempt), `X-Portal-Delivery-Attempt` (1, 2, …; 1 again on a replay) and "
    "`X-Portal-Signature`. "
    "Verify before parsing: `X-Portal-Signature` is `t=<unix seconds>,v1=<hex>` (a second `v1` while a "
    "rotated secret's grace period lasts); `v1` is HMAC-SHA256 with the endpoint's secret over "
    "`<t>.<raw body>`. Refuse a missing or wrong signature, or a `t` more than 5 minutes from your clock. "
    "Act on each event `id` once: retries and replays repeat it. Answer any 2xx quickly; anything else "
    "is retried with backoff and becomes a dead letter after the last attempt. Payloads carry ids, codes "
    "and times, never personal values."
)


class ConsentChangedData(serializers.Serializer):
    subject = serializers.IntegerField(help_text="The person's user id in the portal.")
    purpose = serializers.CharField(help_text="Purpose code.")
    partner = serializers.CharField(allow_null=True, help_text="Partner code, or null for the purpose itself.")
    state = serializers.ChoiceField(choices=["granted", "withdrawn"])
    effective_at = serializers.DateTimeField()
    ledger_event = serializers.IntegerField(help_text="Id of the consent-ledger event.")
    ledger_hash = serializers.CharField(help_text="That event's chain hash (hex).")


class RequestCompletedData(serializers.Serializer):
    request = serializers.IntegerField(help_text="Id of the privacy request.")
    kind = serializers.ChoiceField(choices=["deletion", "cancellation"])
    subject = serializers.IntegerField(help_text="The person's user id in the portal.")
    completed_at = serializers.DateTimeField(allow_null=True)


class ErasureRequestedData(serializers.Serializer):
    instruction_id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    subject_id = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=["deletion", "cancellation"])
    scope = serializers.CharField(help_text="Erased data category codes, comma-separated.")
    issued_at = serializers.DateTimeField()
    ack_due_by = serializers.DateTimeField()
    acknowledge_url = serializers.URLField(help_text="Where to POST the signed acknowledgement.")


def _envelope(name: str, event_type: str, data: type[serializers.Serializer]) -> type[serializers.Serializer]:
    fields = {
        "id": serializers.UUIDField(help_text="The event id: the same for every attempt, replay and endpoint."),
        "type": serializers.ChoiceField(choices=[event_type]),
        "created_at": serializers.DateTimeField(),
        "data": data(),
    }
    return type(name, (serializers.Serializer,), fields)


ConsentChangedEvent = _envelope("ConsentChangedEvent", EventType.CONSENT_CHANGED.value, ConsentChangedData)
RequestCompletedEvent = _envelope("RequestCompletedEvent", EventType.REQUEST_COMPLETED.value, RequestCompletedData)
ErasureRequestedEvent = _envelope("ErasureRequestedEvent", EventType.ERASURE_REQUESTED.value, ErasureRequestedData)

# Event type -> the serializer of its whole body, for the schema and for the tests that hold
# real deliveries against it.
EVENT_BODIES: dict[str, type[serializers.Serializer]] = {
    EventType.CONSENT_CHANGED.value: ConsentChangedEvent,
    EventType.REQUEST_COMPLETED.value: RequestCompletedEvent,
    EventType.ERASURE_REQUESTED.value: ErasureRequestedEvent,
}

_RECEIVED = {
    "2XX": OpenApiResponse(description="Received; the portal marks the delivery delivered."),
    "default": OpenApiResponse(description="Anything else is a failed attempt: retried, then a dead letter."),
}


def _webhook(event_type: str, summary: str, when: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=summary,
            description=f"{when}\n\n{SIGNATURE_HELP}",
            request=EVENT_BODIES[event_type],
            responses=_RECEIVED,
        ),
    )


consent_changed = _webhook(
    EventType.CONSENT_CHANGED.value,
    "A consent was granted or withdrawn",
    "Sent to endpoints of clients holding `consent:events` when a person grants or withdraws a purpose "
    "or a partner's sharing (withdrawing a purpose also ends each partner's sharing: one event each).",
)
request_completed = _webhook(
    EventType.REQUEST_COMPLETED.value,
    "A deletion or an account cancellation was carried out",
    "Sent to endpoints of clients holding `consent:events` or `erasure`.",
)
erasure_requested = _webhook(
    EventType.ERASURE_REQUESTED.value,
    "Erase your copies of a person's data and acknowledge",
    "Sent to endpoints of clients holding `erasure` when a deletion or cancellation is carried out. The "
    "service erases its copies of the listed categories and POSTs a signed acknowledgement to "
    "`acknowledge_url` (`/api/v1/erasure-instructions/{instruction_id}/acknowledge/`) before `ack_due_by`; "
    "docs/erasure_propagation.md.",
)
