"""Reminders to finish signing up, as the fan-out engine and a person's export know them.

One fan-out per step and reminder number, keyed ``<step prefix>:<number>``;
its audience grows every day (``accounts.reminders.services``).
"""

from django.utils.translation import gettext_lazy as _

from notifications.topics import FanOutTopic, Notice, topic_register

from .notification_kinds import EMAIL_CONFIRMATION_REMINDER, IDENTITY_VERIFICATION_REMINDER


def _describe(about):
    def describe(fan_outs) -> dict[int, Notice]:
        return {fan_out.pk: Notice(about=str(about)) for fan_out in fan_outs}

    return describe


EMAIL_REMINDERS = topic_register(
    FanOutTopic(
        prefix="reminder-email",
        kind=EMAIL_CONFIRMATION_REMINDER,
        label="reminder to confirm the email address",
        audience=_("People who have not confirmed their email address 3 or 10 days after signing up"),
        describe=_describe(_("Reminder to confirm your email address")),
    )
)
IDENTITY_REMINDERS = topic_register(
    FanOutTopic(
        prefix="reminder-identity",
        kind=IDENTITY_VERIFICATION_REMINDER,
        label="reminder to verify identity",
        audience=_("People who have not finished verifying their identity 3 or 10 days after trying"),
        describe=_describe(_("Reminder to finish verifying your identity")),
    )
)
