"""The portal served by gunicorn for the HTTP benchmarks (``web``, ``http``), and who calls it.

gunicorn runs ``deploy/gunicorn.conf.py`` with production settings (the
staging switch on, for the sandbox providers; no HTTPS redirect, as behind
nginx), the run's database, Redis and SMTP sink, secrets made for the run and
the Prometheus multiprocess directory the web unit sets. The callers: a
citizen's session cookie, made with Django's session engine, and service
clients registered through the real service with tokens from the real
client-credentials grant.
"""

import base64
import contextlib
import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.test.utils import override_settings
from rest_framework.throttling import SimpleRateThrottle

from bench import broker
from bench.registry import BenchmarkFailed
from bench.report import progress
from bench.worker import PROJECT_DIR

GUNICORN = PROJECT_DIR / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
SERVER_NAME = "localhost"
PRODUCTION_SETTINGS = "privacy_portal.settings.production"
START_TIMEOUT = 90
STOP_TIMEOUT = 30
# CPU seconds the server may use in half a second and still count as idle.
SETTLED_CPU_SECONDS = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def environment(
    base: dict[str, str], folder: Path, *, secret_key: str, threads: int, settings_module: str = PRODUCTION_SETTINGS
) -> dict[str, str]:
    env = dict(base)
    env.pop("DEBUG", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            # The sandbox identity, face and bank-card providers and the SMS backend
            # that sends nothing: a staging deployment, which this is.
            "PORTAL_STAGING_ALLOW_DEV_BACKENDS": "yes-this-is-not-production",
            "SECRET_KEY": secret_key,
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HMAC_KEY": secrets.token_urlsafe(48),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": SERVER_NAME,
            # Absolute links in mail and messages (none are followed here); production refuses none.
            "SITE_URL": f"https://{SERVER_NAME}",
            # Plain HTTP from wrk, as from nginx on the same host.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATA_RESIDENCY_DATABASE": "cn-mainland",
            "DATA_RESIDENCY_FILES": "cn-mainland",
            # The footer's filing numbers (privacy_portal.W114, W115).
            "PORTAL_ICP_FILING": "粤ICP备12345678号",
            "PORTAL_PSB_FILING": "粤公网安备44010002000001号",
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
            # No worker recycling while measuring: each restart is a Django boot (about a
            # second of CPU) that a 2-core machine takes from the load being measured, and
            # at 1,000 requests/s four workers would restart every few seconds.
            "GUNICORN_MAX_REQUESTS": "0",
        }
    )
    (folder / "metrics").mkdir(exist_ok=True)
    return env


def collectstatic(env: dict[str, str]) -> None:
    # The manifest storage of the production settings answers 500 on every page without it.
    progress("collectstatic (production settings)")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        timeout=300,
    )


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path, workers: int = 1):
        self.process = process
        self.port = port
        self.log = log
        self.workers = workers

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

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
def gunicorn(env: dict[str, str], folder: Path, *, workers: int, threads: int) -> Iterator[Server]:
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
    server = Server(process, port, log, workers)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchmarkFailed(f"gunicorn exited with {server.process.returncode}:\n{tail(server.log)}")
        try:
            probe = urllib.request.Request(f"{server.base}/healthz", headers={"Host": SERVER_NAME})  # noqa: S310
            with urllib.request.urlopen(probe, timeout=2) as answer:  # noqa: S310 - http, built here
                if answer.status == 200:
                    _wait_until_settled(server, deadline)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up yet
            pass
        time.sleep(0.2)
    raise BenchmarkFailed(f"gunicorn did not answer /healthz within {START_TIMEOUT} s:\n{tail(server.log)}")


def _wait_until_settled(server: Server, deadline: float) -> None:
    """Every worker booted and idle: /healthz answers as soon as the first one has loaded Django.

    Workers load the application after the fork (preload_app is off), so the others may still
    be importing while the first answers; a load started then would count their boot as its cost.
    """
    while time.monotonic() < deadline and server.boots() < server.workers:
        time.sleep(0.2)
    previous = server.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = server.cpu_seconds()
        if current - previous < SETTLED_CPU_SECONDS:
            return
        previous = current
    raise BenchmarkFailed(f"gunicorn's workers did not settle within {START_TIMEOUT} s:\n{tail(server.log)}")


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


def tail(log: Path, lines: int = 10) -> str:
    try:
        return "\n".join(line[:400] for line in log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def citizen_session(secret_key: str, *, username: str = "web-citizen") -> str:
    """A signed-in session for a fresh citizen, as ``login()`` leaves it, in the database.

    The citizen joined now, so no material policy is due; has no second factor
    and no open cancellation, so no middleware sends them elsewhere (the probe
    checks that). The session is signed with the run's secret key, gunicorn's.
    """
    user = get_user_model()(username=username, email=f"{username}@bench.example.cn", language="zh-hans")
    user.set_unusable_password()
    user.save()
    with override_settings(SECRET_KEY=secret_key):
        store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return store.session_key


def per_minute(throttle_scope: str) -> int:
    """Requests a minute one service client may make under ``throttle_scope``, by the settings."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][throttle_scope]
    # DRF's own reading of a rate ("120000/min"), without a throttle instance to hang it on.
    allowed, seconds = SimpleRateThrottle.parse_rate(None, rate)
    return round(allowed * 60 / seconds)


def clients_needed(*, ceiling_per_second: float, seconds: float, throttle_scope: str) -> int:
    """How many service clients keep ``ceiling_per_second`` for ``seconds`` under each one's allowance.

    The throttle counts a sliding minute, so the whole load of the window counts against it.
    """
    allowance = per_minute(throttle_scope)
    return max(1, -(-round(ceiling_per_second * min(seconds, 60)) // allowance))


def service_clients_register(*, count: int, scopes: list[str], prefix: str) -> list[tuple[str, str]]:
    """Register ``count`` service clients through the real (audited) service; return (client_id, secret) each."""
    from accounts.service_clients.services import service_client_register

    officer = get_user_model().objects.create(
        username=f"{prefix}-officer", email=f"{prefix}-officer@bench.example.cn", is_staff=True
    )
    officer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["add_serviceclient", "change_serviceclient"]
        )
    )
    officer = get_user_model().objects.get(pk=officer.pk)  # without the permission cache
    credentials = []
    for n in range(count):
        client, secret = service_client_register(actor=officer, name=f"{prefix} {n}", scopes=scopes)
        credentials.append((client.client_id, secret))
    return credentials


def access_token(base: str, client_id: str, secret: str) -> str:
    """A bearer token from the running portal's ``POST /o/token/`` (client credentials, HTTP Basic)."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - http, built here
        f"{base}/o/token/",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={
            "Host": SERVER_NAME,
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            # As nginx says on the way in: the token endpoint is HTTPS-only.
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - http, built here
            return json.loads(answer.read())["access_token"]
    except urllib.error.HTTPError as error:
        raise BenchmarkFailed(f"/o/token/ answered {error.code}: {error.read()[:300]!r}") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(base: str, path: str, headers: dict[str, str], *, body: bytes | None = None) -> tuple[int, bytes]:
    """One request, redirects not followed: (status, body)."""
    request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - http, built here
    if body is not None:
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        return error.code, (f"{location} ".encode() if location else b"") + error.read()
