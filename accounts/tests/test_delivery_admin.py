"""Deliveries in admin: customer service sees masked details, reveals one with a reason, marks progress."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.delivery import services
from accounts.models import Delivery, DeliveryStatus
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from accounts.staff.masked_fields import is_revealable
from accounts.staff.services import PERSONAL_DATA_REVEALED
from audit.models import AuditEvent
from core.masking import mask_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "item": "Residence certificate",
    "recipient_name": "黄晓东",
    "mobile": "13698765432",
    "region": "广东省深圳市南山区",
    "street": "科技园南路 18 号 5 楼",
}
REASON = "Courier call 2026-0518: confirming the number for the delivery"


@pytest.fixture
def agent():
    """Customer service, with the delivery permissions the role is to get (accounts.staff.roles)."""
    user = UserFactory(is_staff=True, language="en")
    user.groups.add(staff_groups_ensure()[StaffRole.CUSTOMER_SERVICE])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_delivery", "change_delivery"]
        )
    )
    return user


@pytest.fixture
def delivery():
    return services.delivery_request(user=UserFactory(), **DETAILS)


def _absent(content: bytes, *values: str) -> None:
    for value in values:
        assert value.encode() not in content, f"{value!r} appears in the page"


def test_the_list_and_the_record_show_the_details_masked(agent, delivery, verified_client):
    client = verified_client(agent)
    listing = client.get(reverse("admin:accounts_delivery_changelist"))
    page = client.get(reverse("admin:accounts_delivery_change", args=[delivery.pk]))
    for response in (listing, page):
        assert response.status_code == 200
        _absent(response.content, "黄晓东", "13698765432", "深圳市南山区", "科技园南路")
    html = page.content.decode()
    assert "黄**" in html and "136****5432" in html and "广东****" in html and "科技****" in html
    # Read-only: no form to change the record, nothing to add or delete.
    assert 'name="_save"' not in html
    assert client.get(reverse("admin:accounts_delivery_add")).status_code == 403


def test_customer_service_reveals_the_mobile_with_a_reason_and_it_is_audited(agent, delivery, verified_client):
    client = verified_client(agent)
    url = reverse("admin:accounts_delivery_reveal", kwargs={"object_id": delivery.pk, "field": "mobile"})
    assert "/reveal/" in client.get(reverse("admin:accounts_delivery_change", args=[delivery.pk])).content.decode()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 200
    assert response.content.count(b"13698765432") == 1
    event = AuditEvent.objects.get(action=PERSONAL_DATA_REVEALED)
    assert (event.actor_id, event.target_type, event.target_id) == (agent.pk, "accounts.delivery", str(delivery.pk))
    assert event.details == {"field": "mobile", "reason": REASON, "subject_user_id": delivery.user_id}


def test_only_the_recipient_fields_can_be_revealed(agent, delivery, verified_client):
    url = reverse("admin:accounts_delivery_reveal", kwargs={"object_id": delivery.pk, "field": "item"})
    assert verified_client(agent).post(url, {"reason": REASON}).status_code == 404


def _act(client, action: str, *deliveries):
    return client.post(
        reverse("admin:accounts_delivery_changelist"),
        {"action": action, "_selected_action": [d.pk for d in deliveries]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_marking_dispatched_then_delivered_goes_through_the_services(agent, delivery, verified_client):
    client = verified_client(agent)
    response = _act(client, "mark_dispatched", delivery)
    assert "1 delivery marked dispatched." in response.content.decode()
    response = _act(client, "mark_delivered", delivery)
    assert "1 delivery marked delivered." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    actions = list(AuditEvent.objects.filter(actor_id=agent.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["delivery.dispatched", "delivery.delivered"]


def test_a_refused_step_is_reported_and_changes_nothing(agent, delivery, verified_client):
    response = _act(verified_client(agent), "mark_delivered", delivery)
    assert f"#{delivery.pk}: This change is not possible" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REQUESTED


def test_staff_without_the_change_permission_cannot_mark_progress(delivery, verified_client):
    viewer = UserFactory(is_staff=True, language="en")
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_delivery"))
    client = verified_client(viewer)
    page = client.get(reverse("admin:accounts_delivery_changelist")).content.decode()
    assert "mark_dispatched" not in page
    _act(client, "mark_dispatched", delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REQUESTED
    assert not AuditEvent.objects.filter(action="delivery.dispatched").exists()


def test_staff_without_the_reveal_permission_see_no_button_and_cannot_reveal(delivery, verified_client):
    viewer = UserFactory(is_staff=True, language="en")
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_delivery"))
    client = verified_client(viewer)
    assert "/reveal/" not in client.get(reverse("admin:accounts_delivery_change", args=[delivery.pk])).content.decode()
    url = reverse("admin:accounts_delivery_reveal", kwargs={"object_id": delivery.pk, "field": "mobile"})
    assert client.post(url, {"reason": REASON}).status_code == 403


def test_the_address_masks():
    assert mask_address("广东省广州市") == "广东****"
    assert mask_address("") == ""
    assert is_revealable(Delivery, "street")


def test_search_by_number_and_nonsense_search_is_no_error(agent, delivery, verified_client):
    client = verified_client(agent)
    found = client.get(reverse("admin:accounts_delivery_changelist"), {"q": str(delivery.user_id)})
    assert found.status_code == 200
    assert f'href="/admin/accounts/delivery/{delivery.pk}/change/' in found.content.decode()
    assert client.get(reverse("admin:accounts_delivery_changelist"), {"q": "黄晓东"}).status_code == 200
