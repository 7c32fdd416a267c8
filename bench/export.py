"""The access/export ZIP for a person with a long history, at 1x and 10x the data.

1x is 10,000 consent-ledger events, 10,000 sign-in records and 1,000 inbox
messages; 10x is ten times each. The build is called directly (as the
Celery task does), so the figures are the builder's own: the number of SQL
queries must not grow with the rows (every exporter streams one query from
a server-side cursor), the time should grow no faster than the data, and
the memory the build adds must stay flat because rows go straight into the
ZIP entries and temporary files, never into a list.
"""

import gc
import statistics
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import IdentityProfile, LoginActivity
from bench.dashboard import _seed_history
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from notifications.models import InboxMessage
from personal_data.registry import personal_data_categories
from privacy_requests.exports.builder import export_zip_write

LEDGER_EVENTS = 10_000
SIGN_INS = 10_000
MESSAGES = 1_000
BATCH = 5_000
TIMED_RUNS = 3


@benchmark("export")
def export(session) -> None:
    """Export ZIP build: queries, time and peak memory at 1x and 10x data (10,000 ledger events, ...)."""
    small = _citizen("bench-export-1x", factor=1, session=session)
    large = _citizen("bench-export-10x", factor=10, session=session)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        folder = Path(folder)
        _check_contents(small, folder, session)
        queries_1x = _queries(small, folder)
        queries_10x = _queries(large, folder)
        figure("export_queries_1x", queries_1x, "queries")
        figure("export_queries_10x", queries_10x, "queries")
        if queries_1x != queries_10x:
            raise BenchmarkFailed(f"query count grows with the data: {queries_1x} at 1x, {queries_10x} at 10x")

        times_1x, times_10x = [], []
        _build(small, folder)  # warm-up: templates, translations, connection
        # Interleaved, so a burst of load on the machine hits both sizes alike.
        for _ in range(TIMED_RUNS):
            times_1x.append(_build(small, folder))
            times_10x.append(_build(large, folder))
        time_1x, time_10x = statistics.median(times_1x), statistics.median(times_10x)
        figure("export_time_1x_s", time_1x, "s")
        figure("export_time_10x_s", time_10x, "s")
        figure("export_time_ratio_10x", time_10x / time_1x, "")
        figure("export_peak_mb_10x", _peak_mb(large, folder), "MB")


def _citizen(username: str, *, factor: int, session):
    events = session.scaled(LEDGER_EVENTS) * factor
    sign_ins = session.scaled(SIGN_INS) * factor
    messages = session.scaled(MESSAGES) * factor
    user = get_user_model()(username=username, email=f"{username}@bench.example.cn", language="zh-hans")
    user.set_unusable_password()
    user.save()
    IdentityProfile.objects.create(user=user, legal_name="张三", id_number="11010519491231002X", verification_level=2)
    _seed_history(user, events)
    progress(f"seeding {sign_ins} sign-in records and {messages} inbox messages for {username}")
    with transaction.atomic():
        for low in range(0, sign_ins, BATCH):
            LoginActivity.objects.bulk_create(
                LoginActivity(user=user, ip_prefix="203.0.113.0/24", user_agent="Mozilla/5.0 bench", method="password")
                for _ in range(low, min(sign_ins, low + BATCH))
            )
        for low in range(0, messages, BATCH):
            InboxMessage.objects.bulk_create(
                InboxMessage(recipient=user, kind="welcome", subject="欢迎", body="您的账户已就绪。" * 10)
                for _ in range(low, min(messages, low + BATCH))
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_loginactivity; ANALYZE notifications_inboxmessage")
    user.bench_counts = {"consent_ledger": events, "sign_in_activity": sign_ins, "inbox_messages": messages}
    return user


def _write(user, folder: Path) -> Path:
    path = folder / f"{user.username}.zip"
    with path.open("wb") as out:
        export_zip_write(user=user, out=out)
    return path


def _check_contents(user, folder: Path, session) -> None:
    path = _write(user, folder)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for category in personal_data_categories():
            if not {f"{category.code}.json", f"{category.code}.csv"} <= names:
                raise BenchmarkFailed(f"category {category.code} missing from the ZIP")
        for code, expected in user.bench_counts.items():
            with archive.open(f"{code}.csv") as handle:
                lines = sum(1 for _ in handle) - 1  # header
            if lines != expected:
                raise BenchmarkFailed(f"{code}.csv has {lines} rows, expected {expected}")
    progress(f"  the 1x ZIP holds every category ({path.stat().st_size // 1024} KiB)")


def _queries(user, folder: Path) -> int:
    with CaptureQueriesContext(connection) as captured:
        _write(user, folder)
    return len(captured)


def _build(user, folder: Path) -> float:
    gc.collect()
    started = time.perf_counter()
    _write(user, folder)
    elapsed = time.perf_counter() - started
    progress(f"  {user.username}: built in {elapsed:.2f} s")
    return elapsed


def _peak_mb(user, folder: Path) -> float:
    # tracemalloc counts every Python allocation the build makes (rows,
    # decoded strings, compression buffers) above what was there before.
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        _write(user, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - baseline) / (1024 * 1024)
