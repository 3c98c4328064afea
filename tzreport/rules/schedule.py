"""序时进度 (SPEC 3.1): the share of the year elapsed at the 统计截止日期."""
from __future__ import annotations

import calendar
import datetime as dt


def schedule_fraction(day: dt.date, method: str = "按月") -> float:
    """序时进度 p (SPEC 3.1): month/12, or day-of-year/days-in-year; 31 December gives 1."""
    if method == "按日":
        days = 366 if calendar.isleap(day.year) else 365
        return day.timetuple().tm_yday / days
    return day.month / 12
