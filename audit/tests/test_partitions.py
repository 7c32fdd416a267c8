"""Which chain an event joins: by target, else actor, else action; stable across processes and releases."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.partitions import partition_count, partition_for, partition_key
from audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_key_is_the_target_then_the_actor_then_the_action():
    assert partition_key(target_type="accounts.user", target_id="42", actor_id=7, action="x") == (
        "target:accounts.user:42"
    )
    assert partition_key(target_type="", target_id="", actor_id=7, action="x") == "actor:7"
    assert partition_key(target_type="", target_id="", actor_id=None, action="system.sweep") == "action:system.sweep"


def test_a_key_always_falls_in_the_same_partition():
    """Fixed values: a change to the hashing would split every object's history over two chains."""
    assert partition_for("target:accounts.user:42", partitions=64) == 45
    assert partition_for("actor:7", partitions=64) == 14


def test_events_about_one_object_form_one_chain_whoever_acts():
    person, officer = UserFactory(), UserFactory()
    first = audit_record(actor=person, action="profile.changed", target=person)
    second = audit_record(actor=officer, action="personal_data.revealed", target=person)
    assert first.partition == second.partition and (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash


@pytest.mark.parametrize("value", [0, 257, "8"])
def test_a_partition_count_out_of_range_is_refused(settings, value):
    settings.AUDIT_CHAIN_PARTITIONS = value
    with pytest.raises(ImproperlyConfigured):
        partition_count()
