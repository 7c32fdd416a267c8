"""Small, rarely changed tables kept whole in each process's memory, fresh across processes.

The consent check and the signed-in pages read the same few rows on every
request: the purposes, the partners, the policy versions. They change a few
times a year, through admin. A :class:`ProcessTable` loads such a table once
per process and answers from memory; a *generation* token in the shared
Django cache (Redis in production, so every process of the deployment sees
it) says when to load again.

Freshness: the first read of a table in a request asks the shared cache for
the generation (one cache get, no query) and reloads when it differs from the
one loaded; later reads in the same request answer from memory without asking
again, so a request sees one consistent copy and pays one round trip per
table at most. Outside a request (tasks, commands, shells) every read asks, as
there is no request to bound the staleness by. "Once per N ms" was the other
candidate: it saves the round trip on busy processes, but lets a withdrawn
partner or a deactivated purpose be answered from a stale copy for N ms after
the change; once per request costs about 0.1 ms of Redis and answers at once.

A change bumps the generation twice: at once (so other processes stop
trusting their copies), and again after the transaction commits (a process
that reloaded in between read the rows as they were before the commit and
must load again). Until then, a read in the changing transaction loads from
the database without keeping the result, so rows that may still be rolled
back never reach the process's copy. A generation that is missing from the
cache (evicted, cache cleared) counts as a change.

Bumps come from the models' ``post_save``, ``post_delete`` and
``m2m_changed`` signals (:meth:`ProcessTable.invalidate_on`), and from
``migrate``; code that writes with ``QuerySet.update()`` or raw SQL (no
signals) calls :meth:`ProcessTable.invalidate` itself. While Redis does not answer, the
cache falls back to process memory (``core.cache``) and each process then
only sees its own changes until Redis is back.

The values handed out are shared by every request of the process: treat them
as read-only.
"""

import secrets
import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from .cache import get_many_and_count

T = TypeVar("T")

KEY_PREFIX = "process-table:"

_MISSING = object()


class _RequestState(threading.local):
    """Which request this thread is serving: a number that changes with every request, or None outside one."""

    serial: int | None = None


_request = _RequestState()
_serials = iter(range(1, 2**63))
_serials_lock = threading.Lock()
_tables: "weakref.WeakSet[ProcessTable]" = weakref.WeakSet()


def _request_begins(**kwargs) -> None:
    with _serials_lock:
        _request.serial = next(_serials)


def _request_ends(**kwargs) -> None:
    _request.serial = None


request_started.connect(_request_begins, dispatch_uid="core.process_cache.request_started")
request_finished.connect(_request_ends, dispatch_uid="core.process_cache.request_finished")


class _Seen(threading.local):
    serial: int | None = None


class _RequestGenerations(threading.local):
    """Every table's generation, read in one round trip at the first table read of a request."""

    serial: int | None = None
    values: dict[str, str] | None = None


_request_generations = _RequestGenerations()


def _generation_in_request(key: str) -> str | None:
    """``key``'s generation as this request first saw it; a plain get outside a request.

    A signed-in page reads three or four tables: the first read asks for the
    generations of every table this process keeps (one ``get_many``) instead of
    one round trip each. A table read for the first time later in the request
    finds no generation there and asks on its own (``_generation``).
    """
    serial = _request.serial
    if serial is None:
        return cache.get(key)
    seen = _request_generations
    if seen.serial != serial or seen.values is None:
        # The tables this process keeps a copy of: one it never read needs no generation yet.
        keys = {table.key for table in list(_tables) if table._loaded is not _MISSING} | {key}
        if len(keys) == 1:
            value = cache.get(key)
            seen.values = {} if value is None else {key: value}
        else:
            seen.values = cache.get_many(list(keys))
        seen.serial = serial
    return seen.values.get(key)


def request_generations_with(keys: list[str], *, count: tuple[str, int] | None = None) -> tuple[dict, int | None]:
    """``keys`` from the shared cache, in the same round trip as this request's table generations.

    A caller that needs cache entries of its own at the start of a request (the
    consent check: the bearer token's principal) asks for them here: the tables'
    generations come along in the one ``get_many`` and the request's first table
    read then asks nothing. Outside a request, or once the generations were
    read, only ``keys`` are asked for. ``count=(counter key, timeout)`` also
    counts one in that window counter (``core.cache.window_count``) in the same
    round trip, and returns the new count beside the values.
    """
    serial = _request.serial
    seen = _request_generations
    tables: set[str] = set()
    if serial is not None and (seen.serial != serial or seen.values is None):
        tables = {table.key for table in list(_tables) if table._loaded is not _MISSING}
    asked = list(tables | set(keys))
    if count is None:
        values, counted = cache.get_many(asked), None
    else:
        values, counted = get_many_and_count(cache, asked, *count)
    if tables:
        seen.values = {key: values[key] for key in tables if key in values}
        seen.serial = serial
    return {key: values[key] for key in keys if key in values}, counted


