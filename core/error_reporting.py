"""Error reporting to Sentry (``SENTRY_DSN``), with personal data masked out of every event.

An error report holds much more than a log line: the exception's message,
local variables of each frame, the request's body and query string, log
records as breadcrumbs, extra data. sentry-sdk with ``send_default_pii``
off already leaves out cookies, user ids and client addresses and blanks
values under names like "password"; everything that is still text is
passed through the same masking as the logs before it leaves the process.
"""

import logging
from typing import Any
from urllib.parse import unquote, unquote_plus

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from .logging import mask_personal_data


def masked(value: Any) -> Any:
    """``value`` with every string in it (keys too, at any depth) masked."""
    if isinstance(value, str):
        # URLs show up everywhere (the request's repr in a frame, breadcrumbs), and
        # "zhang%40example.cn" hides an address from the patterns: decode first.
        return mask_personal_data(unquote(value) if "%" in value else value)
    if isinstance(value, dict):
        return {masked(key): masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(masked(item) for item in value)
    return value


def _before_send(event, hint):
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("query_string"), str):
        # A query string also writes spaces as "+".
        request["query_string"] = unquote_plus(request["query_string"])
    return masked(event)


def _before_breadcrumb(crumb, hint):
    return masked(crumb)


def error_reporting_init(*, dsn: str, environment: str, release: str = "") -> None:
    """Switch Sentry on for this process (web, worker or beat: each app's ``ready()`` runs in all)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        before_send=_before_send,
        before_send_transaction=_before_send,
        before_breadcrumb=_before_breadcrumb,
        # Errors only: no performance tracing (traces_sample_rate left unset).
    )
