"""Logging in Celery processes: Django's configuration kept, request ids carried into tasks.

By default a Celery worker throws away the root logger's handlers when it
starts and puts its own in their place, and gives the task logger a handler
of its own that does not propagate. Both lack the filters of ``LOGGING``, so
an ID number, a mobile number or an email address in a task's log line went
out in clear. Answering Celery's ``setup_logging`` signal tells it to leave
logging alone: every line of a worker or beat goes through the handlers (and
the masking filter) of ``settings.LOGGING``, as in the web processes.

A request that queues work puts its request id into the task message's
headers; the worker binds it while the task runs, so the worker's lines
about that work carry the id a citizen quotes to the hotline. Tasks queued
by a task carry it on in turn.
"""

import contextlib
import logging

import django
from celery import signals
from django.apps import apps

from .logging import bind_request_id, current_request_id, is_well_formed_request_id

REQUEST_ID_HEADER = "request_id"

# The bound request id of each running task, by task id, until the task ends.
_bound: dict[str, contextlib.ExitStack] = {}


def _keep_django_logging(loglevel=None, **kwargs) -> None:
    # Django configures LOGGING when it is set up, which the worker does
    # (Celery's Django fix-up) before it would configure logging itself.
    if not apps.ready:
        django.setup()
    # The command line's --loglevel still quiets or opens Celery's own chatter
    # (task received / succeeded); the portal's loggers follow LOGGING.
    if loglevel:
        logging.getLogger("celery").setLevel(loglevel)


def _redirect_stdouts(sender=None, instance=None, conf=None, **kwargs) -> None:
    # Celery redirects print() to a logger only when it configured logging
    # itself; do it here so printed text is masked as well.
    if instance is not None and getattr(instance, "redirect_stdouts", False):
        instance.app.log.redirect_stdouts(instance.redirect_stdouts_level)


def _request_id_to_headers(headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def _request_id_bind(task_id=None, task=None, **kwargs) -> None:
    request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    # A message comes from whoever can write to the broker: an id that is not
    # one of ours is not written to the logs.
    if task_id is None or not is_well_formed_request_id(request_id):
        return
    stack = contextlib.ExitStack()
    stack.enter_context(bind_request_id(request_id))
    _bound[task_id] = stack


def _request_id_unbind(task_id=None, **kwargs) -> None:
    stack = _bound.pop(task_id, None)
    if stack is not None:
        stack.close()


def connect() -> None:
    """Connect the receivers; called once by the Celery app's module, before any worker starts."""
    signals.setup_logging.connect(_keep_django_logging, weak=False, dispatch_uid="core.keep_django_logging")
    signals.celeryd_after_setup.connect(_redirect_stdouts, weak=False, dispatch_uid="core.redirect_stdouts")
    signals.before_task_publish.connect(_request_id_to_headers, weak=False, dispatch_uid="core.request_id_headers")
    signals.task_prerun.connect(_request_id_bind, weak=False, dispatch_uid="core.request_id_bind")
    signals.task_postrun.connect(_request_id_unbind, weak=False, dispatch_uid="core.request_id_unbind")
