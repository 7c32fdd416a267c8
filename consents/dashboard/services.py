"""Writes the dashboard needs besides the ledger itself: a choice with what was shown, a receipt reference.

Consents are changed only by ``consents.services.consent_grant`` /
``consent_withdraw``. The dashboard and its confirmation screens write
nothing when they are shown: their forms carry a signed token of the policy
version on screen (``consents.policy_shown``), and the choice posted back
records that display and the consent together here.
"""

from django.db import transaction

from consents.models import ConsentEvent, ConsentSubject, Partner, PolicyDisplay, PolicyVersion, Purpose
from consents.services import consent_grant, consent_withdraw, policy_display_record


def _shown_record(*, viewer, version: PolicyVersion | None, shown_for: Purpose | None) -> None:
    # Without a token from this page nothing was proven shown: no display,
    # and the consent names the version in effect.
    if version is not None:
        policy_display_record(
            subject=viewer, version=version, purpose=shown_for, context=PolicyDisplay.Context.CONSENT_REQUEST
        )


def dashboard_consent_grant(
    *,
    subject,
    actor,
    purpose: Purpose,
    channel: str,
    shown_version: PolicyVersion | None,
    shown_for: Purpose | None = None,
    partner: Partner | None = None,
) -> ConsentEvent:
    """Give the consent ``actor`` chose on a page that showed ``shown_version``.

    ``shown_for`` is the purpose the page asked about: None for the
    dashboard's one-click choices, the purpose for its confirmation screen.
    The display and the consent naming its version commit together or not
    at all, so a refused consent leaves no display behind.
    """
    with transaction.atomic():
        _shown_record(viewer=actor, version=shown_version, shown_for=shown_for)
        return consent_grant(
            subject=subject,
            purpose=purpose,
            partner=partner,
            channel=channel,
            actor=actor,
            policy_version=shown_version,
        )


def dashboard_consent_withdraw(
    *,
    subject,
    actor,
    purpose: Purpose,
    channel: str,
    shown_version: PolicyVersion | None,
    partner: Partner | None = None,
) -> ConsentEvent:
    """Withdraw the consent ``actor`` chose to withdraw on the dashboard, which showed ``shown_version``."""
    with transaction.atomic():
        _shown_record(viewer=actor, version=shown_version, shown_for=None)
        return consent_withdraw(
            subject=subject,
            purpose=purpose,
            partner=partner,
            channel=channel,
            actor=actor,
            policy_version=shown_version,
        )


def consent_subject_ensure(*, subject) -> ConsentSubject:
    """The person's ledger head, made if they never changed a consent.

    Its random ``ref`` is the identifier a consent receipt names, never the
    user id: the receipt may travel, the account id should not.
    """
    head, _created = ConsentSubject.objects.get_or_create(user=subject)
    return head
