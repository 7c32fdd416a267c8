"""The consent dashboard for a person with a short and a very long consent history.

The dashboard reads the current-state table, never the ledger, so the number
of SQL queries must be the same for 10 and for 10,000 ledger events, and its
render time must stay within twice that of the plain policy page measured in
the same run. The long history is written with ``bulk_create`` (the ledger
refuses changes, not inserts), as a properly hash-chained ledger that
``consent_ledger_verify`` accepts, with the matching current-state rows.
"""

import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from consents.hashing import GENESIS_HASH, consent_event_hash
from consents.models import ConsentEvent, ConsentState, ConsentSubject, PolicyVersion, Purpose
from consents.selectors import consent_ledger_verify
from core.hash_chain import chain_signing_key_id

SMALL_EVENTS = 10
LARGE_EVENTS = 10_000
RENDERS = 30
WARMUP = 5
BATCH = 2_000
# Optional purposes the history cycles through (grant, withdraw, grant, …).
PURPOSES = ("surveys", "personal_settings", "service_optimisation", "recommendations", "cookies_analytics")
DASHBOARD = "/privacy/"
POLICY = "/policy/"


@benchmark("dashboard")
def dashboard(session) -> None:
    """Dashboard SQL queries for 10 and 10,000 ledger events; its render time against the policy page."""
    large_events = max(SMALL_EVENTS, session.scaled(LARGE_EVENTS))
    small_user = _citizen("bench-dashboard-small")
    large_user = _citizen("bench-dashboard-large")
    _seed_history(small_user, SMALL_EVENTS)
    _seed_history(large_user, large_events)
    report = consent_ledger_verify()
    if not report.ok:
        raise BenchmarkFailed(f"seeded ledger does not verify: {report.reason} at {report.broken_subject}")

    small_client, large_client = _signed_in(small_user), _signed_in(large_user)
    small_queries = _queries(small_client)
    large_queries = _queries(large_client)
    figure("dashboard_queries_small", small_queries, "queries")
    figure("dashboard_queries_large", large_queries, "queries")
    if small_queries != large_queries:
        progress(
            f"  query counts differ: {small_queries} with {SMALL_EVENTS} events, {large_queries} with {large_events}"
        )

    progress(f"rendering {DASHBOARD} ({large_events} events) and {POLICY} {RENDERS} times each, interleaved")
    for _ in range(WARMUP):
        _render(large_client, DASHBOARD)
        _render(large_client, POLICY)
    dashboard_times, policy_times, dashboard_cpu, policy_cpu = [], [], [], []
    # Interleaved, so a burst of load on the machine hits both pages alike.
    for _ in range(RENDERS):
        started = time.process_time()
        dashboard_times.append(_render(large_client, DASHBOARD))
        dashboard_cpu.append(time.process_time() - started)
        started = time.process_time()
        policy_times.append(_render(large_client, POLICY))
        policy_cpu.append(time.process_time() - started)
    dashboard_median = statistics.median(dashboard_times)
    policy_median = statistics.median(policy_times)
    figure("dashboard_render_ms", dashboard_median * 1000, "ms")
    figure("policy_render_ms", policy_median * 1000, "ms")
    figure("dashboard_render_ratio", dashboard_median / policy_median, "")
    # This process's CPU time (the database's is not in it): steadier than wall time on a shared,
    # loaded machine, and what caching and fewer queries save on the web side.
    figure("dashboard_render_cpu_ms", statistics.median(dashboard_cpu) * 1000, "ms")
    figure("policy_render_cpu_ms", statistics.median(policy_cpu) * 1000, "ms")
    figure("dashboard_render_cpu_ratio", statistics.median(dashboard_cpu) / statistics.median(policy_cpu), "")


def _citizen(username: str):
    # No second factor: the session passes the two-factor middleware as any
    # citizen without an authenticator does.
    user = get_user_model()(username=username, email=f"{username}@bench.example.cn", language="zh-hans")
    user.set_unusable_password()
    user.save()
    return user


def _seed_history(user, count: int) -> None:
    """``count`` consent events for ``user``, hash-chained, plus the current state they leave."""
    progress(f"seeding {count} consent events for {user.username}")
    started = time.perf_counter()
    purposes = list(Purpose.objects.filter(code__in=PURPOSES).order_by("code"))
    policy = PolicyVersion.objects.order_by("-effective_at").first()
    head = ConsentSubject.objects.create(user=user)
    first_at = timezone.now() - timedelta(seconds=count)
    prev_hash = GENESIS_HASH
    key_id = chain_signing_key_id()
    events = []
    for seq in range(1, count + 1):
        purpose = purposes[(seq - 1) % len(purposes)]
        # Each purpose alternates: granted on its odd turns, withdrawn on its even ones.
        action = "granted" if ((seq - 1) // len(purposes)) % 2 == 0 else "withdrawn"
        created_at = first_at + timedelta(seconds=seq)
        digest = consent_event_hash(
            subject_ref=head.ref,
            seq=seq,
            purpose_id=purpose.pk,
            purpose_version=purpose.version,
            partner_id=None,
            action=action,
            policy_version_id=policy.pk,
            channel="web",
            actor_id=user.pk,
            created_at=created_at,
            prev_hash=prev_hash,
            key_id=key_id,
        )
        events.append(
            ConsentEvent(
                subject_ref=head.ref,
                seq=seq,
                subject=user,
                purpose=purpose,
                purpose_version=purpose.version,
                partner=None,
                action=action,
                policy_version=policy,
                channel="web",
                actor=user,
                created_at=created_at,
                prev_hash=prev_hash,
                hash=digest,
                key_id=key_id,
            )
        )
        prev_hash = digest
    with transaction.atomic():
        for low in range(0, count, BATCH):
            ConsentEvent.objects.bulk_create(events[low : low + BATCH])
        head.last_seq = count
        head.last_hash = prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        last = {}
        for event in (
            ConsentEvent.objects.filter(subject_ref=head.ref)
            .order_by("seq")
            .only("id", "purpose_id", "action", "created_at", "purpose_version")
        ):
            last[event.purpose_id] = event
        ConsentState.objects.bulk_create(
            ConsentState(
                subject=user,
                purpose_id=purpose_id,
                partner=None,
                granted=event.action == "granted",
                purpose_version=event.purpose_version,
                policy_version=policy,
                channel="web",
                by_guardian=False,
                event=event,
                updated_at=event.created_at,
            )
            for purpose_id, event in last.items()
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE consents_consentevent; ANALYZE consents_consentstate")
    progress(f"  seeded in {time.perf_counter() - started:.1f} s")


def _signed_in(user) -> Client:
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def _queries(client: Client) -> int:
    _render(client, DASHBOARD)  # first request fills per-process caches (content types, templates)
    with CaptureQueriesContext(connection) as captured:
        _render(client, DASHBOARD)
    return len(captured)


def _render(client: Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchmarkFailed(f"{path} answered {response.status_code} ({response.get('Location', '')})")
    return elapsed
