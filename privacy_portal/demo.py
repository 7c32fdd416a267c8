"""Demo people for development and the test suite; never for production."""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from stdnum.cn import ric

from accounts.identity import services as identity_services
from accounts.models import SandboxIdentity, User
from accounts.notification_kinds import WELCOME
from accounts.roles import StaffRole
from accounts.service_clients.models import ServiceClient
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.service_clients.services import service_client_register
from accounts.services import staff_groups_ensure
from accounts.two_factor.selectors import RECOVERY_DEVICE_NAME
from notifications.services import notification_send

CITIZEN_PASSWORD = "Citizen-Demo-2026"  # noqa: S105 - printed for demo sign-in on purpose
STAFF_PASSWORD = "Staff-Demo-2026!"  # noqa: S105

RECOVERY_CODES_KEPT = 5


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    language: str = "zh-hans"
    role: str | None = None
    superuser: bool = False
    # Unverified identity details the person starts with (phone, bank_card, ...).
    identity: dict = field(default_factory=dict)
    # The sandbox identity whose name and ID number the person has entered, unverified.
    entered_as: str | None = None
    # The sandbox identity the person is verified as (through the sandbox provider) when seeded.
    verified_as: str | None = None


def demo_id_number(area: str, birth: str, sequence: str) -> str:
    """A resident ID number with a correct GB 11643 check character (test data, nobody's real number)."""
    body = f"{area}{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def _minor_birth() -> str:
    # 1 January ten years ago: under 14 whatever today's date, and the same
    # number all year, so running seed_demo again adds nothing.
    return f"{timezone.localdate().year - 10}0101"


@dataclass(frozen=True)
class DemoIdentity:
    """A person in the sandbox register of the real-name provider."""

    key: str
    legal_name: str
    id_number: str
    behaviour: str = SandboxIdentity.Behaviour.NORMAL
    note: str = ""


def demo_identities() -> list[DemoIdentity]:
    return [
        DemoIdentity(
            "zhang.san", "张三", demo_id_number("110101", "19900307", "123"), note="adult; demo citizen zhang.san"
        ),
        DemoIdentity(
            "li.si",
            "李四",
            demo_id_number("440106", "19850612", "345"),
            SandboxIdentity.Behaviour.UNAVAILABLE,
            note="the provider answers unavailable",
        ),
        DemoIdentity(
            "wang.wu",
            "王五",
            demo_id_number("310101", "19780923", "567"),
            note="adult; demo citizen wang.wu (verified)",
        ),
        DemoIdentity(
            "xiao.ming", "张小明", demo_id_number("110101", _minor_birth(), "128"), note="minor under 14; xiao.ming"
        ),
    ]


DEMO_PEOPLE = [
    DemoPerson(
        "zhang.san@example.cn", "三", "张", identity={"phone": "13800138000", "bank_card": "6222021234567890128"}
    ),
    DemoPerson("li.si@example.cn", "四", "李", identity={"phone": "13900139000"}),
    DemoPerson("wang.wu@example.cn", "Wu", "Wang", language="en", verified_as="wang.wu"),
    DemoPerson("xiao.ming@example.cn", "小明", "张", entered_as="xiao.ming"),
    DemoPerson("service@example.cn", "客服", "示例", role=StaffRole.CUSTOMER_SERVICE),
    DemoPerson("officer@example.cn", "官员", "隐私", role=StaffRole.PRIVACY_OFFICER),
    DemoPerson("auditor@example.cn", "审计", "示例", role=StaffRole.AUDITOR),
    DemoPerson("admin@example.cn", "管理员", "系统", superuser=True),
]


@dataclass
class SeededPerson:
    person: DemoPerson
    user: User
    created: bool
    password: str
    recovery_codes: list[str]


def _ensure_recovery_codes(user: User) -> list[str]:
    """Staff sign in to admin with a second factor; demo staff get recovery codes."""
    # The device the portal counts (RECOVERY_DEVICE_NAME), so the codes work on the admin step.
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    while device.token_set.count() < RECOVERY_CODES_KEPT:
        device.token_set.create(token=StaticToken.random_token())
    return list(device.token_set.order_by("id").values_list("token", flat=True))


def _seed_identity(user: User, person: DemoPerson, identities: dict[str, DemoIdentity]) -> None:
    """Give a new demo citizen their starting identity, through the same services as the pages."""
    data = dict(person.identity)
    if person.entered_as:
        entered = identities[person.entered_as]
        data.update(legal_name=entered.legal_name, id_number=entered.id_number)
    if data:
        identity_services.identity_profile_update(user=user, data=data)
    identity_services.identity_level_refresh(user=user)
    if person.verified_as:
        identity = identities[person.verified_as]
        identity_services.identity_verify(user=user, legal_name=identity.legal_name, id_number=identity.id_number)


DEMO_SERVICE_CLIENT = "demo-recommendations"


def seed_demo_service_client(*, officer: User) -> tuple[ServiceClient, str | None]:
    """A service client with the consent:check scope, registered by the demo privacy officer.

    Its secret exists in plain only now, so it is returned (and printed) only
    when the client is new; afterwards, rotate it in admin to see a new one.
    """
    client = ServiceClient.objects.filter(name=DEMO_SERVICE_CLIENT).first()
    if client is not None:
        return client, None
    return service_client_register(actor=officer, name=DEMO_SERVICE_CLIENT, scopes=[CONSENT_CHECK])


@transaction.atomic
def seed_demo() -> list[SeededPerson]:
    """Create the demo people if missing; running it twice changes nothing more."""
    groups = staff_groups_ensure()
    identities = {identity.key: identity for identity in demo_identities()}
    for identity in identities.values():
        identity_services.sandbox_identity_ensure(
            legal_name=identity.legal_name,
            id_number=identity.id_number,
            behaviour=identity.behaviour,
            note=identity.note,
        )
    seeded = []
    for person in DEMO_PEOPLE:
        is_staff = person.role is not None or person.superuser
        password = STAFF_PASSWORD if is_staff else CITIZEN_PASSWORD
        user, created = User.objects.get_or_create(
            username=person.email.split("@")[0],
            defaults={
                "email": person.email,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "language": person.language,
                "is_staff": is_staff,
                "is_superuser": person.superuser,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=person.email, primary=True, verified=True)
            if person.role:
                user.groups.add(groups[person.role])
            notification_send(recipient=user, kind=WELCOME)
            if not is_staff:
                _seed_identity(user, person, identities)
        codes = _ensure_recovery_codes(user) if is_staff else []
        seeded.append(SeededPerson(person, user, created, password, codes))
    return seeded
