"""The service API and the citizen's pages against the framework's floor, over HTTP, in one run.

gunicorn (``BENCH_HTTP_WORKERS``, default 4 sync workers) serves the
production settings with one addition, the bench-only URLconf of
``bench.settings``: a bare DRF view with no authentication, permission or
throttle, the floor every other figure is set against. wrk drives each URL
with the same connections and duration (``BENCH_HTTP_CONNECTIONS``, default 8;
10 s times ``--scale``, at least 5), after a warm-up that is not counted:

- ``/bench/bare/``: ``http_bare_rps``;
- ``GET /api/v1/consent-check/`` with the bearer token of a service client
  (from ``POST /o/token/``, client credentials) over a seeded population:
  ``http_consent_check_rps`` and its ratio to the bare view (target 0.5 or more);
- ``POST /api/v1/consent-check/batch/`` with 1,000 subjects a request:
  ``http_batch_subjects_per_s`` (target 20,000 or more);
- the home page anonymous, then signed in (a real session cookie):
  ``http_home_anon_rps`` and ``http_home_signed_in_ratio`` (0.6 or more);
- the consent dashboard of the signed-in citizen: ``http_dashboard_ratio``
  against the anonymous home (0.33 or more) and its 95th-percentile latency.

Throttles stay on for the services (their Redis round trip is part of the
cost); the load is spread over enough clients to stay under each one's
allowance. Every answer must be a 200, or the run fails. The load generator,
PostgreSQL and Redis share the machine with gunicorn, as in ``web``.
"""

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections
from django.urls import Resolver404, resolve

from accounts.service_clients.scopes import CONSENT_CHECK
from bench import serving, wrk
from bench.consent_check import PURPOSE, _seed
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, missing, progress, verdict
from bench.urls import BARE_PATH
from consents.models import PolicyVersion, Purpose

SETTINGS_MODULE = "bench.settings"
WORKERS = 4
DURATION = 10
# A batch of 1,000 can take seconds on a busy machine: a shorter run might complete none.
MIN_DURATION = 5
WARMUP = 2
POPULATION = 10_000
CHECK_REQUESTS = 2_000
BATCH_SIZE = 1_000
BATCH_REQUESTS = 20
CHECK_PATH = "/api/v1/consent-check/"
# What only a signed-in person's page carries (templates/base.html's header).
SIGNED_IN_MARK = b'data-testid="signed-in-name"'
BATCH_PATH = "/api/v1/consent-check/batch/"
# Rates no URL will reach on this machine: they size how many clients share the load.
CHECK_CEILING_RPS = 5_000
BATCH_CEILING_RPS = 100

# Every figure the benchmark prints, in order (tests/test_bench.py holds the list to the issue's).
FIGURES = (
    "http_bare_rps",
    "http_consent_check_rps",
    "http_consent_check_ratio",
    "http_batch_subjects_per_s",
    "http_home_anon_rps",
    "http_home_signed_in_ratio",
    "http_dashboard_ratio",
    "http_dashboard_p95_ms",
)
TARGETS = {
    "http_consent_check_ratio": 0.5,
    "http_batch_subjects_per_s": 20_000,
    "http_home_signed_in_ratio": 0.6,
    "http_dashboard_ratio": 0.33,
}


@dataclass(frozen=True)
class Load:
    name: str
    requests: list[wrk.Request]
    signed_in: bool = False


@benchmark("http")
def http(session) -> None:
    """gunicorn (4 workers, production settings) under wrk: bare DRF view, consent check and batch, home, dashboard."""
    workers = int(os.environ.get("BENCH_HTTP_WORKERS", str(WORKERS)))
    connections_open = int(os.environ.get("BENCH_HTTP_CONNECTIONS", str(wrk.CONNECTIONS)))
    duration = max(MIN_DURATION, session.scaled(DURATION))
    secret_key = secrets.token_urlsafe(50)
    wrk.ensure_installed()

    population = session.scaled(POPULATION)
    purpose = Purpose.objects.get(code=PURPOSE)
    policy = PolicyVersion.objects.order_by("-effective_at").first()
    _seed(first=1, last=population, purpose=purpose, policy=policy)
    cookie = serving.citizen_session(secret_key, username="http-citizen")
    window = duration + WARMUP
    check_clients = serving.service_clients_register(
        count=_clients(CHECK_CEILING_RPS, window, "consent_check"), scopes=[CONSENT_CHECK], prefix="http-check"
    )
    batch_clients = serving.service_clients_register(
        count=_clients(BATCH_CEILING_RPS, window, "consent_check_batch"), scopes=[CONSENT_CHECK], prefix="http-batch"
    )
    subjects = list(
        get_user_model().objects.filter(username__startswith="bench-").order_by("?").values_list("pk", flat=True)
    )
    connections.close_all()

    progress(f"http: {workers} workers, {connections_open} connections, {WARMUP} s warm-up, {duration} s a URL")
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        folder = Path(folder)
        env = serving.environment(
            session.env, folder, secret_key=secret_key, threads=1, settings_module=SETTINGS_MODULE
        )
        serving.collectstatic(env)
        with serving.gunicorn(env, folder, workers=workers, threads=1) as server:
            check_tokens = [serving.access_token(server.base, *pair) for pair in check_clients]
            batch_tokens = [serving.access_token(server.base, *pair) for pair in batch_clients]
            driver = _Driver(server, folder, cookie=cookie, connections=connections_open, duration=duration)

            bare = driver.rps(Load("bare", [wrk.Request("/" + BARE_PATH)]))
            figure("http_bare_rps", bare, "requests/s")
            check = driver.rps(Load("consent_check", _check_requests(subjects, check_tokens)))
            figure("http_consent_check_rps", check, "requests/s")
            _ratio("http_consent_check_ratio", check / bare)
            batches = _batch_requests(subjects, batch_tokens)
            if not _mounted(BATCH_PATH):
                missing("http_batch_subjects_per_s", "endpoint missing")
            else:
                per_batch = len(json.loads(batches[0].body)["subjects"])
                subjects_per_s = driver.rps(Load("batch", batches)) * per_batch
                figure("http_batch_subjects_per_s", subjects_per_s, "subjects/s")
                progress(_judged("http_batch_subjects_per_s", subjects_per_s))
            anonymous = driver.rps(Load("home_anon", [wrk.Request("/")]))
            figure("http_home_anon_rps", anonymous, "requests/s")
            signed_in = driver.rps(Load("home_signed_in", [wrk.Request("/")], signed_in=True))
            _ratio("http_home_signed_in_ratio", signed_in / anonymous)
            dashboard = driver.rps(Load("dashboard", [wrk.Request("/privacy/")], signed_in=True))
            _ratio("http_dashboard_ratio", dashboard / anonymous)
            figure("http_dashboard_p95_ms", driver.last["p95_us"] / 1000, "ms")


