"""Due dates in working days: weekends, public holidays, make-up working days, pauses, extensions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from privacy_requests import selectors, services
from privacy_requests.models import CalendarDay, RequestKind
from privacy_requests.working_days import add_working_days, is_working_day, working_days_between
from tests.factories import step_up_passed

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_the_seeded_calendar_knows_holidays_and_make_up_days():
    assert not is_working_day(date(2026, 10, 1))  # National Day, a Thursday
    assert not is_working_day(date(2026, 9, 25))  # Mid-Autumn, a Friday
    assert is_working_day(date(2026, 9, 20))  # make-up working day, a Sunday
    assert is_working_day(date(2026, 10, 10))  # make-up working day, a Saturday
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert is_working_day(date(2026, 9, 24))  # an ordinary Thursday


def test_fifteen_working_days_across_mid_autumn_and_national_day():
    # Verified Thursday 2026-09-24. Counting the working days after it:
    #   25-27 Sep Mid-Autumn holiday; Mon 28 (1), Tue 29 (2), Wed 30 (3);
    #   1-7 Oct National Day; Thu 8 (4), Fri 9 (5), Sat 10 make-up day (6);
    #   Mon 12 (7), 13 (8), 14 (9), 15 (10), Fri 16 (11), Mon 19 (12), 20 (13), 21 (14), Thu 22 Oct (15).
    assert add_working_days(date(2026, 9, 24), 15) == date(2026, 10, 22)


def test_fifteen_working_days_counting_a_sunday_make_up_day():
    # Verified Friday 2026-09-18: Sun 20 Sep is a make-up working day (1), Mon 21 (2) .. Thu 24 (5),
    # Mid-Autumn off, Mon 28 (6), 29 (7), 30 (8), National Day off, Thu 8 Oct (9), Fri 9 (10),
    # Sat 10 make-up (11), Mon 12 (12), 13 (13), 14 (14), Thu 15 Oct (15).
    assert add_working_days(date(2026, 9, 18), 15) == date(2026, 10, 15)


def test_an_ordinary_fortnight_and_the_inverse():
    # Mon 2026-11-02 + 15 working days = Mon 23 Nov (three weeks, no holidays).
    assert add_working_days(date(2026, 11, 2), 15) == date(2026, 11, 23)
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 23)) == 15
    assert working_days_between(date(2026, 9, 24), date(2026, 10, 22)) == 15
    assert working_days_between(date(2026, 10, 22), date(2026, 9, 24)) == 0
    assert add_working_days(date(2026, 11, 2), 0) == date(2026, 11, 2)


def test_calendar_edits_in_admin_change_the_count():
    CalendarDay.objects.create(date=date(2026, 11, 4), kind="holiday", name_zh="测试", name_en="Test")
    assert add_working_days(date(2026, 11, 2), 15) == date(2026, 11, 24)


def _filed_on(user, day: date, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: _at(day))
    check = step_up_passed(user)
    return services.privacy_request_create(requester=user, kind=RequestKind.ACCESS, details={}, identity_check=check)


def test_request_verified_before_the_holidays_is_due_on_22_october(citizen, monkeypatch):
    request = _filed_on(citizen, date(2026, 9, 24), monkeypatch)
    assert request.due_date == date(2026, 10, 22)


def test_pause_and_resume_move_the_due_date_by_the_working_days_waited(citizen, staff, monkeypatch):
    request = _filed_on(citizen, date(2026, 11, 2), monkeypatch)  # due Mon 23 Nov
    assert request.due_date == date(2026, 11, 23)
    monkeypatch.setattr(timezone, "now", lambda: _at(date(2026, 11, 4)))  # Wednesday
    services.privacy_request_message(
        request=request, author=staff, body="Which address?", from_staff=True, waits_for_citizen=True
    )
    request.refresh_from_db()
    assert request.paused_since is not None
    assert selectors.deadline_flags(request, today=date(2026, 12, 1)).paused
    assert not selectors.is_overdue(request, today=date(2026, 12, 1))  # the clock is stopped
    # The citizen answers the next Monday: Thu, Fri, Mon = 3 working days waited.
    monkeypatch.setattr(timezone, "now", lambda: _at(date(2026, 11, 9)))
    services.privacy_request_message(request=request, author=citizen, body="Beijing", from_staff=False)
    request.refresh_from_db()
    assert request.paused_since is None and request.paused_working_days == 3
    assert request.due_date == date(2026, 11, 26)
    assert [e.action for e in request.events.all()][-2:] == ["message_citizen", "resumed"]


def test_extension_adds_working_days_with_a_reason(citizen, staff, monkeypatch):
    request = _filed_on(citizen, date(2026, 9, 24), monkeypatch)
    services.privacy_request_extend(request=request, actor=staff, working_days=5, reason="Archive records needed")
    request.refresh_from_db()
    # 22 Oct + 5 working days: 23, 26, 27, 28, Thu 29 Oct.
    assert request.due_date == date(2026, 10, 29)
    assert request.extension_reason == "Archive records needed"
    with pytest.raises(services.TransitionNotAllowed):
        services.privacy_request_extend(request=request, actor=staff, working_days=5, reason="")
    with pytest.raises(services.TransitionNotAllowed):
        services.privacy_request_extend(request=request, actor=staff, working_days=0, reason="x")


def test_overdue_and_due_soon_flags(citizen, monkeypatch):
    request = _filed_on(citizen, date(2026, 11, 2), monkeypatch)  # due Mon 23 Nov
    assert not selectors.due_soon(request, today=date(2026, 11, 17))  # 4 working days left
    assert selectors.due_soon(request, today=date(2026, 11, 18))  # 3 working days left
    assert selectors.due_soon(request, today=date(2026, 11, 23))
    assert not selectors.is_overdue(request, today=date(2026, 11, 23))
    assert selectors.is_overdue(request, today=date(2026, 11, 24))
    flags = selectors.deadline_flags(request, today=date(2026, 11, 24))
    assert flags.overdue and not flags.due_soon


def test_working_days_after_a_long_holiday_run():
    # A 2027 date beyond the seeded make-up days still counts weekdays.
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