class ProcessTable(Generic[T]):
    """One table (or a few read together) loaded by ``load`` and kept in this process.

    ``name`` names the generation in the shared cache: two instances with the
    same name (two processes, or a test standing in for one) see each other's
    changes. ``load`` returns the whole value, typically dicts by code.
    """

    def __init__(self, name: str, load: Callable[[], T], *, using: str = DEFAULT_DB_ALIAS):
        self.name = name
        self.key = f"{KEY_PREFIX}{name}"
        self.using = using
        self._load = load
        # (generation, value) replaced as one object, so a concurrent reader never sees a mixed pair.
        self._loaded: tuple[str, T] | object = _MISSING
        self._seen = _Seen()
        _tables.add(self)

    def __repr__(self) -> str:
        return f"<ProcessTable {self.name}>"

    def get(self) -> T:
        """The table, from memory when its generation has not moved (checked once per request)."""
        if self._pending_here():
            # This transaction changed the table: its rows may still roll back, so they are not kept.
            return self._load()
        loaded = self._loaded
        serial = _request.serial
        if loaded is not _MISSING and serial is not None and self._seen.serial == serial:
            return loaded[1]  # type: ignore[index]
        generation = self._generation()
        if loaded is _MISSING or loaded[0] != generation:  # type: ignore[index]
            # The generation is read before the rows: a change committed in between moves it again.
            value = self._load()
            self._loaded = loaded = (generation, value)
        self._seen.serial = serial
        return loaded[1]  # type: ignore[index]

    def invalidate(self, **kwargs) -> None:
        """The table changed (a signal receiver too): every process loads it again on its next read."""
        self._loaded = _MISSING
        self._bump()
        connection = transaction.get_connection(self.using)
        if connection.in_atomic_block:

            def bump_after_commit() -> None:
                self._loaded = _MISSING
                self._bump()

            bump_after_commit.process_table = self  # type: ignore[attr-defined]
            transaction.on_commit(bump_after_commit, using=self.using)

    def invalidate_on(self, *senders) -> None:
        """Invalidate when a row of any of ``senders`` (models, or m2m ``through`` models) changes."""
        for sender in senders:
            # The instance in the uid: a test may stand in for a second process with a second instance.
            uid = f"process-table:{self.name}:{id(self)}:{sender._meta.label}"
            post_save.connect(self.invalidate, sender=sender, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(self.invalidate, sender=sender, weak=False, dispatch_uid=f"{uid}:delete")
            m2m_changed.connect(self._m2m_changed, sender=sender, weak=False, dispatch_uid=f"{uid}:m2m")

    def forget(self) -> None:
        """Drop this process's copy (and nothing shared): the next read asks the cache and loads."""
        self._loaded = _MISSING

    def _m2m_changed(self, action: str, **kwargs) -> None:
        if action.startswith("post_"):
            self.invalidate()

    def _generation(self) -> str:
        generation = _generation_in_request(self.key)
        if generation is None:
            # Evicted or never set: start one. ``add`` so that processes racing here agree on one.
            cache.add(self.key, secrets.token_hex(8), timeout=None)
            generation = cache.get(self.key)
        # Still None only if the cache keeps nothing (a dummy cache): then never trust the copy.
        return generation if generation is not None else secrets.token_hex(8)

    def _bump(self) -> None:
        cache.set(self.key, secrets.token_hex(8), timeout=None)

    def _pending_here(self) -> bool:
        """Whether the current transaction changed the table and has not committed yet."""
        connection = transaction.get_connection(self.using)
        if not connection.in_atomic_block:
            return False
        # Django drops the callbacks of a rolled-back transaction or savepoint from this list.
        return any(getattr(callback, "process_table", None) is self for _, callback, _ in connection.run_on_commit)


def _migrated(**kwargs) -> None:
    # A data migration writes through historical models, whose signals reach no table: start afresh.
    for table in list(_tables):
        table._bump()


post_migrate.connect(_migrated, dispatch_uid="core.process_cache.post_migrate")


def process_tables_forget() -> None:
    """Drop every table's copy in this process (tests: each starts from the database it sees)."""
    for table in list(_tables):
        table.forget()
