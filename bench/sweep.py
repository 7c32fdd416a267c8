"""The nightly retention sweep over a million expired rows, against its SQL floor and the per-row ORM way.

Four of the seeded rules carry the data: shared locations, sign-in records,
sent emails (some still linked from a fan-out, so the sweep must unlink
them) and step-up checks (a few of which a rights request relied on, so they
stay). Every hundredth person is under a legal hold on all their data, which
keeps 1% of the expired rows; one more person has a hold on their locations
only, one a hold that was lifted (it keeps nothing). Unexpired rows are
seeded after the expired ones, as time would have written them.

The same data is then removed twice:

- by the real sweep, ``manage.py retention_sweep`` in a process of its own,
  so its peak memory is that process's own ``ru_maxrss`` (handed back by a
  small launcher, see ``_LAUNCHER``): the interpreter, Django and everything
  the sweep allocated, nothing the harness holds. Its time is the one its
  report records, from start to finish of ``retention_sweep()``;
- after re-seeding the identical rows, by hand-written SQL: one statement
  per table with the same cutoffs and hold exclusions, the fastest the
  database can do the job (the floor).

The per-row ORM way (``for obj in qs: obj.delete()``) is timed on 10,000
further expired rows and scaled to the sweep's row count.

Whether a row may go is decided here by a hand-written predicate
(``_deletable``), not by the sweep's own querysets, so the check is not the
code under test grading itself.
"""

import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from bench.worker import PROJECT_DIR
from core.encryption import encrypt
from notifications.models import FanOut
from privacy_requests.models import PrivacyRequest
from retention.models import LegalHold, RetentionRule, SweepReport
from retention.selectors import held_people_for
from retention.sweep import expired_rows

EXPIRED = 1_000_000
UNEXPIRED = 100_000
PEOPLE = 10_000
PER_ROW = 10_000
# Every hundredth person is held: with rows spread evenly, 1% of the rows.
HELD_EVERY = 100
# Step-up checks a rights request relied on (kept as its evidence), per million expired rows.
RELIED_ON = 1_000
SWEEP_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class _Table:
    rule: str
    share: float
    table: str
    person: str
    date: str
    # Rows n = 1..rows, of person people[n % count], dated ``_AT``; ``expired`` says which kind.
    insert: str
    # What the rule's filter or condition adds, as hand-written SQL on the row ``t``.
    extra: str = "true"


_AT = "%(now)s - %(base)s - (n %% 20) * %(step)s"
_PERSON = "(%(people)s::bigint[])[1 + n %% %(count)s]"

TABLES = (
    _Table(
        rule="locations",
        share=0.30,
        table="consents_locationrecord",
        person="user_id",
        date="created_at",
        insert=f"""
            INSERT INTO consents_locationrecord (user_id, coordinates, source, created_at)
            SELECT {_PERSON}, %(secret)s, 'device', {_AT}
            FROM generate_series(1, %(rows)s) AS n""",
    ),
    _Table(
        rule="sign_in_activity",
        share=0.30,
        table="accounts_loginactivity",
        person="user_id",
        date="created_at",
        insert=f"""
            INSERT INTO accounts_loginactivity (user_id, created_at, ip_prefix, user_agent, method)
            SELECT {_PERSON}, {_AT}, '203.0.113.0/24', 'Mozilla/5.0 (bench)', 'password'
            FROM generate_series(1, %(rows)s) AS n""",
    ),
    _Table(
        rule="emails_sent",
        share=0.25,
        table="notifications_outboxemail",
        person="recipient_id",
        date="sent_at",
        # Among the unexpired, every other email failed long ago: old, but not a sent email the rule covers.
        insert=f"""
            INSERT INTO notifications_outboxemail (recipient_id, to_address, kind, language, subject, body, state,
                attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT person, 'p' || person || '@bench.example.cn', 'notice', 'zh-hans', '账户通知',
                repeat('您的账户信息已更新。', 20), CASE WHEN failed THEN 'failed' ELSE 'sent' END, 1, at, '', at,
                CASE WHEN failed THEN NULL ELSE at END
            FROM (
                SELECT {_PERSON} AS person, NOT %(expired)s AND n %% 2 = 1 AS failed,
                    CASE WHEN NOT %(expired)s AND n %% 2 = 1 THEN %(now)s - interval '400 days' ELSE {_AT} END AS at
                FROM generate_series(1, %(rows)s) AS n
            ) AS seed""",
        extra="t.state = 'sent'",
    ),
    _Table(
        rule="step_up_checks",
        share=0.15,
        table="accounts_stepupcheck",
        person="user_id",
        date="verified_at",
        insert=f"""
            INSERT INTO accounts_stepupcheck (user_id, method, session_key_hash, verified_at)
            SELECT {_PERSON}, 'email', md5(n::text) || md5((-n)::text), {_AT}
            FROM generate_series(1, %(rows)s) AS n""",
        extra="NOT EXISTS (SELECT 1 FROM privacy_requests_privacyrequest r WHERE r.identity_check_id = t.id)",
    ),
)
SEEDED_TABLES = [t.table for t in TABLES] + ["incidents_fanoutrecipient", "privacy_requests_privacyrequest"]


