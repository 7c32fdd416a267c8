"""Signed, expiring links to a completed cancellation's outcome (issue #15).

After a cancellation the account cannot sign in, yet the person must still
be able to read what was deleted and what was kept, and why. The final email
carries the outcome in full and a link to the same outcome as a page: the
link names the request in a signed token (Django's signing, its own salt),
valid for ``outcome_link_days()``; nothing is stored for it, and a changed
or expired token is refused.
"""

from django.conf import settings
from django.core import signing

from privacy_requests.models import PrivacyRequest, RequestKind, RequestState

SALT = "privacy_requests.cancellation.outcome"
DEFAULT_OUTCOME_LINK_DAYS = 30


class OutcomeLinkInvalid(Exception):
    """The token was changed, or names no completed cancellation."""


class OutcomeLinkExpired(OutcomeLinkInvalid):
    pass


def outcome_link_days() -> int:
    return int(getattr(settings, "PRIVACY_CANCELLATION_OUTCOME_LINK_DAYS", DEFAULT_OUTCOME_LINK_DAYS))


def outcome_token(*, request: PrivacyRequest) -> str:
    return signing.dumps({"request": request.pk}, salt=SALT)


def outcome_request(*, token: str) -> PrivacyRequest:
    """The completed cancellation the token names; raises ``OutcomeLinkExpired`` or ``OutcomeLinkInvalid``."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=outcome_link_days() * 24 * 60 * 60)
    except signing.SignatureExpired:
        raise OutcomeLinkExpired from None
    except signing.BadSignature:
        raise OutcomeLinkInvalid from None
    request_id = payload.get("request") if isinstance(payload, dict) else None
    if not isinstance(request_id, int):
        raise OutcomeLinkInvalid
    found = PrivacyRequest.objects.filter(
        pk=request_id, kind=RequestKind.CANCELLATION, state=RequestState.COMPLETED
    ).first()
    if found is None:
        raise OutcomeLinkInvalid
    return found
