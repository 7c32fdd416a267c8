"""Notifying people: the transactional outbox and the inbox."""

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connections, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.dispatch import dispatch_on_commit
from core.logging import mask_personal_data

from . import kinds, sending
from .inbox_epoch import inbox_changed
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


def _offered_languages() -> list[str]:
    # The default is among them even if LANGUAGES left it out: everyone must get a text.
    return list(dict.fromkeys([*(code for code, _name in settings.LANGUAGES), settings.LANGUAGE_CODE]))


def _render_all(kind: kinds.NotificationKind, context: dict) -> dict[str, tuple[str, str]]:
    """The text in every offered language: the inbox shows it in whichever its reader uses."""
    return {language: _render(kind, language, context) for language in _offered_languages()}


def _texts_json(texts: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {language: {"subject": subject, "body": body} for language, (subject, body) in texts.items()}


def notification_render(*, kind: str, language: str, context: dict | None = None) -> tuple[str, str]:
    """The subject and body ``kind`` would send in ``language``: what a preview shows, exactly."""
    return _render(kinds.get(kind), language, context or {})


def email_enqueue(
    *, to_address: str, kind: str, language: str, subject: str, body: str, recipient=None, sealed: bool = False
) -> OutboxEmail:
    """Queue an already-written email through the outbox.

    For mail whose text comes from elsewhere (allauth's templates, one-time
    codes) or whose addressee has no account yet. Sent after the caller's
    transaction commits, like every outbox email. A ``sealed`` body (a code
    or a link that works) is stored encrypted and removed once sent.
    """
    from .tasks import outbox_send

    with transaction.atomic():
        email = OutboxEmail.objects.create(
            recipient=recipient,
            to_address=to_address,
            kind=kind,
            language=language,
            subject=" ".join(subject.split())[:200],
            body="" if sealed else body,
            sealed_body=body if sealed else "",
            next_attempt_at=timezone.now() + DISPATCH_LEASE,
        )
        dispatch_on_commit(outbox_send, email.pk)
    return email


def notification_send(
    *, recipient, kind: str, context: dict | None = None
) -> tuple[InboxMessage | None, OutboxEmail | None]:
    """Tell ``recipient`` something, by inbox message and email, in their language.

    Both rows are written in the caller's transaction; the email is handed to
    a worker only after that transaction commits. If it rolls back, nobody is
    told about a change that did not happen.
    """
    spec = kinds.get(kind)
    language = recipient.language or settings.LANGUAGE_CODE
    context = {**(context or {}), "user": recipient}
    texts = _render_all(spec, context) if spec.inbox else {}
    subject, body = texts.get(language) or _render(spec, language, context)
    inbox = email = None
    with transaction.atomic():
        if spec.inbox:
            inbox_changed()
            inbox = InboxMessage.objects.create(
                recipient=recipient, kind=kind, subject=subject, body=body, texts=_texts_json(texts)
            )
        if spec.email and recipient.email:
            email = email_enqueue(
                to_address=recipient.email,
                kind=kind,
                language=language,
                subject=subject,
                body=body,
                recipient=recipient,
                sealed=spec.sealed,
            )
    return inbox, email


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def outbox_send(*, outbox_id: int) -> bool:
    """Send one outbox email; return whether this call sent it (see ``outbox_send_many``)."""
    return outbox_send_many(outbox_ids=[outbox_id]) == 1


def outbox_send_many(*, outbox_ids: list[int]) -> int:
    """Send a batch of outbox emails over one mail connection; return how many went out.

    Opening a connection per message (TCP, TLS, AUTH) costs more than the
    message itself, so a fan-out hands its rows over in batches, and each
    distinct text is rendered once (``notifications.sending``).

    Exactly once, by three rules. The batch's rows are claimed up front with
    one advisory lock each (``sending.SendClaim``), so a second delivery of the same
    task, running at the same time, skips them; it then finds them sent.
    Each row is read after its lock is held, so a row another worker has just
    sent reads as sent. Each row is marked sent in a statement of its own as
    soon as the mail server has accepted it, before the next message goes
    out, so a worker killed mid-batch leaves every accepted row marked and
    the rest pending (its connection closes and the locks go with it). The
    one window left is a kill after the mail server accepted a message but
    before its mark; the resend carries the same Message-ID, so mail systems
    can drop it as a duplicate.

    The marks commit without waiting for the disk (``synchronous_commit``
    off, this batch only): a worker killed loses nothing (the server has the
    mark), only a crash of PostgreSQL itself within a fraction of a second
    could undo marks and send those messages again, with their Message-IDs.
    Waiting for the disk once a message cost more than the SMTP exchange.
    """
    courier = sending.Courier(get_connection())
    db = connections[OutboxEmail.objects.db]
    try:
        with sending.SendClaim(db, outbox_ids) as rows:
            return sum(_send_row(db=db, row=row, courier=courier) for row in rows)
    finally:
        courier.connection.close()


def _send_row(*, db, row: tuple, courier: sending.Courier) -> int:
    outbox_id, state, to_address, subject, body, sealed, attempts, language = row
    if state != OutboxEmail.State.PENDING.value:
        return 0
    if sealed:
        body = _SEALED.from_db_value(sealed, None, db)
    try:
        courier.send(outbox_id=outbox_id, to_address=to_address, subject=subject, body=body, language=language)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        # The connection may be broken: the next send opens a fresh one.
        courier.connection.close()
        _record_failure(outbox_id=outbox_id, attempts=attempts + 1, exc=exc)
        return 0
    with db.cursor() as cursor:
        cursor.execute(
            sending.send_statements(db.alias).mark_sent,
            [attempts + 1, OutboxEmail.State.SENT.value, db.ops.adapt_datetimefield_value(timezone.now()), outbox_id],
        )
    return 1


def _record_failure(*, outbox_id: int, attempts: int, exc: Exception) -> None:
    last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:200]
    given_up = attempts >= MAX_ATTEMPTS
    OutboxEmail.objects.filter(pk=outbox_id).update(
        attempts=attempts,
        last_error=last_error,
        state=OutboxEmail.State.FAILED if given_up else OutboxEmail.State.PENDING,
        next_attempt_at=timezone.now() + _backoff(attempts),
        # A code or link that never arrived is not kept either; it has long expired.
        **({"sealed_body": ""} if given_up else {}),
    )
    logger.warning("outbox email %s failed (attempt %s): %s", outbox_id, attempts, last_error)


