"""Location sharing: refused while off from every channel, on through step-up, off in one click."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from consents.location import services
from consents.location.selectors import location_coordinates, location_records_for, location_sharing_on
from consents.models import ConsentChannel, ConsentEvent, LocationRecord, PolicyDisplay, Purpose
from consents.policy_shown import policy_shown_token
from consents.selectors import policy_current
from tests.factories import GuardianLinkFactory, UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
API = "/api/v1/consents/location/"


def reads_chinese(user):
    user.language = "zh-hans"
    user.save(update_fields=["language"])


def turn_on(user):
    services.location_sharing_turn_on(subject=user, actor=user, channel=ConsentChannel.WEB)


# -- The service --------------------------------------------------------------------------------------


def test_while_off_the_service_refuses_every_location(citizen):
    with translation.override("en"), pytest.raises(services.LocationSharingOff) as refused:
        services.location_record(user=citizen, latitude=39.9, longitude=116.4, source="device")
    assert "Location sharing is off" in refused.value.message
    with translation.override("zh-hans"), pytest.raises(services.LocationSharingOff) as refused:
        services.location_record(user=citizen, latitude=39.9, longitude=116.4, source="device")
    assert "位置共享已关闭" in refused.value.message
    turn_on(citizen)
    services.location_sharing_turn_off(subject=citizen, actor=citizen, channel=ConsentChannel.WEB, history="delete")
    for source in ("device", "profile", "photo"):
        with pytest.raises(services.LocationSharingOff):
            services.location_record(user=citizen, latitude=1, longitude=2, source=source)
    assert not LocationRecord.objects.exists()


def test_while_on_the_location_is_stored_encrypted(citizen):
    turn_on(citizen)
    record = services.location_record(user=citizen, latitude="39.9042", longitude=116.4074, source="device")
    assert location_coordinates(record) == (Decimal("39.904200"), Decimal("116.407400"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT coordinates FROM consents_locationrecord WHERE id = %s", [record.pk])
        raw = cursor.fetchone()[0]
    assert "39.9" not in raw and "116.4" not in raw


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (90.0001, 0, "latitude"),
        (-91, 0, "latitude"),
        (0, 180.5, "longitude"),
        (0, -181, "longitude"),
        ("north", 0, "latitude"),
        (float("nan"), 0, "latitude"),
        (0, float("inf"), "longitude"),
        (None, 0, "latitude"),
        (True, 0, "latitude"),
    ],
)
def test_coordinates_out_of_range_are_refused_with_the_field_named(citizen, latitude, longitude, field):
    turn_on(citizen)
    with translation.override("en"), pytest.raises(services.LocationInvalid) as refused:
        services.location_record(user=citizen, latitude=latitude, longitude=longitude, source="device")
    assert refused.value.field == field
    assert field.capitalize() in refused.value.message
    assert not LocationRecord.objects.exists()


def test_the_edges_of_the_ranges_are_fine(citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=-90, longitude=180, source="profile")
    services.location_record(user=citizen, latitude=90, longitude=-180, source="device")
    assert LocationRecord.objects.count() == 2


def test_a_minor_needs_the_guardians_consent(citizen):
    minor = UserFactory(is_minor=True)
    with pytest.raises(services.LocationSharingOff):
        services.location_record(user=minor, latitude=1, longitude=1, source="device")
    GuardianLinkFactory(guardian=citizen, minor=minor)
    services.location_sharing_turn_on(subject=minor, actor=citizen, channel=ConsentChannel.GUARDIAN)
    services.location_record(user=minor, latitude=1, longitude=1, source="device")


def test_switching_off_deletes_the_history_with_an_audit_count_only(citizen):
    turn_on(citizen)
    for n in range(3):
        services.location_record(user=citizen, latitude=n, longitude=n, source="device")
    other = UserFactory()
    turn_on(other)
    services.location_record(user=other, latitude=5, longitude=5, source="device")

    done = services.location_sharing_turn_off(
        subject=citizen, actor=citizen, channel=ConsentChannel.WEB, history="delete"
    )
    assert done == services.SharingTurnedOff(deleted=3, kept=0)
    assert not location_records_for(user=citizen).exists()
    assert location_records_for(user=other).count() == 1
    assert not location_sharing_on(user=citizen)
    audit = AuditEvent.objects.filter(action="location.history_deleted").get()
    assert audit.details == {"count": 3} and audit.target_id == str(citizen.pk)


def test_turning_sharing_on_again_keeps_what_is_stored(citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    turn_on(citizen)
    assert location_records_for(user=citizen).count() == 1
    assert not AuditEvent.objects.filter(action="location.history_deleted").exists()


# -- The pages ----------------------------------------------------------------------------------------


def test_turning_on_needs_a_recent_step_up(client, citizen):
    client.force_login(citizen)
    response = client.get("/privacy/location/on/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/step-up/")
    response = client.post("/privacy/location/on/")
    assert response.status_code == 302 and "step-up" in response["Location"]
    assert not location_sharing_on(user=citizen)


def test_turning_on_goes_through_a_confirmation_screen_that_records_what_was_shown(client, citizen):
    client.force_login(citizen)
    step_up_passed(citizen, client=client)
    page = client.get("/privacy/location/on/?next=/privacy/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "separate, explicit consent" in html and "Location-based services" in html
    # Showing the page writes nothing: the form carries what was shown.
    assert not PolicyDisplay.objects.filter(subject=citizen).exists()
    response = client.post("/privacy/location/on/", {"shown": shown_token(html), "next": "/privacy/"})
    assert response["Location"] == "/privacy/"
    assert location_sharing_on(user=citizen)
    display = PolicyDisplay.objects.get(subject=citizen, purpose__code="location_services")
    event = ConsentEvent.objects.get(subject=citizen, purpose__code="location_services")
    assert event.policy_version_id == display.policy_version_id == policy_current().pk and event.channel == "web"


def shown_token(html: str) -> str:
    return re.search(r'name="shown" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("whose", ["another person's", "another purpose's", "altered"])
def test_a_token_not_from_this_page_records_no_display(client, citizen, whose):
    other = UserFactory()
    location, surveys = Purpose.objects.get(code="location_services"), Purpose.objects.get(code="surveys")
    token = {
        "another person's": policy_shown_token(viewer=other, purpose=location, version=policy_current()),
        "another purpose's": policy_shown_token(viewer=citizen, purpose=surveys, version=policy_current()),
        "altered": policy_shown_token(viewer=citizen, purpose=location, version=policy_current()) + "x",
    }[whose]
    client.force_login(citizen)
    step_up_passed(citizen, client=client)
    client.post("/privacy/location/on/", {"shown": token, "next": "/privacy/"})
    assert location_sharing_on(user=citizen)
    assert not PolicyDisplay.objects.filter(subject=citizen).exists()


def test_turning_off_is_one_click_without_step_up_and_deletes_the_history_when_asked(client, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    client.force_login(citizen)
    response = client.post("/privacy/location/off/", {"next": "/privacy/", "history": "delete"}, **EN)
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    assert not location_sharing_on(user=citizen)
    assert not LocationRecord.objects.exists()
    assert "1 stored location was deleted" in client.get("/privacy/location/", **EN).content.decode()


def test_the_off_page_offers_to_keep_or_delete_the_history(client, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    services.location_record(user=citizen, latitude=2, longitude=2, source="device")
    client.force_login(citizen)
    html = client.get("/privacy/location/off/", **EN).content.decode()
    assert "You have 2 stored locations. Keep them" in html
    assert 'name="history" value="keep"' in html and 'name="history" value="delete"' in html
    reads_chinese(citizen)
    html = client.get("/privacy/location/off/").content.decode()
    assert "关闭并保留我的位置记录" in html and "关闭并删除我的位置记录" in html


def test_turning_off_without_a_choice_is_sent_back_and_changes_nothing(client, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    client.force_login(citizen)
    for data in ({}, {"history": "maybe"}):
        response = client.post("/privacy/location/off/", data, **EN)
        assert response.status_code == 400
        assert 'data-testid="location-off-error"' in response.content.decode()
        assert location_sharing_on(user=citizen)
        assert LocationRecord.objects.count() == 1
    reads_chinese(citizen)
    response = client.post("/privacy/location/off/", {})
    assert "请选择保留还是删除您的位置记录。" in response.content.decode()


def test_turning_off_without_a_history_needs_no_choice(client, citizen):
    turn_on(citizen)
    client.force_login(citizen)
    assert client.post("/privacy/location/off/", {}).status_code == 302
    assert not location_sharing_on(user=citizen)


def test_the_history_can_be_deleted_on_its_own(client, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    client.force_login(citizen)
    client.post("/privacy/location/history/delete/")
    assert not LocationRecord.objects.exists()
    assert location_sharing_on(user=citizen)


def test_location_pages_need_sign_in(client):
    for url in ("/privacy/location/", "/privacy/location/off/", "/privacy/location/photo/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post("/privacy/location/history/delete/")["Location"].startswith("/accounts/login/")


def test_the_overview_lists_only_ones_own_locations_decrypted(client, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=39.9042, longitude=116.4074, source="device")
    other = UserFactory()
    turn_on(other)
    services.location_record(user=other, latitude=-33.8688, longitude=151.2093, source="device")
    client.force_login(citizen)
    html = client.get("/privacy/location/", **EN).content.decode()
    assert "39.904200" in html and "-33.868800" not in html


def test_a_guardian_cannot_switch_for_someone_elses_child(client, citizen):
    stranger_child = UserFactory(is_minor=True)
    client.force_login(citizen)
    assert client.post("/privacy/location/off/", {"subject": stranger_child.pk}).status_code == 404
    assert client.post("/privacy/location/history/delete/", {"subject": stranger_child.pk}).status_code == 404


def test_the_panel_reads_in_three_queries_and_offers_the_right_switch(citizen, django_assert_num_queries):
    turn_on(citizen)
    for n in range(5):
        services.location_record(user=citizen, latitude=n, longitude=n, source="device")
    request = RequestFactory().get("/privacy/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = citizen
    with django_assert_num_queries(3), translation.override("en"):
        html = Template("{% load consent_panels_location %}{% location_panel %}").render(
            Context({"request": request, "csrf_token": "t"})
        )
    assert "<h2" in html
    # With a history, turning off asks what happens to it (clause 2.2.1).
    assert 'data-testid="location-off-keep"' in html and 'data-testid="location-off-delete"' in html
    assert "5 stored locations" in html


# -- The API ------------------------------------------------------------------------------------------


def test_the_api_refuses_with_403_while_off(api):
    response = api.post(API, {"latitude": 39.9, "longitude": 116.4}, format="json", **EN)
    assert response.status_code == 403
    assert response.json()["code"] == "location_sharing_off"
    assert "Location sharing is off" in response.json()["detail"]
    assert not LocationRecord.objects.exists()


def test_the_api_stores_while_on(api, citizen):
    turn_on(citizen)
    response = api.post(API, {"latitude": 39.9, "longitude": 116.4}, format="json")
    assert response.status_code == 201
    assert response.json()["source"] == "device" and response.json()["latitude"] == "39.900000"
    listed = api.get(API).json()
    assert listed["count"] == 1 and listed["results"][0]["longitude"] == "116.400000"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": -200}, "longitude"),
        ({"latitude": "x", "longitude": 0}, "latitude"),
        ({"longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": 0, "source": "photo"}, "source"),
    ],
)
def test_the_api_answers_400_for_bad_coordinates(api, citizen, body, field):
    turn_on(citizen)
    response = api.post(API, body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not LocationRecord.objects.exists()


def test_the_api_deletes_the_history(api, citizen):
    turn_on(citizen)
    services.location_record(user=citizen, latitude=1, longitude=1, source="device")
    assert api.delete(API).json() == {"deleted": 1}
    assert not LocationRecord.objects.exists()


def test_the_api_needs_a_signed_in_person():
    anonymous = APIClient()
    assert anonymous.post(API, {"latitude": 1, "longitude": 1}, format="json").status_code in (401, 403)
    assert anonymous.get(API).status_code in (401, 403)
    assert not LocationRecord.objects.exists()
