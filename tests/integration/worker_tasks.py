"""A task for the worker-logging test, loaded by the worker with ``-I tests.integration.worker_tasks``.

It writes the text it is given in every way a task's text reaches a worker's
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
