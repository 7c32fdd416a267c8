"""Apps below retention read rule periods through personal_data; retention answers once it is ready."""

import pytest

from personal_data import retention_periods
from retention.models import RetentionRule


@pytest.mark.django_db
def test_retention_answers_with_the_active_rule():
    assert retention_periods.retention_period_days(rule="delivery_addresses") == 90
    RetentionRule.objects.filter(code="delivery_addresses").update(period_days=120)
    assert retention_periods.retention_period_days(rule="delivery_addresses") == 120
    RetentionRule.objects.filter(code="delivery_addresses").update(active=False)
    assert retention_periods.retention_period_days(rule="delivery_addresses") is None
    assert retention_periods.retention_period_days(rule="no_such_rule") is None


def test_without_retention_the_answer_is_none(monkeypatch):
    monkeypatch.setattr(retention_periods, "_period_days", None)
    assert retention_periods.retention_period_days(rule="delivery_addresses") is None
