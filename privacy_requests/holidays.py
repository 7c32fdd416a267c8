"""Mainland public holidays and make-up working days, as seed data for the calendar.

2026 follows the State Council's published schedule. For 2027 only the
statutory holiday dates are seeded; when the State Council publishes the
2027 schedule (bridging days off and make-up working days), staff add them
in admin (Rights requests -> Holiday calendar).
"""

# date, kind, Chinese name, English name
DAYS = [
    ("2026-01-01", "holiday", "元旦", "New Year's Day"),
    ("2026-01-02", "holiday", "元旦", "New Year's Day"),
    ("2026-01-03", "holiday", "元旦", "New Year's Day"),
    ("2026-01-04", "makeup_workday", "元旦调休上班", "Make-up working day (New Year)"),
    ("2026-02-14", "makeup_workday", "春节调休上班", "Make-up working day (Spring Festival)"),
    *[(f"2026-02-{day:02d}", "holiday", "春节", "Spring Festival") for day in range(15, 24)],
    ("2026-02-28", "makeup_workday", "春节调休上班", "Make-up working day (Spring Festival)"),
    ("2026-04-04", "holiday", "清明节", "Qingming Festival"),
    ("2026-04-05", "holiday", "清明节", "Qingming Festival"),
    ("2026-04-06", "holiday", "清明节", "Qingming Festival"),
    *[(f"2026-05-{day:02d}", "holiday", "劳动节", "Labour Day") for day in range(1, 6)],
    ("2026-05-09", "makeup_workday", "劳动节调休上班", "Make-up working day (Labour Day)"),
    ("2026-06-19", "holiday", "端午节", "Dragon Boat Festival"),
    ("2026-06-20", "holiday", "端午节", "Dragon Boat Festival"),
    ("2026-06-21", "holiday", "端午节", "Dragon Boat Festival"),
    ("2026-09-20", "makeup_workday", "国庆节调休上班", "Make-up working day (National Day)"),
    ("2026-09-25", "holiday", "中秋节", "Mid-Autumn Festival"),
    ("2026-09-26", "holiday", "中秋节", "Mid-Autumn Festival"),
    ("2026-09-27", "holiday", "中秋节", "Mid-Autumn Festival"),
    *[(f"2026-10-{day:02d}", "holiday", "国庆节", "National Day") for day in range(1, 8)],
    ("2026-10-10", "makeup_workday", "国庆节调休上班", "Make-up working day (National Day)"),
    # 2027: statutory days only (see the module docstring).
    ("2027-01-01", "holiday", "元旦", "New Year's Day"),
    *[(f"2027-02-{day:02d}", "holiday", "春节", "Spring Festival") for day in range(5, 9)],
    ("2027-04-05", "holiday", "清明节", "Qingming Festival"),
    ("2027-05-01", "holiday", "劳动节", "Labour Day"),
    ("2027-05-02", "holiday", "劳动节", "Labour Day"),
    ("2027-06-09", "holiday", "端午节", "Dragon Boat Festival"),
    ("2027-09-15", "holiday", "中秋节", "Mid-Autumn Festival"),
    ("2027-10-01", "holiday", "国庆节", "National Day"),
    ("2027-10-02", "holiday", "国庆节", "National Day"),
    ("2027-10-03", "holiday", "国庆节", "National Day"),
]
