"""When reminders fall due: written once, read by the selectors and the tests."""

import enum
from datetime import timedelta


class Step(enum.Enum):
    EMAIL = "email"  # confirming the email address given at sign-up
    IDENTITY = "identity"  # real-name verification, once tried


# Reminder number -> days after the step was started.
AFTER_DAYS = {1: 3, 2: 10}
# A reminder is due for a week from its day: a missed daily run catches up,
# but a sign-up abandoned long ago is not woken (as on the first run after
# this was deployed).
WINDOW = timedelta(days=7)


def due_window(*, number: int, now) -> tuple:
    """(started no later than, started after): the start times for which reminder ``number`` is due now."""
    started_by = now - timedelta(days=AFTER_DAYS[number])
    started_after = started_by - WINDOW
    if number + 1 in AFTER_DAYS:
        # From the next reminder's day on, that one is due instead.
        started_after = max(started_after, now - timedelta(days=AFTER_DAYS[number + 1]))
    return started_by, started_after
