"""Every change to a rights request: creation, each state transition, messages, deadlines.

Each function runs in one transaction and leaves three traces of what it
did: a ``RequestEvent`` (the timeline the citizen and staff see), an audit
record (ids and codes only) and, for what the citizen should know, a
notification through the outbox (inbox + email, sent after commit).
Which transition is allowed from which state is ``state_machine.TRANSITIONS``.
"""

import json
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record
from notifications.services import email_enqueue, notify

from . import fulfilment
from .models import (
    PrivacyRequest,
    RefusalReason,
    RequestChannel,
    RequestEvent,
    RequestKind,
    RequestMessage,
    RequestOutcome,
    RequestState,
)
from .state_machine import OPEN_STATES, target_state
from .working_days import DEADLINE_WORKING_DAYS, add_working_days, working_days_between

# A request nobody verified is dropped after this many (calendar) days.
LAPSE_AFTER_DAYS = 7
MAX_EXTENSION_WORKING_DAYS = 30

# Notification kinds (registered in notifications/kinds.py).
KIND_RECEIVED = "request_received"
KIND_STATUS = "request_status_changed"
KIND_MESSAGE = "request_message"
KIND_EXTENDED = "request_extended"
KIND_STAFF_REPLY = "request_citizen_replied"


class TransitionNotAllowed(ValueError):
    """The request is not in a state (or the actor not in a role) that allows this step."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateRequest(ValueError):
    """The person already has an open request of this kind: ``open_request``."""

    def __init__(self, open_request: PrivacyRequest):
        self.open_request = open_request
        super().__init__(
            _("You already have an open request of this kind (%(reference)s).") % {"reference": open_request.reference}
        )


# ---------------------------------------------------------------- helpers


def _today(moment: datetime | None = None):
    return timezone.localdate(moment or timezone.now())


def _site_url() -> str:
    from django.contrib.sites.models import Site

    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}"


def request_url(request: PrivacyRequest) -> str:
    # A plain path rather than reverse(): notifications render in workers
    # and tests that may not include the requests' URLconf.
    return f"{_site_url()}/requests/{request.pk}/"


def _details(request: PrivacyRequest) -> dict:
    try:
        value = json.loads(request.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def request_details(request: PrivacyRequest) -> dict:
    """The request's details (decrypted JSON) as a dict."""
    return _details(request)


def _event(request, *, action, actor, from_state="", to_state="", note="") -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, action=action, from_state=from_state, to_state=to_state, actor=actor, note=note
    )


def _audit(actor, action: str, request: PrivacyRequest, **extra) -> None:
    record(actor, f"privacy_request.{action}", request, {"kind": request.kind, "state": request.state, **extra})


def _context(request: PrivacyRequest, **extra) -> dict:
    return {
        "request": request,
        "reference": request.reference,
        # Lazy labels: the notification renders them in the recipient's language.
        "kind_label": RequestKind(request.kind).label,
        "state_label": RequestState(request.state).label,
        "due_date": request.due_date,
        "request_url": request_url(request),
        **extra,
    }


def _tell_citizen(request: PrivacyRequest, kind: str, **extra) -> None:
    """Notify the requester; an anonymous complainant gets an email at their contact address."""
    context = _context(request, **extra)
    if request.requester_id:
        notify(request.requester, kind, context)
    elif request.contact_email:
        language = _details(request).get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = render_to_string(f"notifications/{kind}/subject.txt", {**context, "anonymous": True})
            body = render_to_string(f"notifications/{kind}/body.txt", {**context, "anonymous": True})
        email_enqueue(
            to_address=request.contact_email, kind=kind, language=language, subject=subject.strip(), body=body.strip()
        )


def _lock(request: PrivacyRequest) -> PrivacyRequest:
    """Re-read the request under a row lock, so two staff members cannot step it at once."""
    return PrivacyRequest.objects.select_for_update().get(pk=request.pk)


