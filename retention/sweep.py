"""The retention sweep: delete or anonymise, rule by rule, every expired row no legal hold covers.

Set-based and resumable by design:

- Each batch is one statement in its own transaction: ``WITH batch AS
  (SELECT id, ctid ... ORDER BY id LIMIT n)``, held people and categories
  excluded by subqueries, then ``DELETE`` (or, to anonymise, ``UPDATE``) of
  exactly those rows, found by their physical address rather than by a
  second index lookup. The hold check is part of the statement that
  deletes, so a hold placed a moment earlier still wins, and no id list
  ever travels to Python and back. On SQLite (development) a batch is the
  same in two steps. Never ``QuerySet.delete()``: it loads every row,
  collects cascades in Python and sends a ``pre_delete`` and
  ``post_delete`` signal per row, which turns a one-second delete into
  minutes and hundreds of MB.
- A killed worker loses at most the batch it had not committed; the next
  run selects what is still expired and finishes the job. Running twice has
  the effect of running once.
- Batches commit without waiting for their WAL to be flushed
  (``synchronous_commit`` off, for that transaction only): waiting on the
  disk once per batch would cost more than the deletes. A database crash may
  undo the last few batches' commits; the rows are then still expired and
  the next run removes them. A killed worker loses nothing committed, and
  the report's ordinary commit flushes every batch before it to disk.
  Batches that remove files keep the ordinary commit, so a file is never
  gone while its row could come back.
- Rows that other rows point at are handled set-based too: children with
  ``SET_NULL`` are unlinked and ``CASCADE`` children (themselves without
  children) deleted by the batch's statement, and rows a ``PROTECT``/``RESTRICT``/``DO_NOTHING``
  reference still needs are left alone.
- One sweep at a time: a PostgreSQL session advisory lock (released with the
  connection, so a dead worker never leaves it taken).
"""

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from core.files import stored_files_remove
from personal_data.holds import category_held, held_people_for
from personal_data.retention_conditions import retention_condition

from .models import RetentionRule, SweepReport, SweepReportLine
from .rules import blank_value, reverse_relations, rule_model, rule_problems

logger = logging.getLogger(__name__)

# Rows per batch (and per transaction). Measured with the sweep benchmark: past
# about 10,000 a batch saves no more time, and a killed worker loses more work.
BATCH_SIZE = 10_000
# pg_try_advisory_lock(int, int): "RETN", 1 = the sweep.
LOCK_KEY = (0x5245544E, 1)


@contextlib.contextmanager
def sweep_lock(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Yield True when this process may sweep; False while another sweep holds the lock.

    On databases other than PostgreSQL (SQLite in development) nothing is locked.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(LOCK_KEY))
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(LOCK_KEY))


@dataclass
class _Counts:
    deleted: int = 0
    anonymised: int = 0
    held: int = 0
    files: list[str] = field(default_factory=list)


# -- files that go with their rows ---------------------------------------------


# model label -> (field holding a file name, alias in STORAGES of the storage holding the files). Files
# are deleted through the storage API, so the sweep reaches them from any host (an object store shared
# by every host in production); one already gone is logged by stored_files_remove.
FILES_WITH_ROWS = {
    "privacy_requests.exportfile": ("file_name", "exports"),
}


# -- what a rule selects -------------------------------------------------------


def _not_yet_blank(model, names: list[str]) -> Q:
    """Rows where at least one of the fields still holds something, so a sweep never rewrites its own work."""
    pending = Q()
    for name in names:
        target = model._meta.get_field(name)
        if isinstance(target, models.CharField | models.TextField):
            # Length() rather than != "": encrypted columns refuse every lookup but IS NULL.
            pending |= Q(**{f"_len_{name}__gt": 0})
        else:
            pending |= Q(**{f"{name}__isnull": False})
    return pending


def expired_rows(rule: RetentionRule, *, now, using: str = DEFAULT_DB_ALIAS) -> models.QuerySet:
    """Every row the rule says has expired (held or not)."""
    model = rule_model(rule)
    cutoff = now - timedelta(days=rule.period_days)
    rows = model._base_manager.using(using).filter(**{f"{rule.date_field}__lte": cutoff})
    if rule.filters:
        rows = rows.filter(**rule.filters)
    if rule.condition:
        rows = rows.filter(retention_condition(rule.condition)())
    if rule.action == RetentionRule.Action.ANONYMISE:
        for name in rule.anonymise_fields:
            target = model._meta.get_field(name)
            if isinstance(target, models.CharField | models.TextField):
                rows = rows.alias(**{f"_len_{name}": Length(name)})
        rows = rows.filter(_not_yet_blank(model, rule.anonymise_fields))
    return rows


