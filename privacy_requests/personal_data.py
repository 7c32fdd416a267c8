"""The rights requests themselves as personal data: requests, their timeline, messages, outcomes and exports.

Erasing them keeps the record that a right was exercised and answered (the
portal must be able to show it met its deadlines) but forgets whose it was
and what the person wrote. Open requests, including the deletion or
cancellation being carried out, are left alone: they close afterwards.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.identity.forms import FIELD_LABELS
from accounts.models import StepUpCheck
from consents.names import purpose_names
from personal_data.fields import WHO, LabelledJSON, day, encoded_mapping, moment, number, text
from personal_data.holds import is_held
from personal_data.registry import LegalBasis, category_labels, register_personal_data
from personal_data.retention_conditions import register_retention_condition
from privacy_requests.event_labels import EXPORT_EVENT_LABELS
from privacy_requests.models import (
    ExportFile,
    PrivacyRequest,
    RequestEvent,
    RequestMessage,
    RequestNote,
    RequestOutcome,
)
from privacy_requests.models.requests import RefusalReason, RequestChannel, RequestKind, RequestState

CHUNK = 2000
OPEN_STATES = ("submitted", "identity_verified", "in_review")
# The keys of a request's details (the request forms' fields), in the forms' own words.
DETAIL_LABELS = {
    "note": _("Anything we should know (optional)"),
    "field": _("Which detail is wrong"),
    "new_value": _("The correct value"),
    "reason": _("Why the stored value is wrong"),
    "categories": _("What to delete"),
    "purposes": _("Which uses of your data you withdraw your consent from"),
    "subject": _("Subject"),
    "message": _("Your complaint or question"),
    "text": _("Details"),
    "language": _("Language"),
}


def _language_names() -> dict[str, str]:
    # Each language by its own name (简体中文, English), as the language menu shows it.
    return dict(settings.LANGUAGES)


# Words for the codes some details hold: the detail to correct, the categories to delete, the purposes withdrawn.
DETAIL_VALUES = {
    "field": FIELD_LABELS,
    "categories": category_labels,
    "purposes": purpose_names,
    "language": _language_names,
}


def _closed_requests(user):
    return PrivacyRequest.objects.filter(requester=user).exclude(state__in=OPEN_STATES)


def export_privacy_requests(user):
    rows = PrivacyRequest.objects.filter(requester=user).select_related("identity_check").order_by("received_at", "id")
    for request in rows.iterator(chunk_size=CHUNK):
        yield {
            "reference": request.reference,
            "kind": request.kind,
            "state": request.state,
            "channel": request.channel,
            "details": LabelledJSON(request.details, DETAIL_LABELS),
            "contact_email": request.contact_email,
            "identity_check": request.identity_check.method if request.identity_check_id else "",
            "identity_check_note": request.identity_check_note,
            "received": request.received_at,
            "identity_verified": request.verified_at,
            "due_date": request.due_date,
            "extension_reason": request.extension_reason,
            "refusal_reason": request.refusal_reason,
            "refusal_explanation": request.refusal_explanation,
            "answer": request.answer,
            "closed": request.closed_at,
        }


def erase_privacy_requests(user) -> str:
    if is_held(user=user, category="privacy_requests"):
        return "kept"
    # Staff's internal notes may quote the person; they go before the request forgets whose it was.
    RequestNote.objects.filter(request__in=_closed_requests(user)).delete()
    _closed_requests(user).update(requester=None, details="", contact_email="", identity_check=None)
    return "anonymised"


def export_request_events(user):
    rows = (
        RequestEvent.objects.filter(request__requester=user)
        .select_related("request")
        # Only the reference of the request: not its encrypted details, decrypted again on every row.
        .only("created_at", "action", "from_state", "to_state", "actor_id", "note", "request__reference")
        .order_by("request__received_at", "request_id", "created_at", "id")
    )
    for event in rows.iterator(chunk_size=CHUNK):
        yield {
            "request": event.request.reference,
            "time": event.created_at,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            # Staff are not named: "staff" is enough for the person to read their timeline.
            "by": "you" if event.actor_id == user.pk else ("staff" if event.actor_id else "system"),
            "note": event.note,
        }


def erase_request_events(user) -> str:
    if is_held(user=user, category="request_events"):
        return "kept"
    RequestEvent.objects.filter(request__in=_closed_requests(user), actor=user).update(actor=None)
    return "anonymised"


def export_request_messages(user):
    rows = (
        RequestMessage.objects.filter(request__requester=user)
        .select_related("request")
        .only("created_at", "from_staff", "body", "request__reference")
        .order_by("request__received_at", "request_id", "created_at", "id")
    )
    for message in rows.iterator(chunk_size=CHUNK):
        yield {
            "request": message.request.reference,
            "time": message.created_at,
            "from": "staff" if message.from_staff else "you",
            "message": message.body,
        }


def erase_request_messages(user) -> str:
    if is_held(user=user, category="request_messages"):
        return "kept"
    RequestMessage.objects.filter(request__in=_closed_requests(user)).delete()
    return "deleted"


def export_request_outcomes(user):
    rows = (
        RequestOutcome.objects.filter(request__requester=user)
        .select_related("request")
        .only("category", "result", "legal_reason", "request__reference")
        .order_by("request__received_at", "request_id", "category", "id")
    )
    for outcome in rows.iterator(chunk_size=CHUNK):
        yield {
            "request": outcome.request.reference,
            "category": outcome.category,
            "result": outcome.result,
            "legal_reason": outcome.legal_reason,
        }


def erase_request_outcomes(user) -> str:
    # Outcomes hold category codes and legal reasons only; once the request
    # forgets its requester (above) they no longer relate to anyone.
    if is_held(user=user, category="request_outcomes"):
        return "kept"
    return "anonymised"


def export_export_files(user):
    rows = (
        ExportFile.objects.filter(request__requester=user)
        .select_related("request")
        .only("state", "created_at", "ready_at", "expires_at", "downloaded_at", "size_bytes", "request__reference")
        .order_by("created_at", "id")
    )
    for export in rows.iterator(chunk_size=CHUNK):
        yield {
            "request": export.request.reference,
            "state": export.state,
            "created": export.created_at,
            "ready": export.ready_at,
            "expires": export.expires_at,
            "downloaded": export.downloaded_at,
            "size_bytes": export.size_bytes,
        }


def erase_export_files(user) -> str:
    """Delete every copy of the person's data made for them (the ZIP files and their rows)."""
    if is_held(user=user, category="export_files"):
        return "kept"
    from privacy_requests.exports.services import export_file_delete

    with transaction.atomic():
        for export in ExportFile.objects.filter(request__requester=user):
            export_file_delete(export=export)
    return "deleted"


