"""The one-click link in a survey invitation that withdraws the survey consent.

Signed with ``django.core.signing`` (the site's secret, a salt of its own, a
timestamp), so nobody can make one for someone else, and it expires. It
names the person, the purpose and the ledger event of the consent it was
sent under: once that consent is withdrawn (by this link or otherwise) the
link has done its work, and replaying it changes nothing, even after the
person consents again.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

from core.site import site_url

SALT = "consents.surveys.withdraw-link"
# Long enough to answer an invitation at leisure; a later one brings a fresh link.
MAX_AGE = timedelta(days=60)


@dataclass(frozen=True)
class WithdrawLink:
    subject_id: int
    purpose_code: str
    event_id: int


class LinkInvalid(Exception):
    """Unsigned, tampered or not a withdrawal link."""


class LinkExpired(LinkInvalid):
    """Signed by us, but older than ``MAX_AGE``."""


def withdraw_token(*, subject_id: int, purpose_code: str, event_id: int) -> str:
    return signing.dumps({"s": subject_id, "p": purpose_code, "e": event_id}, salt=SALT, compress=True)


def withdraw_url(*, subject_id: int, purpose_code: str, event_id: int) -> str:
    token = withdraw_token(subject_id=subject_id, purpose_code=purpose_code, event_id=event_id)
    return site_url(reverse("consents:survey_withdraw", args=[token]))


def withdraw_link_read(token: str) -> WithdrawLink:
    """The link's content; raises ``LinkExpired`` or ``LinkInvalid``."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        return WithdrawLink(subject_id=int(payload["s"]), purpose_code=str(payload["p"]), event_id=int(payload["e"]))
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None
