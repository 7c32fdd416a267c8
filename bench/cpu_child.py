"""The measuring side of ``python -m bench cpu``: run as ``python -m bench.cpu_child PLAN`` with production settings.

A process of its own because the settings are the production ones of the
``http`` benchmark, not the dev settings the bench runner itself loads.
Prints progress on stderr and, last on stdout, one JSON line of results.
"""

import base64
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

import django

WARMUP = 30
BATCH = 25
# Requests profiled to count Python function calls: the same on a busy machine as on a quiet one.
COUNTED = 20


def main(plan_path: str) -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = json.loads(Path(plan_path).read_text())
    requests = plan["requests"]
    anonymous = Client(SERVER_NAME="localhost")
    signed_in = Client(SERVER_NAME="localhost")
    signed_in.cookies["sessionid"] = plan["cookie"]
    services = [_service(Client, client_id, secret) for client_id, secret in plan["clients"]]
    subjects = plan["subjects"]
    purpose = plan["purpose"]

    def check(n: int):
        return services[n % len(services)].get(
            "/api/v1/consent-check/", {"subject": subjects[n % len(subjects)], "purpose": purpose}
        )

    pages = {
        "bare": lambda n: anonymous.get("/bench/bare/"),
        "consent_check": check,
        "home_anon": lambda n: anonymous.get("/"),
        "home_signed_in": lambda n: signed_in.get("/"),
        "dashboard": lambda n: signed_in.get("/privacy/"),
    }
    # BENCH_CPU_PAGES=bare,consent_check: only those (a quicker run while working on one page).
    only = plan.get("pages", [])
    if only:
        pages = {name: send for name, send in pages.items() if name in only}
    cpu_ms, database_ms, queries, calls = {}, {}, {}, {}
    for name, send in pages.items():
        for n in range(WARMUP):
            _expect_ok(name, send(n))
        with CaptureQueriesContext(connection) as captured:
            _expect_ok(name, send(WARMUP))
        queries[name] = len(captured)
        if os.environ.get("BENCH_CPU_SHOW_SQL"):
            for query in captured.captured_queries:
                print(f"    {name}: {query['sql'][:300]}", file=sys.stderr)
        database_before = _database_cpu()
        batches = []
        for first in range(0, requests, BATCH):
            started = time.process_time()
            for n in range(first, min(requests, first + BATCH)):
                _expect_ok(name, send(n))
            batches.append((time.process_time() - started) * 1000 / (min(requests, first + BATCH) - first))
        # The median batch: a burst of other work on a shared machine inflates a few batches, not the figure.
        cpu_ms[name] = statistics.median(batches)
        database_ms[name] = (_database_cpu() - database_before) * 1000 / requests
        calls[name] = _calls_per_request(send)
        print(
            f"  {name}: {cpu_ms[name]:.2f} ms CPU/request, PostgreSQL {database_ms[name]:.2f} ms,"
            f" {queries[name]} queries, {calls[name]:.0f} Python calls/request",
            file=sys.stderr,
        )
        if plan["profile"]:
            _profile(name, send, requests, Path(plan["profile"]))
    print(json.dumps({"cpu_ms": cpu_ms, "database_ms": database_ms, "queries": queries, "calls": calls}))


def _calls_per_request(send) -> float:
    """Python function calls a request makes: a figure the machine's load cannot move, to compare commits by."""
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(COUNTED):
        send(n)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / COUNTED


def _database_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backends serving this database (all this process's).

    PostgreSQL runs on the same host: its backends' /proc entries are readable. The query that
    finds them runs outside the timed loops.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _service(client_class, client_id: str, secret: str):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = client_class(SERVER_NAME="localhost").post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}", secure=True
    )
    if answer.status_code != 200:
        raise SystemExit(f"/o/token/ answered {answer.status_code}: {answer.content[:300]!r}")
    return client_class(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")


def _expect_ok(name: str, response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{name} answered {response.status_code} {response.get('Location', '')}")


def _profile(name: str, send, requests: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # CPU time, as the figures: a wall-clock profile would count the waits on PostgreSQL as cost.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for n in range(requests):
        send(n)
    profiler.disable()
    profiler.dump_stats(folder / f"{name}.prof")
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main(sys.argv[1])