@benchmark("sweep")
def sweep(session) -> None:
    """Retention sweep of 1,000,000 expired rows (1% held) and 100,000 unexpired ones, against its SQL floor."""
    rules = {rule.code: rule for rule in RetentionRule.objects.filter(code__in=[t.rule for t in TABLES])}
    people = _people(max(HELD_EVERY, round(session.scaled(PEOPLE) / HELD_EVERY) * HELD_EVERY))
    _holds(people)
    fan_out = FanOut.objects.create(key="bench-sweep", kind="incident")
    expired, unexpired = session.scaled(EXPIRED), session.scaled(UNEXPIRED)
    relied_on = max(1, session.scaled(RELIED_ON))

    _seed(rules, people, expired=expired, unexpired=unexpired, relied_on=relied_on, fan_out=fan_out)
    before = _census(rules)
    sweep_seconds, peak_mb, report = _run_sweep()
    after = _census(rules)
    swept = sum(line.rows_deleted for line in report.lines.all())
    _check("sweep", before, after, swept)

    per_row_seconds, per_row_count = _per_row(rules, people, count=max(1_000, session.scaled(PER_ROW)))

    _truncate()
    _seed(rules, people, expired=expired, unexpired=unexpired, relied_on=relied_on, fan_out=fan_out)
    before_floor = _census(rules)
    if before_floor != before:
        raise BenchmarkFailed(f"the re-seeded data differs: {before_floor} against {before}")
    floor_seconds, floor_deleted = _floor(rules)
    _check("floor", before_floor, _census(rules), floor_deleted)

    figure("sweep_seconds", sweep_seconds, "s")
    figure("sweep_sql_floor_seconds", floor_seconds, "s")
    figure("sweep_floor_ratio", sweep_seconds / floor_seconds, "")
    figure("sweep_vs_per_row_speedup", per_row_seconds / per_row_count * swept / sweep_seconds, "")
    figure("sweep_peak_mb", peak_mb, "MB")
    figure("sweep_correct", 1, "")


# -- the data --------------------------------------------------------------------


