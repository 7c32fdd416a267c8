"""Publishing a policy version and announcing it through the outbox; drafts and fixed texts in admin."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from consents.models import PolicyVersion
from consents.policy_acceptance import services
from notifications.models import FanOut, InboxMessage, OutboxEmail
from notifications.selectors import fan_out_progress
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
CHANGELIST = "/admin/consents/policyversion/"


def draft(number="2026.2", *, material=True, effective_in=30 * DAY):
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version=number,
        text_zh=first.text_zh + "\n新增条款。",
        text_en=first.text_en + "\nA new clause.",
        summary_zh="新增条款。",
        summary_en="Adds a clause about partners & sharing.",
        material=material,
        published_at=None,
        effective_at=timezone.now() + effective_in,
    )


def published(number="2026.2", **options):
    version = draft(number, **options)
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    return version


def told(kind="policy_changed"):
    return sorted(OutboxEmail.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_announce_writes_one_inbox_message_and_email_per_active_citizen():
    english = UserFactory(language="en", first_name="Meiling", last_name="Zhou")
    chinese = UserFactory(language="zh-hans")
    UserFactory(is_active=False)
    UserFactory(is_staff=True)
    UserFactory(is_superuser=True, username="root-account")
    service = UserFactory(username="consent-check-service")
    service.user_permissions.add(Permission.objects.get(codename="check_consent", content_type__app_label="consents"))
    version = published()

    assert services.policy_announce(version=version, batch_size=1) == 2
    assert set(OutboxEmail.objects.values_list("recipient", flat=True)) == {english.pk, chinese.pk}
    message = InboxMessage.objects.get(recipient=english)
    assert message.kind == "policy_changed" and "2026.2" in message.subject
    assert "partners & sharing" in message.body  # plain text, not HTML-escaped
    assert "/policy/2026.2/changes/" in message.body and "asked to read and accept it" in message.body
    assert "Meiling" not in message.body and "Zhou" not in message.body  # one text per language, no names
    assert "新增条款。" in InboxMessage.objects.get(recipient=chinese).body  # the summary in their language


def test_the_announcement_shows_its_progress_like_an_incident_notice(django_capture_on_commit_callbacks):
    UserFactory(), UserFactory()
    version = published()

    with django_capture_on_commit_callbacks(execute=True):
        services.policy_announce(version=version)

    run = FanOut.objects.get(key=f"policy:{version.pk}")
    progress = fan_out_progress(fan_out=run)
    assert (progress.total, progress.queued, progress.sent, progress.failed, progress.finished) == (2, 2, 2, 0, True)


def test_announcing_again_tells_nobody_twice_and_reaches_newcomers():
    earlier = UserFactory()
    version = published()
    assert services.policy_announce(version=version) == 1
    assert services.policy_announce(version=version) == 0  # nobody new: nothing written
    newcomer = UserFactory()

    assert services.policy_announce(version=version) == 1

    assert told() == sorted([earlier.pk, newcomer.pk])
    assert InboxMessage.objects.filter(kind="policy_changed").count() == 2


def test_someone_who_joins_after_the_version_takes_effect_is_not_told_of_it():
    UserFactory()
    version = published(effective_in=DAY)
    services.policy_announce(version=version)
    later = UserFactory()
    type(later).objects.filter(pk=later.pk).update(date_joined=version.effective_at + DAY)

    assert services.policy_announce(version=version) == 0
    assert later.pk not in told()


def test_a_run_that_dies_midway_resumes_without_telling_anyone_twice():
    people = [UserFactory() for _ in range(5)]
    version = published()

    assert services.policy_announce(version=version, batch_size=2, max_batches=1) == 2  # then the worker dies
    run = FanOut.objects.get(key=f"policy:{version.pk}")
    assert run.finished_at is None and run.recipients.count() == 2

    assert services.policy_announce(version=version, batch_size=2) == 3
    assert told() == sorted(p.pk for p in people)
    assert InboxMessage.objects.filter(kind="policy_changed").count() == 5


def test_beat_resumes_stalled_runs_and_offers_upcoming_versions_again():
    from consents.policy_acceptance.tasks import policy_announcements_resume

    people = [UserFactory(date_joined=timezone.now() - 10 * DAY) for _ in range(3)]
    upcoming = published()
    in_effect = published("2026.3", effective_in=DAY)
    services.policy_announce(version=in_effect, batch_size=1, max_batches=1)  # then the worker dies
    PolicyVersion.objects.filter(pk=in_effect.pk).update(effective_at=timezone.now() - DAY)
    # Its run is fresh (maybe still working): only the upcoming version is offered.
    assert services.policy_announcements_to_resume(stale_after=5 * MINUTE) == [upcoming.pk]

    FanOut.objects.filter(key=f"policy:{in_effect.pk}").update(updated_at=timezone.now() - 10 * MINUTE)
    assert services.policy_announcements_to_resume(stale_after=5 * MINUTE) == sorted([upcoming.pk, in_effect.pk])

    assert policy_announcements_resume() == 2  # eager in tests: both run to the end
    for version in (upcoming, in_effect):
        emails = OutboxEmail.objects.filter(kind="policy_changed", subject__contains=version.version)
        assert sorted(emails.values_list("recipient", flat=True)) == sorted(p.pk for p in people)
    # Finished and in effect: not offered again; the upcoming one is, and tells nobody twice.
    assert services.policy_announcements_to_resume(stale_after=5 * MINUTE) == [upcoming.pk]
    assert policy_announcements_resume() == 1
    assert OutboxEmail.objects.filter(kind="policy_changed").count() == 6


def test_a_draft_is_not_announced():
    with pytest.raises(ValueError):
        services.policy_announce(version=draft())


def test_publish_sets_the_date_records_audit_and_sends_after_commit(superuser, django_capture_on_commit_callbacks):
    citizen = UserFactory(language="en")
    version = draft()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(version=version, actor=superuser)
    version.refresh_from_db()
    assert before <= version.published_at <= timezone.now()
    assert AuditEvent.objects.filter(action="consent.policy_published", actor_id=superuser.pk).exists()
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    # Publishing again keeps the date and tells nobody twice.
    published_at = version.published_at
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(version=version, actor=superuser)
    version.refresh_from_db()
    assert version.published_at == published_at and len(mail.outbox) == 1


def test_publish_refuses_a_draft_whose_effective_date_has_come(officer, django_capture_on_commit_callbacks):
    UserFactory()
    version = draft(effective_in=-DAY)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        services.policy_publish(version=version, actor=officer)
    assert refused.value.code == "past"
    version.refresh_from_db()
    assert services.policy_is_draft(version=version)
    assert not AuditEvent.objects.filter(action="consent.policy_published").exists()
    assert not OutboxEmail.objects.filter(kind="policy_changed").exists()


# -- Admin ---------------------------------------------------------------------------------------------


def test_admin_creates_a_draft_that_nobody_sees(verified_client, superuser):
    admin = verified_client(superuser)
    first = PolicyVersion.objects.get(version="2026.1")
    effective = timezone.localtime(timezone.now() + 30 * DAY)
    answer = admin.post(
        "/admin/consents/policyversion/add/",
        {
            "version": "2026.2",
            "text_zh": first.text_zh,
            "text_en": first.text_en,
            "summary_zh": "摘要",
            "summary_en": "Summary",
            "material": "on",
            "effective_at_0": effective.strftime("%Y-%m-%d"),
            "effective_at_1": effective.strftime("%H:%M:%S"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    version = PolicyVersion.objects.get(version="2026.2")
    assert services.policy_is_draft(version=version)
    visitor = Client()
    assert visitor.get("/policy/2026.2/").status_code == 404
    assert 'data-testid="policy-banner"' not in visitor.get("/").content.decode()
    assert "Draft (not published)" in admin.get(CHANGELIST, **EN).content.decode()


def test_admin_refuses_a_past_effective_date(verified_client, superuser):
    admin = verified_client(superuser)
    past = timezone.localtime(timezone.now() - DAY)
    answer = admin.post(
        "/admin/consents/policyversion/add/",
        {
            "version": "2026.2",
            "text_zh": "x",
            "text_en": "x",
            "effective_at_0": past.strftime("%Y-%m-%d"),
            "effective_at_1": past.strftime("%H:%M:%S"),
        },
        **EN,
    )
    assert answer.status_code == 200 and "Choose a future date" in answer.content.decode()
    assert not PolicyVersion.objects.filter(version="2026.2").exists()


def test_publish_action_asks_for_confirmation_then_publishes(
    verified_client, superuser, django_capture_on_commit_callbacks
):
    UserFactory()
    version = draft()
    admin = verified_client(superuser)
    data = {"action": "publish", "_selected_action": [version.pk]}
    confirm = admin.post(CHANGELIST, data, **EN)
    assert confirm.status_code == 200 and "Yes, publish and announce" in confirm.content.decode()
    version.refresh_from_db()
    assert services.policy_is_draft(version=version)
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(CHANGELIST, {**data, "confirm": "yes"}, **EN)
    assert done.status_code == 302
    version.refresh_from_db()
    assert not services.policy_is_draft(version=version)
    assert OutboxEmail.objects.filter(kind="policy_changed").count() == 1


def test_published_text_is_read_only_and_cannot_be_deleted(verified_client, superuser):
    version = draft()
    services.policy_publish(version=version, actor=superuser)
    admin = verified_client(superuser)
    page = admin.get(f"{CHANGELIST}{version.pk}/change/").content.decode()
    assert 'name="text_en"' not in page and 'name="effective_at_0"' not in page
    admin.post(f"{CHANGELIST}{version.pk}/change/", {"text_en": "changed", "version": "9"})
    version.refresh_from_db()
    assert version.text_en != "changed" and version.version == "2026.2"
    assert admin.post(f"{CHANGELIST}{version.pk}/delete/").status_code == 403
    draft_page = admin.get(f"{CHANGELIST}{draft('2026.3').pk}/change/").content.decode()
    assert 'name="text_en"' in draft_page


def test_publish_action_shows_why_a_past_draft_was_not_published(verified_client, officer):
    version = draft(effective_in=-DAY)
    admin = verified_client(officer)
    data = {"action": "publish", "_selected_action": [version.pk], "confirm": "yes"}
    done = admin.post(CHANGELIST, data, follow=True, **EN)
    assert "was not published: its effective date has passed" in done.content.decode()
    version.refresh_from_db()
    assert services.policy_is_draft(version=version)
