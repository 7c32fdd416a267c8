"""Every model holding personal data has a retention rule, or a reason in writing why it needs none."""

import pytest

from personal_data.registry import personal_data_categories
from retention.models import RetentionRule
from retention.rules import NOT_EXPIRED_BY_RULE

pytestmark = pytest.mark.django_db


def test_every_personal_data_model_has_a_rule_or_a_reason():
    ruled = set(RetentionRule.objects.filter(active=True).values_list("model", flat=True))
    uncovered = sorted(
        {
            model._meta.label_lower
            for category in personal_data_categories()
            for model in category.models
            if model._meta.label_lower not in ruled and model._meta.label_lower not in NOT_EXPIRED_BY_RULE
        }
    )
    assert uncovered == [], f"no retention rule and no reason in retention.rules.NOT_EXPIRED_BY_RULE: {uncovered}"


def test_the_session_store_and_export_files_are_covered():
    ruled = set(RetentionRule.objects.filter(active=True).values_list("model", flat=True))
    assert {"sessions.session", "usersessions.usersession", "privacy_requests.exportfile"} <= ruled


def test_every_reason_names_a_model_that_exists():
    from django.apps import apps

    for label, reason in NOT_EXPIRED_BY_RULE.items():
        assert apps.get_model(label) and reason
