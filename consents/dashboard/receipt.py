"""The consent receipt: what a person agreed to, in a form they can keep.

Field names follow the Kantara Initiative's Consent Receipt Specification
(v1.1): who the controller is, whose consent (``piiPrincipalId``, the
person's random consent-subject reference, never an account id or any
personal value), which purposes with which data, which third parties,
under which policy, when and how. Basic purposes appear too, marked as
resting on the law or the service contract rather than on consent.
"""

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consents.models import ConsentChannel
from consents.selectors import policy_current

from .selectors import State, dashboard_rows
from .services import consent_subject_ensure

SPEC_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "CN"


def _purpose_entry(row) -> dict:
    purpose = row.purpose
    basic = purpose.is_basic
    if basic:
        partners = [p.partner for p in row.partners if p.in_force]
    else:
        partners = [p.partner for p in row.partners if p.state == State.GRANTED and p.in_force]
    consent = row.consent
    return {
        "purposeCode": purpose.code,
        "purpose": purpose.name,
        "purposeCategory": [purpose.code],
        "consentType": "implied-by-law" if basic else "explicit",
        "legalBasis": purpose.legal_basis,
        "piiCategory": [category.name for category in row.categories],
        "primaryPurpose": basic,
        "termination": _("while the account exists") if basic else _("until withdrawn"),
        "thirdPartyDisclosure": bool(partners),
        "thirdPartyName": [partner.name for partner in partners],
        "sensitive": purpose.sensitive or row.uses_sensitive_data,
        "policyVersion": consent.policy_version.version if consent and consent.policy_version else None,
        "consentTimestamp": int(consent.updated_at.timestamp()) if consent else None,
        "collectionMethod": str(ConsentChannel(consent.channel).label) if consent else None,
    }


def consent_receipt(*, subject, request) -> dict:
    """The receipt for ``subject``'s consents as they stand now."""
    rows = [row for row in dashboard_rows(subject=subject) if row.is_basic or row.state == State.GRANTED]
    policy = policy_current()
    head = consent_subject_ensure(subject=subject)
    entries = [_purpose_entry(row) for row in rows]
    changes = [row.consent.updated_at for row in rows if row.consent]
    channels = sorted({str(ConsentChannel(row.consent.channel).label) for row in rows if row.consent})
    sensitive_categories = sorted({category.name for row in rows for category in row.categories if category.sensitive})
    return {
        "version": SPEC_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(max(changes).timestamp()) if changes else int(timezone.now().timestamp()),
        "collectionMethod": ", ".join(channels) or _("Citizens' privacy portal"),
        "consentReceiptID": str(uuid.uuid4()),
        "publicKey": None,
        "language": translation.get_language(),
        "piiPrincipalId": str(head.ref),
        "piiControllers": [
            {
                "piiController": _("Citizens' privacy portal"),
                "contact": _("Government service hotline %(hotline)s") % {"hotline": settings.PORTAL_HOTLINE},
                "phone": settings.PORTAL_HOTLINE,
                "address": _("mainland China"),
                "piiControllerUrl": request.build_absolute_uri(reverse("home")),
                "onBehalf": False,
            }
        ],
        "policyUrl": request.build_absolute_uri(reverse("policy_version", args=[policy.version])) if policy else None,
        "policyVersion": policy.version if policy else None,
        "services": [{"service": _("Citizens' privacy portal"), "purposes": entries}],
        "sensitive": any(entry["sensitive"] for entry in entries),
        "spiCat": sensitive_categories,
        "issuedAt": int(timezone.now().timestamp()),
    }
