"""The processes of the smoke run: a small deployment on one machine, private to this run.

Every service listens on a free port of 127.0.0.1 and keeps its files under
one temporary directory, so the run shares nothing with the machine's own
PostgreSQL and Redis or with other runs, and ``stop()`` leaves nothing behind:
each process is the leader of its own process group, and stopping kills the
whole group (pool children, nginx workers) after a short grace period.
"""

import contextlib
import mailbox
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import redis
from cryptography.fernet import Fernet

from .postgres import PostgresCluster

PROJECT_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STOP_GRACE = 10.0
START_TIMEOUT = 60.0

DATABASE = "privacy_portal_smoke"
OWNER_ROLE = "privacy_portal_smoke_owner"
APP_ROLE = "privacy_portal_smoke_app"
BUCKET = "portal-smoke"
S3_ACCESS_KEY = "smoke-access-key"
S3_SECRET_KEY = "smoke-secret-key"
S3_REGION = "us-east-1"  # moto's home region: a bucket there needs no location constraint


class SmokeFailure(Exception):
    """A step did not show what it must; the message says what was seen instead."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout: float, message: str, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; ``SmokeFailure(message)`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{message} (waited {timeout:.0f} s)")
        time.sleep(interval)


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM the group, SIGKILL whatever is left of it after ``grace`` seconds."""
        _signal_group(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Pool children or nginx workers may outlive their leader for a moment.
        deadline = time.monotonic() + grace
        while _group_alive(self.process.pid) and time.monotonic() < deadline:
            _signal_group(self.process.pid, signal.SIGKILL)
            time.sleep(0.05)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def children_of(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux), e.g. a Celery worker's pool processes."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


@dataclass
class Stack:
    """Two web instances behind one nginx, two workers, one beat, and what they need."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-smoke-")))
    services: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self):
        # The cluster's owner (postgres, when run as root) must reach its directory, and nginx's
        # worker processes (nobody) their temporary directories; the secrets are in no file here.
        self.directory.chmod(0o755)
        self.logs = self.directory / "logs"
        self.logs.mkdir()
        self.mail_dir = self.directory / "mail"
        self.postgres = PostgresCluster(self.directory / "postgresql", free_port())
        self.redis_port = free_port()
        self.s3_port = free_port()
        self.smtp_port = free_port()
        self.web_ports = {"web-1": free_port(), "web-2": free_port()}
        self.nginx_port = free_port()
        self.env = self._environment()

    # -- configuration ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.nginx_port}"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def web_for_upstream(self, upstream: str) -> str:
        """The instance behind nginx's ``$upstream_addr`` (``127.0.0.1:PORT``)."""
        for name, port in self.web_ports.items():
            if upstream.strip() == f"127.0.0.1:{port}":
                return name
        raise SmokeFailure(f"nginx named an upstream that is neither web instance: {upstream!r}")

    def _environment(self) -> dict[str, str]:
        """What every portal process of the run gets: production settings, the staging switch, this stack."""
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing of the caller's own portal configuration leaks in.
            if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "STORAGE_", "GUNICORN_", "SENTRY_", "AWS_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "FIELD_HMAC_KEY": secrets.token_urlsafe(48),
                "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                "DATA_RESIDENCY_DATABASE": "cn-mainland",
                "DATA_RESIDENCY_FILES": "cn-mainland",
                # Sandbox identity providers and no SMS gateway: a staging deployment, and it says so.
                "PORTAL_STAGING_ALLOW_DEV_BACKENDS": "yes-this-is-not-production",
                # Plain HTTP on localhost, as `make serve`: no redirect, no HSTS.
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0",
                # Links in mail point at nginx; plain http passes only as a staging warning (W113).
                "SITE_URL": self.base_url,
                "TRUSTED_PROXY_COUNT": "1",
                # The footer's filing numbers; without them every start warns (W114, W115).
                "PORTAL_ICP_FILING": "粤ICP备12345678号",
                "PORTAL_PSB_FILING": "粤公网安备44010002000001号",
                "DATABASE_URL": self.postgres.url(user=APP_ROLE, database=DATABASE),
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
                "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
                "STORAGE_BACKEND": "s3",
                "STORAGE_S3_BUCKET": BUCKET,
                "STORAGE_S3_ENDPOINT_URL": self.s3_url,
                "STORAGE_S3_REGION": S3_REGION,
                "STORAGE_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
                "STORAGE_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
                "STORAGE_S3_ADDRESSING_STYLE": "path",
                # The object store of this run is on this machine: the deployment's own allow-list entry.
                "STORAGE_ENDPOINT_ALLOWLIST": "cn-mainland=127.0.0.1",
                "MEDIA_ROOT": str(self.directory / "media"),
                "CHAIN_CHECKPOINT_DIR": str(self.directory / "checkpoints"),
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "4",
                "GUNICORN_GRACEFUL_TIMEOUT": "5",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    # -- starting -----------------------------------------------------------------------------

    def start(self, say) -> None:
        say("PostgreSQL (own cluster), Redis, moto S3, SMTP sink")
        self.postgres.init()
        self.postgres.start()
        self._start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
        )
        self._start("moto", [str(PYTHON), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)])
        mailbox.Maildir(self.mail_dir, create=True)
        self._start(
            "smtp-sink",
            [str(PYTHON), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}"]
            + ["-c", "aiosmtpd.handlers.Mailbox", str(self.mail_dir)],
        )
        wait_for(self._redis_answers, timeout=START_TIMEOUT, message="redis-server did not answer")
        wait_for(self._s3_bucket_made, timeout=START_TIMEOUT, message="moto's S3 server did not answer")
        wait_for(lambda: _port_open(self.smtp_port), timeout=START_TIMEOUT, message="the SMTP sink did not answer")

        say("database roles, migrations as the owner, static files")
        self._db_roles()
        self.manage("migrate", "--no-input", database_user=OWNER_ROLE)
        self._db_roles()
        self.manage("collectstatic", "--no-input", "--verbosity", "0")

        say("nginx → web-1 + web-2 (gunicorn), worker-1 + worker-2, beat")
        for name, port in self.web_ports.items():
            self._start(
                name,
                [str(VENV_BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
                GUNICORN_BIND=f"127.0.0.1:{port}",
                GUNICORN_PROC_NAME=f"privacy-portal-smoke-{name}",
                DATABASE_URL=self.postgres.url(user=APP_ROLE, database=DATABASE, application_name=f"smoke-{name}"),
            )
        for name in ("worker-1", "worker-2"):
            self._start(
                name,
                [str(VENV_BIN / "celery"), "-A", "privacy_portal", "worker", "--loglevel", "INFO"]
                # One pool process each: the process building an export is the one to kill.
                + ["--concurrency", "1", "--hostname", f"smoke-{name}@%h"],
                DATABASE_URL=self.postgres.url(user=APP_ROLE, database=DATABASE, application_name=f"smoke-{name}"),
            )
        self._start(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "privacy_portal", "beat", "--loglevel", "INFO"]
            + ["--schedule", str(self.directory / "celerybeat-schedule")],
        )
        self._write_nginx_config()
        self._start("nginx", [NGINX, "-p", str(self.directory / "nginx"), "-c", "nginx.conf", "-g", "daemon off;"])
        for name, port in self.web_ports.items():
            wait_for(
                lambda port=port: _http_ok(f"http://127.0.0.1:{port}/healthz"),
                timeout=START_TIMEOUT,
                message=f"{name} (gunicorn) did not answer /healthz",
            )
        wait_for(lambda: _http_ok(f"{self.base_url}/readyz"), timeout=START_TIMEOUT, message="nginx → /readyz not 200")
        for name in ("worker-1", "worker-2"):
            wait_for(
                lambda name=name: "ready." in self.services[name].log_tail(200),
                timeout=START_TIMEOUT,
                message=f"{name} did not report ready",
            )
        self.check_running()

    def _start(self, name: str, command: list[str], **extra_env: str) -> Service:
        log_path = self.logs / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env={**self.env, **extra_env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own group: Ctrl-C reaches the driver alone, which then stops everything in order.
                start_new_session=True,
            )
        service = Service(name, process, log_path)
        self.services[name] = service
        return service

    def _redis_answers(self) -> bool:
        try:
            with redis.Redis(host="127.0.0.1", port=self.redis_port, socket_timeout=2) as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def s3_client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def _s3_bucket_made(self) -> bool:
        if not _port_open(self.s3_port):
            return False
        self.s3_client().create_bucket(Bucket=BUCKET)
        return True

    def s3_keys(self) -> list[str]:
        pages = self.s3_client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def _db_roles(self) -> None:
        env = {**self.env, "PGHOST": "127.0.0.1", "PGPORT": str(self.postgres.port), "PGUSER": "postgres"}
        self._run(["bash", "scripts/db-roles", DATABASE, OWNER_ROLE, APP_ROLE], env=env, what="scripts/db-roles")

    def manage(self, *args: str, database_user: str = APP_ROLE, stdin: str | None = None) -> str:
        """``manage.py`` with the stack's environment (as the application role unless told); its output."""
        env = {**self.env, "DATABASE_URL": self.postgres.url(user=database_user, database=DATABASE)}
        return self._run([str(PYTHON), "manage.py", *args], env=env, what=f"manage.py {args[0]}", stdin=stdin)

    def _run(self, command: list[str], *, env: dict, what: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            command, cwd=PROJECT_DIR, env=env, input=stdin, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SmokeFailure(f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result.stdout

    def _write_nginx_config(self) -> None:
        """deploy/nginx as deployed, with this run's ports and paths, both instances upstream.

        The one addition: ``X-Upstream`` names the instance that answered, so the driver can tell
        which web instance served each request.
        """
        out = self.directory / "nginx"
        out.mkdir()
        static_root = PROJECT_DIR / "var" / "static"
        locations = _replaced(
            (PROJECT_DIR / "deploy/nginx/privacy-portal-locations.conf").read_text(),
            {
                "alias /srv/privacy-portal/var/static/;": f"alias {static_root}/;",
                "proxy_pass http://privacy_portal;": (
                    "proxy_pass http://privacy_portal;\n    add_header X-Upstream $upstream_addr always;"
                ),
            },
        )
        (out / "locations.conf").write_text(locations)
        upstreams = "\n".join(
            f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in self.web_ports.values()
        )
        site = _replaced(
            (PROJECT_DIR / "deploy/nginx/privacy-portal.conf").read_text(),
            {
                "    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;": upstreams,
                "    listen 80;\n    listen [::]:80;\n    server_name privacy.gov.example.cn;\n    access_log": (
                    f"    listen 127.0.0.1:{self.nginx_port};\n    server_name localhost;\n    access_log"
                ),
                "/var/log/nginx/privacy-portal.access.log": f"{self.logs}/nginx-access.log",
                "include snippets/privacy-portal-locations.conf;": f"include {out}/locations.conf;",
            },
        )
        (out / "site.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {out}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (out / "nginx.conf").write_text(
            "# Generated by tests/smoke: the smoke run's own nginx.\n"
            "worker_processes 1;\n"
            f"pid {out}/nginx.pid;\n"
            f"error_log {self.logs}/nginx-error.log warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            "    sendfile on;\n"
            f"{temp}\n"
            f"    include {out}/site.conf;\n"
            "}\n"
        )
        self._run([NGINX, "-t", "-q", "-p", str(out), "-c", "nginx.conf"], env=self.env, what="nginx -t")

    # -- watching and stopping ----------------------------------------------------------------

    def check_running(self) -> None:
        for service in self.services.values():
            if not service.running:
                raise SmokeFailure(f"{service.name} exited with {service.process.returncode}")

    def log_tails(self, names=None, lines: int = 25) -> str:
        chosen = names or list(self.services)
        parts = [
            f"--- {name} ({self.services[name].log_path}) ---\n{self.services[name].log_tail(lines)}" for name in chosen
        ]
        pg_log = self.postgres.log_path
        if names is None and pg_log.exists():
            parts.append(
                f"--- postgresql ({pg_log}) ---\n" + "\n".join(pg_log.read_text(errors="replace").splitlines()[-lines:])
            )
        return "\n".join(parts)

    def stop(self, *, keep_directory: bool = False) -> None:
        # Front to back: nginx first, the database last.
        for name in reversed(list(self.services)):
            self.services[name].stop()
        self.postgres.stop()
        if not keep_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def _replaced(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        if old not in text:
            # deploy/nginx changed shape: say so rather than start a stack that differs from it.
            raise SmokeFailure(f"deploy/nginx no longer contains {old!r}; update tests/smoke/stack.py")
        text = text.replace(old, new)
    return text


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _http_ok(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":  # pragma: no cover - `python -m tests.smoke.stack`: the stack alone, for poking at
    stack = Stack()
    try:
        stack.start(lambda text: print("==", text, flush=True))
        print(f"up: {stack.base_url}  (directory {stack.directory}); Ctrl-C stops", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    sys.exit(0)
