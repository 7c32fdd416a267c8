"""Which policy version a consent page showed, carried by its form to the POST that records the consent.

A GET changes nothing but audit and access records, so a page that asks for
consent (the dashboard and its confirmations, location, optional services,
face verification) does not write its ``PolicyDisplay`` when it is shown: it
signs what it showed (viewer, purpose, policy version) into the form, and the
POST that records the consent checks the signature and records the display
and the consent in one transaction. A token from another person's page or
another purpose's, an altered one or an expired one counts as nothing shown:
the consent then names the version in effect.
"""

from django.core import signing

from .models import PolicyVersion, Purpose

SALT = "consents.policy-shown"
# A confirmation page left open longer than this is loaded again before it counts.
MAX_AGE_SECONDS = 24 * 60 * 60


def _key(purpose: Purpose | None) -> int | None:
    return purpose.pk if purpose is not None else None


def policy_shown_token(*, viewer, purpose: Purpose | None, version: PolicyVersion | None) -> str:
    """The form's proof that ``viewer`` was shown ``version`` for ``purpose``; "" when no policy is in effect."""
    if version is None:
        return ""
    return signing.dumps({"viewer": viewer.pk, "purpose": _key(purpose), "version": version.pk}, salt=SALT)


def policy_shown_version(*, viewer, purpose: Purpose | None, token: str | None) -> PolicyVersion | None:
    """The published version ``token`` says ``viewer`` was shown for ``purpose``, or None."""
    try:
        shown = signing.loads(token or "", salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(shown, dict) or shown.get("viewer") != viewer.pk or shown.get("purpose") != _key(purpose):
        return None
    version_pk = shown.get("version")
    if not isinstance(version_pk, int):
        return None
    return PolicyVersion.objects.filter(pk=version_pk, published_at__isnull=False).first()
