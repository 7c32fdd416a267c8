"""Webhook endpoints, the delivery outbox and its sending. Every change goes through here.

Publishing writes one ``WebhookDelivery`` per subscribed endpoint inside the
caller's transaction (the event exists exactly when the change does) and
queues the sending after commit. Sending claims the row, posts outside any
transaction, and records the outcome: delivered, retried later with
backoff, or dead-lettered after ``WEBHOOK_MAX_ATTEMPTS``.
"""

import json
import random
import re
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.service_clients.models import ServiceClient
from audit.services import audit_record
from core.dispatch import dispatch_on_commit
from core.logging import contains_personal_data

from .delivery import post_signed
from .events import EVENT_SCOPES, EventType, events_allowed_for
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import SIGNATURE_HEADER, secret_generate, signature_header
from .targets import TargetRefused, target_addresses

# How long a sender may hold a delivery before another worker may try it (the POST times out well before).
SEND_LEASE = timedelta(seconds=120)
# How long a queued task is trusted to run before the beat scan queues the delivery again.
QUEUE_LEASE = timedelta(minutes=5)
_PAYLOAD_SCALARS = (str, int, bool, type(None))
# Hashes, uuids and ISO times are ids by construction; a run of digits inside one is not a phone number.
_IDENTIFIER = re.compile(
    r"[0-9a-f]{32,128}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)?"
)


class WebhookError(ValueError):
    """A change to an endpoint that the rules do not allow; ``problems`` maps fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _setting(name: str, default):
    return getattr(settings, name, default)


def _require(actor, permission: str) -> None:
    """The admin checks too; the service is the rule, so a script or a new view cannot skip it."""
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied


# -- endpoints ---------------------------------------------------------------------------------


def webhook_endpoint_problems(*, client: ServiceClient | None, url: str, events) -> dict[str, str]:
    """What is wrong with an endpoint (field -> message); the admin form shows the same."""
    problems: dict[str, str] = {}
    try:
        target_addresses(url)
    except TargetRefused as refused:
        problems["url"] = str(refused)
    if not isinstance(events, list) or not events:
        problems["events"] = _("Choose at least one event.")
    elif unknown := [event for event in events if event not in EventType.values]:
        problems["events"] = _("Unknown event type: %(events)s.") % {"events": ", ".join(map(str, unknown))}
    elif client is not None:
        if not client.active:
            problems["client"] = _("This service client is deactivated.")
        else:
            allowed = events_allowed_for(client.scopes)
            if not_allowed := [event for event in events if event not in allowed]:
                problems["events"] = _("The client's scopes do not allow these events: %(events)s.") % {
                    "events": ", ".join(not_allowed)
                }
    if client is None:
        problems["client"] = _("Choose a service client.")
    return problems


def webhook_endpoint_create(
    *, client: ServiceClient, url: str, events: list[str], actor, active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret, which is shown this once."""
    _require(actor, "webhooks.add_webhookendpoint")
    if problems := webhook_endpoint_problems(client=client, url=url, events=events):
        raise WebhookError(problems)
    secret = secret_generate()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            client=client, url=url, events=list(events), secret=secret, active=bool(active)
        )
        audit_record(
            actor=actor,
            action="webhook.endpoint_created",
            target=endpoint,
            details={"client": client.pk, "events": list(events), "active": bool(active)},
        )
    return endpoint, secret


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, url: str, events: list[str], active: bool, actor):
    _require(actor, "webhooks.change_webhookendpoint")
    if problems := webhook_endpoint_problems(client=endpoint.client, url=url, events=events):
        raise WebhookError(problems)
    with transaction.atomic():
        endpoint.url, endpoint.events, endpoint.active = url, list(events), bool(active)
        endpoint.save(update_fields=["url", "events", "active", "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.endpoint_changed",
            target=endpoint,
            details={"client": endpoint.client_id, "events": list(events), "active": bool(active)},
        )
    return endpoint


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor, grace: timedelta | None = None) -> str:
    """Give the endpoint a new secret; the old one still signs for ``grace``. Returns the new secret."""
    _require(actor, "webhooks.rotate_secret_webhookendpoint")
    if grace is None:
        grace = timedelta(hours=_setting("WEBHOOK_SECRET_ROTATION_GRACE_HOURS", 24))
    secret = secret_generate()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + grace
        locked.secret = secret
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.secret_rotated",
            target=locked,
            details={"client": locked.client_id, "grace_hours": round(grace.total_seconds() / 3600, 2)},
        )
    endpoint.secret, endpoint.previous_secret = locked.secret, locked.previous_secret
    endpoint.previous_secret_expires_at = locked.previous_secret_expires_at
    return secret


# -- publishing --------------------------------------------------------------------------------


def _check_payload(payload: dict) -> None:
    """Ids, codes, states and times only: a payload leaves the portal, so it never holds personal values."""
    if not isinstance(payload, dict):
        raise TypeError("a webhook payload is a dict")
    for key, value in payload.items():
        if not isinstance(value, _PAYLOAD_SCALARS):
            raise TypeError(f"payload.{key}: plain ids, codes and times only")
        if isinstance(value, str) and not _IDENTIFIER.fullmatch(value) and contains_personal_data(value):
            raise ValueError(f"payload.{key}: a webhook payload must not contain personal data")


