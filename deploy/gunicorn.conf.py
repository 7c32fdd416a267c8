"""gunicorn's configuration for the portal: ``gunicorn -c deploy/gunicorn.conf.py``.

Every figure comes from the environment (deploy/privacy-portal.env.example says
what each means), so one file serves one small host, many web nodes and the
local ``make serve`` stack. gunicorn reads this file as Python before it loads
the application; nothing here imports Django.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "privacy_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",")

# Threads, because a request mostly waits on PostgreSQL; processes, because
# Python runs one thread at a time. Two processes a core is a sound start;
# docs/scaling.md has the figures behind it.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count())
threads = _int("GUNICORN_THREADS", 4)

# The slowest legitimate request (an export's ZIP is built by a worker, not
# here; a download is streamed) ends well within this. A worker stuck past it
# is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (a deploy, systemctl stop) requests in flight get this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Each worker is replaced after this many requests, the jitter spreading the
# restarts so that the workers do not all restart at once; whatever a library
# leaks goes with it.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# nginx on the same host (or the load balancer's addresses) may set
# X-Forwarded-Proto; nobody else is believed. Django's own SECURE_PROXY_SSL_HEADER
# and TRUSTED_PROXY_COUNT decide what the application does with the headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file of each worker in memory, not on a disk that may stall.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108 - tmpfs by design

# The access log carries no query string: a citizen's search or a consent
# check's ?subject=… can hold personal data. %(U)s is the path alone.
# Fields: client (nginx's address: the citizen's is in nginx's own log and in
# the portal's request log), time, method, path, status, bytes, duration in
# microseconds, request id (set by the portal in X-Request-ID).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(D)s %({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "privacy-portal")

# Load the application in each worker (not in the master before fork), so no
# database connection, pool thread or Redis socket is ever shared by two
# processes; a worker that fails to load stops gunicorn at start.
preload_app = False


def child_exit(server, worker):
    """A dead worker's live gauges leave the Prometheus multiprocess directory with it.

    Only when metrics run in multiprocess mode (PROMETHEUS_MULTIPROC_DIR set);
    without prometheus_client installed there is nothing to clean up.
    """
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    try:
        from prometheus_client import multiprocess
    except ImportError:
        return
    multiprocess.mark_process_dead(worker.pid)