# Decrypts the sealed body read by the raw claim statement.
_SEALED = OutboxEmail._meta.get_field("sealed_body")


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
        inbox_changed()
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])


def inbox_mark_all_read(*, user) -> int:
    inbox_changed()
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notify_bulk(
    *, kind: str, people: list, context: dict | None = None, fill: Callable[[Any, str], str] | None = None
) -> dict[int, int]:
    """Tell many people the same thing: inbox messages and emails, in bulk inserts.

    ``people`` are users (at least ``pk``, ``email`` and ``language`` loaded).
    The text is rendered once per language. Rows are written in the
    caller's transaction with two INSERTs, not one per person; sending is
    the caller's to dispatch after commit (one batch task per batch).
    ``fill`` (``notify_personal``'s) finishes each person's subject and body.
    Returns ``{user id: outbox email id}`` for those who were emailed.
    """
    spec = kinds.get(kind)
    context = context or {}
    rendered = _render_all(spec, context)
    texts = _texts_json(rendered)

    def text_for(user) -> tuple[str, str]:
        language = user.language or settings.LANGUAGE_CODE
        if language not in rendered:
            rendered[language] = _render(spec, language, context)
        return rendered[language]

    now = timezone.now()
    inbox, emails = [], []
    for user in people:
        subject, body = text_for(user)
        own_texts = texts
        if fill is not None:
            subject, body = fill(user, subject), fill(user, body)
            # The inbox shows the text in the reader's current language: each one carries their values too.
            own_texts = {
                language: {part: fill(user, value) for part, value in text.items()} for language, text in texts.items()
            }
        if spec.inbox:
            inbox.append(InboxMessage(recipient_id=user.pk, kind=kind, subject=subject, body=body, texts=own_texts))
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
        inbox_changed()
        InboxMessage.objects.bulk_create(inbox)
        OutboxEmail.objects.bulk_create(emails)
    # bulk_create sets the primary keys (PostgreSQL and SQLite return them); every row has a recipient.
    return {email.recipient_id: email.pk for email in emails if email.pk is not None and email.recipient_id is not None}


def notify_personal(
    *, kind: str, people: QuerySet, context: dict | None = None, personal: Callable[[list[int]], dict[int, dict]]
) -> list[tuple[int, int | None]]:
    """Like ``notify_set``, but each person's text carries values of their own (a signed link).

    ``personal`` answers ``{user id: {name: value}}`` for the batch's ids, the
    same names for everyone. The text is still rendered once per language,
    with a marker in place of each value; each person's copy swaps the
    markers for their values, so a batch costs string replaces, not
    template renders. The values must not be personal data: they are stored
    in the inbox and outbox like the rest of the text.
    """
    chosen = list(people.only("pk", "email", "language"))
    values = personal([user.pk for user in chosen])
    names = sorted({name for person in values.values() for name in person})
    # A private-use character: in no template's own text, and not whitespace,
    # which a subject is collapsed on.
    markers = {name: f"\ue000{name}\ue000" for name in names}
    emailed = notify_bulk(
        kind=kind,
        people=chosen,
        context={**(context or {}), **markers},
        fill=lambda user, text: _fill(text, markers, values.get(user.pk, {})),
    )
    return sorted((user.pk, emailed.get(user.pk)) for user in chosen)


def _fill(text: str, markers: dict[str, str], values: dict) -> str:
    for name, marker in markers.items():
        text = text.replace(marker, str(values.get(name, "")))
    return text


