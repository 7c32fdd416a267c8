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
