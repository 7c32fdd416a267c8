"""The retention sweep: delete or anonymise, rule by rule, every expired row no legal hold covers.

Set-based and resumable by design:

- Each batch selects at most ``batch_size`` ids (``ORDER BY id LIMIT n``,
  held people and categories excluded by subqueries) and deletes them with
  one ``DELETE ... WHERE id IN (...)`` (``QuerySet._raw_delete``) or blanks
  them with one ``UPDATE``, in its own transaction. Never ``QuerySet.delete()``:
  it loads every row, collects cascades in Python and sends a ``pre_delete``
  and ``post_delete`` signal per row, which turns a one-second delete into
  minutes and hundreds of MB.
- A killed worker loses at most the batch it had not committed; the next
  run selects what is still expired and finishes the job. Running twice has
  the effect of running once.
- Rows that other rows point at are handled set-based too: children with
  ``SET_NULL`` are unlinked, ``CASCADE`` children (themselves without
  children) deleted first, and rows a ``PROTECT``/``RESTRICT``/``DO_NOTHING``
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

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from .models import RetentionRule, SweepReport, SweepReportLine
from .rules import CONDITIONS, blank_value, reverse_relations, rule_model, rule_problems
from .selectors import category_held, held_people_for

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
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


def _export_files_remove(file_names: list[str]) -> None:
    from privacy_requests.exports.services import export_path

    for name in file_names:
        if name:
            for path in (export_path(name), export_path(name + ".part")):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


# model label -> (field holding a file name, remover of a list of names)
FILES_WITH_ROWS = {
    "privacy_requests.exportfile": ("file_name", _export_files_remove),
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
        rows = rows.filter(CONDITIONS[rule.condition]())
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


def _unlink_children(model, ids: list, *, using: str) -> None:
    """Set-based stand-in for Django's Python cascade, for one batch of ids."""
    for relation in reverse_relations(model):
        children = relation.related_model._base_manager.using(using).filter(**{f"{relation.field.attname}__in": ids})
        if relation.on_delete is models.SET_NULL:
            children.update(**{relation.field.attname: None})
        elif relation.on_delete is models.CASCADE:
            # rule_problems() refused rules whose children have children of their own.
            children._raw_delete(using)


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

    file_field, remove_files = FILES_WITH_ROWS.get(model._meta.label_lower, (None, None))
    blanks = {name: blank_value(model._meta.get_field(name)) for name in rule.anonymise_fields or []}
    last_pk = None
    while True:
        files: list[str] = []
        with transaction.atomic(using=using):
            batch = unheld if last_pk is None else unheld.filter(pk__gt=last_pk)
            ids = list(batch.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last_pk = ids[-1]
            # The statement repeats the conditions: a hold placed since the ids were read still wins.
            rows = unheld.filter(pk__in=ids)
            if rule.action == RetentionRule.Action.DELETE:
                if file_field:
                    files = [name for name in rows.values_list(file_field, flat=True) if name]
                _unlink_children(model, ids, using=using)
                counts.deleted += rows._raw_delete(using)
            else:
                counts.anonymised += rows.update(**blanks)
        # After the batch commits: a file whose row survived a rollback is never lost.
        if files:
            remove_files(files)
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
