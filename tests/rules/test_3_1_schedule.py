"""SPEC 3.1 Schedule: p = month/12 (按月) or day-of-year/days-in-year (按日); 31 December gives 1."""
import datetime as dt

import pytest

from tzreport.rules.schedule import schedule_fraction


@pytest.mark.parametrize("day, method, expected", [
    (dt.date(2026, 9, 30), "按月", 0.75),            # 9/12
    (dt.date(2026, 9, 15), "按月", 0.75),            # month only
    (dt.date(2026, 12, 31), "按月", 1.0),
    (dt.date(2026, 12, 31), "按日", 1.0),            # 365/365
    (dt.date(2026, 3, 31), "按日", 90 / 365),        # 31+28+31
    (dt.date(2028, 12, 31), "按日", 1.0),            # leap year: 366/366
    (dt.date(2028, 2, 29), "按日", 60 / 366),
])
def test_schedule_fraction(day, method, expected):
    assert schedule_fraction(day, method) == pytest.approx(expected)
