"""The fan-out's set-based writer: languages, odd recipient queries, reopening, the portable path."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from notifications import fanout
from notifications.models import FanOut, FanOutRecipient, InboxMessage, OutboxEmail
from notifications.services import notification_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice_context(make_incident):
    return {"incident": make_incident()}


def _run(key, people, context, **options):
    run = fanout.fan_out_start(key=key, kind="security_incident", recipients=people)
    return run, fanout.fan_out_run(fan_out=run, recipients=people, context=context, **options)


def test_an_empty_or_unknown_language_reads_the_default_language(notice_context):
    blank = UserFactory(language="")
    odd = UserFactory(language="fr")
    people = get_user_model().objects.filter(pk__in=[blank.pk, odd.pk])

    _run("test:languages", people, notice_context)

    for person in (blank, odd):
        email = OutboxEmail.objects.get(recipient=person)
        assert email.language == "zh-hans"
        assert "数据泄露" in email.subject
        assert "请修改密码。" in InboxMessage.objects.get(recipient=person).body


def test_a_join_that_lists_a_person_twice_still_tells_them_once(notice_context):
    twice = UserFactory()
    once = UserFactory()
    UserFactory()  # no inbox message: not selected
    for person in (twice, twice, once):
        notification_send(recipient=person, kind="welcome")
    people = get_user_model().objects.filter(inbox_messages__kind="welcome")
    assert people.count() == 3  # the join repeats ``twice``

    run, told = _run("test:join", people, notice_context, batch_size=1)

    assert told == 2
    assert set(FanOutRecipient.objects.filter(fan_out=run).values_list("user", flat=True)) == {twice.pk, once.pk}
    assert OutboxEmail.objects.filter(kind="security_incident", recipient=twice).count() == 1


def test_reopening_tells_only_people_who_joined_the_audience_since(notice_context):
    first = UserFactory()
    people = get_user_model().objects.filter(is_active=True, is_staff=False)
    run, told = _run("test:reopen", people, notice_context)
    assert told == 1 and run.finished_at is not None

    assert fanout.fan_out_reopen(fan_out=run, recipients=people) is False  # nobody new: stays finished
    newcomer = UserFactory()
    assert fanout.fan_out_reopen(fan_out=run, recipients=people) is True
    assert (run.total, run.cursor, run.finished_at) == (2, 0, None)

    assert fanout.fan_out_run(fan_out=run, recipients=people, context=notice_context) == 1
    for person in (first, newcomer):
        assert OutboxEmail.objects.filter(kind="security_incident", recipient=person).count() == 1
    run.refresh_from_db()
    assert run.finished_at is not None


def test_the_portable_path_used_on_sqlite_writes_the_same_rows(notice_context, monkeypatch):
    """``make run`` uses SQLite: the ORM fallback must tell the same people the same thing, resumably."""
    people_list = [UserFactory(language="en" if i % 2 else "zh-hans") for i in range(5)]
    no_address = UserFactory(email="")
    people = get_user_model().objects.filter(pk__in=[p.pk for p in [*people_list, no_address]])
    monkeypatch.setattr(connection, "vendor", "sqlite")

    run = fanout.fan_out_start(key="test:portable", kind="security_incident", recipients=people)
    with CaptureQueriesContext(connection) as queries:
        assert (
            fanout.fan_out_run(fan_out=run, recipients=people, context=notice_context, batch_size=4, max_batches=1) == 4
        )
        assert fanout.fan_out_run(fan_out=run, recipients=people, context=notice_context, batch_size=4) == 2
    assert not any(q["sql"].startswith("WITH") for q in queries)  # the PostgreSQL statement was not used

    for person in people_list:
        email = OutboxEmail.objects.get(recipient=person, kind="security_incident")
        assert ("Data leak" in email.subject) == (person.language == "en")
        assert FanOutRecipient.objects.get(fan_out=run, user=person).outbox_email == email
    assert FanOutRecipient.objects.get(fan_out=run, user=no_address).outbox_email is None
    assert InboxMessage.objects.filter(kind="security_incident").count() == 6


def test_announcements_made_before_the_move_count_as_told(notice_context):
    """The data migration turns old "told" inbox messages into fan-out records, so a re-run repeats nobody."""
    from django.utils import timezone

    from consents.models import PolicyVersion
    from consents.policy_acceptance import services as policy

    first = PolicyVersion.objects.get(version="2026.1")
    version = PolicyVersion.objects.create(
        version="2026.7",
        text_zh=first.text_zh,
        text_en=first.text_en,
        material=False,
        published_at=timezone.now(),
        effective_at=timezone.now() + timedelta(days=30),
    )
    told_before, not_told = UserFactory(), UserFactory()
    InboxMessage.objects.create(
        recipient=told_before, kind="policy_changed", subject="s", body="… /policy/2026.7/changes/ …"
    )
    migration = importlib.import_module("incidents.migrations.0002_policy_announcements_on_fan_out")
    # The models as that migration knew them (the fan-out lived in incidents then).
    state = MigrationExecutor(connection).loader.project_state(("incidents", "0002_policy_announcements_on_fan_out"))

    migration.record_earlier_announcements(state.apps, None)

    run = FanOut.objects.get(key=f"policy:{version.pk}")
    assert list(run.recipients.values_list("user", flat=True)) == [told_before.pk]
    assert policy.policy_announce(version=version) == 1
    assert set(OutboxEmail.objects.filter(kind="policy_changed").values_list("recipient", flat=True)) == {not_told.pk}
