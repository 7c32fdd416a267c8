"""Deadlines in working days: Monday to Friday, minus public holidays, plus make-up working days.

The calendar of exceptions lives in the database (``CalendarDay``, edited in
admin), because mainland holidays move every year and some weekends are
worked to make up for them.
"""

from datetime import date, timedelta

from .models import CalendarDay

# Rights requests, complaints and cancellations: 15 working days from the
# verified receipt (clause 8; the spec's "Legal frame").
DEADLINE_WORKING_DAYS = 15
DUE_SOON_WORKING_DAYS = 3


def _exceptions(start: date, end: date) -> tuple[set[date], set[date]]:
    """Holidays and make-up working days between ``start`` and ``end`` (inclusive)."""
    holidays: set[date] = set()
    makeups: set[date] = set()
    for day, kind in CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else makeups).add(day)
    return holidays, makeups


def _is_working(day: date, holidays: set[date], makeups: set[date]) -> bool:
    if day in makeups:
        return True
    return day.weekday() < 5 and day not in holidays


def is_working_day(day: date) -> bool:
    holidays, makeups = _exceptions(day, day)
    return _is_working(day, holidays, makeups)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count); ``start`` for n <= 0."""
    if n <= 0:
        return start
    day = start
    counted = 0
    # Read the calendar in windows wide enough for the longest holiday run.
    window = max(n * 2 + 21, 60)
    while True:
        holidays, makeups = _exceptions(day + timedelta(days=1), day + timedelta(days=window))
        for _ in range(window):
            day += timedelta(days=1)
            if _is_working(day, holidays, makeups):
                counted += 1
                if counted == n:
                    return day


def working_days_between(a: date, b: date) -> int:
    """How many working days fall after ``a`` up to and including ``b`` (0 when b <= a).

    ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a working day.
    """
    if b <= a:
        return 0
    holidays, makeups = _exceptions(a + timedelta(days=1), b)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if _is_working(day, holidays, makeups):
            count += 1
    return count
