"""Periods (SPEC 3.11): the year's monthly or quarterly data side by side, folded into one result.

Pure. ``rules.evaluate.evaluate`` scores every date with data up to the 统计截止日期 as a period j,
as if it were the 统计截止日期 (same annual targets, its own p_j), with what is here.
The current period is the latest. With a 考核期 sheet the periods reached are folded:

    Base = Σ_j 权重_j·Base_j / Σ_j 权重_j                       (SPEC 3.11, Anhui 2023: 15/25/25/35)
    名次加分 = Σ_j points(rank_j), none while a veto 是/否优 holds in period j   (into 3.8's 类别)

B's other items, D and the vetoes are the current period's; ranks and grades are settled once,
on the folded totals (``rules.evaluate.settle_standing``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from tzreport.model import BONUS_PLACE, ST_OK, VETO_NONE, WARNING, Issue, cn_date
from tzreport.rules.unit import add_bonus


def period_label(day: dt.date, rules: list = (), year: int = 0) -> str:
    """期别 of a date: the 考核期 name when a row has that 截止日期, else 8月 / 8月15日."""
    for rule in rules:
        if rule.end == day:
            return rule.name
    month_end = (day + dt.timedelta(days=1)).day == 1
    text = f"{day.month}月" if month_end else f"{day.month}月{day.day}日"
    return text if not year or day.year == year else f"{day.year}年{text}"


def split_periods(scheme, submissions: list, issues: list, current: dt.date) -> dict:
    """-> {date: [Submission]} for every date with data ≤ ``current``; data dated after it is
    reported (file, sheet, cell) and left out. A submission without 统计截止 is the current one's."""
    by_date = {}
    for sub in submissions:
        day = sub.as_of or current
        if day > current:
            issues.append(Issue(WARNING, sub.file, sub.sheet, sub.as_of_cell,
                                f"统计截止{cn_date(day)}晚于本次统计截止日期{cn_date(current)}，该数据本次未计入",
                                sub.unit_code))
            continue
        by_date.setdefault(day, []).append(sub)
    for day, values in scheme.dated_office_values.items():
        if day > current:
            where = next(iter(values.values()))[1]
            issues.append(Issue(WARNING, where[0], where[1], where[2],
                                f"统计截止{cn_date(day)}晚于本次统计截止日期{cn_date(current)}，"
                                f"该日的{len(values)}行评分本次未计入"))
        else:
            by_date.setdefault(day, [])
    for day, items in scheme.dated_deductions.items():
        if day > current:
            where = items[0].where
            issues.append(Issue(WARNING, where[0], where[1], where[2],
                                f"统计截止{cn_date(day)}晚于本次统计截止日期{cn_date(current)}，"
                                f"该日的{len(items)}项扣分与否决本次未计入"))
        else:
            by_date.setdefault(day, [])
    return by_date


def scheme_at(scheme, day: dt.date, current: dt.date):
    """The scheme as period ``day`` sees it: that date's 考核办评分 and 扣分与否决 rows (the undated
    ones belong to the current period)."""
    office = dict(scheme.dated_office_values.get(day, {}))
    deductions = list(scheme.dated_deductions.get(day, []))
    if day == current:
        office.update(scheme.office_values)
        deductions += scheme.deductions
    return dataclasses.replace(scheme, office_values=office, deductions=deductions)


def place_points(rule, rank, veto: str) -> float:
    """名次加分 of one period (SPEC 3.11): ties share the better rank (``assign_ranks`` gives them
    one rank); nothing while a veto 是/否优 holds in that period."""
    if rank is None or veto != VETO_NONE:
        return 0.0
    return rule.place_points.get(rank, 0.0)


def fold_base(bases: list) -> float:
    """SPEC 3.11: Σ 权重_j·Base_j / Σ 权重_j over [(权重_j, Base_j)] (periods of 权重 0 weigh nothing)."""
    weight = sum(w for w, _ in bases)
    return sum(w * b for w, b in bases) / weight if weight > 0 else 0.0


