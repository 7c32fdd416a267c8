import pytest
from django.utils import translation

from retention.models import RetentionRule
from retention.rules import DEFAULT_RULES, rule_problems

pytestmark = pytest.mark.django_db


def test_defaults_are_seeded_and_valid():
    seeded = {rule.code: rule for rule in RetentionRule.objects.all()}
    assert {rule["code"] for rule in DEFAULT_RULES} <= set(seeded)
    for rule in seeded.values():
        assert rule_problems(rule) == [], rule.code
    assert seeded["step_up_checks"].period_days == 1
    assert seeded["export_files"].period_days == 7
    assert seeded["locations"].period_days == 30
    assert seeded["sign_in_activity"].period_days == 183
    assert seeded["optional_services_left"].action == "anonymise"
    assert seeded["optional_services_left"].anonymise_fields == ["data"]
    assert seeded["emails_sent"].period_days == 90
    assert seeded["inbox_messages_read"].period_days == 365


def test_a_rule_naming_what_does_not_exist_is_refused():
    rule = RetentionRule(
        code="bad",
        category="x",
        model="accounts.loginactivity",
        date_field="nope",
        period_days=1,
        action="anonymise",
        anonymise_fields=["id"],
    )
    with translation.override("en"):
        problems = rule_problems(rule)
        assert any("nope" in str(p) for p in problems)
        assert any("id cannot be blanked" in str(p) for p in problems)
    assert rule_problems(RetentionRule(code="x", model="no.such", date_field="x", period_days=1))
