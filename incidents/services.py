"""Writes: recording incidents, the report to the cyberspace office, notifying the people affected."""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from audit.services import audit_record
from core.dispatch import dispatch_on_commit
from core.site import site_url
from notifications import fanout
from notifications.services import notification_render

from . import selectors
from .fanout_topics import INCIDENT_NOTICES
from .models import Audience, Incident

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


# What ``incident_save`` leaves alone on a change: each has a service of its
# own with its rule and its audit event.
AUDIENCE_FIELDS = ("audience", "audience_category", "audience_user_ids")
_NOT_EDITED_HERE = {*AUDIENCE_FIELDS, "reported_at", "fan_out", "banner_until", "created_at"}


def incident_save(*, incident: Incident, actor, created: bool) -> Incident:
    """Record a new incident, or save the description of one, and audit it (ids and field names only).

    A new incident arrives with its audience and, if already reported, the
    report's time, checked by the same rules as ``incident_audience_set``
    and ``incident_mark_reported``. On a change those fields are not written
    here: they change only through their own services.
    """
    with transaction.atomic():
        if created:
            problems = incident_audience_problems(
                incident=incident,
                audience=incident.audience,
                category=incident.audience_category,
                user_ids=incident.audience_user_ids,
            )
            if incident.reported_at is not None:
                problems |= incident_report_problems(incident=incident, reported_at=incident.reported_at)
            if problems:
                raise ValidationError(problems)
            _audience_normalise(incident)
            incident.save()
        else:
            fields = [f.name for f in Incident._meta.concrete_fields if not f.primary_key]
            incident.save(update_fields=[name for name in fields if name not in _NOT_EDITED_HERE])
        audit_record(
            actor=actor,
            action="incident.recorded" if created else "incident.changed",
            target=incident,
            details={"severity": incident.severity, "audience": incident.audience},
        )
    return incident


def _audience_normalise(incident: Incident) -> None:
    # Only what the chosen audience reads is kept, so a stale list or
    # category cannot come back if the choice changes again.
    if incident.audience != Audience.CATEGORY:
        incident.audience_category = ""
    if incident.audience != Audience.IDS:
        incident.audience_user_ids = []


def incident_audience_problems(
    *, incident: Incident, audience: str, category: str = "", user_ids: list[int] | None = None
) -> dict[str, str]:
    """What stops ``incident`` from affecting this audience, by form field; empty when nothing does.

    The admin form shows these; ``incident_audience_set`` refuses on them.
    """
    problems: dict[str, str] = {}
    if incident.fan_out_id is not None:
        # Once people are being told, who they are is history, not a setting.
        problems["audience"] = _("The affected people are being notified: who they are can no longer change.")
        return problems
    if audience not in Audience.values:
        problems["audience"] = _("Choose who is affected.")
    elif audience == Audience.CATEGORY:
        if not category:
            problems["audience_category"] = _("Choose the category whose people are affected.")
        elif category not in {code for code, _label in selectors.category_choices()}:
            problems["audience_category"] = _("“%(code)s” is not a personal-data category.") % {"code": category}
    elif audience == Audience.IDS and not user_ids:
        problems["audience_file"] = _("Upload the CSV list of affected user ids.")
    return problems


def incident_audience_set(
    *, incident: Incident, actor, audience: str, category: str = "", user_ids: list[int] | None = None
) -> Incident:
    """Choose who ``incident`` affects: everyone, people with data in a category, or a list of ids.

    Refused (``ValidationError``) once the incident has been notified, and for
    a choice missing what it needs. The ids are checked to be accounts by
    ``user_ids_from_csv`` when they are read.
    """
    with transaction.atomic():
        # The lock orders this after a notification being started at the same time.
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        problems = incident_audience_problems(incident=locked, audience=audience, category=category, user_ids=user_ids)
        if problems:
            raise ValidationError(problems)
        incident.audience = audience
        incident.audience_category = category
        incident.audience_user_ids = sorted(set(user_ids or []))
        _audience_normalise(incident)
        incident.save(update_fields=list(AUDIENCE_FIELDS))
        audit_record(
            actor=actor,
            action="incident.audience_set",
            target=incident,
            details={
                "audience": incident.audience,
                "category": incident.audience_category,
                "ids": len(incident.audience_user_ids),
            },
        )
    return incident