@dataclasses.dataclass(slots=True)
class PeriodUnit:
    """What an earlier period's unit result is read for (fold, trend, entry)."""
    code: str
    base: float
    total: float
    rank: int
    grade: str
    veto: str
    reds: int
    submitted: bool
    indicators: list      # [PeriodIndicator]: the previous period's only, else []


@dataclasses.dataclass(slots=True)
class PeriodIndicator:
    code: str
    reported: bool        # applies, and the unit gave a value (status OK)
    light: str
    completion_rate: float


def period_unit(u, lights: bool) -> PeriodUnit:
    """One unit's result of a period as folding and the trend read it (``lights``: with each
    indicator's light and completion, for the period just before the current one)."""
    return PeriodUnit(u.code, u.base, u.total, u.rank, u.grade, u.veto, u.reds, u.submitted,
                      [PeriodIndicator(r.code, r.applies and r.status == ST_OK, r.light, r.completion_rate)
                       for r in u.indicators] if lights else [])


def period_summary(result, lights: bool):
    """An earlier period's result reduced to PeriodUnit rows: at province scale each full result
    is some 300 MiB, and the next period's scoring reuses the memory."""
    return dataclasses.replace(result, units=[period_unit(u, lights) for u in result.units],
                               submissions={}, issues=[])


def fold(result, folded: list, units: dict, scheme, current: str) -> None:
    """SPEC 3.11 for each unit of the current period: the base folded over the periods reached and
    名次加分 by each period's own rank (``units``: {date: {code: PeriodUnit}}, the current period's
    own standing among them). Ranks and grades are then settled once, on the folded totals.
    ``ur.fold`` keeps the current period's own base (``current_base``, of which the unit's
    ``raw_score``, ``scale`` and ``subtotals`` still speak) and its 期别 (``current``)."""
    params = result.params
    for ur in result.units:
        bases, places = [], []
        for rule in folded:
            then = units[rule.end].get(ur.code)
            base = then.base if then else 0.0
            bases.append((rule.weight, base))
            points = place_points(rule, then.rank, then.veto) if then else 0.0
            places.append({"period": rule.name, "weight": rule.weight, "base": base,
                           "rank": then.rank if then else None, "points": points})
        ur.fold = {"current_base": ur.base, "current": current, "periods": places}
        ur.base = fold_base(bases)
        ur.total = ur.base + ur.bonus - ur.deduction
        place = sum(p["points"] for p in places)
        if place:
            add_bonus(ur, BONUS_PLACE, place, scheme.bonus_caps, params)


def trend(result, dates: list, units: dict, rules: list, year: int) -> None:
    """Per unit the periods' totals, ranks and grades (the current one as folded); per indicator
    the previous period's light and completion."""
    previous = units[dates[-2]] if len(dates) > 1 else {}
    for ur in result.units:
        ur.periods = []
        for day in dates[:-1]:
            then = units[day].get(ur.code)
            if then is not None:
                ur.periods.append(entry(then, day, rules, year))
        ur.periods.append(entry(ur, dates[-1], rules, year))
        before = previous.get(ur.code)
        if before is None or not before.submitted:
            continue
        was = {r.code: r for r in before.indicators}
        for r in ur.indicators:
            old = was.get(r.code)
            # SPEC 4.1: a light says something only where the unit reported, then and now (a blank
            # or missing value lights red in the scoring, but a change to or from it is no trend)
            if old is not None and old.reported and r.applies and r.status == ST_OK:
                r.previous_light, r.previous_completion = old.light, old.completion_rate


def entry(ur, day: dt.date, rules: list, year: int) -> dict:
    return {"period": period_label(day, rules, year), "as_of": day, "total": ur.total,
            "rank": ur.rank, "grade": ur.grade, "base": ur.base, "reds": ur.reds,
            "submitted": ur.submitted}