def _held_filter(rule: RetentionRule) -> Q | None:
    if not rule.person_field:
        return None
    return Q(**{f"{rule.person_field}__in": held_people_for(category=rule.category)})


def _still_needed(model) -> Q:
    """Rows a protecting reference still points at: they stay until it goes."""
    needed = Q()
    for relation in reverse_relations(model):
        if relation.on_delete in (models.PROTECT, models.RESTRICT, models.DO_NOTHING):
            target = relation.field.target_field.attname
            needed |= Q(
                **{
                    f"{target}__in": relation.related_model._base_manager.filter(
                        **{f"{relation.field.attname}__isnull": False}
                    ).values(relation.field.attname)
                }
            )
    return needed


# One statement per batch. Every name in it comes from model metadata through
# quote_name, and every value is a query parameter (hence the S608 waivers).

# Rows changed, ids picked, the highest id picked; the file names follow.
_BATCH_ANSWER = "(SELECT count(*) FROM changed), picked.n, picked.last"
_BATCH_PICKED = "(SELECT count(*) AS n, max(pk) AS last FROM batch) AS picked"
_AT_ADDRESSES = "ctid = ANY (ARRAY(SELECT address FROM batch))"


class _RowAddress(models.Expression):
    """PostgreSQL's physical address (``ctid``) of the query's own row."""

    output_field = models.TextField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.ctid", []


def _children_sql(model, *, quote) -> list[str]:
    """Set-based stand-in for Django's Python cascade: one step per reverse relation, over the batch's ids."""
    steps = []
    for n, relation in enumerate(reverse_relations(model)):
        child, column = quote(relation.related_model._meta.db_table), quote(relation.field.column)
        keys = "SELECT pk FROM batch"
        target = relation.field.target_field
        if not target.primary_key:
            # A foreign key to another unique column: the children hold that column's values.
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            keys = f"SELECT {quote(target.column)} FROM {table} WHERE {pk} IN ({keys})"  # noqa: S608
        if relation.on_delete is models.SET_NULL:
            unlink = f"UPDATE {child} SET {column} = NULL WHERE {column} IN ({keys})"  # noqa: S608
            steps.append(f"unlinked_{n} AS ({unlink})")
        elif relation.on_delete is models.CASCADE:
            # rule_problems() refused rules whose children have children of their own.
            steps.append(f"cascaded_{n} AS (DELETE FROM {child} WHERE {column} IN ({keys}))")  # noqa: S608
    return steps


