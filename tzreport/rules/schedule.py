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


def prorate(ind, p: float, amount: float = 1.0) -> float:
    """``amount`` due by now (SPEC 3.1: T·p_i): p_i = p for an indicator prorated by 序时进度
    (指标 序时 是), else 1; with no ``amount``, p_i itself. The one place an annual figure is
    prorated."""
    return amount * (p if ind.prorate else 1.0)


def is_year_end(p: float) -> bool:
    """The year end is p = 1 (SPEC 3.1: 31 December; 按月, any day of December): the build is then
    the year's result, and nothing speaks of 序时进度 or 倒排计划 (SPEC 4.1). The one definition
    every output asks."""
    return p >= 1
