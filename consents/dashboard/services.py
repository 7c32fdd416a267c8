"""Writes the dashboard needs besides consent changes themselves.

Consents are changed only by ``consents.services.consent_grant`` /
``consent_withdraw``; this module records what was shown and makes sure a
person has a consent-subject reference for their receipt.
"""

from consents.models import ConsentSubject, PolicyDisplay, PolicyVersion, Purpose
from consents.services import policy_display_record


def consent_request_shown(*, viewer, policy_version: PolicyVersion | None, purpose: Purpose | None = None):
    """Write down that ``viewer`` was shown a consent request under ``policy_version``.

    The id goes into the request's form, so the consent that follows can be
    tied to the text the person actually saw (see ``shown_policy_version``).
    None when no policy is in effect yet.
    """
    if policy_version is None:
        return None
    return policy_display_record(
        subject=viewer, version=policy_version, purpose=purpose, context=PolicyDisplay.Context.CONSENT_REQUEST
    )


def consent_subject_ensure(*, subject) -> ConsentSubject:
    """The person's ledger head, made if they never changed a consent.

    Its random ``ref`` is the identifier a consent receipt names, never the
    user id: the receipt may travel, the account id should not.
    """
    head, _created = ConsentSubject.objects.get_or_create(user=subject)
    return head