def incident_report_problems(*, incident: Incident, reported_at: datetime) -> dict[str, str]:
    """What is wrong with ``reported_at`` as the time ``incident`` was reported; empty when nothing."""
    if reported_at > timezone.now():
        return {"reported_at": _("The report cannot have been made in the future.")}
    if incident.discovered_at is not None and reported_at < incident.discovered_at:
        return {"reported_at": _("The report cannot come before the incident was discovered.")}
    return {}


def incident_mark_reported(*, incident: Incident, actor, reported_at: datetime | None = None) -> Incident:
    """Record when ``incident`` was reported to the cyberspace office (now, unless told); a later call corrects it.

    The four-hour clock reads this time: a report after the deadline stays
    flagged overdue, and the audit event says so.
    """
    reported_at = reported_at or timezone.now()
    problems = incident_report_problems(incident=incident, reported_at=reported_at)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        corrected = (
            incident.pk is not None and Incident.objects.filter(pk=incident.pk, reported_at__isnull=False).exists()
        )
        incident.reported_at = reported_at
        incident.save(update_fields=["reported_at"])
        audit_record(
            actor=actor,
            action="incident.reported",
            target=incident,
            details={"overdue": incident.report_overdue, "corrected": corrected},
        )
    return incident


# What a notice must say (policy 7.2, PIPL art. 57), each in both languages:
# the field and what the officer is told when it is empty.
_NOTICE_TEXTS = {
    "title": _lazy("The title"),
    "description": _lazy("What happened"),
    "consequences": _lazy("The likely consequences for people"),
    "measures": _lazy("The measures taken"),
    "advice": _lazy("What people can do"),
}
_LANGUAGES = {"zh": _lazy("Chinese"), "en": _lazy("English")}


def incident_notice_problems(*, incident: Incident) -> dict[str, str]:
    """What the notice would leave out, by field; empty when it says everything it must.

    Sending is refused on these, and the preview lists them: a notice that
    does not say what happened, when, to which information and what to do
    is not the notice the law asks for. How to reach us is in the template.
    """
    problems: dict[str, str] = {}
    for name, label in _NOTICE_TEXTS.items():
        for suffix, language in _LANGUAGES.items():
            field = f"{name}_{suffix}"
            if not getattr(incident, field).strip():
                problems[field] = _("%(element)s is missing in %(language)s.") % {
                    "element": label,
                    "language": language,
                }
    if incident.occurred_at is None:
        problems["occurred_at"] = _("When the incident happened is missing.")
    elif incident.discovered_at is not None and incident.occurred_at > incident.discovered_at:
        problems["occurred_at"] = _("The incident cannot have happened after it was discovered.")
    if incident.pk is None or not incident.categories.exists():
        problems["categories"] = _("Choose the categories of personal information affected.")
    return problems


def incident_notice_preview(*, incident: Incident) -> list[dict]:
    """The exact subject and body each language's readers would get, by email and in the inbox."""
    return [
        {
            "language": code,
            "name": name,
            "subject_body": notification_render(
                kind=INCIDENT_NOTICES.kind, language=code, context=incident_notice_context(incident=incident)
            ),
        }
        for code, name in settings.LANGUAGES
    ]


def incident_notice_context(*, incident: Incident) -> dict:
    return {
        "incident": incident,
        "categories": list(incident.categories.all()),
        "inbox_url": site_url(reverse("notifications:inbox")),
    }


def incident_notify(*, incident: Incident, actor, banner_until: datetime | None = None) -> Incident:
    """Start telling the affected people; notifying again resumes an interrupted run, never repeats it.

    Refused (``ValidationError``) while the notice leaves out something it
    must say (``incident_notice_problems``).
    """
    from . import tasks

    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.fan_out is None:
            problems = incident_notice_problems(incident=incident)
            if problems:
                raise ValidationError(problems)
            incident.fan_out = fanout.fan_out_start(
                key=INCIDENT_NOTICES.key(incident.pk),
                kind=INCIDENT_NOTICES.kind,
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
        context=incident_notice_context(incident=incident),
        batch_size=batch_size,
        max_batches=max_batches,
    )
