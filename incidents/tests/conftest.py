import pytest
from django.utils import timezone

from incidents.models import Audience, Incident, Severity

from .factories import notice_complete, notice_fields


@pytest.fixture
def make_incident(db):
    def make(**fields):
        defaults = {
            "title_zh": "数据泄露",
            "title_en": "Data leak",
            "description_zh": "一个导出文件夹被错误地设为公开可读。",
            "discovered_at": timezone.now(),
            "severity": Severity.GENERAL,
            "advice_zh": "请修改密码。",
            "advice_en": "Please change your password.",
            "audience": Audience.ALL,
        }
        categories = fields.pop("categories", ("contact",))
        incident = Incident.objects.create(**{**notice_fields(), **defaults, **fields})
        return notice_complete(incident, categories=categories)

    return make


@pytest.fixture(autouse=True)
def _english():
    """Texts asserted outside a request are the English msgids."""
    from django.utils import translation

    with translation.override("en"):
        yield
