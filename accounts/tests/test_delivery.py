"""Deliveries (clause 2.4): the citizen requests, sees and cancels their own; the address is encrypted and erasable."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from accounts.delivery import services
from accounts.delivery.selectors import access_delivery
from accounts.models import Delivery, DeliveryStatus
from audit.models import AuditEvent
from personal_data.models import LegalHold
from personal_data.registry import personal_data_categories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DETAILS = {
    "item": "Business licence (paper copy)",
    "recipient_name": "陈美玲",
    "mobile": "+86 139-1234-5678",
    "region": "广东省广州市天河区",
    "street": "天河路 385 号 2 栋 1203 室",
}
PERSONAL_VALUES = ("陈美玲", "13912345678", "广州市天河区", "天河路 385 号")


def requested(user, **overrides) -> Delivery:
    return services.delivery_request(user=user, **{**DETAILS, **overrides})


# -- The service ----------------------------------------------------------------------------------


def test_a_request_stores_the_details_tidied_and_encrypted_and_audits_ids_only(citizen):
    delivery = requested(citizen, recipient_name="  陈   美玲 ")
    delivery.refresh_from_db()
    assert (delivery.recipient_name, delivery.mobile) == ("陈 美玲", "13912345678")
    assert delivery.status == DeliveryStatus.REQUESTED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recipient_name, mobile, region, street FROM accounts_delivery WHERE id = %s", [delivery.pk]
        )
        raw = " ".join(cursor.fetchone())
    for value in ("陈", "13912345678", "广州", "天河路"):
        assert value not in raw
    event = AuditEvent.objects.get(action="delivery.requested")
    assert event.target_id == str(delivery.pk) and event.details == {"subject_user_id": citizen.pk}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "The mobile number is not valid"),
        ("mobile", "", "The mobile number is not valid"),
        ("recipient_name", "   ", "This field is required."),
        ("recipient_name", "陈" * 51, "Use at most 50 characters."),
        ("region", "粤", "Use at least 2 characters."),
        ("street", "路" * 201, "Use at most 200 characters."),
        ("street", "天河路\x00385号", "Remove the control characters"),
        ("item", "Certificate for 440106199003071231", "without personal details"),
        ("item", "", "This field is required."),
    ],
)
def test_bad_details_are_refused_field_by_field_and_nothing_is_saved(citizen, field, value, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            requested(citizen, **{field: value})
        assert list(refused.value.message_dict) == [field]
        assert message in refused.value.message_dict[field][0]
    assert not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(action="delivery.requested").exists()


def test_the_status_moves_only_as_the_table_says_and_each_move_is_audited(citizen, staff):
    delivery = requested(citizen)
    with pytest.raises(services.DeliveryTransitionNotAllowed):
        services.delivery_mark_delivered(delivery=delivery, actor=staff)
    delivery = services.delivery_dispatch(delivery=delivery, actor=staff)
    assert delivery.dispatched_at is not None
    with translation.override("en"), pytest.raises(services.DeliveryTransitionNotAllowed) as refused:
        services.delivery_cancel(delivery=delivery, actor=citizen)
    assert "already been dispatched" in refused.value.message
    delivery = services.delivery_mark_delivered(delivery=delivery, actor=staff)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    for change in (services.delivery_dispatch, services.delivery_mark_delivered, services.delivery_cancel):
        with pytest.raises(services.DeliveryTransitionNotAllowed):
            change(delivery=delivery, actor=staff)
    moves = AuditEvent.objects.filter(target_type="accounts.delivery").exclude(action="delivery.requested")
    assert [(event.action, event.details["from"], event.details["by_staff"]) for event in moves.order_by("seq")] == [
        ("delivery.dispatched", "requested", True),
        ("delivery.delivered", "dispatched", True),
    ]


def test_access_is_the_owners_only(citizen):
    delivery = requested(citizen)
    assert access_delivery(user=citizen, delivery_id=delivery.pk) == delivery
    from django.http import Http404

    for user, delivery_id in ((UserFactory(), delivery.pk), (citizen, delivery.pk + 1000), (citizen, "x")):
        with pytest.raises(Http404):
            access_delivery(user=user, delivery_id=delivery_id)


# -- The pages ------------------------------------------------------------------------------------


def test_requesting_through_the_page(client, citizen):
    client.force_login(citizen)
    page = client.get("/account/deliveries/new/", **EN)
    assert page.status_code == 200
    assert "deleted 90 days after it is delivered or cancelled" in page.content.decode()
    response = client.post("/account/deliveries/new/", DETAILS, **EN)
    assert response.status_code == 302 and response["Location"] == "/account/deliveries/"
    delivery = Delivery.objects.get(user=citizen)
    assert delivery.item == DETAILS["item"] and delivery.mobile == "13912345678"


def test_a_bad_request_answers_400_with_the_fields_errors(client, citizen):
    client.force_login(citizen)
    response = client.post("/account/deliveries/new/", {**DETAILS, "mobile": "999", "street": ""}, **EN)
    assert response.status_code == 400
    html = response.content.decode()
    # Every problem at once, each beside its field.
    assert "Nothing was saved" in html and "The mobile number is not valid" in html
    assert 'id="id_street_error"' in html and 'id="id_mobile_error"' in html
    assert not Delivery.objects.exists()


def test_the_list_shows_ones_own_deliveries_in_full_and_no_one_elses(client, citizen):
    for _ in range(3):
        requested(citizen)
    requested(UserFactory(), recipient_name="林志强", street="解放北路 1 号")
    client.force_login(citizen)
    html = client.get("/account/deliveries/", **EN).content.decode()
    assert html.count('data-testid="delivery-cancel"') == 3
    for value in ("陈美玲", "13912345678", "广东省广州市天河区", "天河路 385 号"):
        assert value in html
    assert "林志强" not in html and "解放北路" not in html


def test_the_list_reads_a_fixed_number_of_queries_however_many_deliveries(
    client, citizen, django_assert_max_num_queries
):
    client.force_login(citizen)
    client.get("/account/deliveries/")  # the first request records the session

    def count() -> int:
        # The base page's own reads (session, user, banners, inbox) and two of ours: the list and the rule.
        with django_assert_max_num_queries(16) as captured:
            client.get("/account/deliveries/")
        return len(captured)

    requested(citizen)
    one = count()
    for _ in range(10):
        requested(citizen)
    assert count() == one


def test_cancelling_while_requested(client, citizen):
    delivery = requested(citizen)
    client.force_login(citizen)
    response = client.post(f"/account/deliveries/{delivery.pk}/cancel/", **EN)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED and delivery.cancelled_at is not None
    assert "Cancelled" in client.get("/account/deliveries/", **EN).content.decode()


def test_cancelling_after_dispatch_is_refused_with_409_and_the_reason(client, citizen, staff):
    delivery = services.delivery_dispatch(delivery=requested(citizen), actor=staff)
    client.force_login(citizen)
    response = client.post(f"/account/deliveries/{delivery.pk}/cancel/", **EN)
    assert response.status_code == 409
    assert "already been dispatched, so it can no longer be cancelled" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DISPATCHED


def test_someone_elses_delivery_cannot_be_cancelled(client, citizen):
    delivery = requested(UserFactory())
    client.force_login(citizen)
    assert client.post(f"/account/deliveries/{delivery.pk}/cancel/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REQUESTED


def test_the_pages_need_sign_in(client, citizen):
    delivery = requested(citizen)
    for url in ("/account/deliveries/", "/account/deliveries/new/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post(f"/account/deliveries/{delivery.pk}/cancel/")["Location"].startswith("/accounts/login/")
    assert client.post("/account/deliveries/new/", DETAILS)["Location"].startswith("/accounts/login/")
    assert Delivery.objects.count() == 1


def test_cancel_takes_post_only(client, citizen):
    delivery = requested(citizen)
    client.force_login(citizen)
    assert client.get(f"/account/deliveries/{delivery.pk}/cancel/").status_code == 405


# -- Access and deletion requests ------------------------------------------------------------------


def _entry():
    return {category.code: category for category in personal_data_categories()}["delivery_addresses"]


def test_the_registry_exports_the_persons_deliveries_in_full(citizen):
    requested(citizen)
    requested(UserFactory(), recipient_name="林志强")
    rows = list(_entry().exporter(citizen))
    assert len(rows) == 1
    assert rows[0]["recipient_name"] == "陈美玲" and rows[0]["mobile"] == "13912345678"
    assert rows[0]["item"] == DETAILS["item"] and rows[0]["status"] == "requested"


def test_erasure_blanks_the_details_and_cancels_what_was_not_sent(citizen, staff):
    waiting = requested(citizen)
    sent = services.delivery_dispatch(delivery=requested(citizen), actor=staff)
    other = requested(UserFactory())
    assert _entry().eraser(citizen) == "anonymised"
    waiting.refresh_from_db()
    sent.refresh_from_db()
    for delivery in (waiting, sent):
        assert delivery.address_blanked and delivery.item == DETAILS["item"]
    assert waiting.status == DeliveryStatus.CANCELLED and sent.status == DeliveryStatus.DISPATCHED
    other.refresh_from_db()
    assert other.recipient_name == "陈美玲"


def test_erasure_keeps_what_a_legal_hold_covers(citizen, staff):
    delivery = requested(citizen)
    LegalHold.objects.create(
        user=citizen, category="delivery_addresses", reason="Dispute 2026-88", review_date="2030-01-01"
    )
    assert _entry().eraser(citizen) == "kept"
    delivery.refresh_from_db()
    assert delivery.recipient_name == "陈美玲"
