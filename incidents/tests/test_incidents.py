"""Incident records: the four-hour clock, who is affected, the CSV upload, the banner, who may act."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from incidents import selectors, services
from incidents.admin import report_clock_text
from incidents.context_processors import incident_banner
from incidents.models import Audience, Incident, Severity
from notifications.models import InboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# -- The clock -------------------------------------------------------------


@pytest.mark.parametrize("severity", [Severity.RELATIVELY_MAJOR, Severity.MAJOR, Severity.ESPECIALLY_MAJOR])
def test_relatively_major_or_worse_must_be_reported_within_four_hours(make_incident, severity):
    discovered = timezone.now() - timedelta(hours=1)
    incident = make_incident(severity=severity, discovered_at=discovered)

    assert incident.report_deadline == discovered + timedelta(hours=4)
    assert not incident.report_overdue
    assert report_clock_text(incident).startswith("2 h 5") or report_clock_text(incident).startswith("3 h 0")


def test_a_general_incident_has_no_clock(make_incident):
    incident = make_incident(severity=Severity.GENERAL, discovered_at=timezone.now() - timedelta(days=2))

    assert incident.report_deadline is None
    assert not incident.report_overdue
    assert report_clock_text(incident) == "Not required"


def test_unreported_after_four_hours_is_overdue_and_filtered(make_incident, officer, verified_client):
    late = make_incident(
        severity=Severity.MAJOR, title_en="Late one", discovered_at=timezone.now() - timedelta(hours=5)
    )
    make_incident(severity=Severity.MAJOR, title_en="Fresh one", discovered_at=timezone.now() - timedelta(hours=1))
    make_incident(
        severity=Severity.MAJOR,
        title_en="Reported one",
        discovered_at=timezone.now() - timedelta(hours=6),
        reported_at=timezone.now() - timedelta(hours=3),
    )

    assert late.report_overdue
    assert report_clock_text(late) == "Overdue"

    client = verified_client(officer)
    page = client.get(reverse("admin:incidents_incident_changelist"), {"report": "overdue"}).content.decode()
    assert "Late one" in page
    assert "Fresh one" not in page
    assert "Reported one" not in page


def test_reporting_late_stays_flagged(make_incident, officer):
    incident = make_incident(severity=Severity.RELATIVELY_MAJOR, discovered_at=timezone.now() - timedelta(hours=5))

    services.incident_mark_reported(incident=incident, actor=officer)

    assert incident.report_overdue
    assert report_clock_text(incident) == "Reported late"


# -- Who is affected ---------------------------------------------------------


def test_all_users_selects_every_active_account(make_incident):
    people = [UserFactory() for _ in range(3)]
    UserFactory(is_active=False)

    chosen = set(selectors.incident_recipients(incident=make_incident(audience=Audience.ALL)))

    assert set(people) <= chosen
    assert all(user.is_active for user in chosen)


def _service_account(*, through_group: bool):
    """An account of the DRF-token era: a platform service signed in as a user holding check_consent."""
    from django.contrib.auth.models import Group, Permission

    account = UserFactory(username=f"svc-{through_group}")
    permission = Permission.objects.get(codename="check_consent", content_type__app_label="consents")
    if through_group:
        group, _ = Group.objects.get_or_create(name="platform services")
        group.permissions.add(permission)
        account.groups.add(group)
    else:
        account.user_permissions.add(permission)
    return account


@pytest.mark.parametrize("audience", [Audience.ALL, Audience.IDS, Audience.CATEGORY])
def test_staff_and_service_accounts_never_get_a_citizens_incident_notice(make_incident, audience):
    citizen = UserFactory()
    machines_and_staff = [
        UserFactory(is_staff=True),
        UserFactory(is_superuser=True, username="root-account"),
        _service_account(through_group=False),
        _service_account(through_group=True),
    ]
    everyone = [citizen, *machines_and_staff]
    options = {
        Audience.ALL: {},
        Audience.IDS: {"audience_user_ids": [user.pk for user in everyone]},
        Audience.CATEGORY: {"audience_category": "profile"},
    }[audience]

    chosen = set(selectors.incident_recipients(incident=make_incident(audience=audience, **options)))

    assert citizen in chosen
    assert not chosen & set(machines_and_staff)


def test_by_category_selects_people_with_rows_in_that_category(make_incident, django_assert_num_queries):
    with_messages = [UserFactory() for _ in range(2)]
    UserFactory()
    for user in with_messages:
        InboxMessage.objects.create(recipient=user, kind="welcome", subject="s", body="b")
        InboxMessage.objects.create(recipient=user, kind="welcome", subject="s", body="b")
    incident = make_incident(audience=Audience.CATEGORY, audience_category="inbox_messages")

    recipients = selectors.incident_recipients(incident=incident)
    with django_assert_num_queries(1):
        chosen = list(recipients)

    assert sorted(u.pk for u in chosen) == sorted(u.pk for u in with_messages)


def test_by_category_follows_a_link_through_the_consent_subject(make_incident):
    from consents.models import ConsentSubject

    user = UserFactory()
    UserFactory()
    ConsentSubject.objects.get_or_create(user=user)

    chosen = selectors.users_with_data_in(category_code="consents")

    assert user in chosen


def test_an_unknown_category_selects_nobody():
    UserFactory()
    assert not selectors.users_with_data_in(category_code="no-such-category").exists()


def test_by_csv_list_selects_those_ids(make_incident):
    people = [UserFactory() for _ in range(3)]
    data = ("id\n" + "\n".join(str(u.pk) for u in people[:2]) + "\n").encode()

    ids = services.user_ids_from_csv(data=data)
    incident = make_incident(audience=Audience.IDS, audience_user_ids=ids)

    assert set(selectors.incident_recipients(incident=incident)) == set(people[:2])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"12\nabc\n", "Line 2: “abc” is not a user id"),
        (b"1;DROP TABLE\n", "is not a user id"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"id\n", "no user ids"),
        (b"1" * (3 * 1024 * 1024), "larger than 2 MB"),
        (b"999999999\n", "1 id matches no account: 999999999"),
    ],
)
def test_a_bad_csv_is_rejected_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as error:
        services.user_ids_from_csv(data=data)
    assert message in " ".join(error.value.messages)


def test_admin_upload_of_a_bad_csv_shows_the_error_and_saves_nothing(officer, verified_client):
    client = verified_client(officer)
    now = timezone.localtime()
    response = client.post(
        reverse("admin:incidents_incident_add"),
        {
            "title_zh": "泄露",
            "title_en": "Leak",
            "description_zh": "What happened.",
            "discovered_at_0": now.strftime("%Y-%m-%d"),
            "discovered_at_1": now.strftime("%H:%M:%S"),
            "severity": Severity.GENERAL,
            "advice_zh": "建议",
            "advice_en": "Advice",
            "audience": Audience.IDS,
            "audience_file": SimpleUploadedFile("ids.csv", b"1\nnot-an-id\n", content_type="text/csv"),
        },
    )

    assert response.status_code == 200
    assert "Line 2: “not-an-id” is not a user id" in response.content.decode()
    assert not Incident.objects.exists()


def test_admin_records_an_incident_with_a_csv_list(officer, verified_client):
    people = [UserFactory() for _ in range(2)]
    client = verified_client(officer)
    now = timezone.localtime()
    response = client.post(
        reverse("admin:incidents_incident_add"),
        {
            "title_zh": "泄露",
            "title_en": "Leak",
            "description_zh": "What happened.",
            "discovered_at_0": now.strftime("%Y-%m-%d"),
            "discovered_at_1": now.strftime("%H:%M:%S"),
            "severity": Severity.MAJOR,
            "advice_zh": "建议",
            "advice_en": "Advice",
            "audience": Audience.IDS,
            "audience_file": SimpleUploadedFile(
                "ids.csv", f"{people[0].pk}\n{people[1].pk}\n".encode(), content_type="text/csv"
            ),
        },
    )

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.audience_user_ids == sorted(u.pk for u in people)
    assert incident.report_deadline is not None


# -- The banner ----------------------------------------------------------------


def _banner_html(language="en"):
    request = RequestFactory().get("/")
    with translation.override(language):
        return render_to_string("incidents/banner.html", incident_banner(request))


def test_banner_shows_until_its_date_in_the_reader_language(make_incident, officer):
    incident = make_incident()
    services.incident_notify(incident=incident, actor=officer, banner_until=timezone.now() + timedelta(days=3))

    assert "Please change your password." in _banner_html("en")
    assert "请修改密码。" in _banner_html("zh-hans")

    Incident.objects.filter(pk=incident.pk).update(banner_until=timezone.now() - timedelta(minutes=1))
    assert "incident-banner" not in _banner_html()


def test_no_banner_before_notifying_or_without_a_date(make_incident, officer):
    make_incident(banner_until=timezone.now() + timedelta(days=3))  # not notified yet
    other = make_incident()
    services.incident_notify(incident=other, actor=officer, banner_until=None)

    assert "incident-banner" not in _banner_html()


# -- Who may act ---------------------------------------------------------------


def test_officer_notifies_from_admin(make_incident, officer, verified_client, django_capture_on_commit_callbacks):
    UserFactory()
    incident = make_incident()
    client = verified_client(officer)
    url = reverse("admin:incidents_incident_notify", args=[incident.pk])

    assert url in client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"banner_until": ""})

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.fan_out is not None and incident.fan_out.finished_at is not None
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert f"{incident.fan_out.total} of {incident.fan_out.total} queued" in page


def test_auditor_views_but_cannot_add_change_or_notify(make_incident, auditor, verified_client):
    incident = make_incident()
    client = verified_client(auditor)

    assert client.get(reverse("admin:incidents_incident_changelist")).status_code == 200
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    assert reverse("admin:incidents_incident_notify", args=[incident.pk]) not in page.content.decode()
    assert client.get(reverse("admin:incidents_incident_add")).status_code == 403
    assert client.post(reverse("admin:incidents_incident_notify", args=[incident.pk])).status_code == 403
    incident.refresh_from_db()
    assert incident.fan_out is None


def test_citizens_cannot_reach_the_incident_admin(make_incident, verified_client):
    incident = make_incident()
    client = verified_client(UserFactory())

    response = client.post(reverse("admin:incidents_incident_notify", args=[incident.pk]))

    assert response.status_code == 302  # to the admin login
    incident.refresh_from_db()
    assert incident.fan_out is None
