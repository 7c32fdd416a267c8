"""What the consents app holds about a person, for export and erasure (personal_data.registry).

The consent ledger is evidence of what the person agreed to, hash-chained
and append-only: erasing it only forgets who the subject was
(``subject = NULL``, the one change the ledger allows), which leaves every
hash verifiable.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consents.cookies.selectors import PURPOSE_CODE as COOKIE_PURPOSE
from consents.disclosures import personal_data as disclosures
from consents.models import (
    ConsentEvent,
    ConsentState,
    ConsentSubject,
    InterestTag,
    LocationRecord,
    PolicyDisplay,
    ServiceCheckDay,
    ServiceEnrolment,
    StrongVerification,
)
from consents.models.ledger import ConsentAction, ConsentChannel
from consents.names import partner_names, purpose_names
from consents.optional_services.selectors import service_fields
from personal_data.fields import WHO, LabelledJSON, day, encoded_mapping, flag, moment, number, text
from personal_data.holds import is_held
from personal_data.registry import LegalBasis, register_personal_data

CHUNK = 2000


def _held(user, code: str) -> bool:
    return is_held(user=user, category=code)


def _given_by(*, actor_id, subject_id, channel) -> str:
    if actor_id is None or actor_id == subject_id:
        return "you"
    return channel if channel in ("guardian", "staff") else "someone else"


STATE_EXPORT_FIELDS = (
    # The summary shows the purpose by its name, in the next column.
    text("purpose", _("Purpose code"), in_summary=False),
    text("purpose_name", _("Purpose")),
    text("partner", _("Partner"), choices=partner_names),
    flag("granted", pgettext_lazy("export column", "Agreed")),
    number("purpose_version", _("Version of the purpose")),
    text("policy_version", _("Version of the privacy policy")),
    text("channel", pgettext_lazy("export column", "Where"), choices=ConsentChannel.choices),
    flag("by_guardian", _("Given by your guardian")),
    moment("changed", _("Last changed")),
)


def _state_row(state: ConsentState) -> dict:
    return {
        "purpose": state.purpose.code,
        "purpose_name": state.purpose.name,
        "partner": state.partner.code if state.partner_id else "",
        "granted": state.granted,
        "purpose_version": state.purpose_version,
        "policy_version": state.policy_version.version if state.policy_version_id else "",
        "channel": state.channel,
        "by_guardian": state.by_guardian,
        "changed": state.updated_at,
    }


# Joined rows carry only the codes and names the export shows: a policy
# version's full texts on every row would multiply the memory per chunk.
STATE_FIELDS = (
    "subject_id",
    "granted",
    "purpose_version",
    "channel",
    "by_guardian",
    "updated_at",
    "purpose__code",
    "purpose__name_zh",
    "purpose__name_en",
    "partner__code",
    "policy_version__version",
)
EVENT_FIELDS = (
    "seq",
    "created_at",
    "subject_id",
    "actor_id",
    "purpose_version",
    "action",
    "channel",
    "hash",
    "purpose__code",
    "partner__code",
    "policy_version__version",
)


def _states(user):
    return (
        ConsentState.objects.filter(subject=user)
        .select_related("purpose", "partner", "policy_version")
        .only(*STATE_FIELDS)
        .order_by("purpose__display_order", "purpose__code", "id")
    )


def export_consents(user):
    for state in _states(user).exclude(purpose__code=COOKIE_PURPOSE).iterator(chunk_size=CHUNK):
        yield _state_row(state)


def erase_consents(user) -> str:
    """Drop what the person agreed to now, and the link from the person to their ledger chain."""
    if _held(user, "consents"):
        return "kept"
    with transaction.atomic():
        ConsentState.objects.filter(subject=user).exclude(purpose__code=COOKIE_PURPOSE).delete()
        ConsentSubject.objects.filter(user=user).update(user=None)
    return "deleted"


def export_cookie_choices(user):
    for state in _states(user).filter(purpose__code=COOKIE_PURPOSE).iterator(chunk_size=CHUNK):
        yield _state_row(state)


def erase_cookie_choices(user) -> str:
    if _held(user, "cookie_choices"):
        return "kept"
    ConsentState.objects.filter(subject=user, purpose__code=COOKIE_PURPOSE).delete()
    return "deleted"


def export_consent_ledger(user):
    rows = (
        ConsentEvent.objects.filter(subject=user)
        .select_related("purpose", "partner", "policy_version")
        .only(*EVENT_FIELDS)
        .order_by("created_at", "seq")
    )
    for event in rows.iterator(chunk_size=CHUNK):
        yield {
            "sequence": event.seq,
            "time": event.created_at,
            "purpose": event.purpose.code,
            "purpose_version": event.purpose_version,
            "partner": event.partner.code if event.partner_id else "",
            "action": event.action,
            "policy_version": event.policy_version.version if event.policy_version_id else "",
            "channel": event.channel,
            "given_by": _given_by(actor_id=event.actor_id, subject_id=event.subject_id, channel=event.channel),
            "hash": event.hash,
        }


def erase_consent_ledger(user) -> str:
    """Never deleted: the events stay as evidence, without saying whose they were."""
    if _held(user, "consent_ledger"):
        return "kept"
    with transaction.atomic():
        ConsentEvent.objects.filter(subject=user).update(subject=None)
        ConsentSubject.objects.filter(user=user).update(user=None)
    return "anonymised"


def export_policy_displays(user):
    rows = (
        PolicyDisplay.objects.filter(subject=user)
        .select_related("policy_version", "purpose")
        .only("shown_at", "context", "subject_id", "policy_version__version", "purpose__code")
    )
    for display in rows.order_by("shown_at", "id").iterator(chunk_size=CHUNK):
        yield {
            "shown": display.shown_at,
            "policy_version": display.policy_version.version,
            "purpose": display.purpose.code if display.purpose_id else "",
            "where": display.context,
        }


def erase_policy_displays(user) -> str:
    if _held(user, "policy_displays"):
        return "kept"
    PolicyDisplay.objects.filter(subject=user).delete()
    return "deleted"


def export_locations(user):
    for row in LocationRecord.objects.filter(user=user).order_by("created_at", "id").iterator(chunk_size=CHUNK):
        yield {"recorded": row.created_at, "coordinates": row.coordinates, "source": row.source}


def erase_locations(user) -> str:
    if _held(user, "locations"):
        return "kept"
    LocationRecord.objects.filter(user=user).delete()
    return "deleted"


def export_interest_tags(user):
    for tag in InterestTag.objects.filter(user=user).order_by("tag").iterator(chunk_size=CHUNK):
        yield {"interest": tag.tag, "added": tag.created_at}


def erase_interest_tags(user) -> str:
    if _held(user, "interest_tags"):
        return "kept"
    InterestTag.objects.filter(user=user).delete()
    return "deleted"


def export_service_checks(user):
    rows = ServiceCheckDay.objects.filter(subject=user).select_related("client", "purpose").order_by("day", "id")
    for row in rows.iterator(chunk_size=CHUNK):
        yield {"day": row.day, "service": row.client.name, "purpose": row.purpose.code, "checks": row.checks}


def erase_service_checks(user) -> str:
    if _held(user, "service_checks"):
        return "kept"
    ServiceCheckDay.objects.filter(subject=user).delete()
    return "deleted"


def export_optional_services(user):
    rows = ServiceEnrolment.objects.filter(user=user).select_related("service").order_by("enrolled_at", "id")
    for enrolment in rows.iterator(chunk_size=CHUNK):
        service = enrolment.service
        # The service's form names its own fields; the summary shows them by its labels.
        labels = {field.name: field.label for field in service_fields(service=service)}
        yield {
            "service": enrolment.service.code,
            "service_name": enrolment.service.name,
            "state": enrolment.state,
            # The answers the person gave, decrypted: it is their own data.
            "data": LabelledJSON(enrolment.data, labels),
            "enrolled": enrolment.enrolled_at,
            "left": enrolment.left_at,
            "data_deleted_after": enrolment.data_delete_after,
        }


def erase_optional_services(user) -> str:
    if _held(user, "optional_services"):
        return "kept"
    ServiceEnrolment.objects.filter(user=user).delete()
    return "deleted"


def export_strong_verifications(user):
    rows = StrongVerification.objects.filter(user=user).select_related("partner").order_by("created_at", "id")
    for check in rows.iterator(chunk_size=CHUNK):
        yield {
            "time": check.created_at,
            "method": check.method,
            "outcome": check.outcome,
            "partner": check.partner.code if check.partner_id else "",
            "partner_reference": check.reference,
            "recorded_by_staff": check.recorded_by_id is not None,
        }


def erase_strong_verifications(user) -> str:
    if _held(user, "strong_verifications"):
        return "kept"
    StrongVerification.objects.filter(user=user).delete()
    return "deleted"


register_personal_data(
    "consents",
    label=_("Consents you have given now"),
    fields=STATE_EXPORT_FIELDS,
    purpose=_("To use your data only for the purposes you agreed to, and to stop when you withdraw."),
    legal_basis=LegalBasis.CONSENT,
    models=[ConsentState, ConsentSubject],
    exporter=export_consents,
    eraser=erase_consents,
)
register_personal_data(
    "consent_ledger",
    label=_("History of your consents"),
    fields=(
        number("sequence", _("Number in the ledger")),
        moment("time", _("Time")),
        text("purpose", _("Purpose"), choices=purpose_names),
        number("purpose_version", _("Version of the purpose")),
        text("partner", _("Partner"), choices=partner_names),
        text("action", _("What happened"), choices=ConsentAction.choices),
        text("policy_version", _("Version of the privacy policy")),
        text("channel", pgettext_lazy("export column", "Where"), choices=ConsentChannel.choices),
        text("given_by", _("By"), choices=WHO),
        text("hash", _("Tamper-evident checksum")),
    ),
    purpose=_("The law asks us to be able to prove what you agreed to and when."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[ConsentEvent],
    exporter=export_consent_ledger,
    eraser=erase_consent_ledger,
)
register_personal_data(
    "cookie_choices",
    label=_("Cookie choices"),
    fields=STATE_EXPORT_FIELDS,
    purpose=_("To remember which cookies you accepted."),
    legal_basis=LegalBasis.CONSENT,
    models=[ConsentState],
    exporter=export_cookie_choices,
    eraser=erase_cookie_choices,
)
register_personal_data(
    "policy_displays",
    label=_("Policy texts and consent requests shown to you"),
    fields=(
        moment("shown", pgettext_lazy("export column", "Shown")),
        text("policy_version", _("Version of the privacy policy")),
        text("purpose", _("Purpose"), choices=purpose_names),
        text("where", pgettext_lazy("export column", "Where"), choices=PolicyDisplay.Context.choices),
    ),
    purpose=_("To prove which policy text you saw before you agreed."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[PolicyDisplay],
    exporter=export_policy_displays,
    eraser=erase_policy_displays,
)
register_personal_data(
    "locations",
    label=_("Locations"),
    fields=(
        moment("recorded", _("Recorded")),
        text("coordinates", _("Coordinates (latitude, longitude)")),
        text("source", _("Source"), choices=LocationRecord.Source.choices),
    ),
    purpose=_("To show you nearby services, if you allowed it."),
    legal_basis=LegalBasis.CONSENT,
    models=[LocationRecord],
    exporter=export_locations,
    eraser=erase_locations,
)
register_personal_data(
    "interest_tags",
    label=_("Interest tags"),
    fields=(
        text("interest", pgettext_lazy("export column", "Interest")),
        moment("added", pgettext_lazy("export column", "Added")),
    ),
    purpose=_("To suggest services that may interest you, if you allowed it."),
    legal_basis=LegalBasis.CONSENT,
    models=[InterestTag],
    exporter=export_interest_tags,
    eraser=erase_interest_tags,
)
register_personal_data(
    "service_checks",
    label=_("Services that asked about you"),
    fields=(
        day("day", pgettext_lazy("export column", "Day")),
        text("service", _("Service")),
        text("purpose", _("Purpose"), choices=purpose_names),
        number("checks", _("Consent checks")),
    ),
    purpose=_("So that you can see which services checked your consent before using your data."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[ServiceCheckDay],
    exporter=export_service_checks,
    eraser=erase_service_checks,
)
register_personal_data(
    "optional_services",
    label=_("Optional services"),
    fields=(
        # The summary shows the service by its name, in the next column.
        text("service", _("Service code"), in_summary=False),
        text("service_name", _("Service")),
        text("state", _("State"), choices=ServiceEnrolment.State.choices),
        encoded_mapping("data", _("Your answers")),
        moment("enrolled", pgettext_lazy("export column", "Joined")),
        moment("left", _("Left")),
        moment("data_deleted_after", _("Your answers are deleted after")),
    ),
    purpose=_("To provide the optional services you joined."),
    legal_basis=LegalBasis.CONSENT,
    models=[ServiceEnrolment],
    exporter=export_optional_services,
    eraser=erase_optional_services,
)
register_personal_data(
    "strong_verifications",
    label=_("In-depth verifications (face, bank card, counter)"),
    fields=(
        moment("time", _("Time")),
        text("method", pgettext_lazy("export column", "Method"), choices=StrongVerification.Method.choices),
        text("outcome", pgettext_lazy("export column", "Outcome"), choices=StrongVerification.Outcome.choices),
        text("partner", _("Partner"), choices=partner_names),
        text("partner_reference", _("Partner's reference")),
        flag("recorded_by_staff", _("Recorded by staff")),
    ),
    purpose=_("To confirm your identity for services that need the highest level of certainty."),
    legal_basis=LegalBasis.CONSENT,
    models=[StrongVerification],
    exporter=export_strong_verifications,
    eraser=erase_strong_verifications,
)

# Disclosures come last among the consents categories (the export lists them in this order).
register_personal_data(disclosures.CODE, **disclosures.ENTRY)
