"""The consent ledger against someone who can write to the database without the portal.

Each test plays a database superuser: triggers and foreign-key checks off
(``session_replication_role = replica``), raw SQL. Each change must be found
by the consent check or the verifier, as an auditor would notice it.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consents import services
from consents.models import ConsentEvent, ConsentState, ConsentSubject, Purpose
from consents.selectors import consent_check, consent_ledger_verify, consent_missing_ids
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _as_superuser(*statements):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def surveys():
    return Purpose.objects.get(code="surveys")


@pytest.fixture
def withdrawn(citizen, surveys):
    """A citizen who agreed to surveys and then withdrew."""
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_withdraw(subject=citizen, purpose=surveys)
    assert not consent_check(subject=citizen, purpose=surveys).allowed
    assert consent_ledger_verify().ok
    return citizen


def test_a_state_flipped_from_withdrawn_to_granted_is_refused_and_reported(withdrawn, surveys, capsys):
    _as_superuser(
        ("UPDATE consents_consentstate SET granted = true WHERE subject_id = %s", [withdrawn.pk]),
    )
    assert ConsentState.objects.get(subject=withdrawn, purpose=surveys).granted

    decision = consent_check(subject=withdrawn, purpose=surveys)
    assert not decision.allowed and decision.reason == "not_backed_by_ledger"
    assert list(consent_missing_ids(user_ids=[withdrawn.pk], purpose=surveys)) == [withdrawn.pk]

    report = consent_ledger_verify()
    assert not report.ok and report.broken_subject is None  # every chain is whole; the state is what lies
    ref = str(ConsentSubject.objects.get(user=withdrawn).ref)
    assert [(s.subject_ref, s.purpose, s.partner, s.granted) for s in report.unbacked] == [(ref, "surveys", None, True)]
    with pytest.raises(CommandError, match=f"not backed by the ledger: subject {ref}, purpose surveys"):
        call_command("verify_consent_ledger")


def test_a_state_pointed_back_at_the_old_grant_is_refused_and_reported(withdrawn, surveys):
    grant = ConsentEvent.objects.get(subject=withdrawn, seq=1)
    _as_superuser(
        (
            "UPDATE consents_consentstate SET granted = true, event_id = %s WHERE subject_id = %s",
            [grant.pk, withdrawn.pk],
        ),
    )
    assert consent_check(subject=withdrawn, purpose=surveys).reason == "not_backed_by_ledger"
    assert [s.purpose for s in consent_ledger_verify().unbacked] == ["surveys"]


def test_a_state_borrowing_another_persons_grant_is_refused(withdrawn, surveys):
    other = UserFactory()
    grant = services.consent_grant(subject=other, purpose=surveys)
    _as_superuser(
        (
            "UPDATE consents_consentstate SET granted = true, event_id = %s WHERE subject_id = %s",
            [grant.pk, withdrawn.pk],
        ),
    )
    assert consent_check(subject=withdrawn, purpose=surveys).reason == "not_backed_by_ledger"
    assert consent_check(subject=other, purpose=surveys).allowed
    assert len(consent_ledger_verify().unbacked) == 1


def test_a_state_whose_event_was_deleted_is_refused_and_reported(citizen, surveys):
    services.consent_grant(subject=citizen, purpose=surveys)
    _as_superuser(("DELETE FROM consents_consentevent WHERE subject_id = %s", [citizen.pk]))
    assert consent_check(subject=citizen, purpose=surveys).reason == "not_backed_by_ledger"
    report = consent_ledger_verify()
    assert [(s.purpose, s.granted) for s in report.unbacked] == [("surveys", True)]
