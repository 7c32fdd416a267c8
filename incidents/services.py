"""Writes: recording incidents, the report to the cyberspace office, notifying the people affected."""

import csv
import io
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from core.dispatch import dispatch_on_commit

from . import fanout, selectors
from .models import Audience, Incident

NOTIFICATION_KIND = "security_incident"
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_ERRORS = 5


def user_ids_from_csv(*, data: bytes) -> list[int]:
    """Parse an uploaded list of user ids: one per cell, an optional header row, nothing else.

    Raises ``ValidationError`` naming the lines at fault; every id must be an
    account, so a typo is caught here rather than silently notifying nobody.
    """
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB. Split the list into several incidents or files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. Save it as CSV (UTF-8).")) from None
    ids: list[int] = []
    errors: list[str] = []
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        for cell in (c.strip() for c in row):
            if not cell:
                continue
            if cell.isascii() and cell.isdigit() and int(cell) > 0:
                ids.append(int(cell))
            elif line_number == 1 and not ids and cell.lower() in {"id", "user_id", "user id"}:
                continue
            elif len(errors) < CSV_MAX_ERRORS:
                errors.append(
                    _("Line %(line)d: “%(value)s” is not a user id (whole numbers only).")
                    % {"line": line_number, "value": cell[:20]}
                )
    if errors:
        raise ValidationError(errors)
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError(_("The file holds no user ids."))
    known = set(get_user_model().objects.filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [i for i in ids if i not in known]
    if unknown:
        shown = ", ".join(str(i) for i in unknown[:10])
        raise ValidationError(
            ngettext(
                "%(count)d id matches no account: %(ids)s",
                "%(count)d ids match no account: %(ids)s",
                len(unknown),
            )
            % {"count": len(unknown), "ids": shown},
        )
    return ids


def incident_save(*, incident: Incident, actor, created: bool) -> Incident:
    """Save an incident edited in admin and audit it (ids and field names only)."""
    with transaction.atomic():
        if incident.audience != Audience.CATEGORY:
            incident.audience_category = ""
        if incident.audience != Audience.IDS:
            incident.audience_user_ids = []
        incident.save()
        audit_record(
            actor=actor,
            action="incident.recorded" if created else "incident.changed",
            target=incident,
            details={"severity": incident.severity, "audience": incident.audience},
        )
    return incident


def incident_mark_reported(*, incident: Incident, actor, reported_at: datetime | None = None) -> Incident:
    with transaction.atomic():
        incident.reported_at = reported_at or timezone.now()
        incident.save(update_fields=["reported_at"])
        audit_record(
            actor=actor, action="incident.reported", target=incident, details={"overdue": incident.report_overdue}
        )
    return incident


def incident_notify(*, incident: Incident, actor, banner_until: datetime | None = None) -> Incident:
    """Start telling the affected people; notifying again resumes an interrupted run, never repeats it."""
    from . import tasks

    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.fan_out is None:
            incident.fan_out = fanout.fan_out_start(
                key=f"incident:{incident.pk}",
                kind=NOTIFICATION_KIND,
                recipients=selectors.incident_recipients(incident=incident),
            )
            incident.banner_until = banner_until
            incident.save(update_fields=["fan_out", "banner_until"])
            audit_record(
                actor=actor,
                action="incident.notified",
                target=incident,
                details={"people": incident.fan_out.total, "banner": banner_until is not None},
            )
        dispatch_on_commit(tasks.incident_fan_out, incident.pk)
    return incident


def incident_fan_out_run(*, incident: Incident, batch_size: int = fanout.BATCH_SIZE, max_batches=None) -> int:
    """Write the next messages of ``incident``'s notification (the worker's side of ``incident_notify``)."""
    if incident.fan_out is None:
        return 0
    return fanout.fan_out_run(
        fan_out=incident.fan_out,
        recipients=selectors.incident_recipients(incident=incident),
        context={"incident": incident},
        batch_size=batch_size,
        max_batches=max_batches,
    )