def webhook_event_publish(*, event_type: str, payload: dict, client_ids=None) -> list[WebhookDelivery]:
    """Write one delivery per active endpoint subscribed to ``event_type`` and send them after commit.

    Call it inside the transaction of the change. ``client_ids`` limits the
    event to those service clients. Only clients that are active and still
    hold a scope allowing the event receive it. All deliveries of one event
    share its ``event_id``, so a receiver can drop duplicates.
    """
    if event_type not in EventType.values:
        raise ValueError(f"unknown webhook event type: {event_type}")
    _check_payload(payload)
    endpoints = WebhookEndpoint.objects.filter(active=True, client__active=True)
    if client_ids is not None:
        endpoints = endpoints.filter(client_id__in=list(client_ids))
    # Events and scopes are JSON lists, which SQLite (``make run``) cannot search in SQL; a
    # platform has tens of endpoints, so they are matched here from one small query.
    allowing = EVENT_SCOPES[event_type]
    receiving = [
        WebhookEndpoint(pk=pk, client_id=client_id)
        for pk, client_id, events, scopes in endpoints.values_list("pk", "client_id", "events", "client__scopes")
        if event_type in (events or ()) and allowing.intersection(scopes or ())
    ]
    if not receiving:
        return []
    event_id = uuid.uuid4()
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                next_attempt_at=now,
                queued_until=now + QUEUE_LEASE,
                created_at=now,
            )
            for endpoint in receiving
        ]
    )
    from .tasks import webhook_delivery_send

    for delivery in deliveries:
        dispatch_on_commit(webhook_delivery_send, delivery.pk)
    return deliveries


# -- sending -----------------------------------------------------------------------------------


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The JSON document posted: the same bytes for every attempt of a delivery."""
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode("utf-8")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base × 2^(attempts−1), capped, then 50–100 % of it."""
    base = float(_setting("WEBHOOK_RETRY_BASE_SECONDS", 30))
    cap = float(_setting("WEBHOOK_RETRY_MAX_SECONDS", 6 * 60 * 60))
    ceiling = min(cap, base * (2 ** max(attempts - 1, 0)))
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for this worker: no other worker can send it until the lease ends."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(
                pk=delivery_id,
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.DELIVERING],
                next_attempt_at__lte=now,
            )
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.DELIVERING
        delivery.attempts += 1
        delivery.next_attempt_at = now + SEND_LEASE
        delivery.queued_until = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "queued_until", "updated_at"])
    return delivery


def _record(delivery: WebhookDelivery, *, status: int | None, error: str, duration_ms: int) -> str:
    now = timezone.now()
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        # Only the holder of this attempt may settle it: a lease that ran out meanwhile belongs to another worker.
        current = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        WebhookAttempt.objects.create(
            delivery_id=delivery.pk,
            endpoint_id=delivery.endpoint_id,
            number=delivery.attempts,
            attempted_at=now,
            response_code=status,
            error=error[:300],
            duration_ms=duration_ms,
            succeeded=ok,
        )
        if current.status != DeliveryStatus.DELIVERING or current.attempts != delivery.attempts:
            return current.status
        current.last_response_code, current.last_error = status, error[:300]
        if ok:
            current.status, current.delivered_at = DeliveryStatus.DELIVERED, now
        elif current.attempts >= int(_setting("WEBHOOK_MAX_ATTEMPTS", 8)):
            current.status = DeliveryStatus.DEAD
        else:
            current.status = DeliveryStatus.PENDING
            current.next_attempt_at = now + retry_delay(current.attempts)
        current.save(
            update_fields=[
                "status",
                "delivered_at",
                "next_attempt_at",
                "last_response_code",
                "last_error",
                "updated_at",
            ]
        )
    return current.status


def webhook_delivery_attempt(*, delivery_id: int) -> str | None:
    """Try to deliver once, if it is due and nobody else holds it; return the resulting status.

    None when there was nothing to do (delivered already, not yet due, or
    another worker is sending it): running the task twice sends once.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.active:
        return _record(delivery, status=None, error="endpoint deactivated", duration_ms=0)
    body = delivery_body(delivery)
    timestamp = int(time.time())
    headers = {
        "X-Portal-Event-Id": str(delivery.event_id),
        "X-Portal-Event-Type": delivery.event_type,
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Delivery-Attempt": str(delivery.attempts),
        SIGNATURE_HEADER: signature_header(secrets=endpoint.signing_secrets(), timestamp=timestamp, body=body),
    }
    result = post_signed(url=endpoint.url, body=body, headers=headers)
    error = result.error or ("" if result.ok else f"HTTP {result.status}")
    return _record(delivery, status=result.status, error=error, duration_ms=result.duration_ms)


def webhook_deliveries_queue_due(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """Pick deliveries whose time has come and that no queued task is about to send (the beat scan).

    Also picks deliveries whose sender's lease ran out (a worker killed mid-send).
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DELIVERING], next_attempt_at__lte=now)
            .exclude(queued_until__gt=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(queued_until=now + QUEUE_LEASE)
    return ids


def webhook_deliveries_replay(*, deliveries, actor) -> int:
    """Send dead or delivered deliveries again, from the first attempt (admin "replay"); audited."""
    _require(actor, "webhooks.replay_webhookdelivery")
    replayable = (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update()
            .filter(pk__in=[d.pk for d in deliveries], status__in=replayable)
            .order_by("pk")
        )
        from .tasks import webhook_delivery_send

        for row in rows:
            previous = row.status
            row.status, row.attempts, row.next_attempt_at = DeliveryStatus.PENDING, 0, now
            row.queued_until, row.delivered_at = now + QUEUE_LEASE, None
            row.save(
                update_fields=["status", "attempts", "next_attempt_at", "queued_until", "delivered_at", "updated_at"]
            )
            audit_record(
                actor=actor,
                action="webhook.delivery_replayed",
                target=row,
                details={"endpoint": row.endpoint_id, "event_type": row.event_type, "previous_status": previous},
            )
            dispatch_on_commit(webhook_delivery_send, row.pk)
    return len(rows)
