"""English dates as people in the province read them: day, month in words, year, 24-hour clock.

Django's own English formats are American (``12/02/2026``, ``Dec. 2, 2026,
2:05 p.m.``): a reader here takes 12/02 for the 12th of February. Only what
differs from Django's ``en`` is set; everything else falls back to it.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
# The short forms still spell the month, so no date is ever read the wrong way round.
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