def _batch_statement(
    rule: RetentionRule, rows: models.QuerySet, *, batch_size: int, file_field: str | None, blanks: dict, using: str
) -> tuple[str, list]:
    """Pick the batch's ids, unlink or delete their children, delete or blank the rows: one statement.

    It answers one row: rows changed, ids picked, the highest id picked (the
    next batch starts after it) and, for models with files, the file names.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    model = rule_model(rule)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    # The physical row address (ctid) comes along, so the DELETE or UPDATE goes
    # straight to each row instead of looking every id up in the index again.
    # The same statement's snapshot guarantees the address is still that row's;
    # a row updated meanwhile has a new address and is left for the next run.
    batch = rows.annotate(_address=_RowAddress()).order_by("pk").values_list("pk", "_address")[:batch_size]
    select_sql, params = batch.query.get_compiler(using=using).as_sql()
    params = list(params)
    steps = [f"batch (pk, address) AS ({select_sql})"]
    files = "NULL"
    if rule.action == RetentionRule.Action.DELETE:
        steps += _children_sql(model, quote=quote)
        returning = pk
        if file_field:
            returning = f"{pk}, {quote(model._meta.get_field(file_field).column)} AS file_name"
            files = "(SELECT array_agg(file_name) FROM changed)"
        change = f"DELETE FROM {table} WHERE {_AT_ADDRESSES} RETURNING {returning}"  # noqa: S608
    else:
        assignments = []
        for name, value in blanks.items():
            target = model._meta.get_field(name)
            assignments.append(f"{quote(target.column)} = %s")
            params.append(target.get_db_prep_save(value, connection))
        assigned = ", ".join(assignments)
        change = f"UPDATE {table} SET {assigned} WHERE {_AT_ADDRESSES} RETURNING {pk}"  # noqa: S608
    steps.append(f"changed AS ({change})")
    return f"WITH {', '.join(steps)} SELECT {_BATCH_ANSWER}, {files} FROM {_BATCH_PICKED}", params  # noqa: S608


def _batch_portable(rule, unheld, rows, *, batch_size: int, file_field: str | None, blanks: dict, using: str) -> tuple:
    """The same batch for databases without data-modifying WITH (SQLite in development): ids, then statements."""
    model = rule_model(rule)
    ids = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return 0, 0, None, None
    # The statement repeats the conditions: a hold placed since the ids were read still wins.
    rows = unheld.filter(pk__in=ids)
    files = list(rows.values_list(file_field, flat=True)) if file_field else None
    if rule.action == RetentionRule.Action.DELETE:
        for relation in reverse_relations(model):
            children = relation.related_model._base_manager.using(using).filter(
                **{f"{relation.field.name}__in": model._base_manager.using(using).filter(pk__in=ids)}
            )
            if relation.on_delete is models.SET_NULL:
                children.update(**{relation.field.attname: None})
            elif relation.on_delete is models.CASCADE:
                children._raw_delete(using)
        changed = rows._raw_delete(using)
    else:
        changed = rows.update(**blanks)
    return changed, len(ids), ids[-1], files


def _sweep_batch(
    rule, unheld, rows, *, batch_size: int, file_field: str | None, blanks: dict, relaxed_commit: bool, using: str
) -> tuple:
    """One batch, in its own transaction: (rows changed, ids picked, highest id picked, file names)."""
    connection = connections[using]
    change = {"batch_size": batch_size, "file_field": file_field, "blanks": blanks, "using": using}
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            return _batch_portable(rule, unheld, rows, **change)
        try:
            sql, params = _batch_statement(rule, rows, **change)
        except EmptyResultSet:
            # The rule's filter can match nothing (e.g. ``pk__in=[]``): nothing to sweep.
            return 0, 0, None, None
        with connection.cursor() as cursor:
            if relaxed_commit:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(sql, params)
            return cursor.fetchone()


# -- the run -------------------------------------------------------------------


def _apply_rule(rule: RetentionRule, *, now, dry_run: bool, batch_size: int, using: str) -> _Counts:
    counts = _Counts()
    model = rule_model(rule)
    expired = expired_rows(rule, now=now, using=using)
    if category_held(category=rule.category):
        counts.held = expired.count()
        return counts
    held = _held_filter(rule)
    unheld = expired
    if held is not None:
        counts.held = expired.filter(held).count()
        unheld = expired.exclude(held)
    if rule.action == RetentionRule.Action.DELETE:
        needed = _still_needed(model)
        if needed:
            unheld = unheld.exclude(needed)
    if dry_run:
        if rule.action == RetentionRule.Action.DELETE:
            counts.deleted = unheld.count()
        else:
            counts.anonymised = unheld.count()
        return counts

    file_field, file_storage = FILES_WITH_ROWS.get(model._meta.label_lower, (None, "default"))
    blanks = {name: blank_value(model._meta.get_field(name)) for name in rule.anonymise_fields or []}
    connection = connections[using]
    # See the module docstring. Only when the batch is a transaction of its own:
    # inside a caller's transaction, SET LOCAL would change how the caller commits.
    relaxed_commit = connection.vendor == "postgresql" and not file_field and not connection.in_atomic_block
    last_pk = None
    while True:
        rows = unheld if last_pk is None else unheld.filter(pk__gt=last_pk)
        changed, picked, last_pk, files = _sweep_batch(
            rule,
            unheld,
            rows,
            batch_size=batch_size,
            file_field=file_field,
            blanks=blanks,
            relaxed_commit=relaxed_commit,
            using=using,
        )
        if rule.action == RetentionRule.Action.DELETE:
            counts.deleted += changed
        else:
            counts.anonymised += changed
        # After the batch commits: a file whose row survived a rollback is never lost.
        if files:
            stored_files_remove(files, storage=file_storage)
        if picked < batch_size:
            return counts


def retention_sweep(
    *, dry_run: bool = False, batch_size: int = BATCH_SIZE, now=None, using: str = DEFAULT_DB_ALIAS
) -> SweepReport | None:
    """Run every active rule once; return the run's report, or None when another sweep is running."""
    with sweep_lock(using=using) as acquired:
        if not acquired:
            logger.info("retention sweep already running; this one does nothing")
            return None
        now = now or timezone.now()
        report = SweepReport.objects.using(using).create(started_at=timezone.now(), dry_run=dry_run)
        for rule in RetentionRule.objects.using(using).filter(active=True).order_by("id"):
            problems = rule_problems(rule)
            if problems:
                logger.warning("retention rule %s skipped: %s", rule.code, "; ".join(str(p) for p in problems))
                continue
            started = time.monotonic()
            counts = _apply_rule(rule, now=now, dry_run=dry_run, batch_size=batch_size, using=using)
            SweepReportLine.objects.using(using).create(
                report=report,
                rule=rule,
                rule_code=rule.code,
                rows_deleted=counts.deleted,
                rows_anonymised=counts.anonymised,
                rows_held=counts.held,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        report.finished_at = timezone.now()
        report.save(update_fields=["finished_at"])
        return report
