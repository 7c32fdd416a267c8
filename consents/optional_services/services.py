"""Enrolling in an optional service and leaving it (clause 2.3).

Enrolling gives consent to exactly the service's purpose and keeps exactly
the data the service declares, encrypted; leaving withdraws that consent at
once and schedules the data for deletion. Each is one transaction with its
ledger event and audit record (ids and codes, never the data).
"""

import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from consents.models import (
    ConsentChannel,
    ConsentSubject,
    OptionalService,
    PolicyDisplay,
    PolicyVersion,
    ServiceEnrolment,
)
from consents.services import ConsentError, consent_grant, consent_withdraw, policy_display_record

from . import conf
from .selectors import enrolment_open, service_fields


def _clean_data(*, service: OptionalService, data: dict) -> dict[str, str]:
    """Exactly the declared fields, each given, trimmed and within its length; else every field's error."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    fields = service_fields(service=service)
    for field in fields:
        raw = data.get(field.name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            errors[field.name] = [
                ValidationError(_("%(label)s: this field is required.") % {"label": field.label}, code="required")
            ]
        elif len(value) > field.max_length:
            errors[field.name] = [
                ValidationError(
                    _("%(label)s: use at most %(limit)d characters.")
                    % {"label": field.label, "limit": field.max_length},
                    code="too_long",
                )
            ]
        else:
            cleaned[field.name] = value
    # The service gets exactly what it declared: nothing extra slips in.
    for name in sorted(set(data) - {field.name for field in fields}):
        errors[name] = [ValidationError(_("This service does not ask for this."), code="not_asked")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def service_enrol(
    *,
    subject,
    service: OptionalService,
    data: dict,
    actor=None,
    channel: str = ConsentChannel.WEB,
    shown_version: PolicyVersion | None = None,
) -> ServiceEnrolment:
    """Enrol ``subject``: consent to the service's purpose and keep the data it asked for.

    ``shown_version`` is the policy version the enrolment page showed the
    person enrolling (``actor``, or ``subject`` themself): its display is
    recorded with the consent that names it. Without it (the API, a page's
    token that does not check out) the consent names the version in effect.

    Raises ``ValidationError`` (one entry a field) for bad data and
    ``ConsentError`` when the rules refuse (inactive service, already
    enrolled, a child without their guardian). Nothing is saved then.
    """
    if not service.active:
        raise ConsentError(_("This service is no longer offered."))
    cleaned = _clean_data(service=service, data=data)
    try:
        with transaction.atomic():
            # The person's ledger head: the same lock consent changes take,
            # so two submissions cannot both enrol.
            ConsentSubject.objects.select_for_update().get_or_create(user=subject)
            if enrolment_open(subject=subject, service=service) is not None:
                raise ConsentError(_("You are already enrolled in this service."))
            if shown_version is not None:
                policy_display_record(
                    subject=actor or subject,
                    version=shown_version,
                    purpose=service.purpose,
                    context=PolicyDisplay.Context.CONSENT_REQUEST,
                )
            event = consent_grant(
                subject=subject, purpose=service.purpose, channel=channel, actor=actor, policy_version=shown_version
            )
            enrolment = ServiceEnrolment.objects.create(
                user=subject, service=service, data=json.dumps(cleaned, ensure_ascii=False)
            )
            audit_record(
                actor=actor or subject,
                action="consent.service_enrolled",
                target=enrolment,
                details={"service": service.code, "fields": sorted(cleaned), "event_seq": event.seq},
            )
    except IntegrityError:
        raise ConsentError(_("You are already enrolled in this service.")) from None
    return enrolment


def service_leave(
    *, subject, service: OptionalService, actor=None, channel: str = ConsentChannel.WEB
) -> ServiceEnrolment:
    """Leave the service: withdraw the consent now and schedule its data for deletion.

    The data is kept ``OPTIONAL_SERVICE_DATA_KEEP_DAYS`` (30) days, then the
    retention sweep deletes it. Raises ``ConsentError`` if not enrolled.
    """
    with transaction.atomic():
        enrolment = (
            ServiceEnrolment.objects.select_for_update()
            .filter(user=subject, service=service, state=ServiceEnrolment.State.ENROLLED)
            .first()
        )
        if enrolment is None:
            raise ConsentError(_("You are not enrolled in this service."))
        event = consent_withdraw(subject=subject, purpose=service.purpose, channel=channel, actor=actor)
        now = timezone.now()
        enrolment.state = ServiceEnrolment.State.LEFT
        enrolment.left_at = now
        enrolment.data_delete_after = now + timedelta(days=conf.data_keep_days())
        enrolment.save(update_fields=["state", "left_at", "data_delete_after"])
        audit_record(
            actor=actor or subject,
            action="consent.service_left",
            target=enrolment,
            details={"service": service.code, "event_seq": event.seq, "keep_days": conf.data_keep_days()},
        )
    return enrolment


def enrolment_data(*, enrolment: ServiceEnrolment) -> dict[str, str]:
    """The data given at enrolment, decrypted (for the person themself and the service)."""
    return json.loads(enrolment.data) if enrolment.data else {}
