"""Text messages to mainland mobile numbers, through a pluggable backend.

``SMS_BACKEND`` names the backend class, as ``EMAIL_BACKEND`` does for mail.
The default, ``MemoryBackend``, sends nothing: it keeps messages in
``accounts.sms.outbox`` (tests read codes from there, as from
``django.core.mail.outbox``) and logs each one with the number masked. A real
gateway subclasses ``BaseSmsBackend`` and is named in the setting.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from core.logging import mask_personal_data

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    """Send text messages; return how many were accepted by the gateway."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


# Messages "sent" through MemoryBackend, oldest first. Tests empty it.
outbox: list[SmsMessage] = []


class MemoryBackend(BaseSmsBackend):
    """For development and tests: keep messages in memory, log them masked.

    The message text holds a one-time code, so it reaches the log only when
    DEBUG is on (a developer's own machine); elsewhere the log shows the
    masked number and the length.
    """

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            outbox.append(message)
            if settings.DEBUG:
                logger.info("SMS to %s: %s", mask_personal_data(message.to), message.body)
            else:
                logger.info(
                    "SMS to %s (%d characters) kept in memory", mask_personal_data(message.to), len(message.body)
                )
        return len(messages)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> bool:
    """Send one text message now; return whether the gateway took it.

    A gateway failure is logged, never raised: the person sees the usual
    "code sent" page and can ask for a new code, instead of an error page
    that would also tell whether the number has an account.
    """
    try:
        return get_backend().send_messages([SmsMessage(to=to, body=body)]) == 1
    except Exception as exc:  # noqa: BLE001 - any gateway failure is logged and reported as not sent
        logger.warning("SMS to %s failed: %s", mask_personal_data(to), type(exc).__name__)
        return False
