"""The consent ledger against someone who can write to the database without the portal.

Each test plays a database superuser: triggers and foreign-key checks off
(``session_replication_role = replica``), raw SQL. Each change must be found
by the consent check or the verifier, as an auditor would notice it.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consents import checkpoints, services
from consents.hashing import GENESIS_HASH, consent_event_hash
from consents.models import ConsentEvent, ConsentState, ConsentSubject, Partner, Purpose
from consents.selectors import consent_check, consent_ledger_verify, consent_missing_ids
from core.hash_chain import UNKEYED
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
    # The check reads a state together with its event: without one, there is no consent to find.
    assert consent_check(subject=citizen, purpose=surveys).reason == "not_granted"
    report = consent_ledger_verify()
    assert [(s.purpose, s.granted) for s in report.unbacked] == [("surveys", True)]


@pytest.fixture
def checkpointed(monkeypatch, citizen, surveys):
    """Two people with histories, then a checkpoint as beat writes it (settled at once, for the test)."""
    monkeypatch.setattr(checkpoints, "SETTLE", timedelta(0))
    other = UserFactory()
    for person in (citizen, other):
        services.consent_grant(subject=person, purpose=surveys)
        services.consent_withdraw(subject=person, purpose=surveys)
    checkpoint = checkpoints.consent_checkpoint_write()
    assert checkpoint is not None and (checkpoint.head["subjects"], checkpoint.head["events"]) == (2, 4)
    report = consent_ledger_verify()
    assert report.ok and report.checkpoint_at == checkpoint.at
    return checkpoint


def test_one_persons_chain_rewritten_is_detected(checkpointed, citizen, surveys):
    """The withdrawal turned back into a grant, the chain re-hashed with plain SHA-256, head and state to match."""
    head = ConsentSubject.objects.get(user=citizen)
    statements, prev_hash = [], GENESIS_HASH
    for event in ConsentEvent.objects.filter(subject_ref=head.ref).order_by("seq"):
        digest = consent_event_hash(
            seq=event.seq,
            prev_hash=prev_hash,
            key_id=UNKEYED,
            subject_ref=event.subject_ref,
            purpose_id=event.purpose_id,
            purpose_version=event.purpose_version,
            partner_id=event.partner_id,
            action="granted",
            policy_version_id=event.policy_version_id,
            channel=event.channel,
            actor_id=event.actor_id,
            created_at=event.created_at,
        )
        statements.append(
            (
                "UPDATE consents_consentevent SET action = 'granted', prev_hash = %s, hash = %s, key_id = ''"
                " WHERE id = %s",
                [prev_hash, digest, event.pk],
            )
        )
        prev_hash = digest
    statements.append(("UPDATE consents_consentsubject SET last_hash = %s WHERE id = %s", [prev_hash, head.pk]))
    statements.append(("UPDATE consents_consentstate SET granted = true WHERE subject_id = %s", [citizen.pk]))
    _as_superuser(*statements)

    report = consent_ledger_verify()
    assert report.broken_subject is None and not report.unbacked  # consistent in itself: only the checkpoint knows
    assert not report.ok
    assert report.checkpoint_problem.startswith("the chains as of ") and checkpointed.at in report.checkpoint_problem
    with pytest.raises(CommandError, match="Consent ledger contradicts its checkpoint: the chains as of"):
        call_command("verify_consent_ledger")


def test_one_persons_events_and_subject_row_deleted_are_detected(checkpointed, citizen, caplog):
    _as_superuser(
        ("DELETE FROM consents_consentstate WHERE subject_id = %s", [citizen.pk]),
        ("DELETE FROM consents_consentevent WHERE subject_id = %s", [citizen.pk]),
        ("DELETE FROM consents_consentsubject WHERE user_id = %s", [citizen.pk]),
    )
    services.consent_grant(subject=UserFactory(), purpose=Purpose.objects.get(code="surveys"))  # life goes on

    report = consent_ledger_verify()
    assert report.broken_subject is None and not report.unbacked
    assert report.checkpoint_problem == (
        f"4 events of 2 people up to {checkpointed.head['as_of']} were checkpointed at {checkpointed.at}; "
        "2 events of 1 people remain"
    )
    # Beat does not make the ledger without this person the new reference.
    assert checkpoints.consent_checkpoint_write() is None
    assert "consent ledger checkpoint refused" in caplog.text


def test_checkpoints_follow_a_growing_ledger(checkpointed, surveys):
    services.consent_grant(subject=UserFactory(), purpose=surveys)
    later = checkpoints.consent_checkpoint_write()
    assert later is not None and (later.head["subjects"], later.head["events"]) == (3, 5)
    report = consent_ledger_verify()
    assert report.ok and report.checkpoint_at == later.at


def test_a_partner_state_pointed_back_at_the_old_grant_is_refused(citizen, surveys):
    supplier = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=citizen, purpose=surveys)
    grant = services.consent_grant(subject=citizen, purpose=surveys, partner=supplier)
    services.consent_withdraw(subject=citizen, purpose=surveys, partner=supplier)
    assert consent_check(subject=citizen, purpose=surveys).allowed
    _as_superuser(
        (
            "UPDATE consents_consentstate SET granted = true, event_id = %s WHERE subject_id = %s AND partner_id = %s",
            [grant.pk, citizen.pk, supplier.pk],
        ),
    )
    assert consent_check(subject=citizen, purpose=surveys, partner=supplier).reason == "partner_not_backed_by_ledger"
    assert consent_check(subject=citizen, purpose=surveys).allowed  # the purpose's own state is untouched
    assert [(s.purpose, s.partner) for s in consent_ledger_verify().unbacked] == [("surveys", "survey_partner")]
