"""A worker whose database connection was dropped (a PostgreSQL restart, a failover) runs its next task.

Found by ``make smoke``: the worker kept its connection between tasks without
checking it, so the first task after a restart failed on the dead connection.
Here the server ends the worker's session, as a restart does, between two tasks.
"""

import re

import pytest
from django.db import connection

from .processes import WORKER_APPLICATION_NAME, other_sessions, wait_until
from .worker_tasks import database_session

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_ARGS = ("-I", "tests.integration.worker_tasks", "-l", "INFO", "--concurrency", "1")


def _answers(worker) -> list[str]:
    return re.findall(r"succeeded in [0-9.]+s: '(\w+ backend \d+)'", worker.log())


def test_the_first_task_after_the_database_dropped_the_connection_succeeds(broker, start_worker):
    worker = start_worker(extra_args=WORKER_ARGS)
    database_session.delay("before")
    wait_until(lambda: _answers(worker), timeout=60, message="the first task did not run", details=worker.log_tail)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [WORKER_APPLICATION_NAME],
        )
    wait_until(lambda: other_sessions(connection) == 0, timeout=10, message="the worker's session lingers")

    database_session.delay("after")
    wait_until(
        lambda: len(_answers(worker)) == 2 or "Traceback" in worker.log() or " retry: " in worker.log(),
        timeout=60,
        message="the second task neither succeeded nor failed",
        details=worker.log_tail,
    )

    assert "connection is closed" not in worker.log()
    before, after = _answers(worker)
    assert before.startswith("before") and after.startswith("after")
    # A new session answered: the dead one was noticed and replaced, not reused.
    assert before.split()[-1] != after.split()[-1]
