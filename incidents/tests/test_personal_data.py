"""A person's export lists the incident notices and policy announcements they were sent; erasure removes the records."""

import datetime

import pytest
from django.utils import timezone

from consents.models import PolicyVersion
from consents.policy_acceptance.services import policy_announce
from incidents import services
from incidents.personal_data import erase_bulk_notices, export_bulk_notices
from notifications.models import FanOutRecipient
from retention.services import legal_hold_place
from tests.factories import UserFactory


@pytest.fixture
def announced_version():
    first = PolicyVersion.objects.get(version="2026.1")
    version = PolicyVersion.objects.create(
        version="2026.7",
        text_zh=first.text_zh,
        text_en=first.text_en,
        summary_zh="更新。",
        summary_en="An update.",
        material=False,
        published_at=timezone.now(),
        effective_at=timezone.now() + datetime.timedelta(days=30),
    )
    return version


def test_export_lists_the_incident_and_the_policy_change(
    make_incident, officer, announced_version, django_capture_on_commit_callbacks
):
    person = UserFactory(language="en")
    incident = make_incident()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_notify(incident=incident, actor=officer)
    policy_announce(version=announced_version)

    rows = list(export_bulk_notices(person))

    assert [(row["notice"], row["about"]) for row in rows] == [
        ("security incident", "Data leak"),
        ("privacy policy change", "2026.7"),
    ]
    assert rows[0]["advice"] == "Please change your password."
    assert list(export_bulk_notices(UserFactory())) == []


def test_erasure_deletes_the_records_unless_held(make_incident, officer, django_capture_on_commit_callbacks):
    person, held = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_notify(incident=make_incident(), actor=officer)
    legal_hold_place(
        user=held,
        category="incident_notices",
        reason="Court order 2026-17",
        review_date=timezone.localdate() + datetime.timedelta(days=90),
        actor=officer,
    )

    assert erase_bulk_notices(person) == "deleted"
    assert erase_bulk_notices(held) == "kept"
    assert not FanOutRecipient.objects.filter(user=person).exists()
    assert FanOutRecipient.objects.filter(user=held).exists()
