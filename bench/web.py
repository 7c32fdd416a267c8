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
  clients, over a seeded population. Each client may ask 120,000 times a
  minute (the ``consent_check`` throttle, per client in Redis, kept on: its
  round trip is part of the cost), so the load is spread over enough clients
  to stay under it.

Per page: requests/s, median and 99th-percentile latency as wrk saw them, the
CPU gunicorn's processes used (from /proc: the master, its live workers and
the workers it reaped), so requests/s per core busy, and the ratio to
``/healthz``. Every answer must be a 200: wrk's own error count leaves
redirects out, so a Lua script counts them (bench/wrk_report.lua).

The load generator, PostgreSQL and Redis share the machine with gunicorn;
requests/s per core is the figure that carries to a machine of other size.
"""

import contextlib
import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connections
from django.test.utils import override_settings

from bench import broker
from bench.consent_check import PURPOSE, _seed, service_access_token
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from bench.worker import PROJECT_DIR
from consents.models import PolicyVersion, Purpose

GUNICORN = PROJECT_DIR / ".venv" / "bin" / "gunicorn"
WRK = os.environ.get("BENCH_WRK", "/usr/bin/wrk")
LUA = Path(__file__).with_name("wrk_report.lua")
HOST = "127.0.0.1"
SERVER_NAME = "localhost"
CONNECTIONS = 8
WRK_THREADS = 2
DURATION = 10
WARMUP = 2
POPULATION = 10_000
CHECK_REQUESTS = 2_000
# consent_check in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, a minute, per service client.
THROTTLE_PER_MINUTE = 120_000
# Requests/s no single page will reach on this machine; sets how many service clients share the load.
CEILING_RPS = 5_000
START_TIMEOUT = 90
STOP_TIMEOUT = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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

    population = session.scaled(POPULATION)
    purpose = Purpose.objects.get(code=PURPOSE)
    policy = PolicyVersion.objects.order_by("-effective_at").first()
    _seed(first=1, last=population, purpose=purpose, policy=policy)
    cookie = _citizen_session(secret_key)
    check_lines = _consent_check_requests(population, clients=_clients_needed(duration))
    connections.close_all()

    figure("web_workers", workers, "processes")
    figure("web_threads", threads, "threads")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        folder = Path(folder)
        env = _environment(session.env, folder, secret_key=secret_key, threads=threads)
        _collectstatic(env)
        with _gunicorn(env, folder, workers=workers, threads=threads) as server:
            base = f"http://{HOST}:{server.port}"
            floor = None
            for page in PAGES:
                requests_file = folder / f"{page.name}.txt"
                requests_file.write_text("\n".join(check_lines) + "\n" if page.service else page.path + "\n")
                headers = [f"Host: {SERVER_NAME}"] + ([f"Cookie: sessionid={cookie}"] if page.signed_in else [])
                _probe(base, page, headers, check_lines[0] if page.service else None)
                progress(f"{page.name}: {page.path}, {CONNECTIONS} connections, {WARMUP} s warm-up, {duration} s")
                _wrk(base, headers, requests_file, WARMUP)
                cpu_before, boots_before = server.cpu_seconds(), server.boots()
                result = _wrk(base, headers, requests_file, duration)
                cores = (server.cpu_seconds() - cpu_before) / (result["duration_us"] / 1e6)
                rps = _report(page, result, cores)
                # Workers replaced during the run (max_requests): each boot is Django's start-up
                # and the deploy checks, and its requests wait meanwhile (the p99).
                figure(f"web_{page.name}_worker_boots", server.boots() - boots_before, "boots")
                if page.name == "healthz":
                    floor = rps
                else:
                    figure(f"web_{page.name}_healthz_ratio", rps / floor, "")


def _clients_needed(duration: int) -> int:
    # The throttle counts per minute: keep warm-up and run together within one minute's allowance,
    # so that even a run that falls inside one counting window is never refused.
    return max(1, -(-CEILING_RPS * (duration + WARMUP) // THROTTLE_PER_MINUTE))


def _citizen_session(secret_key: str) -> str:
    """A signed-in session for a fresh citizen, as ``login()`` leaves it, in the database.

    The citizen joined now, so no material policy is due; has no second factor
    and no open cancellation, so no middleware sends them elsewhere (the probe
    checks that). The session is signed with the run's secret key, gunicorn's.
    """
    user = get_user_model()(username="web-citizen", email="web-citizen@bench.example.cn", language="zh-hans")
    user.set_unusable_password()
    user.save()
    with override_settings(SECRET_KEY=secret_key):
        store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return store.session_key


def _consent_check_requests(population: int, *, clients: int) -> list[str]:
    """Request lines for wrk: subjects spread over the population, tokens over ``clients`` service clients."""
    tokens = [service_access_token(f"svc-web-{n}") for n in range(clients)]
    subjects = list(
        get_user_model()
        .objects.filter(username__startswith="bench-")
        # Every person once, in an order unrelated to their ids.
        .order_by("?")
        .values_list("pk", flat=True)[: max(CHECK_REQUESTS, clients)]
    )
    return [
        f"/api/v1/consent-check/?subject={subject}&purpose={PURPOSE}\tBearer {tokens[n % clients]}"
        for n, subject in enumerate(subjects)
    ]


def _environment(base: dict[str, str], folder: Path, *, secret_key: str, threads: int) -> dict[str, str]:
    env = dict(base)
    env.pop("DEBUG", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.production",
            # The sandbox identity, face and bank-card providers and the SMS backend
            # that sends nothing: a staging deployment, which this is.
            "PORTAL_STAGING_ALLOW_DEV_BACKENDS": "yes-this-is-not-production",
            "SECRET_KEY": secret_key,
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HMAC_KEY": secrets.token_urlsafe(48),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": SERVER_NAME,
            # Plain HTTP from wrk, as from nginx on the same host.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATA_RESIDENCY_DATABASE": "cn-mainland",
            "DATA_RESIDENCY_FILES": "cn-mainland",
            # The run's Redis database for the cache too, its keys under the run's prefix
            # so that the broker's clean-up removes them.
            "CACHE_URL": broker.BROKER_URL,
            "CACHE_KEY_PREFIX": f"{broker.KEY_PREFIX}cache",
            # psycopg's pool, one connection a thread, as deploy/privacy-portal.env.example has it.
            "DATABASE_POOL_MAX_SIZE": str(threads),
            "DATABASE_POOL_MIN_SIZE": "1",
            "MEDIA_ROOT": str(folder / "media"),
            "CHAIN_CHECKPOINT_DIR": str(folder / "checkpoints"),
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
            "LOG_FORMAT": "json",
            "GUNICORN_ACCESS_LOG": "-",
        }
    )
    (folder / "metrics").mkdir()
    return env


def _collectstatic(env: dict[str, str]) -> None:
    # The manifest storage of the production settings answers 500 on every page without it.
    progress("collectstatic (production settings)")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        timeout=300,
    )


class _Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.port = port
        self.log = log

    def boots(self) -> int:
        """Workers gunicorn has started so far, by its log."""
        return self.log.read_text(errors="replace").count("Booting worker")

    def cpu_seconds(self) -> float:
        """CPU time of the master, its live workers, and the workers it has reaped (restarted by max_requests)."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            fields = _stat(pid)
            if fields is None:
                continue
            # utime, stime; for the master also cutime, cstime: its reaped children.
            total += int(fields[11]) + int(fields[12])
            if pid == self.process.pid:
                total += int(fields[13]) + int(fields[14])
        return total / CLOCK_TICKS


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name, in parentheses, may hold spaces; the fields after it are plain.
    return text[text.rindex(")") + 2 :].split()


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], folder: Path, *, workers: int, threads: int):
    port = _free_port()
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    log = folder / "gunicorn.log"
    command = [
        str(GUNICORN),
        "--config",
        "deploy/gunicorn.conf.py",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
    ]
    progress(f"gunicorn: {workers} workers x {threads} threads on {HOST}:{port} (log {log})")
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=out, start_new_session=True)
    server = _Server(process, port, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_up(server: _Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchmarkFailed(f"gunicorn exited with {server.process.returncode}:\n{_tail(server.log)}")
        try:
            probe = urllib.request.Request(f"http://{HOST}:{server.port}/healthz", headers={"Host": SERVER_NAME})
            with urllib.request.urlopen(probe, timeout=2) as answer:  # noqa: S310 - http, built here
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up yet
            pass
        time.sleep(0.2)
    raise BenchmarkFailed(f"gunicorn did not answer /healthz within {START_TIMEOUT} s:\n{_tail(server.log)}")


def _stop(process: subprocess.Popen) -> None:
    # SIGTERM: gunicorn's graceful shutdown; then the whole group, so no worker outlives the run.
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        progress(f"gunicorn {process.pid} still running {STOP_TIMEOUT} s after SIGTERM; killing it")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(log: Path, lines: int = 10) -> str:
    try:
        return "\n".join(line[:400] for line in log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _probe(base: str, page: Page, headers: list[str], check_line: str | None) -> None:
    """One request before the load: the page must answer 200 itself, not send the citizen elsewhere."""
    path = page.path
    request_headers = dict(header.split(": ", 1) for header in headers)
    if check_line is not None:
        path, authorization = check_line.split("\t")
        request_headers["Authorization"] = authorization
    request = urllib.request.Request(base + path, headers=request_headers)  # noqa: S310 - http, built here
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
        location = error.headers.get("Location", "")
        raise BenchmarkFailed(f"{page.name}: {path} answered {status} {location} {body[:200]!r}") from None
    if status != 200:
        raise BenchmarkFailed(f"{page.name}: {path} answered {status}")
    if page.service and not json.loads(body)["allowed"]:
        raise BenchmarkFailed(f"{page.name}: the seeded consent was not found: {body[:200]!r}")


def _wrk(base: str, headers: list[str], requests_file: Path, duration: int) -> dict:
    command = [WRK, "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{duration}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(LUA), base + "/", "--", str(requests_file)]
    answer = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if answer.returncode != 0:
        raise BenchmarkFailed(f"wrk exited with {answer.returncode}: {answer.stderr.strip()}")
    try:
        return json.loads(answer.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchmarkFailed(f"wrk printed no report: {answer.stdout!r} {answer.stderr!r}") from None


def _report(page: Page, result: dict, cores: float) -> float:
    if result["non200"] or result["socket_errors"] or result["timeouts"]:
        raise BenchmarkFailed(
            f"{page.name}: {result['non200']} answers were not 200 (first: {result['first_bad']}), "
            f"{result['socket_errors']} socket errors, {result['timeouts']} timeouts"
        )
    if not result["requests"]:
        raise BenchmarkFailed(f"{page.name}: wrk completed no request")
    rps = result["requests"] / (result["duration_us"] / 1e6)
    figure(f"web_{page.name}_rps", rps, "requests/s")
    figure(f"web_{page.name}_p50_ms", result["p50_us"] / 1000, "ms")
    figure(f"web_{page.name}_p99_ms", result["p99_us"] / 1000, "ms")
    figure(f"web_{page.name}_cores_busy", cores, "cores")
    figure(f"web_{page.name}_rps_per_core", rps / max(cores, 1e-6), "requests/s")
    return rps
