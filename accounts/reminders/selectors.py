"""Reads: who started a step and has not finished it, and whose reminder is due."""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import IdentityProfile, IdentityVerificationAttempt, VerificationLevel
from accounts.selectors import citizen_accounts

from .schedule import Step, due_window


def _email_unfinished() -> QuerySet:
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return citizen_accounts().filter(Exists(addresses.filter(verified=False)), ~Exists(addresses.filter(verified=True)))


def _identity_unfinished() -> QuerySet:
    verified = IdentityProfile.objects.filter(
        user=OuterRef("pk"), verification_level__gte=VerificationLevel.IDENTITY_VERIFIED
    )
    return citizen_accounts().filter(~Exists(verified))


def reminders_due(*, step: Step, number: int, now) -> QuerySet:
    """People who started ``step`` inside reminder ``number``'s window, have not finished it, and want reminders.

    One query, set-based. Whether they were already reminded is the
    fan-out's record, not this query's.
    """
    started_by, started_after = due_window(number=number, now=now)
    if step is Step.EMAIL:
        return _email_unfinished().filter(
            reminders_enabled=True, date_joined__lte=started_by, date_joined__gt=started_after
        )
    attempts = IdentityVerificationAttempt.objects.filter(user=OuterRef("pk"))
    # Started when first tried: an attempt before the window's start, none before its end.
    return _identity_unfinished().filter(
        Exists(attempts.filter(created_at__lte=started_by)),
        ~Exists(attempts.filter(created_at__lte=started_after)),
        reminders_enabled=True,
    )
