"""Withdrawing location consent deletes the stored history at once, whichever way the person withdraws."""

import os
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from consents import withdrawal_hooks
from consents.location import services
from consents.location.selectors import PURPOSE_CODE, location_records_for, location_sharing_on
from consents.models import ConsentChannel, ConsentEvent, LocationRecord, Partner, Purpose
from consents.selectors import consent_check
from consents.services import consent_grant, consent_withdraw
from tests.factories import GuardianLinkFactory, UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def bystander():
    """Someone else sharing their location: their history must survive every withdrawal of the citizen's."""
    person = UserFactory()
    services.location_sharing_turn_on(subject=person, actor=person, channel=ConsentChannel.WEB)
    services.location_record(user=person, latitude=22.54, longitude=114.05, source="device")
    return person


def sharing_with_history(user, *, n: int = 3, actor=None, channel=ConsentChannel.WEB):
    services.location_sharing_turn_on(subject=user, actor=actor or user, channel=channel)
    for step in range(n):
        services.location_record(user=user, latitude=23.1 + step / 100, longitude=113.3, source="device")


def assert_history_gone(user, *, count: int, actor, bystander):
    assert not location_sharing_on(user=user)
    assert not location_records_for(user=user).exists()
    assert location_records_for(user=bystander).count() == 1
    deletion = AuditEvent.objects.get(action="location.history_deleted", target_id=str(user.pk))
    # The count only: no coordinates, no times.
    assert deletion.details == {"count": count}
    assert deletion.actor_id == actor.pk


def test_the_location_page_switch_deletes_the_history(client, citizen, bystander):
    sharing_with_history(citizen, n=3)
    client.force_login(citizen)
    response = client.post("/privacy/location/off/", {"next": "/privacy/location/", "history": "delete"}, **EN)
    assert response.status_code == 302
    assert_history_gone(citizen, count=3, actor=citizen, bystander=bystander)
    page = client.get("/privacy/location/", **EN).content.decode()
    assert "3 stored locations were deleted" in page and "No location is stored about you." in page


def test_the_dashboard_panel_offers_the_choice_and_its_one_click_delete_deletes_the_history(client, citizen, bystander):
    sharing_with_history(citizen, n=2)
    client.force_login(citizen)
    dashboard = client.get("/privacy/", **EN).content.decode()
    assert 'data-testid="location-off-form"' in dashboard
    assert "choose what happens to your location history (2 stored locations)" in dashboard
    assert 'data-testid="location-off-keep"' in dashboard and 'data-testid="location-off-delete"' in dashboard
    response = client.post("/privacy/location/off/", {"next": "/privacy/", "history": "delete"}, **EN)
    assert response["Location"] == "/privacy/"
    assert_history_gone(citizen, count=2, actor=citizen, bystander=bystander)


def test_the_api_switch_deletes_the_history(citizen, bystander):
    sharing_with_history(citizen, n=4)
    api = APIClient()
    api.force_authenticate(citizen)
    assert api.get("/api/v1/consents/location/sharing/").json() == {
        "sharing_on": True,
        "reason": "granted",
        "records": 4,
    }
    response = api.delete("/api/v1/consents/location/sharing/")
    assert response.status_code == 200 and response.json() == {"sharing_on": False, "deleted": 4, "kept": 0}
    assert_history_gone(citizen, count=4, actor=citizen, bystander=bystander)
    assert api.get("/api/v1/consents/location/sharing/").json()["records"] == 0


def test_the_api_switch_needs_a_signed_in_person(citizen):
    sharing_with_history(citizen, n=1)
    assert APIClient().delete("/api/v1/consents/location/sharing/").status_code in (401, 403)
    assert LocationRecord.objects.filter(user=citizen).count() == 1


def test_a_guardian_switching_off_for_a_child_deletes_the_childs_history(client, citizen, bystander):
    child = UserFactory(is_minor=True)
    GuardianLinkFactory(guardian=citizen, minor=child)
    sharing_with_history(child, n=2, actor=citizen, channel=ConsentChannel.GUARDIAN)
    sharing_with_history(citizen, n=1)
    client.force_login(citizen)
    client.post("/privacy/location/off/", {"subject": child.pk, "next": "/privacy/", "history": "delete"})
    assert_history_gone(child, count=2, actor=citizen, bystander=bystander)
    # The guardian's own history is theirs: untouched.
    assert location_records_for(user=citizen).count() == 1


def test_a_withdrawal_request_deletes_the_history(client, citizen, bystander):
    sharing_with_history(citizen, n=2)
    client.force_login(citizen)
    client.get("/")
    step_up_passed(citizen, client=client)
    response = client.post("/requests/new/withdrawal/", {"purposes": ["location_services"]})
    assert response.status_code == 302
    assert_history_gone(citizen, count=2, actor=citizen, bystander=bystander)


