"""Refuse to start a web or worker process on a deploy-check error.

``check --deploy`` in CI proves nothing about the environment a server is started in. So the
processes a deployment runs — gunicorn through ``wsgi.py``/``asgi.py``, the Celery worker and
beat through ``celery.py`` — run the same checks themselves before they serve or consume
anything, when the settings ask for it (``DEPLOY_CHECKS_AT_START``, on in production only: a
developer's ``runserver`` and the test suite start as before). Warnings, such as the staging
switch's, are printed to standard error and the process starts.
"""

import io

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError


class DeployCheckRefusal(Exception):
    """The deploy checks found an Error. An Exception, not SystemExit: gunicorn halts on a worker that
    fails to boot with one, instead of forking it again and again."""


def deploy_checks_enforce(*, process: str) -> None:
    """Run every check, deploy checks included; stop the process on an Error.

    ``call_command("check")`` rather than ``run_checks``: it honours SILENCED_SYSTEM_CHECKS and
    formats the findings exactly as an operator sees them from ``manage.py check --deploy``.
    """
    if not getattr(settings, "DEPLOY_CHECKS_AT_START", False):
        return
    try:
        call_command("check", deploy=True, fail_level="ERROR", stdout=io.StringIO())
    except SystemCheckError as refusal:
        raise DeployCheckRefusal(f"The {process} process refuses to start:\n{refusal}") from refusal
