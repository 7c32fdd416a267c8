import pytest
from django.utils import timezone

from incidents.models import Audience, Incident, Severity


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
