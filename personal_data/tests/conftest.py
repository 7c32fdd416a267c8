import pytest

from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from tests.factories import UserFactory


@pytest.fixture
def groups(db):
    return staff_groups_ensure()


@pytest.fixture
def officer(groups):
    user = UserFactory(is_staff=True, language="en", username="officer_pd")
    user.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    return user


@pytest.fixture
def auditor(groups):
    user = UserFactory(is_staff=True, language="en", username="auditor_pd")
    user.groups.add(groups[StaffRole.AUDITOR])
    return user
