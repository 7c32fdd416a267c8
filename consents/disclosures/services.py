"""Recording disclosures and telling the people concerned.

``disclosure_record`` is the one way a disclosure enters the ledger: it
checks the rules (a partner's agreement in force, consent for every person
when consent is the basis), writes the row, its people and an audit event in
one transaction, and queues the notices after commit. A refused record
saves nothing.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from consents.models import DataCategory, Disclosure, DisclosureSubject, Partner, Purpose
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from consents.notification_kinds import DATA_DISCLOSED
from consents.selectors import consent_missing_count
from core.dispatch import dispatch_on_commit
from notifications.services import notification_send

NOTICE_BATCH_SIZE = 500


class DisclosureError(ValueError):
    """A disclosure the rules do not allow; the message is for the privacy officer."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def _subject_ids(subjects: Iterable) -> list[int]:
    ids = set()
    for subject in subjects:
        ids.add(int(getattr(subject, "pk", subject)))
    return sorted(ids)


def _check(
    *,
    recipient_partner: Partner | None,
    authority: str,
    kind: str,
    legal_basis: str,
    purpose: Purpose | None,
    categories: list,
    subject_ids: list[int],
    defer_notice: bool,
    defer_reason: str,
    defer_review_date: date | None,
) -> None:
    if (recipient_partner is None) == (not authority):
        raise DisclosureError(
            _("Name exactly one recipient: a partner, or an authority that is not a partner."), field="recipient"
        )
    if recipient_partner is not None and not recipient_partner.agreement_in_force():
        raise DisclosureError(
            _(
                "The agreement with %(partner)s expired on %(date)s: no personal data may be given to this partner. "
                "Renew the agreement first."
            )
            % {"partner": recipient_partner.code, "date": recipient_partner.agreement_expires_on},
            field="recipient_partner",
            code="agreement_expired",
        )
    if kind not in DisclosureKind.values:
        raise DisclosureError(_("Choose a kind of disclosure."), field="kind")
    if legal_basis not in DisclosureBasis.values:
        raise DisclosureError(_("Choose a legal basis."), field="legal_basis")
    if not categories:
        raise DisclosureError(_("Choose at least one data category."), field="categories")
    if not subject_ids:
        raise DisclosureError(_("Name at least one person whose data was disclosed."), field="subjects")
    if legal_basis == DisclosureBasis.CONSENT and purpose is None:
        raise DisclosureError(
            _("Consent is given for a purpose: choose the purpose the consent covers."), field="purpose"
        )
    if defer_notice and (not defer_reason.strip() or defer_review_date is None):
        raise DisclosureError(
            _("Deferring the notice needs the legal reason and a date to review the deferral."), field="defer_reason"
        )
    if defer_notice and defer_review_date is not None and defer_review_date <= timezone.localdate():
        raise DisclosureError(_("The review date of a deferral must be in the future."), field="defer_review_date")