def notify_set(*, kind: str, people: QuerySet, context: dict | None = None) -> list[tuple[int, int | None]]:
    """Tell everyone ``people`` selects the same thing, written by the database server.

    ``people`` is a users queryset, usually ordered and sliced to one batch.
    The text is rendered once per language; on PostgreSQL one statement then
    selects the people and inserts their inbox messages and emails (INSERT …
    SELECT): no address or text per person passes through Python, only the
    ids come back. Elsewhere (SQLite
    in development) it falls back to ``notify_bulk``. Rows are written in the
    caller's transaction; sending is the caller's to dispatch after commit.
    Returns ``(user id, outbox email id or None)`` per person, by user id.
    """
    spec = kinds.get(kind)
    connection = connections[people.db]
    if connection.vendor != "postgresql":
        chosen = list(people.only("pk", "email", "language"))
        emailed = notify_bulk(kind=kind, people=chosen, context=context)
        return sorted((user.pk, emailed.get(user.pk)) for user in chosen)
    texts = _render_all(spec, context or {})
    now = timezone.now()
    sql, params = _notify_set_sql(spec=spec, people=people, texts=texts, now=now, quote=connection.ops.quote_name)
    with transaction.atomic(using=people.db), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(user_id, outbox_id) for user_id, outbox_id in cursor.fetchall()]


def _notify_set_sql(*, spec, people: QuerySet, texts: dict, now, quote) -> tuple[str, list]:
    """One statement: the chosen people, their text by language, then one INSERT … SELECT per table.

    The people query is compiled by its own compiler, so its joins,
    subqueries and values stay parameters. Table and column names come from
    the models through ``quote`` and every value is a parameter (hence the
    S608 waivers). PostgreSQL runs every data-modifying WITH part exactly
    once, and the email INSERT's RETURNING ties each person to their row.
    """
    people_sql, params = people.values_list("pk", "email", "language").query.get_compiler(using=people.db).as_sql()
    params = list(params)

    def table(model) -> str:
        return quote(model._meta.db_table)

    def columns(model, *names) -> str:
        return ", ".join(quote(model._meta.get_field(name).column) for name in names)

    # Anyone whose stored language is not offered (or empty) reads the default,
    # so every chosen person is written to and the caller's cursor can move past them.
    values = ", ".join(["(%s, %s, %s)"] * len(texts))
    offered = ", ".join(["%s"] * len(texts))
    steps = [
        f"picked (user_id, email, language) AS MATERIALIZED ({people_sql})",
        f"texts (language, subject, body) AS (VALUES {values})",
        "addressed AS MATERIALIZED (SELECT p.user_id, p.email, t.language, t.subject, t.body"  # noqa: S608
        f" FROM picked p JOIN texts t ON t.language = CASE WHEN p.language IN ({offered}) THEN p.language ELSE %s END)",
    ]
    params += [value for language, (subject, body) in texts.items() for value in (language, subject, body)]
    params += [*texts, settings.LANGUAGE_CODE]
    if spec.inbox:
        inbox_changed()
        inbox_columns = columns(InboxMessage, "recipient", "kind", "subject", "body", "texts", "created_at", "read_at")
        steps.append(
            f"inbox AS (INSERT INTO {table(InboxMessage)} ({inbox_columns})"  # noqa: S608
            " SELECT user_id, %s, subject, body, %s::jsonb, %s, NULL FROM addressed ORDER BY user_id)"
        )
        params += [spec.code, json.dumps(_texts_json(texts), ensure_ascii=False), now]
    outbox_fields: tuple[str, ...] = ("recipient", "to_address", "kind", "language", "subject", "body", "state")
    outbox_fields += ("attempts", "next_attempt_at", "last_error", "created_at", "sent_at")
    if spec.email:
        steps.append(
            f"outbox AS (INSERT INTO {table(OutboxEmail)} ({columns(OutboxEmail, *outbox_fields)})"  # noqa: S608
            " SELECT user_id, email, %s, language, subject, body, %s, 0, %s, '', %s, NULL"
            " FROM addressed WHERE email <> '' ORDER BY user_id"
            f" RETURNING {columns(OutboxEmail, 'id', 'recipient')})"
        )
        params += [spec.code, OutboxEmail.State.PENDING.value, now + DISPATCH_LEASE, now]
        recipient = quote(OutboxEmail._meta.get_field("recipient").column)
        # A union, not a join of the two CTEs: the planner knows nothing of a
        # CTE's size, and when stale statistics made it guess one row it chose
        # a nested loop, 5,000 × 5,000 comparisons (2 s) a batch.
        answer = (
            f"SELECT {recipient}, id FROM outbox"  # noqa: S608
            " UNION ALL SELECT user_id, NULL FROM addressed WHERE email IS NULL OR email = ''"
        )
    else:
        answer = "SELECT user_id, NULL FROM addressed"
    return f"WITH {', '.join(steps)} {answer} ORDER BY 1", params
