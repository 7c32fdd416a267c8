"""The kinds of notification the portal sends.

Each kind has two templates, rendered in the recipient's language:
``notifications/<kind>/subject.txt`` (one line) and
``notifications/<kind>/body.txt``. Later features register their own kinds
here, so an unknown kind is caught at the call site, not in a worker.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationKind:
    code: str
    email: bool = True
    inbox: bool = True

    @property
    def subject_template(self) -> str:
        return f"notifications/{self.code}/subject.txt"

    @property
    def body_template(self) -> str:
        return f"notifications/{self.code}/body.txt"


_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> NotificationKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind: {code}") from None


def all_kinds() -> list[NotificationKind]:
    return list(_KINDS.values())


WELCOME = register(NotificationKind("welcome"))
IDENTITY_VERIFIED = register(NotificationKind("identity_verified"))
GUARDIAN_LINK_REQUESTED = register(NotificationKind("guardian_link_requested"))
GUARDIAN_LINK_CONFIRMED = register(NotificationKind("guardian_link_confirmed"))
GUARDIAN_LINK_ENDED = register(NotificationKind("guardian_link_ended"))
# One-time codes for the second factor: email only, an inbox copy would be
# readable by whoever holds the session the code is meant to confirm.
ONE_TIME_CODE = register(NotificationKind("one_time_code", inbox=False))
# A new version of the privacy policy, announced when it is published (issue #4).
POLICY_CHANGED = register(NotificationKind("policy_changed"))
