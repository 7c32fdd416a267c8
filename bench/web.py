"""The portal over HTTP: gunicorn with the production settings, driven by wrk.

gunicorn runs ``deploy/gunicorn.conf.py`` with the production settings (the
staging switch on, for the sandbox providers; no HTTPS redirect, as behind
nginx), the run's database, Redis and SMTP sink, secrets made for the run and
the Prometheus multiprocess directory the web unit sets. By default two sync
workers, one a core of this machine; ``BENCH_WEB_WORKERS`` and
``BENCH_WEB_THREADS`` (more than 1: gthread workers) choose another shape.

wrk then holds 8 connections open on each page for a fixed time, after a
short warm-up that is not counted:

- ``/healthz``: the framework's floor, no database;
- the home page, anonymous, and signed in as a seeded citizen (a session made
  with Django's session engine, sent as a cookie);
- the consent dashboard of that citizen;
- ``GET /api/v1/consent-check/`` with OAuth2 bearer tokens of service
  clients (from the client-credentials grant), over a seeded population.
  Each client may ask as often a minute as the ``consent_check`` throttle
  allows (kept on: its Redis round trip is part of the cost), so the load is
  spread over enough clients to stay under it.

Per page: requests/s, median and 99th-percentile latency as wrk saw them, the
CPU gunicorn's processes used (from /proc: the master, its live workers and
the workers it reaped), so requests/s per core busy, and the ratio to
``/healthz``. Every answer must be a 200: wrk's own error count leaves
redirects out, so a Lua script counts them (bench/wrk.py). gunicorn and the
callers are bench/serving.py's, shared with the ``http`` benchmark.

The load generator, PostgreSQL and Redis share the machine with gunicorn;
requests/s per core is the figure that carries to a machine of other size.
"""

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections

from accounts.service_clients.scopes import CONSENT_CHECK
from bench import serving, wrk
from bench.consent_check import PURPOSE, _seed
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from consents.models import PolicyVersion, Purpose

CONNECTIONS = wrk.CONNECTIONS
DURATION = 10
WARMUP = 2
POPULATION = 10_000
CHECK_REQUESTS = 2_000
CHECK_PATH = "/api/v1/consent-check/"
# Requests/s no single page will reach on this machine; sets how many service clients share the load.
CEILING_RPS = 5_000


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool = False
    service: bool = False


PAGES = (
    Page("healthz", "/healthz"),
    Page("home_anonymous", "/"),
    Page("home_signed_in", "/", signed_in=True),
    Page("dashboard", "/privacy/", signed_in=True),
    Page("consent_check", "/api/v1/consent-check/", service=True),
)


@benchmark("web")
def web(session) -> None:
    """Requests/s per core, median and p99 latency of gunicorn (production settings) on five pages, driven by wrk."""
    workers = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
    threads = int(os.environ.get("BENCH_WEB_THREADS", "1"))
    duration = max(2, session.scaled(DURATION))
    secret_key = secrets.token_urlsafe(50)
    wrk.ensure_installed()

    population = session.scaled(POPULATION)
    purpose = Purpose.objects.get(code=PURPOSE)
    policy = PolicyVersion.objects.order_by("-effective_at").first()
    _seed(first=1, last=population, purpose=purpose, policy=policy)
    cookie = serving.citizen_session(secret_key)
    credentials = serving.service_clients_register(
        count=clients_needed(duration), scopes=[CONSENT_CHECK], prefix="web-consent-check"
    )
    subjects = _subjects(population, at_least=len(credentials))
    connections.close_all()

    figure("web_workers", workers, "processes")
    figure("web_threads", threads, "threads")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        folder = Path(folder)
        env = serving.environment(session.env, folder, secret_key=secret_key, threads=threads)
        serving.collectstatic(env)
        with serving.gunicorn(env, folder, workers=workers, threads=threads) as server:
            tokens = [serving.access_token(server.base, *pair) for pair in credentials]
            check_requests = [
                wrk.Request(
                    f"/api/v1/consent-check/?subject={subject}&purpose={PURPOSE}", f"Bearer {tokens[n % len(tokens)]}"
                )
                for n, subject in enumerate(subjects)
            ]
            floor = None
            for page in PAGES:
                requests = check_requests if page.service else [wrk.Request(page.path)]
                requests_file = wrk.requests_file(folder / f"{page.name}.txt", requests)
                headers = [f"Host: {serving.SERVER_NAME}"] + ([f"Cookie: sessionid={cookie}"] if page.signed_in else [])
                _probe(server.base, page, headers, requests[0])
                progress(f"{page.name}: {page.path}, {CONNECTIONS} connections, {WARMUP} s warm-up, {duration} s")
                wrk.run(server.base, headers, requests_file, WARMUP)
                cpu_before, boots_before = server.cpu_seconds(), server.boots()
                result = wrk.run(server.base, headers, requests_file, duration)
                cores = (server.cpu_seconds() - cpu_before) / (result["duration_us"] / 1e6)
                rps = _report(page, result, cores)
                # Workers replaced during the run (max_requests): each boot is Django's start-up
                # and the deploy checks, and its requests wait meanwhile (the p99).
                figure(f"web_{page.name}_worker_boots", server.boots() - boots_before, "boots")
                if page.name == "healthz":
                    floor = rps
                else:
                    figure(f"web_{page.name}_healthz_ratio", rps / floor, "")


def clients_needed(duration: int) -> int:
    return serving.clients_needed(
        ceiling_per_second=CEILING_RPS, seconds=duration + WARMUP, throttle_scope="consent_check"
    )


def _subjects(population: int, *, at_least: int) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(username__startswith="bench-")
        # Every person once, in an order unrelated to their ids.
        .order_by("?")
        .values_list("pk", flat=True)[: max(CHECK_REQUESTS, at_least)]
    )


def _probe(base: str, page: Page, headers: list[str], request: wrk.Request) -> None:
    """One request before the load: the page must answer 200 itself, not send the citizen elsewhere."""
    request_headers = dict(header.split(": ", 1) for header in headers)
    if request.authorization:
        request_headers["Authorization"] = request.authorization
    status, body = serving.fetch(base, request.path, request_headers)
    if status != 200:
        raise BenchmarkFailed(f"{page.name}: {request.path} answered {status} {body[:200]!r}")
    if page.service and not json.loads(body)["allowed"]:
        raise BenchmarkFailed(f"{page.name}: the seeded consent was not found: {body[:200]!r}")


def _report(page: Page, result: dict, cores: float) -> float:
    rps = wrk.requests_per_second(page.name, result)
    figure(f"web_{page.name}_rps", rps, "requests/s")
    figure(f"web_{page.name}_p50_ms", result["p50_us"] / 1000, "ms")
    figure(f"web_{page.name}_p99_ms", result["p99_us"] / 1000, "ms")
    figure(f"web_{page.name}_cores_busy", cores, "cores")
    figure(f"web_{page.name}_rps_per_core", rps / max(cores, 1e-6), "requests/s")
    return rps
