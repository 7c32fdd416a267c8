import pytest
from django.utils import timezone

from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from incidents.models import Audience, Incident, Severity
from tests.factories import UserFactory


@pytest.fixture
def groups(db):
    return staff_groups_ensure()


@pytest.fixture
def officer(groups):
    user = UserFactory(is_staff=True, language="en", username="officer_i")
    user.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    return user


@pytest.fixture
def auditor(groups):
    user = UserFactory(is_staff=True, language="en", username="auditor_i")
    user.groups.add(groups[StaffRole.AUDITOR])
    return user


@pytest.fixture
def make_incident(db):
    def make(**fields):
        defaults = {
            "title_zh": "数据泄露",
            "title_en": "Data leak",
            "description": "A misconfigured export folder was readable.",
            "discovered_at": timezone.now(),
            "severity": Severity.GENERAL,
            "advice_zh": "请修改密码。",
            "advice_en": "Please change your password.",
            "audience": Audience.ALL,
        }
        return Incident.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture(autouse=True)
def _english():
    """Texts asserted outside a request are the English msgids."""
    from django.utils import translation

    with translation.override("en"):
        yield
