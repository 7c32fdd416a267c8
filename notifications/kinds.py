"""The kinds of notification the portal sends, one registry contributed by the apps.

Each app declares the kinds it sends in its ``notification_kinds.py`` with
:func:`kind_register`, and its code passes those constants (never the code
as a string) to ``notification_send``. ``NotificationsConfig.ready()``
imports every such module, so the registry is complete before anything is
sent and an unknown kind is refused at the call site, not in a worker.

Each kind has a label, what it is in a few words ("Welcome message"), which
the export shows a person for the kind of each message they were sent.
Each kind has two templates, rendered in the recipient's language:
``notifications/<kind>/subject.txt`` (one line) and
``notifications/<kind>/body.txt``; they live with the other notification
templates in this app.
"""

from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: object = ""
    email: bool = True
    inbox: bool = True
    # The email's text is a secret (a code, a link that signs someone in or
    # enrols a device): stored encrypted in the outbox and removed once sent.
    sealed: bool = False

    @property
    def subject_template(self) -> str:
        return f"notifications/{self.code}/subject.txt"

    @property
    def body_template(self) -> str:
        return f"notifications/{self.code}/body.txt"


notification_kinds: Registry[NotificationKind] = Registry(name="notification kinds", module="notification_kinds")


def kind_register(code: str, *, label="", email: bool = True, inbox: bool = True, sealed: bool = False) -> str:
    """Declare a kind (in the sending app's ``notification_kinds.py``); returns its code for callers to use."""
    kind = NotificationKind(code, label=label, email=email, inbox=inbox, sealed=sealed)
    return notification_kinds.register(code, kind).code


def get(code: str) -> NotificationKind:
    try:
        return notification_kinds.get(code)
    except LookupError:
        raise ValueError(f"unknown notification kind: {code}") from None


def all_kinds() -> list[NotificationKind]:
    return list(notification_kinds.entries())


def kind_labels() -> dict[str, object]:
    """Code -> label of every kind that has one: the kind of a message in words."""
    return {kind.code: kind.label for kind in notification_kinds.entries() if kind.label}
