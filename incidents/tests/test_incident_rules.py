"""Who an incident affects and when it was reported change only through audited services, the admin included."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from incidents.models import Audience, Incident, Severity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _events(incident, action):
    return AuditEvent.objects.filter(action=action, target_id=str(incident.pk))


def _change_form(incident, **changes):
    """The admin change form as the page would post it, with ``changes`` applied."""
    discovered = timezone.localtime(incident.discovered_at)
    data = {
        "title_zh": incident.title_zh,
        "title_en": incident.title_en,
        "description_zh": incident.description_zh,
        "discovered_at_0": discovered.strftime("%Y-%m-%d"),
        "discovered_at_1": discovered.strftime("%H:%M:%S"),
        "severity": incident.severity,
        "advice_zh": incident.advice_zh,
        "advice_en": incident.advice_en,
        "audience": incident.audience,
        "audience_category": incident.audience_category,
        "reported_at_0": "",
        "reported_at_1": "",
    }
    if incident.reported_at is not None:
        reported = timezone.localtime(incident.reported_at)
        data |= {"reported_at_0": reported.strftime("%Y-%m-%d"), "reported_at_1": reported.strftime("%H:%M:%S")}
    return data | changes


def _at(moment) -> dict:
    moment = timezone.localtime(moment)
    return {"reported_at_0": moment.strftime("%Y-%m-%d"), "reported_at_1": moment.strftime("%H:%M:%S")}


# -- The audience ----------------------------------------------------------------


def test_admin_changes_the_audience_through_the_service(make_incident, officer, verified_client):
    incident = make_incident(discovered_at=timezone.now() - timedelta(hours=1))
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    response = verified_client(officer).post(
        url, _change_form(incident, audience=Audience.CATEGORY, audience_category="inbox_messages")
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.audience, incident.audience_category) == (Audience.CATEGORY, "inbox_messages")
    event = _events(incident, "incident.audience_set").get()
    assert event.details == {"audience": "category", "category": "inbox_messages", "ids": 0}
    assert event.actor_id == officer.pk


def test_saving_without_touching_the_audience_writes_no_audience_event(make_incident, officer, verified_client):
    incident = make_incident(discovered_at=timezone.now() - timedelta(hours=1))
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    assert verified_client(officer).post(url, _change_form(incident, measures_zh="Folder closed.")).status_code == 302

    assert not _events(incident, "incident.audience_set").exists()
    assert _events(incident, "incident.changed").count() == 1


def test_the_service_refuses_a_new_audience_once_notified(make_incident, officer):
    """The admin shows the audience read-only once notified; the service refuses it outright."""
    incident = make_incident()
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        services.incident_audience_set(incident=incident, actor=officer, audience=Audience.IDS, user_ids=[1])

    assert "audience" in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.audience == Audience.ALL
    assert not _events(incident, "incident.audience_set").exists()


@pytest.mark.parametrize(
    ("audience", "options", "field"),
    [
        (Audience.CATEGORY, {}, "audience_category"),
        (Audience.CATEGORY, {"category": "no_such_category"}, "audience_category"),
        (Audience.IDS, {"user_ids": []}, "audience_file"),
    ],
)
def test_the_service_refuses_an_audience_missing_what_it_needs(make_incident, officer, audience, options, field):
    incident = make_incident()

    with pytest.raises(ValidationError) as refused:
        services.incident_audience_set(incident=incident, actor=officer, audience=audience, **options)

    assert field in refused.value.message_dict


def test_admin_refuses_a_category_audience_without_its_category(make_incident, officer, verified_client):
    incident = make_incident()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    response = verified_client(officer).post(url, _change_form(incident, audience=Audience.CATEGORY))

    assert response.status_code == 200
    assert "Choose the category whose people are affected." in response.content.decode()
    incident.refresh_from_db()
    assert incident.audience == Audience.ALL


def test_the_service_keeps_only_what_the_audience_reads(make_incident, officer):
    people = [UserFactory(), UserFactory()]
    incident = make_incident(audience=Audience.CATEGORY, audience_category="inbox_messages")

    services.incident_audience_set(
        incident=incident,
        actor=officer,
        audience=Audience.IDS,
        category="inbox_messages",
        user_ids=[p.pk for p in people],
    )

    incident.refresh_from_db()
    assert incident.audience_category == ""
    assert incident.audience_user_ids == sorted(p.pk for p in people)


# -- The report to the cyberspace office --------------------------------------


def test_admin_marks_the_report_through_the_service(make_incident, officer, verified_client):
    discovered = timezone.now() - timedelta(hours=5)
    incident = make_incident(severity=Severity.MAJOR, discovered_at=discovered)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    reported = timezone.now() - timedelta(minutes=10)
    response = verified_client(officer).post(url, _change_form(incident, **_at(reported)))

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.reported_at is not None and incident.report_overdue
    event = _events(incident, "incident.reported").get()
    assert event.details == {"overdue": True, "corrected": False}


@pytest.mark.parametrize("when", ["future", "before_discovery"])
def test_the_service_and_the_admin_refuse_an_impossible_report_time(make_incident, officer, verified_client, when):
    discovered = timezone.now() - timedelta(hours=2)
    incident = make_incident(severity=Severity.MAJOR, discovered_at=discovered)
    reported = timezone.now() + timedelta(hours=1) if when == "future" else discovered - timedelta(hours=1)

    with pytest.raises(ValidationError) as refused:
        services.incident_mark_reported(incident=incident, actor=officer, reported_at=reported)
    assert "reported_at" in refused.value.message_dict

    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    response = verified_client(officer).post(url, _change_form(incident, **_at(reported)))
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.reported_at is None
    assert not _events(incident, "incident.reported").exists()


def test_admin_corrects_a_report_time_but_does_not_remove_it(make_incident, officer, verified_client):
    discovered = timezone.now() - timedelta(hours=3)
    incident = make_incident(severity=Severity.MAJOR, discovered_at=discovered)
    services.incident_mark_reported(incident=incident, actor=officer, reported_at=discovered + timedelta(hours=1))
    incident.refresh_from_db()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    client = verified_client(officer)

    cleared = client.post(url, _change_form(incident, reported_at_0="", reported_at_1=""))
    assert cleared.status_code == 200
    assert "corrected but not removed" in cleared.content.decode()

    corrected = discovered + timedelta(hours=2)
    assert client.post(url, _change_form(incident, **_at(corrected))).status_code == 302
    incident.refresh_from_db()
    assert abs(incident.reported_at - corrected) < timedelta(seconds=1)
    assert [e.details["corrected"] for e in _events(incident, "incident.reported").order_by("seq")] == [False, True]


def test_recording_a_new_incident_checks_its_audience(officer):
    incident = Incident(
        title_zh="泄露",
        title_en="Leak",
        description_zh="What happened.",
        discovered_at=timezone.now(),
        advice_zh="建议",
        advice_en="Advice",
        audience=Audience.IDS,
    )

    with pytest.raises(ValidationError):
        services.incident_save(incident=incident, actor=officer, created=True)
    assert not Incident.objects.exists()
