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
# A staff member's authenticator enrolment link: email only, for the same
# reason; whoever holds a leaked staff password could read the inbox.
STAFF_ENROLMENT = register(NotificationKind("staff_enrolment", inbox=False))
# A new version of the privacy policy, announced when it is published (issue #4), sent in
# bulk by incidents.fanout: one text per language, so the template names nobody.
POLICY_CHANGED = register(NotificationKind("policy_changed"))
# Rights requests (issue #5): filed, each change of state, staff messages, extensions.
REQUEST_RECEIVED = register(NotificationKind("request_received"))
REQUEST_STATUS_CHANGED = register(NotificationKind("request_status_changed"))
REQUEST_MESSAGE = register(NotificationKind("request_message"))
REQUEST_EXTENDED = register(NotificationKind("request_extended"))
# To the assigned staff member when the citizen replies.
REQUEST_CITIZEN_REPLIED = register(NotificationKind("request_citizen_replied"))
# The ZIP of an access or export request is ready to download (issue #5).
EXPORT_READY = register(NotificationKind("export_ready"))
IDENTITY_REVERIFICATION_NEEDED = register(NotificationKind("identity_reverification_needed"))
ACCOUNT_CANCELLATION_FILED = register(NotificationKind("account_cancellation_filed"))
# Sent to the address the account had: after a cancellation it has no inbox to read.
ACCOUNT_CANCELLED = register(NotificationKind("account_cancelled", inbox=False))
# Someone received the person's data (issue #6): who, what, when, why.
DATA_DISCLOSED = register(NotificationKind("data_disclosed"))
# A personal-data security incident affecting the person (issue #6), sent in bulk by incidents.fanout.
SECURITY_INCIDENT = register(NotificationKind("security_incident"))
