"""Filing a request, verifying who filed it (which starts the clock), and withdrawing it."""

import json
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import PrivacyRequest, RequestChannel, RequestKind, RequestState
from ..state_machine import OPEN_STATES, target_state
from ..working_days import DEADLINE_WORKING_DAYS, add_working_days
from .clock import _mark_verified, _today
from .notices import KIND_RECEIVED, KIND_STATUS, _tell_citizen
from .review import privacy_request_complete
from .transitions import (
    TransitionNotAllowed,
    _audit,
    _event,
    _lock,
    _not_allowed,
    _refresh_into,
    _require_staff,
    _transition,
)


class DuplicateRequest(ValueError):
    """The person already has an open request of this kind: ``open_request``."""

    def __init__(self, open_request: PrivacyRequest):
        self.open_request = open_request
        super().__init__(
            _("You already have an open request of this kind (%(reference)s).") % {"reference": open_request.reference}
        )


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
    lapses after 7 days. A consent withdrawal the person files online with
    a step-up check is completed at once. Access and export requests also raise
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
                from ..exports.services import export_quota_check

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
        if kind == RequestKind.WITHDRAWAL and identity_check is not None and filed_by is None:
            # Takes effect at once (clause 8.5): the person named the purposes
            # themselves and proved it is them, so nothing is left for staff to
            # decide and the system completes it. One entered by staff holds the
            # citizen's words, not purpose codes: staff complete that one.
            privacy_request_complete(request=request, actor=None)
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
        locked.proposed_answer = ""
        _transition(
            locked,
            action="withdraw",
            actor=actor,
            fields=(
                "proposed_action",
                "proposed_by",
                "proposed_at",
                "proposed_answer",
                "refusal_reason",
                "refusal_explanation",
            ),
        )
        _tell_citizen(locked, KIND_STATUS)
    _refresh_into(request, locked)
    return request