register_personal_data(
    "privacy_requests",
    label=_("Your rights requests"),
    fields=(
        text("reference", _("Reference")),
        text("kind", _("Kind of request"), choices=RequestKind.choices),
        text("state", _("State"), choices=RequestState.choices),
        text("channel", _("How it was made"), choices=RequestChannel.choices),
        encoded_mapping("details", _("Details you gave"), value_choices=DETAIL_VALUES),
        text("contact_email", _("Contact email")),
        text("identity_check", _("How your identity was checked"), choices=StepUpCheck.Method.choices),
        text("identity_check_note", _("Note on the identity check")),
        moment("received", pgettext_lazy("export column", "Received")),
        moment("identity_verified", _("Identity confirmed")),
        day("due_date", _("Due date")),
        text("extension_reason", _("Reason for the extension")),
        text("refusal_reason", _("Reason for refusal"), choices=RefusalReason.choices),
        text("refusal_explanation", _("Explanation of the refusal")),
        text("answer", pgettext_lazy("export column", "Answer")),
        moment("closed", _("Closed")),
    ),
    purpose=_("The law requires us to answer your requests and to show we did so in time."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[PrivacyRequest],
    exporter=export_privacy_requests,
    eraser=erase_privacy_requests,
)
register_personal_data(
    "request_events",
    label=_("Timelines of your rights requests"),
    fields=(
        text("request", pgettext_lazy("export column", "Request")),
        moment("time", _("Time")),
        text("action", _("What happened"), choices=EXPORT_EVENT_LABELS),
        text("from_state", _("State before"), choices=RequestState.choices),
        text("to_state", _("State after"), choices=RequestState.choices),
        text("by", _("By"), choices=WHO),
        # Free text, but for a proposed refusal, whose note is the reason's code.
        text("note", _("Note"), choices=RefusalReason.choices),
    ),
    purpose=_("The law requires us to answer your requests and to show we did so in time."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[RequestEvent],
    exporter=export_request_events,
    eraser=erase_request_events,
)
register_personal_data(
    "request_messages",
    label=_("Messages about your rights requests"),
    fields=(
        text("request", pgettext_lazy("export column", "Request")),
        moment("time", _("Time")),
        text("from", pgettext_lazy("export column", "From"), choices=WHO),
        text("message", pgettext_lazy("export column", "Message")),
    ),
    purpose=_("The law requires us to answer your requests and to show we did so in time."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[RequestMessage],
    exporter=export_request_messages,
    eraser=erase_request_messages,
)
register_personal_data(
    "request_outcomes",
    label=_("What was done per category of data"),
    fields=(
        text("request", pgettext_lazy("export column", "Request")),
        text("category", _("Category of data"), choices=category_labels),
        text("result", _("Result"), choices=RequestOutcome.Result.choices),
        text("legal_reason", _("Legal reason")),
    ),
    purpose=_("The law requires us to answer your requests and to show we did so in time."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[RequestOutcome],
    exporter=export_request_outcomes,
    eraser=erase_request_outcomes,
)
register_personal_data(
    "export_files",
    label=_("Copies of your data prepared for you"),
    fields=(
        text("request", pgettext_lazy("export column", "Request")),
        text("state", _("State"), choices=ExportFile.State.choices),
        moment("created", pgettext_lazy("export column", "Asked for")),
        moment("ready", pgettext_lazy("export column", "Ready")),
        moment("expires", _("Link expires")),
        moment("downloaded", pgettext_lazy("export column", "Downloaded")),
        number("size_bytes", _("Size (bytes)")),
    ),
    purpose=_("So that you can download the copy of your data you asked for."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[ExportFile],
    exporter=export_export_files,
    eraser=erase_export_files,
)


def step_up_unused():
    """Step-up checks no rights request relied on (retention rule ``step_up_checks``).

    A check a rights request relied on is its evidence: it stays with the request.
    """
    return ~Exists(PrivacyRequest.objects.filter(identity_check=OuterRef("pk")))


register_retention_condition("step_up_unused", step_up_unused)
