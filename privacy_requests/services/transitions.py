"""Moving a locked request from one state to the next, with its timeline event and audit record."""

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from ..models import PrivacyRequest, RequestEvent
from ..state_machine import OPEN_STATES, target_state
from .clock import _settle_pause


class TransitionNotAllowed(ValueError):
    """The request is not in a state (or the actor not in a role) that allows this step."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _event(request, *, action, actor, from_state="", to_state="", note="") -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, action=action, from_state=from_state, to_state=to_state, actor=actor, note=note
    )


def _audit(actor, action: str, request: PrivacyRequest, **extra) -> None:
    audit_record(
        actor=actor,
        action=f"privacy_request.{action}",
        target=request,
        details={"kind": request.kind, "state": request.state, **extra},
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
