"""Notifying people: the transactional outbox and the inbox."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from privacy_portal.dispatch import dispatch_on_commit
from privacy_portal.logging import mask_personal_data

from . import kinds
from .models import InboxMessage, OutboxEmail

logger = logging.getLogger(__name__)

# The on-commit dispatch normally sends a row within seconds; the beat scan
# only takes rows older than this, so the two rarely race (and a race is
# harmless: the send claims the row under a lock).
DISPATCH_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


def _render(kind: kinds.NotificationKind, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(kind.subject_template, context).strip()
        body = render_to_string(kind.body_template, context).strip()
    # A subject is one line; templates may end with a newline.
    return " ".join(subject.split())[:200], body


def email_enqueue(*, to_address: str, kind: str, language: str, subject: str, body: str, recipient=None) -> OutboxEmail:
    """Queue an already-written email through the outbox.

    For mail whose text comes from elsewhere (allauth's templates, one-time
    codes) or whose addressee has no account yet. Sent after the caller's
    transaction commits, like every outbox email.
    """
    from .tasks import outbox_send

    with transaction.atomic():
        email = OutboxEmail.objects.create(
            recipient=recipient,
            to_address=to_address,
            kind=kind,
            language=language,
            subject=" ".join(subject.split())[:200],
            body=body,
            next_attempt_at=timezone.now() + DISPATCH_LEASE,
        )
        dispatch_on_commit(outbox_send, email.pk)
    return email


def notify(user, kind: str, context: dict | None = None) -> tuple[InboxMessage | None, OutboxEmail | None]:
    """Tell ``user`` something, by inbox message and email, in their language.

    Both rows are written in the caller's transaction; the email is handed to
    a worker only after that transaction commits. If it rolls back, nobody is
    told about a change that did not happen.
    """
    spec = kinds.get(kind)
    language = user.language or settings.LANGUAGE_CODE
    subject, body = _render(spec, language, {**(context or {}), "user": user})
    inbox = email = None
    with transaction.atomic():
        if spec.inbox:
            inbox = InboxMessage.objects.create(recipient=user, kind=kind, subject=subject, body=body)
        if spec.email and user.email:
            email = email_enqueue(
                to_address=user.email, kind=kind, language=language, subject=subject, body=body, recipient=user
            )
    return inbox, email


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def outbox_send(*, outbox_id: int, connection=None) -> bool:
    """Send one outbox email; return whether this call sent it.

    ``connection`` is an open mail connection to reuse (``outbox_send_many``);
    without one, the mail backend opens its own.

    The row stays locked while the message goes out: a second delivery of
    the same task skips it (``skip_locked``) or finds it already sent, so
    duplicate task deliveries never duplicate the email. If the worker dies
    mid-send the transaction rolls back and the row is pending again for the
    retry. The one window left is a crash after the mail server accepted the
    message but before the commit; the resend then carries the same
    Message-ID, so mail systems can drop it as a duplicate.
    """
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, state=OutboxEmail.State.PENDING)
            .first()
        )
        if row is None:
            return False
        now = timezone.now()
        row.attempts += 1
        try:
            if connection is not None:
                # Opens it the first time (and after a failure); a no-op while open.
                connection.open()
            EmailMessage(
                subject=row.subject,
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[row.to_address],
                # One Message-ID per row, however often it is tried, so mail
                # systems can recognise a resend as the same message.
                headers={"Message-ID": f"<outbox-{row.pk}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"},
                connection=connection,
            ).send()
        except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
            if connection is not None:
                # It may be broken: the next send opens a fresh one.
                connection.close()
            row.last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:200]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = OutboxEmail.State.FAILED
            row.next_attempt_at = now + _backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            logger.warning("outbox email %s failed (attempt %s): %s", row.pk, row.attempts, row.last_error)
            return False
        row.state = OutboxEmail.State.SENT
        row.sent_at = now
        row.last_error = ""
        row.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    return True


def outbox_send_many(*, outbox_ids: list[int]) -> int:
    """Send a batch of outbox emails over one mail connection; return how many went out.

    Opening a connection per message (TCP, TLS, AUTH) costs more than the
    message itself, so a fan-out hands its rows over in batches. Each row is
    claimed, sent and marked exactly as ``outbox_send`` does, in its own
    transaction, so a duplicate delivery sends nothing twice.
    """
    connection = get_connection()
    try:
        return sum(outbox_send(outbox_id=outbox_id, connection=connection) for outbox_id in outbox_ids)
    finally:
        connection.close()


def outbox_claim_due(*, limit: int = 500) -> list[int]:
    """Pick pending rows whose time has come and push their next try back.

    Pushing ``next_attempt_at`` forward is a lease: the next scan will not
    queue the same row again while this dispatch is still in the queue.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxEmail.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxEmail.objects.filter(pk__in=ids).update(next_attempt_at=now + DISPATCH_LEASE)
    return ids


def outbox_retry(*, outbox_ids: list[int]) -> int:
    """Put failed or pending rows back in line now (admin "retry")."""
    with transaction.atomic():
        count = (
            OutboxEmail.objects.filter(pk__in=outbox_ids)
            .exclude(state=OutboxEmail.State.SENT)
            .update(state=OutboxEmail.State.PENDING, attempts=0, next_attempt_at=timezone.now() + DISPATCH_LEASE)
        )
        from .tasks import outbox_send as outbox_send_task

        for outbox_id in outbox_ids:
            dispatch_on_commit(outbox_send_task, outbox_id)
    return count


def inbox_mark_read(*, message: InboxMessage) -> None:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])


def inbox_mark_all_read(*, user) -> int:
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notify_bulk(*, kind: str, people: list, context: dict | None = None, personalise: bool = False) -> dict[int, int]:
    """Tell many people the same thing: inbox messages and emails, in bulk inserts.

    ``people`` are users (at least ``pk``, ``email`` and ``language`` loaded).
    The text is rendered once per language, or once per person when
    ``personalise`` (templates that greet by name). Rows are written in the
    caller's transaction with two INSERTs, not one per person; sending is
    the caller's to dispatch after commit (one batch task per batch).
    Returns ``{user id: outbox email id}`` for those who were emailed.
    """
    spec = kinds.get(kind)
    context = context or {}
    rendered: dict[str, tuple[str, str]] = {}

    def text_for(user) -> tuple[str, str]:
        language = user.language or settings.LANGUAGE_CODE
        if personalise:
            return _render(spec, language, {**context, "user": user})
        if language not in rendered:
            rendered[language] = _render(spec, language, context)
        return rendered[language]

    now = timezone.now()
    inbox, emails = [], []
    for user in people:
        subject, body = text_for(user)
        if spec.inbox:
            inbox.append(InboxMessage(recipient_id=user.pk, kind=kind, subject=subject, body=body))
        if spec.email and user.email:
            emails.append(
                OutboxEmail(
                    recipient_id=user.pk,
                    to_address=user.email,
                    kind=kind,
                    language=user.language or settings.LANGUAGE_CODE,
                    subject=subject,
                    body=body,
                    next_attempt_at=now + DISPATCH_LEASE,
                )
            )
    with transaction.atomic():
        InboxMessage.objects.bulk_create(inbox)
        OutboxEmail.objects.bulk_create(emails)
    return {email.recipient_id: email.pk for email in emails}