def _people(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, kind, language, phone, phone_hash, phone_verified, is_minor)
            SELECT '!', false, 'sweep-' || n, '', '', 'sweep-' || n || '@bench.example.cn', false, true, now(),
                'individual', 'zh-hans', '', '', false, false
            FROM generate_series(1, %(count)s) AS n
            RETURNING id
            """,
            {"count": count},
        )
        return sorted(row[0] for row in cursor.fetchall())


def _holds(people: list[int]) -> None:
    review = timezone.localdate() + timedelta(days=90)
    reason = "Court order (bench case 2026-17)"
    holds = [LegalHold(user_id=person, reason=reason, review_date=review) for person in people[::HELD_EVERY]]
    holds.append(LegalHold(user_id=people[1], category="locations", reason=reason, review_date=review))
    holds.append(LegalHold(user_id=people[2], reason=reason, review_date=review, lifted_at=timezone.now()))
    holds.append(LegalHold(user_id=people[3], category="optional_services", reason=reason, review_date=review))
    LegalHold.objects.bulk_create(holds)
    progress(f"{len(people)} people, {len(people) // HELD_EVERY} of them held, one held for locations only")


def _rows(rules, people: list[int], *, total: int, expired: bool, now) -> None:
    shares = [round(total * table.share) for table in TABLES]
    shares[-1] = total - sum(shares[:-1])
    # One real ciphertext for every location: the sweep never decrypts, but the rows stay readable.
    secret = encrypt("31.2304,121.4737")
    with connection.cursor() as cursor:
        for table, count in zip(TABLES, shares, strict=True):
            period = timedelta(days=rules[table.rule].period_days)
            # Expired: 1 to 20 days past the cutoff. Unexpired: within the last day, inside every rule's period.
            if expired:
                base, step = period + timedelta(days=1), timedelta(days=1)
            else:
                base, step = timedelta(0), timedelta(hours=1)
            cursor.execute(
                table.insert,
                {
                    "people": people,
                    "count": len(people),
                    "rows": count,
                    "now": now,
                    "base": base,
                    "step": step,
                    "expired": expired,
                    "secret": secret,
                },
            )


def _seed(rules, people, *, expired: int, unexpired: int, relied_on: int, fan_out) -> None:
    progress(f"seeding {expired} expired and {unexpired} unexpired rows")
    started = time.perf_counter()
    now = timezone.now()
    _rows(rules, people, total=expired, expired=True, now=now)
    _rows(rules, people, total=unexpired, expired=False, now=now)
    with connection.cursor() as cursor:
        # Each person's first email is linked from a fan-out: the sweep must unlink, not break, the reference.
        cursor.execute(
            """
            INSERT INTO incidents_fanoutrecipient (fan_out_id, user_id, outbox_email_id)
            SELECT DISTINCT ON (recipient_id) %(fan_out)s, recipient_id, id
            FROM notifications_outboxemail ORDER BY recipient_id, id
            """,
            {"fan_out": fan_out.pk},
        )
        step_ups = next(t for t in TABLES if t.rule == "step_up_checks")
        where, params = _deletable(step_ups, rules, now)
        cursor.execute(
            f"SELECT id, user_id FROM accounts_stepupcheck t WHERE {where} ORDER BY id LIMIT %(limit)s",
            {**params, "limit": relied_on},
        )
        checks = cursor.fetchall()
    PrivacyRequest.objects.bulk_create(
        PrivacyRequest(reference=f"SWEEP-{check}", kind="access", requester_id=person, identity_check_id=check)
        for check, person in checks
    )
    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        # Both timed runs start with the seeding's writes on disk, so neither pays for them.
        cursor.execute("CHECKPOINT")
    progress(f"  seeded in {time.perf_counter() - started:.1f} s")


def _truncate() -> None:
    with connection.cursor() as cursor:
        # CASCADE reaches only the rights-request tables, empty in this benchmark's database.
        cursor.execute(f"TRUNCATE {', '.join(SEEDED_TABLES)} RESTART IDENTITY CASCADE")


# -- what may go, and what is left -------------------------------------------------


def _held(table: _Table) -> str:
    """An active hold on the row's person, for everything or for the rule's category."""
    return (
        f"EXISTS (SELECT 1 FROM retention_legalhold h WHERE h.lifted_at IS NULL AND h.user_id = t.{table.person}"
        f" AND h.category IN ('', %(category_{table.rule})s))"
    )


def _deletable(table: _Table, rules, now) -> tuple[str, dict]:
    rule = rules[table.rule]
    where = f"t.{table.date} <= %(cutoff_{table.rule})s AND {table.extra} AND NOT {_held(table)}"
    params = {
        f"cutoff_{table.rule}": now - timedelta(days=rule.period_days),
        f"category_{table.rule}": rule.category,
    }
    return where, params


def _census(rules) -> dict[str, tuple[int, int, int]]:
    """Per table: (rows, rows that may go, expired rows kept by a hold)."""
    now = timezone.now()
    census = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            where, params = _deletable(table, rules, now)
            held = f"t.{table.date} <= %(cutoff_{table.rule})s AND {_held(table)}"
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {where}), count(*) FILTER (WHERE {held})"
                f" FROM {table.table} t",
                params,
            )
            census[table.table] = cursor.fetchone()
            if table.table == "notifications_outboxemail":
                # Fan-out recipients: (rows, links to an email, links to an email that may go).
                cursor.execute(
                    "SELECT count(*), count(outbox_email_id), count(*) FILTER (WHERE outbox_email_id IN"
                    f" (SELECT t.id FROM notifications_outboxemail t WHERE {where})) FROM incidents_fanoutrecipient",
                    params,
                )
                census["incidents_fanoutrecipient"] = cursor.fetchone()
    return census


def _check(who: str, before, after, removed: int) -> None:
    """Exactly the rows that may go went: none is left, and the row count fell by their number."""
    problems = []
    for table, (rows, deletable, held) in before.items():
        rows_after, deletable_after, held_after = after[table]
        if table == "incidents_fanoutrecipient":
            links, doomed_links, links_after = deletable, held, deletable_after
            if rows_after != rows or links_after != links - doomed_links:
                problems.append(f"{table}: {rows_after} of {rows} recipients left, {links_after} of {links} links")
            continue
        if deletable_after:
            problems.append(f"{table}: {deletable_after} expired unheld rows remain")
        if held_after != held:
            problems.append(f"{table}: {held - held_after} held rows removed")
        if rows - rows_after != deletable:
            problems.append(f"{table}: {rows - rows_after} rows removed, {deletable} expected")
    expected = sum(deletable for table, (_, deletable, _) in before.items() if table != "incidents_fanoutrecipient")
    if removed != expected:
        problems.append(f"{who} says it removed {removed} rows, {expected} expected")
    held = sum(held for table, (_, _, held) in before.items() if table != "incidents_fanoutrecipient")
    progress(f"  {who}: {removed} rows removed; {held} expired rows were under a hold")
    if problems:
        figure("sweep_correct", 0, "")
        raise BenchmarkFailed(f"{who}: " + "; ".join(problems))


# -- the three ways ----------------------------------------------------------------


# Linux carries a process's peak RSS over fork and exec, so ``manage.py``
# started straight from this harness (itself a Django process of about the
# same size) would report at least the harness's own peak. A tiny launcher,
# a few MB, starts it instead and hands back its rusage.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _run_sweep() -> tuple[float, float, SweepReport]:
    """Run ``manage.py retention_sweep`` as a child; its duration (from its report) and its peak memory."""
    progress("sweeping (manage.py retention_sweep, in a process of its own)")
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "manage.py", "retention_sweep"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
        timeout=SWEEP_TIMEOUT,
        check=False,
    )
    try:
        exit_code, max_rss_kib = (int(word) for word in launched.stdout.split())
    except ValueError:
        raise BenchmarkFailed(f"the sweep launcher failed ({launched.returncode}): {launched.stdout!r}") from None
    if exit_code != 0:
        raise BenchmarkFailed(f"manage.py retention_sweep exited with {exit_code}")
    report = SweepReport.objects.filter(dry_run=False).latest("started_at")
    seconds = (report.finished_at - report.started_at).total_seconds()
    for line in report.lines.filter(rule_code__in=[t.rule for t in TABLES]).order_by("rule_code"):
        progress(f"  {line.rule_code}: -{line.rows_deleted} ={line.rows_held} in {line.duration_ms} ms")
    # Linux reports ru_maxrss in KiB.
    peak_mb = max_rss_kib / 1024
    progress(f"  swept in {seconds:.2f} s, peak RSS of the sweep's process {peak_mb:.0f} MB")
    return seconds, peak_mb, report


def _floor(rules) -> tuple[float, int]:
    """One hand-written statement per table, each its own transaction."""
    progress("sweeping with hand-written SQL (the floor)")
    now = timezone.now()
    deleted = 0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for table in TABLES:
            where, params = _deletable(table, rules, now)
            if table.table == "notifications_outboxemail":
                cursor.execute(
                    f"UPDATE incidents_fanoutrecipient SET outbox_email_id = NULL WHERE outbox_email_id IN "
                    f"(SELECT t.id FROM notifications_outboxemail t WHERE {where})",
                    params,
                )
            cursor.execute(f"DELETE FROM {table.table} t WHERE {where}", params)
            deleted += cursor.rowcount
        seconds = time.perf_counter() - started
    progress(f"  floor in {seconds:.2f} s")
    return seconds, deleted


def _per_row(rules, people, *, count: int) -> tuple[float, int]:
    """``for obj in qs: obj.delete()`` over freshly seeded expired rows, every rule's query as the sweep builds it."""
    progress(f"seeding {count} expired rows for the per-row ORM way")
    now = timezone.now()
    _rows(rules, people, total=count, expired=True, now=now)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table.table}")
    deleted = 0
    started = time.perf_counter()
    for table in TABLES:
        rule = rules[table.rule]
        rows = expired_rows(rule, now=now).exclude(
            **{f"{rule.person_field}__in": held_people_for(category=rule.category)}
        )
        for obj in rows:
            obj.delete()
            deleted += 1
    seconds = time.perf_counter() - started
    progress(f"  per-row: {deleted} rows in {seconds:.1f} s ({deleted / seconds:.0f} rows/s)")
    return seconds, deleted