def disclosure_record(
    *,
    recipient_partner: Partner | None = None,
    authority: str = "",
    kind: str,
    legal_basis: str,
    purpose: Purpose | None = None,
    categories: Iterable[DataCategory],
    subjects: Iterable,
    recorded_by,
    reference: str = "",
    defer_notice: bool = False,
    defer_reason: str = "",
    defer_review_date: date | None = None,
) -> Disclosure:
    """Enter one disclosure in the ledger and queue each person's notice (unless deferred).

    ``subjects`` are users or user ids. Raises ``DisclosureError`` and saves
    nothing when a rule is broken.
    """
    if not getattr(recorded_by, "is_staff", False):
        # The ledger is the privacy office's record; citizens and services do not write it.
        raise DisclosureError(_("Only staff record disclosures."), field="recorded_by", code="not_staff")
    authority = (authority or "").strip()
    categories = list(categories)
    subject_ids = _subject_ids(subjects)
    defer_reason = (defer_reason or "").strip() if defer_notice else ""
    _check(
        recipient_partner=recipient_partner,
        authority=authority,
        kind=kind,
        legal_basis=legal_basis,
        purpose=purpose,
        categories=categories,
        subject_ids=subject_ids,
        defer_notice=defer_notice,
        defer_reason=defer_reason,
        defer_review_date=defer_review_date,
    )
    active = get_user_model().objects.filter(pk__in=subject_ids, is_active=True).count()
    if active != len(subject_ids):
        unknown = len(subject_ids) - active
        raise DisclosureError(
            ngettext(
                "%(count)d of the people named is not an active account.",
                "%(count)d of the people named are not active accounts.",
                unknown,
            )
            % {"count": unknown},
            field="subjects",
            code="unknown_subjects",
        )
    with transaction.atomic():
        # (_check has already refused a consent disclosure that names no purpose.)
        if legal_basis == DisclosureBasis.CONSENT and purpose is not None:
            # Checked inside the transaction, right before the row is written:
            # the consent must exist at the moment of the disclosure. Counted,
            # never named: the officer learns how many, not who.
            # One set-based query for everyone, with consent_check's rules: a
            # disclosure may name tens of thousands of people.
            missing = consent_missing_count(user_ids=subject_ids, purpose=purpose, partner=recipient_partner)
            if missing:
                raise DisclosureError(
                    ngettext(
                        "%(count)d person has no current consent to this purpose and recipient: nothing was recorded.",
                        "%(count)d people have no current consent to this purpose and recipient: nothing was recorded.",
                        missing,
                    )
                    % {"count": missing},
                    field="subjects",
                    code="consent_missing",
                )
        disclosure = Disclosure.objects.create(
            recipient_partner=recipient_partner,
            recipient_authority=authority,
            kind=kind,
            legal_basis=legal_basis,
            purpose=purpose,
            recorded_by=recorded_by,
            reference=(reference or "").strip(),
            notice_deferred=defer_notice,
            defer_reason=defer_reason,
            defer_review_date=defer_review_date if defer_notice else None,
            subject_count=len(subject_ids),
        )
        disclosure.data_categories.set(categories)
        DisclosureSubject.objects.bulk_create(
            [DisclosureSubject(disclosure=disclosure, user_id=user_id) for user_id in subject_ids], batch_size=5000
        )
        audit_record(
            actor=recorded_by,
            action="consent.disclosure_recorded",
            target=disclosure,
            details={
                "partner_id": recipient_partner.pk if recipient_partner else None,
                "to_authority": bool(authority),
                "kind": kind,
                "legal_basis": legal_basis,
                "purpose_id": purpose.pk if purpose else None,
                "category_ids": sorted(category.pk for category in categories),
                "subjects": len(subject_ids),
                "notice_deferred": defer_notice,
            },
        )
        if not defer_notice:
            _queue_notices(disclosure)
    return disclosure


def _queue_notices(disclosure: Disclosure) -> None:
    from . import tasks

    dispatch_on_commit(tasks.disclosure_notices_send, disclosure.pk)


def disclosure_notice_release(*, disclosure: Disclosure, actor) -> bool:
    """Release a deferred notice: the people concerned are told now. Returns whether it was withheld."""
    with transaction.atomic():
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if not disclosure.notice_withheld:
            return False
        disclosure.notice_released_at = timezone.now()
        disclosure.save(update_fields=["notice_released_at"])
        audit_record(
            actor=actor,
            action="consent.disclosure_notice_released",
            target=disclosure,
            details={"subjects": disclosure.subject_count},
        )
        _queue_notices(disclosure)
    return True


def _notice_context(disclosure: Disclosure) -> dict:
    return {
        "disclosure": disclosure,
        "categories": list(disclosure.data_categories.all()),
    }


def disclosure_notices_send(*, disclosure: Disclosure, batch_size: int = NOTICE_BATCH_SIZE) -> int:
    """Tell each person in ``disclosure`` who has not been told yet; returns how many were told now.

    One transaction a batch: the people are locked (``skip_locked``), told
    (an inbox message and an outbox email in their language) and marked, so
    a crash loses one batch at most and a rerun never tells anyone twice.
    A withheld (deferred, unreleased) notice sends nothing.
    """
    fresh = Disclosure.objects.select_related("recipient_partner", "purpose").filter(pk=disclosure.pk).first()
    if fresh is None or fresh.notice_withheld:
        return 0
    disclosure = fresh
    context = _notice_context(disclosure)
    told = 0
    while True:
        with transaction.atomic():
            rows = list(
                DisclosureSubject.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(disclosure=disclosure, notified_at__isnull=True, user__isnull=False)
                .order_by("id")[:batch_size]
            )
            if not rows:
                return told
            for row in rows:
                notification_send(recipient=row.user, kind=DATA_DISCLOSED, context=context)
            DisclosureSubject.objects.filter(pk__in=[row.pk for row in rows]).update(notified_at=timezone.now())
        told += len(rows)


def disclosure_notices_pending(*, limit: int = 100) -> list[int]:
    """Disclosures with people not yet told whose notice is not withheld, for the periodic scan.

    The on-commit dispatch normally tells everyone within seconds; this picks
    up what a broker outage or a killed worker left behind. The sender skips
    anyone already told, so queuing a disclosure twice is harmless.
    """
    untold = DisclosureSubject.objects.filter(disclosure=OuterRef("pk"), notified_at__isnull=True, user__isnull=False)
    return list(
        Disclosure.objects.filter(Exists(untold))
        .filter(Q(notice_deferred=False) | Q(notice_released_at__isnull=False))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
