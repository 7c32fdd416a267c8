import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consents import services
from consents.models import ConsentEvent, ConsentState, Purpose
from consents.models.ledger import LedgerAppendOnlyError
from consents.selectors import consent_ledger_verify, consents_current_for
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def optional_purposes():
    return list(Purpose.objects.filter(kind="optional", sensitive=False).order_by("code")[:3])


def _raw(sql, params=()):
    """Tamper as someone with superuser access to the database would: no triggers, no FK checks."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _history(user, purposes):
    services.consent_grant(subject=user, purpose=purposes[0])
    services.consent_grant(subject=user, purpose=purposes[1])
    services.consent_withdraw(subject=user, purpose=purposes[0])


def test_events_chain_per_person_and_verify(optional_purposes):
    alice, bob = UserFactory(), UserFactory()
    _history(alice, optional_purposes)
    _history(bob, optional_purposes)
    events = list(ConsentEvent.objects.filter(subject=alice).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    report = consent_ledger_verify()
    assert report.ok and report.events == 6 and report.subjects == 2


def test_verify_command_detects_a_changed_event(optional_purposes):
    user = UserFactory()
    _history(user, optional_purposes)
    _raw("UPDATE consents_consentevent SET action = 'granted' WHERE seq = 3")
    with pytest.raises(CommandError, match="content does not match"):
        call_command("verify_consent_ledger")


def test_verify_detects_a_missing_event_in_the_middle_and_at_the_end(optional_purposes):
    user = UserFactory()
    _history(user, optional_purposes)
    _raw("DELETE FROM consents_consentevent WHERE seq = 3")
    report = consent_ledger_verify()
    assert not report.ok and report.broken_seq == 3
    _raw("DELETE FROM consents_consentevent WHERE seq = 2")
    report = consent_ledger_verify()
    assert not report.ok and report.broken_seq == 2


def test_events_cannot_be_changed_or_deleted(optional_purposes):
    user = UserFactory()
    _history(user, optional_purposes)
    event = ConsentEvent.objects.first()
    with pytest.raises(LedgerAppendOnlyError):
        event.save()
    with pytest.raises(LedgerAppendOnlyError):
        ConsentEvent.objects.all().delete()
    with pytest.raises(LedgerAppendOnlyError):
        ConsentEvent.objects.update(action="granted")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consents_consentevent SET channel = 'api'")


def test_the_ledger_cannot_be_truncated(optional_purposes):
    _history(UserFactory(), optional_purposes)
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        # The test's own transaction holds deferred foreign-key checks, which TRUNCATE would refuse first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE consents_consentevent CASCADE")
    assert ConsentEvent.objects.count() == 3


def test_anonymising_the_subject_keeps_the_chain_verifiable(optional_purposes):
    user = UserFactory()
    _history(user, optional_purposes)
    assert ConsentEvent.objects.filter(subject=user).update(subject=None) == 3
    assert consent_ledger_verify().ok
    user.delete()
    assert ConsentEvent.objects.count() == 3
    assert consent_ledger_verify().ok


def test_basic_purposes_cannot_be_withdrawn():
    user = UserFactory()
    basic = Purpose.objects.get(code="service_provision")
    with translation.override("en"), pytest.raises(services.ConsentError, match="needed to provide the service"):
        services.consent_withdraw(subject=user, purpose=basic)
    with translation.override("zh-hans"), pytest.raises(services.ConsentError, match="不能撤回"):
        services.consent_withdraw(subject=user, purpose=basic)
    assert not ConsentEvent.objects.exists()


def test_a_minor_cannot_consent_alone_but_a_confirmed_guardian_can(optional_purposes):

    minor = UserFactory(is_minor=True)
    guardian = UserFactory()
    with pytest.raises(services.ConsentError):
        services.consent_grant(subject=minor, purpose=optional_purposes[0])
    with pytest.raises(services.ConsentError):
        services.consent_grant(subject=minor, purpose=optional_purposes[0], actor=guardian)
    GuardianLinkFactory(guardian=guardian, minor=minor, confirmed_at=None)
    event = services.consent_grant(subject=minor, purpose=optional_purposes[0], actor=guardian)
    assert event.actor == guardian
    assert ConsentState.objects.get(subject=minor, purpose=optional_purposes[0]).by_guardian
    # The child may still say no on their own.
    services.consent_withdraw(subject=minor, purpose=optional_purposes[0])
    assert not ConsentState.objects.get(subject=minor, purpose=optional_purposes[0]).granted


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(min_value=0, max_value=2), st.booleans()), min_size=1, max_size=12))
def test_current_state_always_matches_the_ledger(optional_purposes, steps):
    with transaction.atomic():
        user = UserFactory()
        for index, grant in steps:
            action = services.consent_grant if grant else services.consent_withdraw
            action(subject=user, purpose=optional_purposes[index])
        current = consents_current_for(subject=user)
        for purpose in optional_purposes:
            last = ConsentEvent.objects.filter(subject=user, purpose=purpose, partner=None).order_by("-seq").first()
            state = current.get((purpose.pk, None))
            if last is None:
                assert state is None
            else:
                assert state.granted == (last.action != "withdrawn")
                assert state.event_id == last.pk
        assert consent_ledger_verify().ok
        transaction.set_rollback(True)
