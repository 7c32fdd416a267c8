"""Tasks for the worker tests, loaded by the worker with ``-I tests.integration.worker_tasks``.

``log_personal_data`` writes the text it is given in every way a task's text reaches a worker's
output: a module logger, Celery's task logger, print(), and its return value
(which Celery's own "succeeded" line repeats).
"""

import logging

from celery import shared_task
from celery.utils.log import get_task_logger

logger = logging.getLogger(__name__)
task_logger = get_task_logger(__name__)


@shared_task(name="tests.integration.worker_tasks.log_personal_data")
def log_personal_data(marker: str, text: str) -> str:
    logger.warning("task ran: %s %s", marker, text)
    task_logger.warning("task logger: %s %s", marker, text)
    print(f"printed: {marker} {text}")  # what a careless task might do
    return f"{marker} {text}"


@shared_task(name="tests.integration.worker_tasks.database_session")
def database_session(marker: str) -> str:
    """One query on the worker's connection; the answer names the server process that answered it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return f"{marker} backend {cursor.fetchone()[0]}"