def test_withdrawing_through_the_consent_service_on_any_channel_deletes_the_history(citizen, bystander):
    sharing_with_history(citizen, n=2)
    staff = UserFactory(is_staff=True)
    consent_withdraw(
        subject=citizen,
        purpose=Purpose.objects.get(code="location_services"),
        channel=ConsentChannel.STAFF,
        actor=staff,
    )
    assert_history_gone(citizen, count=2, actor=staff, bystander=bystander)


def test_granting_does_not_delete_anything(citizen):
    sharing_with_history(citizen, n=2)
    consent_grant(subject=citizen, purpose=Purpose.objects.get(code="location_services"), actor=citizen)
    assert location_records_for(user=citizen).count() == 2
    assert not AuditEvent.objects.filter(action="location.history_deleted").exists()


# -- The hook mechanism ------------------------------------------------------------------------------


def test_a_failing_hook_rolls_the_withdrawal_back(monkeypatch, citizen):
    """Same transaction: the consent is not withdrawn unless its consequences happen too."""
    surveys = Purpose.objects.get(code="surveys")
    consent_grant(subject=citizen, purpose=surveys, actor=citizen)

    def broken(*, subject, actor):
        raise RuntimeError("the deletion failed")

    monkeypatch.setitem(withdrawal_hooks.WITHDRAWAL_HOOKS._entries, "surveys", [broken])
    with pytest.raises(RuntimeError):
        consent_withdraw(subject=citizen, purpose=surveys, actor=citizen)
    assert consent_check(subject=citizen, purpose=surveys).allowed
    assert citizen.consent_events.filter(action="withdrawn").count() == 0


def test_hooks_run_for_the_whole_purpose_only_not_for_one_partner(monkeypatch, citizen):
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    consent_grant(subject=citizen, purpose=surveys, actor=citizen)
    consent_grant(subject=citizen, purpose=surveys, partner=partner, actor=citizen)
    calls = []
    monkeypatch.setitem(
        withdrawal_hooks.WITHDRAWAL_HOOKS._entries,
        "surveys",
        [lambda *, subject, actor: calls.append((subject.pk, actor.pk))],
    )
    consent_withdraw(subject=citizen, purpose=surveys, partner=partner, actor=citizen)
    assert calls == []
    consent_withdraw(subject=citizen, purpose=surveys, actor=citizen)
    assert calls == [(citizen.pk, citizen.pk)]


def test_the_location_hook_is_found_by_a_process_that_never_loaded_the_location_module():
    # A Celery worker completing a withdrawal request never imports the location pages: setting
    # Django up (the app registry's autodiscovery of consent_withdrawal.py) must be enough.
    script = (
        "import sys, django; "
        "assert 'consents.location.services' not in sys.modules; "
        "django.setup(); "
        "from consents.withdrawal_hooks import withdrawal_hooks_for; "
        "print(','.join(hook.__name__ for hook in withdrawal_hooks_for('location_services')))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test"}
    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "location_history_delete_on_withdrawal"
    assert withdrawal_hooks.withdrawal_hooks_for("surveys") == ()


def test_keeping_the_history_is_recorded_in_the_ledger_and_audit_and_nothing_is_deleted(client, citizen, bystander):
    sharing_with_history(citizen, n=2)
    client.force_login(citizen)
    response = client.post("/privacy/location/off/", {"next": "/privacy/location/", "history": "keep"}, **EN)
    assert response.status_code == 302
    assert not location_sharing_on(user=citizen)
    assert location_records_for(user=citizen).count() == 2
    withdrawal = ConsentEvent.objects.filter(subject=citizen, purpose__code=PURPOSE_CODE).first()
    assert withdrawal.action == "withdrawn" and withdrawal.channel == ConsentChannel.WEB
    kept = AuditEvent.objects.get(action="location.history_kept", target_id=str(citizen.pk))
    assert kept.details == {"count": 2, "event_seq": withdrawal.seq, "channel": "web"}
    assert not AuditEvent.objects.filter(action="location.history_deleted").exists()
    page = client.get("/privacy/location/", **EN).content.decode()
    assert "Your 2 stored locations are kept under our retention rules" in page
    # Kept, still the person's to delete, and to be swept by the retention rule.
    client.post("/privacy/location/history/delete/")
    assert not location_records_for(user=citizen).exists()


def test_the_api_switch_can_keep_the_history_and_refuses_an_unknown_choice(citizen):
    sharing_with_history(citizen, n=3)
    api = APIClient()
    api.force_authenticate(citizen)
    assert api.delete("/api/v1/consents/location/sharing/?history=later").status_code == 400
    assert location_sharing_on(user=citizen)
    response = api.delete("/api/v1/consents/location/sharing/?history=keep")
    assert response.json() == {"sharing_on": False, "deleted": 0, "kept": 3}
    assert location_records_for(user=citizen).count() == 3
    assert AuditEvent.objects.get(action="location.history_kept").details["channel"] == "api"
