"""Dates in each language's long format, never a numeric one that reads two ways."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

SHANGHAI = timezone.get_fixed_timezone(8 * 60)
AFTERNOON = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("language", "date", "date_and_time"),
    [
        ("en", "2 December 2026", "2 December 2026, 14:05"),
        ("zh-hans", "2026年12月2日", "2026年12月2日 14:05"),
    ],
)
def test_dates_read_in_full_in_each_language(language, date, date_and_time):
    template = Template(
        '{{ when|date:"DATE_FORMAT" }}|{{ when|date:"DATETIME_FORMAT" }}|{{ when|date }}|{{ when }}'
        '|{{ when|date:"SHORT_DATETIME_FORMAT" }}'
    )
    with translation.override(language), timezone.override(SHANGHAI):
        shown = template.render(Context({"when": AFTERNOON})).split("|")
    assert shown[:4] == [date, date_and_time, date, date_and_time]
    # Even the short form keeps the month in words (or in 年月日), never 12/02/2026.
    assert "/" not in shown[4] and "2026" in shown[4]
