"""A real worker process masks personal data in everything it writes, and tags task lines with the request id.

Celery replaces the root logger's handlers when a worker starts unless told
otherwise (core/worker_logging.py); this runs ``celery worker`` as production
does (prefork pool, its own process) and reads what it wrote.
"""

import json

import pytest
from django.db import transaction

from core.dispatch import dispatch_on_commit
from core.logging import bind_request_id

from .processes import wait_until
from .worker_tasks import log_personal_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ID_NUMBER, MOBILE, EMAIL = "110101199003077777", "13800138000", "zhang.san@example.cn"
PERSONAL = f"ID {ID_NUMBER}, mobile {MOBILE}, email {EMAIL}"
MASKED = ["1101**********7777", "138****8000", "z***@example.cn"]
REQUEST_ON_COMMIT = "req-on-commit-0001"
REQUEST_DIRECT = "req-direct-0002"
WORKER_ARGS = ("-I", "tests.integration.worker_tasks", "-l", "INFO")


def _queue_three_tasks() -> None:
    # Queued after commit, the commit coming once the request's id is no longer bound.
    with transaction.atomic(), bind_request_id(REQUEST_ON_COMMIT):
        dispatch_on_commit(log_personal_data, "on-commit", PERSONAL)
    with bind_request_id(REQUEST_DIRECT):
        log_personal_data.delay("direct", PERSONAL)
    # Beat's tasks have no request: no id, and none left over from the tasks before.
    log_personal_data.delay("no-request", PERSONAL)


def _wait_for_all(worker) -> str:
    wait_until(
        lambda: worker.log().count("succeeded in") == 3,
        timeout=60,
        message="the worker did not run the three tasks",
        details=worker.log_tail,
    )
    return worker.log()


def _assert_masked(output: str) -> None:
    for value in (ID_NUMBER, MOBILE, EMAIL):
        assert value not in output
    for masked in MASKED:
        assert masked in output


def test_a_worker_masks_personal_data_and_tags_lines_with_the_request_id(broker, start_worker):
    worker = start_worker(extra_args=WORKER_ARGS)
    _queue_three_tasks()
    output = _wait_for_all(worker)

    _assert_masked(output)
    lines = output.splitlines()
    for kind in ("task ran", "task logger", "printed"):
        assert any(kind in line for line in lines), f"no {kind!r} line in:\n{output}"

    def line(text: str) -> str:
        return next(line for line in lines if text in line)

    assert f"[{REQUEST_ON_COMMIT}]" in line("task ran: on-commit")
    assert f"[{REQUEST_DIRECT}]" in line("task ran: direct")
    assert f"[{REQUEST_DIRECT}]" in line("task logger: direct")
    assert "[-]" in line("task ran: no-request")


def test_a_worker_writes_json_lines_when_asked(broker, start_worker):
    worker = start_worker(extra_args=WORKER_ARGS, extra_env={"LOG_FORMAT": "json"})
    _queue_three_tasks()
    output = _wait_for_all(worker)

    _assert_masked(output)
    # The start-up banner is printed, not logged; every logged line is one JSON object.
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    by_message = {record["message"].split(",")[0]: record for record in records}
    ran = by_message["task ran: on-commit ID 1101**********7777"]
    assert ran["request_id"] == REQUEST_ON_COMMIT
    assert ran["level"] == "WARNING"
    assert ran["logger"] == "tests.integration.worker_tasks"
    assert ran["time"]
    assert by_message["task ran: direct ID 1101**********7777"]["request_id"] == REQUEST_DIRECT
    assert by_message["task ran: no-request ID 1101**********7777"]["request_id"] == "-"
    assert any(record["logger"] == "celery.app.trace" and "succeeded" in record["message"] for record in records)