def _clients(ceiling_per_second: int, window: int, throttle_scope: str) -> int:
    return serving.clients_needed(ceiling_per_second=ceiling_per_second, seconds=window, throttle_scope=throttle_scope)


def _mounted(path: str) -> bool:
    """Whether the portal has a view at ``path`` (not the API's catch-all "not found")."""
    from privacy_portal.views import api_not_found

    try:
        return resolve(path, urlconf="bench.urls").func is not api_not_found
    except Resolver404:
        return False


def _check_requests(subjects: list[int], tokens: list[str]) -> list[wrk.Request]:
    chosen = subjects[: max(CHECK_REQUESTS, len(tokens))]
    return [
        wrk.Request(f"{CHECK_PATH}?subject={subject}&purpose={PURPOSE}", f"Bearer {tokens[n % len(tokens)]}")
        for n, subject in enumerate(chosen)
    ]


def _batch_requests(subjects: list[int], tokens: list[str]) -> list[wrk.Request]:
    """Batches of distinct people (a duplicate is refused), each a different slice of the population."""
    size = min(BATCH_SIZE, len(subjects))
    requests = []
    for n in range(max(BATCH_REQUESTS, len(tokens))):
        start = (n * size) % len(subjects)
        chosen = (subjects[start:] + subjects[:start])[:size]
        body = json.dumps({"purpose": PURPOSE, "subjects": chosen}, separators=(",", ":"))
        requests.append(wrk.Request(BATCH_PATH, f"Bearer {tokens[n % len(tokens)]}", body))
    return requests


def _judged(name: str, value: float) -> str:
    target = TARGETS[name]
    shown = f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return f"{name}: {shown} (target {target:g}: {verdict(value, target)})"


def _ratio(name: str, value: float) -> None:
    figure(name, value, "")
    progress(_judged(name, value))


class _Driver:
    """Runs wrk against one gunicorn: probe, warm-up, then the counted run of each load."""

    def __init__(self, server: serving.Server, folder: Path, *, cookie: str, connections: int, duration: int):
        self.server = server
        self.folder = folder
        self.cookie = cookie
        self.connections = connections
        self.duration = duration
        self.last: dict = {}

    def headers(self, load: Load) -> list[str]:
        return [f"Host: {serving.SERVER_NAME}"] + ([f"Cookie: sessionid={self.cookie}"] if load.signed_in else [])

    def rps(self, load: Load) -> float:
        self._probe(load)
        requests_file = wrk.requests_file(self.folder / f"{load.name}.txt", load.requests)
        headers = self.headers(load)
        progress(f"{load.name}: {load.requests[0].path}")
        wrk.run(self.server.base, headers, requests_file, WARMUP, connections=self.connections)
        cpu, boots = self.server.cpu_seconds(), self.server.boots()
        self.last = wrk.run(self.server.base, headers, requests_file, self.duration, connections=self.connections)
        rps = wrk.requests_per_second(load.name, self.last)
        # The server's own CPU per request tells a slower path from a busier machine.
        cpu_ms = (self.server.cpu_seconds() - cpu) * 1000 / max(rps * self.duration, 1)
        progress(
            f"  {rps:.1f} requests/s, p50 {self.last['p50_us'] / 1000:.1f} ms, p95 {self.last['p95_us'] / 1000:.1f} ms,"
            f" server CPU {cpu_ms:.2f} ms/request, worker boots {self.server.boots() - boots}"
        )
        return rps

    def _fetch(self, request: wrk.Request, *, signed_in: bool) -> tuple[int, bytes]:
        headers = {"Host": serving.SERVER_NAME}
        if signed_in:
            headers["Cookie"] = f"sessionid={self.cookie}"
        if request.authorization:
            headers["Authorization"] = request.authorization
        body = request.body.encode() if request.body else None
        return serving.fetch(self.server.base, request.path, headers, body=body)

    def _probe(self, load: Load) -> None:
        """One request before the load: it must answer 200 itself, not send the caller elsewhere."""
        status, body = self._fetch(load.requests[0], signed_in=load.signed_in)
        if status != 200:
            raise BenchmarkFailed(f"{load.name}: {load.requests[0].path} answered {status} {body[:300]!r}")
        if load.signed_in and SIGNED_IN_MARK not in body:
            # A session the portal refused would be served the anonymous page, and measured as signed in.
            raise BenchmarkFailed(f"{load.name}: {load.requests[0].path} was not served to the signed-in citizen")
        if load.name == "consent_check" and not json.loads(body)["allowed"]:
            raise BenchmarkFailed(f"{load.name}: the seeded consent was not found: {body[:200]!r}")
