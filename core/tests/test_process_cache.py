"""Tables kept in process memory follow changes made by any process (core.process_cache).

Two ``ProcessTable`` instances with one name stand in for two processes: each
has its own copy, and they share only the generation in the Django cache.
"""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction

from core import process_cache
from core.process_cache import ProcessTable

pytestmark = pytest.mark.django_db


def _group_names() -> set[str]:
    # Only the groups the tests make: the migrations add the staff roles.
    return set(Group.objects.filter(name__startswith="pc-").values_list("name", flat=True))


@pytest.fixture
def name():
    # A generation of its own: the cache is shared by the tests of a run.
    return f"test-groups-{uuid.uuid4().hex}"


@pytest.fixture
def processes(name):
    """Two processes' copies of the groups; only the first listens to the model's signals."""
    this = ProcessTable(name, _group_names)
    this.invalidate_on(Group)
    other = ProcessTable(name, _group_names)
    return this, other


# What the request_started and request_finished receivers do; sending the signals
# themselves would also close the test's database connection.
_request = process_cache._request_begins
_request_end = process_cache._request_ends


def test_a_warm_read_costs_no_query(processes, django_assert_num_queries):
    this, _ = processes
    # Not through save(): a change this transaction made would keep the table from being kept (see below).
    Group.objects.bulk_create([Group(name="pc-clerks")])
    with django_assert_num_queries(1):
        assert this.get() == {"pc-clerks"}
    with django_assert_num_queries(0):
        assert this.get() == {"pc-clerks"}


def test_a_change_in_one_process_is_seen_by_the_other_at_once(processes):
    this, other = processes
    assert other.get() == set()
    Group.objects.create(name="pc-clerks")  # in "this" process: its signal bumps the shared generation
    assert other.get() == {"pc-clerks"}


def test_a_deleted_row_vanishes_from_the_other_process(processes):
    this, other = processes
    clerks = Group.objects.create(name="pc-clerks")
    assert other.get() == {"pc-clerks"}
    clerks.delete()
    assert other.get() == set()


def test_a_change_without_signals_is_seen_once_invalidated(processes):
    this, other = processes
    Group.objects.create(name="pc-clerks")
    assert other.get() == {"pc-clerks"}
    Group.objects.filter(name="pc-clerks").update(name="pc-officers")  # no signal
    assert other.get() == {"pc-clerks"}
    this.invalidate()
    assert other.get() == {"pc-officers"}


def test_the_generation_is_asked_once_per_request(processes, monkeypatch):
    this, other = processes
    other.get()  # the first read ever also starts the generation
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: asked.append(key) or real_get(key, *args, **kwargs))
    _request()
    try:
        assert other.get() == set()
        other.get()
        other.get()
        assert asked.count(other.key) == 1
        # A change during the request: the request goes on with the copy it started with.
        Group.objects.create(name="pc-clerks")
        assert other.get() == set()
    finally:
        _request_end()
    _request()
    try:
        assert other.get() == {"pc-clerks"}
    finally:
        _request_end()


def test_outside_a_request_every_read_asks(processes, monkeypatch):
    _, other = processes
    other.get()
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: asked.append(key) or real_get(key, *args, **kwargs))
    other.get()
    other.get()
    assert asked.count(other.key) == 2


def test_a_generation_gone_from_the_cache_counts_as_a_change(processes):
    _, other = processes
    assert other.get() == set()
    Group.objects.bulk_create([Group(name="pc-clerks")])  # no signal
    cache.delete(other.key)
    assert other.get() == {"pc-clerks"}


def test_rows_a_transaction_may_still_roll_back_are_never_kept(processes):
    this, other = processes
    assert this.get() == set()

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        Group.objects.create(name="pc-clerks")
        # The changing transaction sees its own rows...
        assert this.get() == {"pc-clerks"}
        raise Abandon
    # ...and after the rollback nobody keeps them.
    assert this.get() == set()
    assert other.get() == set()


def test_the_generation_moves_again_after_commit(processes, django_capture_on_commit_callbacks):
    this, other = processes
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.create(name="pc-clerks")
        # Another process reloads between the change and the commit, and so reads the rows
        # as they were before (simulated: the other copy is set to what it would have read).
        between = cache.get(other.key)
        other._loaded = (between, set())
    assert cache.get(other.key) != between
    assert other.get() == {"pc-clerks"}


def test_a_migration_counts_as_a_change(processes):
    # Data migrations write through historical models, whose signals reach no table.
    _, other = processes
    assert other.get() == set()
    Group.objects.bulk_create([Group(name="pc-clerks")])
    process_cache._migrated()  # what post_migrate calls; sending the signal would run every app's receivers
    assert other.get() == {"pc-clerks"}


def test_a_request_reads_every_tables_generation_in_one_round_trip(processes, monkeypatch):
    _, other = processes
    second = ProcessTable(f"{other.name}-second", _group_names)
    other.get(), second.get()  # the generations exist
    batches = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **kw: batches.append(set(keys)) or real_get_many(keys))
    _request()
    try:
        other.get()
        second.get()
    finally:
        _request_end()

    assert len(batches) == 1
    assert {other.key, second.key} <= batches[0]


def test_an_entry_asked_for_at_the_start_of_a_request_brings_the_generations_along(processes, monkeypatch):
    this, other = processes
    other.get()
    cache.set("pc-principal", "someone")
    batches = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **kw: batches.append(set(keys)) or real_get_many(keys))
    _request()
    try:
        found, counted = process_cache.request_generations_with(["pc-principal", "pc-absent"])
        assert (found, counted) == ({"pc-principal": "someone"}, None)
        assert other.get() == set()
        # Changed meanwhile by another process: this request keeps the copy whose generation it read.
        Group.objects.create(name="pc-clerks")
        assert other.get() == set()
    finally:
        _request_end()
    assert len(batches) == 1  # the table's read asked nothing more
    assert {"pc-principal", other.key} <= batches[0]
    monkeypatch.undo()
    _request()
    try:
        assert other.get() == {"pc-clerks"}
    finally:
        _request_end()
