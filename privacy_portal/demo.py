"""Demo people for development and the test suite; never for production."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import User
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from notifications.services import notify

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


DEMO_PEOPLE = [
    DemoPerson("zhang.san@example.cn", "三", "张"),
    DemoPerson("li.si@example.cn", "四", "李"),
    DemoPerson("wang.wu@example.cn", "Wu", "Wang", language="en"),
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
    device, _ = StaticDevice.objects.get_or_create(user=user, name="demo recovery codes")
    while device.token_set.count() < RECOVERY_CODES_KEPT:
        device.token_set.create(token=StaticToken.random_token())
    return list(device.token_set.order_by("id").values_list("token", flat=True))


@transaction.atomic
def seed_demo() -> list[SeededPerson]:
    """Create the demo people if missing; running it twice changes nothing more."""
    groups = staff_groups_ensure()
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
            notify(user, "welcome")
        codes = _ensure_recovery_codes(user) if is_staff else []
        seeded.append(SeededPerson(person, user, created, password, codes))
    return seeded
