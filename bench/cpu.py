"""CPU per request of the hot pages, in process: what the ``http`` figures are made of, without wrk.

On a machine shared with other work wrk's requests/s mostly measures the
neighbours. This benchmark asks the same questions of the server's own CPU:
a child process loads the production settings of the ``http`` benchmark
(``bench.settings``: Redis cache, sessions as deployed, the manifest static
storage, the bench-only bare view) and sends each URL ``BENCH_CPU_REQUESTS``
times (default 400 × ``--scale``, after a warm-up) through Django's test
client, which calls the same handler and middleware gunicorn does. Per page
it prints the child's CPU milliseconds a request (``time.process_time``: the
web process only, the median of batches of 25; PostgreSQL's backends' CPU
separately, from /proc), the SQL queries, the Python function calls a request
makes (counted by cProfile: unlike CPU time, the same however busy the machine
is, so the figure to compare two commits by), and the ratios the ``http``
benchmark targets, computed as the inverse ratio of CPU per request (on two
saturated cores requests/s is about one over CPU per request).

``BENCH_CPU_PROFILE=<folder>`` also writes a cProfile of each page there
(``<page>.prof``, read with ``python -m pstats``) and prints its top functions.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections

from accounts.service_clients.scopes import CONSENT_CHECK
from bench import serving
from bench.consent_check import PURPOSE, _seed
from bench.http import SETTINGS_MODULE
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from bench.worker import PROJECT_DIR
from consents.models import PolicyVersion, Purpose

POPULATION = 2_000
REQUESTS = 400
# The ratios of bench/http.py, each: (figure, page measured, page it is set against).
RATIOS = (
    ("cpu_consent_check_ratio", "consent_check", "bare", 0.5),
    ("cpu_home_signed_in_ratio", "home_signed_in", "home_anon", 0.6),
    ("cpu_dashboard_ratio", "dashboard", "home_anon", 0.33),
)


@benchmark("cpu")
def cpu(session) -> None:
    """CPU ms a request in process (production settings): bare view, consent check, home, dashboard."""
    requests = int(os.environ.get("BENCH_CPU_REQUESTS", str(session.scaled(REQUESTS))))
    secret_key = secrets.token_urlsafe(50)
    population = session.scaled(POPULATION)
    purpose = Purpose.objects.get(code=PURPOSE)
    policy = PolicyVersion.objects.order_by("-effective_at").first()
    _seed(first=1, last=population, purpose=purpose, policy=policy)
    cookie = serving.citizen_session(secret_key, username="cpu-citizen")
    clients = serving.service_clients_register(
        count=serving.clients_needed(ceiling_per_second=requests, seconds=60, throttle_scope="consent_check"),
        scopes=[CONSENT_CHECK],
        prefix="cpu-check",
    )
    subjects = list(
        get_user_model().objects.filter(username__startswith="bench-").order_by("pk").values_list("pk", flat=True)
    )
    connections.close_all()

    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as folder:
        folder = Path(folder)
        env = serving.environment(
            session.env, folder, secret_key=secret_key, threads=1, settings_module=SETTINGS_MODULE
        )
        serving.collectstatic(env)
        plan = {
            "requests": requests,
            "cookie": cookie,
            "clients": clients,
            "subjects": subjects[:requests],
            "purpose": PURPOSE,
            "profile": os.environ.get("BENCH_CPU_PROFILE", ""),
            # BENCH_CPU_PAGES=bare,consent_check: only those pages (a quicker run while working on one).
            "pages": [name for name in os.environ.get("BENCH_CPU_PAGES", "").split(",") if name],
        }
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan))
        progress(f"cpu: {requests} requests a page in a child process ({SETTINGS_MODULE})")
        done = subprocess.run(
            [sys.executable, "-m", "bench.cpu_child", str(plan_file)],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if done.returncode != 0:
            raise BenchmarkFailed(f"the measuring process failed:\n{done.stderr[-3000:]}")
        sys.stderr.write(done.stderr)
        results = json.loads(done.stdout.strip().splitlines()[-1])

    for page, milliseconds in results["cpu_ms"].items():
        figure(f"cpu_{page}_ms", milliseconds, "ms CPU/request")
    for page, milliseconds in results["database_ms"].items():
        figure(f"cpu_{page}_database_ms", milliseconds, "ms CPU/request")
    for page, count in results["queries"].items():
        figure(f"cpu_{page}_queries", count, "queries")
    for page, count in results["calls"].items():
        figure(f"cpu_{page}_python_calls", count, "calls/request")
    for name, page, against, target in RATIOS:
        if page not in results["cpu_ms"] or against not in results["cpu_ms"]:
            continue  # BENCH_CPU_PAGES left one out
        ratio = results["cpu_ms"][against] / results["cpu_ms"][page]
        figure(name, ratio, "")
        # With PostgreSQL's share: on the http benchmark's machine both take from the same two cores.
        both = _total(results, against) / _total(results, page)
        figure(f"{name}_with_database", both, "")
        progress(f"{name}: {ratio:.3f}, with PostgreSQL's CPU {both:.3f} (target {target:g})")


def _total(results: dict, page: str) -> float:
    return results["cpu_ms"][page] + results["database_ms"][page]
