"""Responsibility and planning (SPEC 3.6): 倒排计划 paces and each indicator's rank among peers."""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import heapq
import math

from tzreport.model import (BEST, COMPLETION, CONTROL, EFFICACY, FORWARD, GROWTH, RANKING, REVERSE,
                            ST_NO_DATA, ST_NOT_APPLICABLE, VETO_LOWEST, VETO_NOT_FIRST, Indicator,
                            IndicatorResult)
from tzreport.rules.ranking import _rounded, quota_order
from tzreport.rules.rounding import round2
from tzreport.rules.schedule import is_year_end


@functools.lru_cache(maxsize=64)     # asked for each indicator of each unit, of one or two dates
def days_left(as_of: dt.date) -> int:
    """Days from the day after the 统计截止日期 to 31 December, inclusive."""
    return (dt.date(as_of.year, 12, 31) - as_of).days


def days_remaining(as_of: dt.date, p: float) -> int:
    """The days a 倒排计划 has: none at the year end (``is_year_end``), else to 31 December."""
    return 0 if is_year_end(p) else days_left(as_of)


@functools.lru_cache(maxsize=64)
def months_left(as_of: dt.date) -> float:
    """Calendar months from the day after the 统计截止日期 to 31 December: the months after this
    one, and what is left of this one (30 September: 3; 20 September: 3 + 10/30). At a month's end
    it is whole, so the 月均 pace is what remains ÷ 3, as a reader works it out."""
    in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    return 12 - as_of.month + (in_month - as_of.day) / in_month


def plan(result: IndicatorResult, ind: Indicator, as_of: dt.date, p: float) -> None:
    """For an indicator short of its annual target: what remains and the pace needed (倒排计划)."""
    if ind.method not in (COMPLETION, EFFICACY) or not isinstance(result.actual, float):
        return
    target = result.target
    if target is None:
        return
    if ind.value_type == GROWTH:
        short = target - result.actual if ind.direction == FORWARD else result.actual - target
        if short > 0:
            result.remaining = short  # percentage points; growth rates have no daily pace
        return
    if ind.direction == REVERSE or result.actual >= target:
        return
    result.remaining = target - result.actual
    days = days_remaining(as_of, p)     # none at the year end (SPEC 4.1: no pace then)
    if days <= 0:
        return
    result.per_day = result.remaining / days
    result.per_week = result.per_day * 7
    result.per_dekad = result.per_day * 10
    # SPEC 3.6 月: per calendar month left (30 September: ÷ 3), the one 月均 every output prints
    result.per_month = result.remaining / months_left(as_of)


def _performance(result: IndicatorResult, ind: Indicator):
    """A figure comparable across units of a category (targets differ, so raw values do not)."""
    if not isinstance(result.actual, float) and ind.method not in (COMPLETION, CONTROL, EFFICACY):
        return result.score
    if ind.method in (COMPLETION, EFFICACY, CONTROL) and result.delta is not None:
        return result.delta
    if ind.method in (RANKING, BEST) and isinstance(result.actual, float):
        return -result.actual if ind.direction == REVERSE else result.actual
    return result.score


def rank_indicators(units: list, indicators: list) -> None:
    """同类排名: each unit's place on each indicator among the category's units that have a value."""
    skip = (ST_NOT_APPLICABLE, ST_NO_DATA)     # r.applies, without a property call per result
    # Unit by unit, each unit's results in turn (they sit together in memory; indicator by indicator
    # across 2,000 units took 0.7 s), into one list per indicator in the units' order.
    per_indicator = [[] for _ in indicators]
    for ur in units:
        for scored, ind, r in zip(per_indicator, indicators, ur.indicators):
            if r.actual is not None and r.status not in skip:
                scored.append((_performance(r, ind), r))
    for scored in per_indicator:
        values = sorted(v for v, _ in scored)
        for value, r in scored:
            r.rank = 1 + len(values) - bisect.bisect_right(values, value)


def advancement(units: list, grades: list) -> None:
    """SPEC 3.6 争先进位: points lost most, and what lifts the unit a rank or a grade."""
    rounded = _rounded(units)
    by_rank = quota_order(units, rounded)
    descending = [-rounded[u.code] for u in by_rank]   # ascending keys, for bisect
    names = [g.name for g in grades]
    lowest_holder = {}
    for u in units:
        if u.grade not in lowest_holder or rounded[u.code] < lowest_holder[u.grade]:
            lowest_holder[u.grade] = rounded[u.code]
    for ur in units:
        # The 5 indicators that lost the most points in the base: r.lost × ur.factor(r.major) (the
        # points that count, SPEC 3.3 / 3.7: what the 批注 and the 通知 both print), largest first,
        # then by code; a loss that rounds to 0.00 is no loss (heapq.nsmallest is sorted()[:5]
        # without sorting 150 per unit; the factor is taken once per 大类).
        factors, lost = {}, []
        for r in ur.indicators:
            if not r.applies:
                continue
            points = r.weight - r.score       # r.lost of a result that applies
            if points > 1e-9:
                factor = factors.get(r.major)
                if factor is None:
                    factor = factors[r.major] = ur.factor(r.major)
                if round2(round(points * factor, 9)) > 0:
                    lost.append((-points * factor, r.code, points * factor, r))
        ur.advance = {"lost_most": [{"code": r.code, "name": r.name, "lost": points}
                                    for _, _, points, r in heapq.nsmallest(5, lost)]}
        own = rounded[ur.code]
        above = bisect.bisect_left(descending, -own)      # units with a higher published total
        if above:
            nearest = by_rank[above - 1]
            ur.advance["next_rank"] = {
                "rank": nearest.rank, "unit": nearest.name,
                "points_needed": round(rounded[nearest.code] - own, 2)}
        if ur.grade in names and names.index(ur.grade) > 0 and ur.veto != VETO_LOWEST:
            better = grades[names.index(ur.grade) - 1]
            if better is grades[0] and (ur.veto == VETO_NOT_FIRST or not ur.submitted):
                continue
            needed = better.min_score if better.min_score is not None else -math.inf
            limited = better.ratio is not None or better.quota is not None or \
                better.group_quota is not None
            if better.name in lowest_holder and limited:
                needed = max(needed, lowest_holder[better.name])
            if needed > -math.inf:
                ur.advance["next_grade"] = {"grade": better.name, "total_needed": needed,
                                            "points_needed": round(max(0.0, needed - own), 2)}
