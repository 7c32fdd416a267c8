"""Retention in admin: the sweep reports, and rules changed only through the audited service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from retention.models import RetentionRule
from retention.services import RULE_UPDATED, retention_rule_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _change_form(rule: RetentionRule, **overrides) -> dict:
    data = {
        "code": rule.code,
        "category": rule.category,
        "description": rule.description,
        "active": "on",
        "model": rule.model,
        "event": rule.event,
        "date_field": rule.date_field,
        "filters": "{}",
        "condition": "",
        "person_field": rule.person_field,
        "period_days": str(rule.period_days),
        "action": rule.action,
        "anonymise_fields": "[]",
    }
    data.update(overrides)
    return data


def test_officer_sees_sweep_reports_with_a_chart(officer, verified_client):
    from django.contrib.auth.models import Permission

    from retention.sweep import retention_sweep

    # The reports' view permission belongs in accounts/staff/roles.py (reported to the lead); granted here until then.
    officer.user_permissions.add(Permission.objects.get(codename="view_sweepreport"))
    retention_sweep()
    client = verified_client(officer)
    page = client.get(reverse("admin:retention_sweepreport_changelist"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()


def test_a_rule_that_cannot_run_is_refused_in_admin(verified_client):
    admin_user = UserFactory(is_staff=True, is_superuser=True, username="root_r")
    client = verified_client(admin_user)
    rule = RetentionRule.objects.get(code="sign_in_activity")
    response = client.post(
        reverse("admin:retention_retentionrule_change", args=[rule.pk]),
        {
            "code": rule.code,
            "category": rule.category,
            "description": rule.description,
            "active": "on",
            "model": rule.model,
            "event": rule.event,
            "date_field": "no_such_field",
            "filters": "{}",
            "condition": "",
            "person_field": rule.person_field,
            "period_days": "183",
            "action": "delete",
            "anonymise_fields": "[]",
        },
    )
    assert response.status_code == 200
    assert "no_such_field" in response.content.decode()
    rule.refresh_from_db()
    assert rule.date_field == "created_at"


def test_an_officer_changing_a_period_in_admin_is_audited(officer, verified_client):
    rule = RetentionRule.objects.get(code="sign_in_activity")
    response = verified_client(officer).post(
        reverse("admin:retention_retentionrule_change", args=[rule.pk]), _change_form(rule, period_days="200")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.period_days == 200
    event = AuditEvent.objects.get(action=RULE_UPDATED)
    assert event.actor == officer and event.target_id == str(rule.pk)
    assert event.details == {
        "code": "sign_in_activity",
        "fields": ["period_days"],
        "period_days": {"from": 183, "to": 200},
    }


def test_saving_a_rule_unchanged_writes_no_audit_record(officer, verified_client):
    rule = RetentionRule.objects.get(code="sign_in_activity")
    response = verified_client(officer).post(
        reverse("admin:retention_retentionrule_change", args=[rule.pk]), _change_form(rule)
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=RULE_UPDATED).exists()


def test_the_service_refuses_an_invalid_period_and_a_rule_that_cannot_run(officer):
    rule = RetentionRule.objects.get(code="sign_in_activity")
    with pytest.raises(ValidationError) as refused:
        retention_rule_update(actor=officer, rule=rule, changes={"period_days": -1})
    assert "period_days" in refused.value.message_dict
    with pytest.raises(ValidationError):
        retention_rule_update(actor=officer, rule=rule, changes={"date_field": "no_such_field"})
    rule.refresh_from_db()
    assert rule.period_days == 183 and rule.date_field == "created_at"
    assert not AuditEvent.objects.filter(action=RULE_UPDATED).exists()


def test_only_those_who_may_change_rules_can(auditor):
    rule = RetentionRule.objects.get(code="sign_in_activity")
    with pytest.raises(PermissionDenied):
        retention_rule_update(actor=auditor, rule=rule, changes={"period_days": 10})
    with pytest.raises(PermissionDenied):
        retention_rule_update(actor=UserFactory(), rule=rule, changes={"period_days": 10})
    rule.refresh_from_db()
    assert rule.period_days == 183
