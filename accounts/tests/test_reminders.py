"""Reminders to finish signing up: after 3 and 10 days, at most two, none after finishing, and easy to stop."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import IdentityProfile, IdentityVerificationAttempt, VerificationLevel
from accounts.reminders import links, services
from audit.models import AuditEvent
from notifications.models import InboxMessage, OutboxEmail
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(days=60)
STOP_LINK = "/account/reminders/stop/"


def _unconfirmed(**fields):
    """Someone who signed up at T0 and never entered the code sent to their address."""
    person = UserFactory(**fields)
    EmailAddress.objects.filter(user=person).update(verified=False)
    type(person).objects.filter(pk=person.pk).update(date_joined=T0)
    return person


def _identity_started(*, verified=False, **fields):
    """Someone whose first real-name check was at T0 and did not match."""
    person = UserFactory(**fields)
    attempt = IdentityVerificationAttempt.objects.create(user=person, provider="sandbox", outcome="mismatch")
    IdentityVerificationAttempt.objects.filter(pk=attempt.pk).update(created_at=T0)
    if verified:
        IdentityProfile.objects.update_or_create(
            user=person, defaults={"verification_level": VerificationLevel.IDENTITY_VERIFIED}
        )
    return person


def _run_on(day: float) -> int:
    return services.reminders_send_due(now=T0 + timedelta(days=day))


def _emails(person, kind="email_confirmation_reminder"):
    return list(OutboxEmail.objects.filter(recipient=person, kind=kind).order_by("pk"))


def test_an_unconfirmed_address_is_reminded_after_3_and_10_days_and_never_again():
    person = _unconfirmed(language="en")
    confirmed = UserFactory()
    type(confirmed).objects.filter(pk=confirmed.pk).update(date_joined=T0)

    sent_by_day = {day: _run_on(day) for day in (1, 2.9, 3.1, 4, 6, 9.9, 10.1, 11, 14, 20, 40)}

    assert {day: n for day, n in sent_by_day.items() if n} == {3.1: 1, 10.1: 1}
    emails = _emails(person)
    assert len(emails) == 2
    assert all(email.to_address == person.email for email in emails)
    assert "confirm your email address" in emails[0].subject
    assert STOP_LINK in emails[0].body
    assert not _emails(confirmed)
    # The address is not confirmed: the person cannot sign in to read an inbox.
    assert not InboxMessage.objects.filter(recipient=person).exists()


def test_a_rerun_on_the_same_day_sends_nothing():
    people = [_unconfirmed() for _ in range(3)]

    assert _run_on(3.5) == 3
    assert _run_on(3.5) == 0
    assert services.reminders_send_due(now=T0 + timedelta(days=3.6), batch_size=1) == 0

    assert OutboxEmail.objects.filter(recipient__in=people).count() == 3


def test_finishing_stops_the_reminders():
    person = _unconfirmed()
    assert _run_on(3.5) == 1

    EmailAddress.objects.filter(user=person).update(verified=True)

    assert _run_on(10.5) == 0
    assert len(_emails(person)) == 1


def test_a_missed_day_catches_up_but_an_old_sign_up_is_not_woken():
    catching_up = _unconfirmed()
    assert _run_on(5) == 1
    long_ago = _unconfirmed()
    type(long_ago).objects.filter(pk=long_ago.pk).update(date_joined=T0 - timedelta(days=300))

    assert _run_on(12) == 1

    assert len(_emails(catching_up)) == 2
    assert not _emails(long_ago)


def test_identity_verification_reminders_go_to_email_and_inbox_until_verified():
    unfinished = _identity_started(language="en")
    done = _identity_started(verified=True)
    never_tried = UserFactory()

    assert _run_on(3.5) == 1
    assert _run_on(10.5) == 1
    assert _run_on(30) == 0

    emails = _emails(unfinished, kind="identity_verification_reminder")
    assert len(emails) == 2
    assert "/account/identity/verify/" in emails[0].body
    assert InboxMessage.objects.filter(recipient=unfinished, kind="identity_verification_reminder").count() == 2
    assert not OutboxEmail.objects.filter(recipient__in=[done, never_tried]).exists()


def test_reminders_turned_off_are_not_sent_and_staff_get_none():
    off = _unconfirmed()
    services.reminders_set(user=off, enabled=False)
    staff_member = StaffFactory()
    EmailAddress.objects.filter(user=staff_member).update(verified=False)
    type(staff_member).objects.filter(pk=staff_member.pk).update(date_joined=T0)

    assert _run_on(3.5) == 0
    assert _run_on(10.5) == 0


def test_the_stop_link_asks_then_turns_reminders_off_and_a_replay_changes_nothing(client):
    person = _unconfirmed()
    _run_on(3.5)
    body = _emails(person)[0].body
    url = body[body.index(STOP_LINK) :].split()[0].rstrip()

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-testid="reminders-stop-confirm"' in page.content.decode()
    person.refresh_from_db()
    assert person.reminders_enabled

    assert client.post(url).status_code == 200
    person.refresh_from_db()
    assert not person.reminders_enabled
    assert AuditEvent.objects.filter(action="account.reminders_off", target_id=str(person.pk)).count() == 1

    replay = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert replay.status_code == 200
    assert AuditEvent.objects.filter(action="account.reminders_off", target_id=str(person.pk)).count() == 1
    assert _run_on(10.5) == 0


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJ1IjoxfQ:1abcde:forged", lambda: links.stop_url(user_id=999999).split("/")[-2]],
    ids=["unsigned", "forged", "no-such-account"],
)
def test_a_bad_stop_link_is_refused(client, token):
    token = token() if callable(token) else token

    response = client.post(reverse("accounts:reminders_stop", args=[token]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert 'data-testid="reminders-link-invalid"' in response.content.decode()


def test_the_settings_page_turns_reminders_off_and_on(citizen, client):
    client.force_login(citizen)
    url = reverse("accounts:reminders")

    assert "checked" in client.get(url).content.decode()
    client.post(url, {})
    citizen.refresh_from_db()
    assert not citizen.reminders_enabled
    client.post(url, {"reminders": "on"})
    citizen.refresh_from_db()
    assert citizen.reminders_enabled


def test_the_settings_page_needs_sign_in(client):
    response = client.get(reverse("accounts:reminders"))

    assert response.status_code == 302
    assert "login" in response["Location"]
