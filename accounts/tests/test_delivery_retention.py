"""Retention of delivery addresses (clause 2.4, issue #6): blanked 90 days after delivery or cancellation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.delivery import services
from accounts.models import Delivery, DeliveryStatus
from personal_data.models import LegalHold
from retention.models import RetentionRule
from retention.rules import rule_problems
from retention.sweep import retention_sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "item": "Driving licence",
    "recipient_name": "周建华",
    "mobile": "15811112222",
    "region": "广东省佛山市",
    "street": "汾江中路 12 号",
}
RULES = ("delivery_addresses", "delivery_addresses_cancelled")
KEPT = (DETAILS["recipient_name"], DETAILS["mobile"], DETAILS["street"])


@pytest.fixture
def only_delivery_rules():
    RetentionRule.objects.exclude(code__in=RULES).update(active=False)


def finished(*, user, staff, status: str, days_ago: int) -> Delivery:
    """A delivery taken through the services to ``status``, finished ``days_ago`` days ago."""
    delivery = services.delivery_request(user=user, **DETAILS)
    if status == DeliveryStatus.CANCELLED:
        delivery = services.delivery_cancel(delivery=delivery, actor=user)
        stamp = "cancelled_at"
    else:
        delivery = services.delivery_dispatch(delivery=delivery, actor=staff)
        delivery = services.delivery_mark_delivered(delivery=delivery, actor=staff)
        stamp = "delivered_at"
    Delivery.objects.filter(pk=delivery.pk).update(**{stamp: timezone.now() - timedelta(days=days_ago)})
    delivery.refresh_from_db()
    return delivery


def test_the_seeded_rules_are_valid_and_say_ninety_days():
    for code in RULES:
        rule = RetentionRule.objects.get(code=code)
        assert rule_problems(rule) == []
        assert (rule.period_days, rule.action, rule.category) == (90, "anonymise", "delivery_addresses")


def test_the_sweep_blanks_expired_addresses_and_keeps_recent_and_held_ones(only_delivery_rules, staff):
    person, held_person = UserFactory(), UserFactory()
    old = finished(user=person, staff=staff, status=DeliveryStatus.DELIVERED, days_ago=100)
    recent = finished(user=person, staff=staff, status=DeliveryStatus.DELIVERED, days_ago=10)
    old_cancelled = finished(user=person, staff=staff, status=DeliveryStatus.CANCELLED, days_ago=100)
    held = finished(user=held_person, staff=staff, status=DeliveryStatus.DELIVERED, days_ago=100)
    LegalHold.objects.create(
        user=held_person, category="delivery_addresses", reason="Lost parcel dispute 2026-31", review_date="2030-01-01"
    )
    # Still on its way: no retention date yet, however old the request.
    waiting = services.delivery_request(user=person, **DETAILS)
    Delivery.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=400))

    report = retention_sweep()

    for delivery in (old, old_cancelled):
        delivery.refresh_from_db()
        assert delivery.address_blanked
        # What was delivered and when stays, for statistics.
        assert delivery.item == "Driving licence" and delivery.status in ("delivered", "cancelled")
    for delivery in (recent, held, waiting):
        delivery.refresh_from_db()
        assert (delivery.recipient_name, delivery.mobile, delivery.street) == KEPT
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient_name, mobile, region, street FROM accounts_delivery WHERE id = %s", [old.pk])
        assert cursor.fetchone() == ("", "", "", "")
    lines = {line.rule_code: line for line in report.lines.all()}
    assert (lines["delivery_addresses"].rows_anonymised, lines["delivery_addresses"].rows_held) == (1, 1)
    assert lines["delivery_addresses_cancelled"].rows_anonymised == 1


def test_a_second_sweep_has_nothing_left_to_blank(only_delivery_rules, staff):
    finished(user=UserFactory(), staff=staff, status=DeliveryStatus.DELIVERED, days_ago=100)
    retention_sweep()
    again = retention_sweep()
    assert sum(line.rows_anonymised for line in again.lines.all()) == 0


def test_the_citizen_sees_that_the_details_were_deleted(client, only_delivery_rules, staff):
    person = UserFactory(language="en")
    finished(user=person, staff=staff, status=DeliveryStatus.DELIVERED, days_ago=100)
    retention_sweep()
    client.force_login(person)
    html = client.get("/account/deliveries/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Deleted after the retention period" in html and "Driving licence" in html