def _refresh_into(target: PrivacyRequest, source: PrivacyRequest) -> None:
    """Bring the caller's instance up to date with the row the service changed."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    # Related objects cached on the caller's copy may have changed (assignee, proposer).
    target._state.fields_cache = {
        name: value for name, value in target._state.fields_cache.items() if name == "requester"
    }


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise TransitionNotAllowed(_("Only a staff member can do this."))


def _not_allowed(request: PrivacyRequest) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("This is not possible while the request is “%(state)s”.") % {"state": request.get_state_display()}
    )


def _transition(request: PrivacyRequest, *, action: str, actor, note: str = "", fields=()) -> str:
    """Move ``request`` (locked) along ``action``; returns the previous state."""
    to_state = target_state(action, request.state)
    if to_state is None:
        raise _not_allowed(request)
    from_state = request.state
    request.state = to_state
    update = {"state", *fields}
    if to_state not in OPEN_STATES:
        request.closed_at = timezone.now()
        update.add("closed_at")
        _settle_pause(request, update)
    request.save(update_fields=sorted(update))
    _event(request, action=action, actor=actor, from_state=from_state, to_state=to_state, note=note)
    _audit(actor, action, request, from_state=from_state)
    return from_state


def _settle_pause(request: PrivacyRequest, update: set) -> int:
    """End a pause: the working days spent waiting move the due date. Returns those days."""
    if request.paused_since is None:
        return 0
    waited = working_days_between(_today(request.paused_since), _today())
    request.paused_working_days += waited
    if request.due_date and waited:
        request.due_date = add_working_days(request.due_date, waited)
    request.paused_since = None
    update.update({"paused_since", "paused_working_days", "due_date"})
    return waited


def _mark_verified(request: PrivacyRequest) -> None:
    request.verified_at = timezone.now()
    request.due_date = add_working_days(_today(request.verified_at), DEADLINE_WORKING_DAYS)


# ---------------------------------------------------------------- creation


def privacy_request_create(
    *,
    requester,
    kind: str,
    details: dict,
    channel: str = RequestChannel.WEB,
    identity_check=None,
    identity_check_note: str = "",
    filed_by=None,
    contact_email: str = "",
) -> PrivacyRequest:
    """File a request. Verified at once when it comes with an identity check.

    A request with a step-up check (online) or entered by staff with a note
    on how identity was checked goes straight to "identity verified" and
    its 15-working-day clock starts; otherwise it waits for a check and
    lapses after 7 days. Access and export requests also raise
    ``exports.services.ExportQuotaExceeded`` past the daily limit. An anonymous complaint (no requester, a contact
    address) has nobody to verify: its clock starts on receipt.
    """
    if kind not in RequestKind.values:
        raise ValueError(f"unknown request kind: {kind}")
    if requester is None and not (kind == RequestKind.COMPLAINT and contact_email):
        raise ValueError("only a complaint can be filed without an account, and it needs a contact address")
    staff_checked = bool(filed_by is not None and identity_check_note.strip())
    with transaction.atomic():
        if requester is not None:
            # Serialise one person's filings, so two clicks cannot make two open requests.
            get_user_model().objects.select_for_update().filter(pk=requester.pk).first()
            existing = (
                PrivacyRequest.objects.filter(requester=requester, kind=kind, state__in=OPEN_STATES)
                .order_by("received_at")
                .first()
            )
            if existing is not None:
                raise DuplicateRequest(existing)
            if kind in (RequestKind.ACCESS, RequestKind.EXPORT):
                from .exports.services import export_quota_check

                # A few copies a day at most (ExportQuotaExceeded says when to retry).
                export_quota_check(user=requester)
        details = dict(details or {})
        if requester is None:
            details.setdefault("language", translation.get_language() or settings.LANGUAGE_CODE)
        request = PrivacyRequest.objects.create(
            # The reference comes from the row id, known only after the insert.
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            kind=kind,
            requester=requester,
            contact_email=contact_email if requester is None else "",
            channel=channel,
            filed_by=filed_by,
            identity_check=identity_check,
            identity_check_note=identity_check_note.strip(),
            details=json.dumps(details, ensure_ascii=False),
        )
        request.reference = f"PR-{_today(request.received_at).year}-{request.pk:06d}"
        update = ["reference"]
        if requester is None:
            request.due_date = add_working_days(_today(request.received_at), DEADLINE_WORKING_DAYS)
            update.append("due_date")
        request.save(update_fields=update)
        _event(request, action="submitted", actor=filed_by or requester, to_state=RequestState.SUBMITTED)
        _audit(filed_by or requester, "create", request, channel=channel, filed_by_staff=filed_by is not None)
        if identity_check is not None or staff_checked:
            _mark_verified(request)
            _transition(
                request,
                action="verify",
                actor=filed_by or requester,
                note=identity_check_note.strip(),
                fields=("verified_at", "due_date"),
            )
        _tell_citizen(request, KIND_RECEIVED)
    return request


def privacy_request_verify(*, request: PrivacyRequest, actor, identity_check=None, identity_check_note: str = ""):
    """Record a later identity check (by staff, e.g. by phone); starts the clock."""
    _require_staff(actor)
    if identity_check is None and not identity_check_note.strip():
        raise TransitionNotAllowed(_("Say how the identity was checked."))
    with transaction.atomic():
        locked = _lock(request)
        if target_state("verify", locked.state) is None:
            raise _not_allowed(locked)
        locked.identity_check = identity_check or locked.identity_check
        locked.identity_check_note = identity_check_note.strip()
        _mark_verified(locked)
        _transition(
            locked,
            action="verify",
            actor=actor,
            note=locked.identity_check_note,
            fields=("identity_check", "identity_check_note", "verified_at", "due_date"),
        )
        _tell_citizen(locked, KIND_STATUS)
    _refresh_into(request, locked)
    return request


# ---------------------------------------------------------------- staff steps


def privacy_request_start_review(*, request: PrivacyRequest, actor) -> PrivacyRequest:
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is waiting for a second staff member."))
        fields = ()
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
            fields = ("assigned_to",)
        _transition(locked, action="start_review", actor=actor, fields=fields)
        _tell_citizen(locked, KIND_STATUS)
    _refresh_into(request, locked)
    return request


def _complete(locked: PrivacyRequest, *, actor, answer: str, outcomes, action: str = "complete") -> None:
    if target_state("complete", locked.state) is None:
        raise _not_allowed(locked)
    if answer:
        # Set before the handler runs: a complaint's handler insists on an answer.
        locked.answer = answer
    # The kind's handler does the work (export, correction, erasure...);
    # if it fails, the transaction rolls back and the request stays open.
    fulfilment.fulfil(request=locked, actor=actor)
    for category, result, legal_reason in outcomes or ():
        if result not in RequestOutcome.Result.values:
            raise ValueError(f"unknown outcome result: {result}")
        RequestOutcome.objects.update_or_create(
            request=locked, category=category, defaults={"result": result, "legal_reason": legal_reason or ""}
        )
    fields = ["proposed_action", "proposed_by", "proposed_at"]
    if answer:
        fields.append("answer")
    locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
    _transition(locked, action="complete", actor=actor, fields=fields)
    _tell_citizen(locked, KIND_STATUS, answer=locked.answer)


def privacy_request_complete(*, request: PrivacyRequest, actor, answer: str = "", outcomes=()) -> PrivacyRequest:
    """Fulfil and close ``request``. ``actor`` None is the system (automatic kinds).

    ``outcomes``: (category, result, legal reason) per data category, for
    what was provided, kept or withheld. A deletion cannot be completed
    this way: it needs a proposal confirmed by a second staff member.
    """
    if actor is not None:
        _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if locked.kind == RequestKind.DELETION:
            raise TransitionNotAllowed(_("A deletion takes effect only when a second staff member confirms it."))
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is waiting for a second staff member."))
        if actor is None and locked.kind != RequestKind.WITHDRAWAL:
            raise TransitionNotAllowed(_("Only a staff member can do this."))
        _complete(locked, actor=actor, answer=answer, outcomes=outcomes)
    _refresh_into(request, locked)
    return request


PROPOSALS = ("refuse", "delete")


def privacy_request_propose(
    *, request: PrivacyRequest, actor, action: str, reason_code: str = "", explanation: str = ""
) -> PrivacyRequest:
    """The first half of maker-checker: propose a refusal or a deletion."""
    _require_staff(actor)
    if action not in PROPOSALS:
        raise ValueError(f"unknown proposal: {action}")
    explanation = (explanation or "").strip()
    with transaction.atomic():
        locked = _lock(request)
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is already waiting for a second staff member."))
        if action == "refuse":
            if target_state("refuse", locked.state) is None:
                raise _not_allowed(locked)
            if reason_code not in RefusalReason.values:
                raise TransitionNotAllowed(_("Choose a reason for the refusal."))
            if not explanation:
                raise TransitionNotAllowed(_("Explain the refusal to the citizen."))
            locked.refusal_reason, locked.refusal_explanation = reason_code, explanation
        else:
            if locked.kind != RequestKind.DELETION:
                raise TransitionNotAllowed(_("Only a deletion request can be approved for deletion."))
            if target_state("complete", locked.state) is None:
                raise _not_allowed(locked)
        locked.proposed_action, locked.proposed_by, locked.proposed_at = action, actor, timezone.now()
        locked.save(
            update_fields=["proposed_action", "proposed_by", "proposed_at", "refusal_reason", "refusal_explanation"]
        )
        _event(locked, action=f"proposed_{action}", actor=actor, note=reason_code)
        _audit(actor, f"propose_{action}", locked, reason=reason_code)
        # The citizen hears the decision once it is confirmed, not the internal proposal.
    _refresh_into(request, locked)
    return request


def privacy_request_confirm(*, request: PrivacyRequest, actor) -> PrivacyRequest:
    """The second half of maker-checker: another staff member applies the proposal."""
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if not locked.proposed_action:
            raise TransitionNotAllowed(_("There is no proposal to confirm."))
        if locked.proposed_by_id == actor.pk:
            raise TransitionNotAllowed(_("A second staff member must confirm this, not the one who proposed it."))
        proposal = locked.proposed_action
        _event(locked, action=f"confirmed_{proposal}", actor=actor)
        _audit(actor, f"confirm_{proposal}", locked, proposed_by=locked.proposed_by_id)
        if proposal == "refuse":
            locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
            _transition(locked, action="refuse", actor=actor, fields=("proposed_action", "proposed_by", "proposed_at"))
            _tell_citizen(locked, KIND_STATUS)
        else:
            _complete(locked, actor=actor, answer="", outcomes=())
    _refresh_into(request, locked)
    return request


def privacy_request_reject_proposal(*, request: PrivacyRequest, actor, note: str = "") -> PrivacyRequest:
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if not locked.proposed_action:
            raise TransitionNotAllowed(_("There is no proposal to reject."))
        proposal = locked.proposed_action
        if proposal == "refuse":
            locked.refusal_reason, locked.refusal_explanation = "", ""
        locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
        locked.save(
            update_fields=["proposed_action", "proposed_by", "proposed_at", "refusal_reason", "refusal_explanation"]
        )
        _event(locked, action=f"rejected_{proposal}", actor=actor, note=note)
        _audit(actor, f"reject_{proposal}", locked)
    _refresh_into(request, locked)
    return request


def privacy_request_extend(*, request: PrivacyRequest, actor, working_days: int, reason: str) -> PrivacyRequest:
    """Move the due date by ``working_days``, with a reason the citizen sees."""
    _require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Give a reason for the extension."))
    if not (0 < int(working_days) <= MAX_EXTENSION_WORKING_DAYS):
        raise TransitionNotAllowed(
            _("An extension is between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_WORKING_DAYS}
        )
    with transaction.atomic():
        locked = _lock(request)
        if locked.state not in OPEN_STATES or locked.due_date is None:
            raise _not_allowed(locked)
        old_due = locked.due_date
        locked.due_date = add_working_days(old_due, int(working_days))
        locked.extension_reason = reason[:300]
        locked.save(update_fields=["due_date", "extension_reason"])
        _event(locked, action="extended", actor=actor, note=reason)
        _audit(actor, "extend", locked, working_days=int(working_days))
        _tell_citizen(locked, KIND_EXTENDED, old_due_date=old_due, reason=reason)
    _refresh_into(request, locked)
    return request


def privacy_request_assign(*, request: PrivacyRequest, actor, assignee) -> PrivacyRequest:
    _require_staff(actor)
    if assignee is not None and not assignee.is_staff:
        raise TransitionNotAllowed(_("A request can be assigned to staff members only."))
    with transaction.atomic():
        locked = _lock(request)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        _event(locked, action="assigned", actor=actor)
        _audit(actor, "assign", locked, assignee=getattr(assignee, "pk", None))
    _refresh_into(request, locked)
    return request


# ---------------------------------------------------------------- citizen steps


def privacy_request_withdraw(*, request: PrivacyRequest, actor) -> PrivacyRequest:
    """The citizen (or staff, on their word) withdraws a request that is not closed."""
    if actor is None or not (actor.pk == request.requester_id or actor.is_staff):
        raise TransitionNotAllowed(_("Only the person who made the request can withdraw it."))
    with transaction.atomic():
        locked = _lock(request)
        if locked.proposed_action == "refuse" and locked.state != RequestState.REFUSED:
            # A refusal nobody confirmed never happened.
            locked.refusal_reason, locked.refusal_explanation = "", ""
        locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
        _transition(
            locked,
            action="withdraw",
            actor=actor,
            fields=("proposed_action", "proposed_by", "proposed_at", "refusal_reason", "refusal_explanation"),
        )
        _tell_citizen(locked, KIND_STATUS)
    _refresh_into(request, locked)
    return request


def privacy_request_message(
    *, request: PrivacyRequest, author, body: str, from_staff: bool, waits_for_citizen: bool = False
) -> RequestMessage:
    """A message on a request. Staff waiting for an answer pause the clock; the citizen's reply resumes it."""
    body = (body or "").strip()
    if not body:
        raise TransitionNotAllowed(_("Write a message."))
    if from_staff:
        _require_staff(author)
    elif author is None or author.pk != request.requester_id:
        raise TransitionNotAllowed(_("Only the person who made the request can reply to it."))
    with transaction.atomic():
        locked = _lock(request)
        if locked.state not in OPEN_STATES:
            raise _not_allowed(locked)
        message = RequestMessage.objects.create(request=locked, author=author, from_staff=from_staff, body=body)
        _event(locked, action="message_staff" if from_staff else "message_citizen", actor=author)
        _audit(author, "message", locked, from_staff=from_staff, message=message.pk)
        if from_staff:
            if waits_for_citizen and locked.paused_since is None:
                locked.paused_since = timezone.now()
                locked.save(update_fields=["paused_since"])
                _event(locked, action="paused", actor=author)
                _audit(author, "pause", locked)
            _tell_citizen(locked, KIND_MESSAGE, message=message, waiting=locked.paused_since is not None)
        else:
            update: set = set()
            waited = _settle_pause(locked, update)
            if update:
                locked.save(update_fields=sorted(update))
                _event(locked, action="resumed", actor=author, note=str(waited))
                _audit(author, "resume", locked, waited_working_days=waited)
            if locked.assigned_to_id:
                notify(locked.assigned_to, KIND_STAFF_REPLY, _context(locked))
    _refresh_into(request, locked)
    return message


# ---------------------------------------------------------------- scheduled


def privacy_requests_lapse_stale() -> int:
    """Requests left without an identity check for 7 days lapse. Returns how many did.

    Idempotent: a lapsed request is no longer "submitted". Anonymous
    complaints are not affected: there is no account to verify.
    """
    cutoff = timezone.now() - timedelta(days=LAPSE_AFTER_DAYS)
    stale = PrivacyRequest.objects.filter(
        state=RequestState.SUBMITTED, received_at__lte=cutoff, requester__isnull=False
    ).order_by("pk")
    count, last_pk = 0, 0
    while True:
        batch = list(stale.filter(pk__gt=last_pk).values_list("pk", flat=True)[:500])
        if not batch:
            return count
        last_pk = batch[-1]
        count += _lapse_batch(batch)


def _lapse_batch(pks: list[int]) -> int:
    count = 0
    for pk in pks:
        with transaction.atomic():
            locked = (
                PrivacyRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=RequestState.SUBMITTED)
                .first()
            )
            if locked is None:
                continue
            _transition(locked, action="lapse", actor=None)
            _tell_citizen(locked, KIND_STATUS)
            count += 1
    return count
