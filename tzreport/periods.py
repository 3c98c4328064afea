"""Periods (SPEC 3.11): the year's monthly or quarterly data side by side, folded into one result.

Pure, like ``build.evaluate``, which it calls once per period date: every date with data up to the
统计截止日期 is a period j scored as if it were the 统计截止日期 (same annual targets, its own p_j).
The current period is the latest. With a 考核期 sheet the periods reached are folded:

    Base = Σ_j 权重_j·Base_j / Σ_j 权重_j                       (SPEC 3.11, Anhui 2023: 15/25/25/35)
    名次加分 = Σ_j points(rank_j), none while a veto 是/否优 holds in period j   (into 3.8's 类别)

B's other items, D and the vetoes are the current period's; totals, ranks and grades are computed
again after folding. With one period the result is ``evaluate``'s, untouched.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from .build import evaluate
from .grading import (advancement, apply_consequences, apply_rank_changes, assign_grades,
                      assign_ranks)
from .model import (BONUS_ADVANCE, BONUS_PLACE, INFO, ST_OK, VETO_NONE, WARNING, BuildResult,
                    Issue)
from .read.values import cn_date
from .scoring import add_bonus, fmt


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


def evaluate_periods(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
    """Score every period (``evaluate`` per date) and fold them into the current one (SPEC 3.11)."""
    current = as_of or scheme.params.as_of
    if current is None:
        return evaluate(scheme, submissions, issues, as_of)
    by_date = split_periods(scheme, submissions, issues, current)
    latest = max((d for d, subs in by_date.items() if subs), default=None)
    if latest is not None and latest < current and not by_date.get(current):
        # No unit reported for the 统计截止日期 itself (e.g. `--as-of 2026-12-31` over September's
        # files): the latest data are the current period's, as a build of one date always took them.
        by_date[current] = by_date.pop(latest)
        if latest in scheme.dated_office_values or latest in scheme.dated_deductions:
            by_date[latest] = []
        issues.append(Issue(INFO, "", "", "", f"没有统计截止为{cn_date(current)}的报表，按最近一期"
                            f"（{cn_date(latest)}）的数据计算"))
    rules = [r for r in scheme.periods]
    reached = [r for r in rules if r.end <= current]
    for rule in reached:
        if rule.end not in by_date:
            issues.append(Issue(WARNING, *rule.where,
                                f"考核期“{rule.name}”（截止{cn_date(rule.end)}）没有任何数据，不参与折算"))
    dates = sorted(by_date)
    if not dates or dates[-1] != current:
        dates.append(current)     # the build's own date is always the current period
    if len(dates) == 1 and not reached:     # one period: exactly evaluate's result
        return evaluate(scheme_at(scheme, current, current), by_date.get(current, []), issues, as_of)
    results = {}
    for day in dates:
        own = issues if day == current else []    # earlier periods' problems were reported then
        then = evaluate(scheme_at(scheme, day, current), by_date.get(day, []), own,
                        day if day != scheme.params.as_of or as_of else None)
        # An earlier period is kept only as far as folding and the trend read it: at province
        # scale each full result is some 300 MiB, and the next period's scoring reuses the memory.
        results[day] = then if day == current else _period_summary(then, lights=day == dates[-2])
    result = results[current]
    year = result.params.year
    folded = [r for r in reached if r.end in results]
    if len(dates) < 2 and not folded:
        return result
    result.periods = [{"period": period_label(d, rules, year), "as_of": d,
                       "weight": next((r.weight for r in folded if r.end == d), None),
                       "folded": any(r.end == d for r in folded)} for d in dates]
    result.not_reached = [r.name for r in rules if r.end > current]
    units = {d: {u.code: u for u in results[d].units} for d in dates}
    if folded:
        _fold(result, folded, units, scheme, period_label(current, rules, year))
        issues.append(Issue(INFO, scheme.file, "考核期", "", "本次按考核期折算："
                            + "、".join(f"{r.name}{fmt(r.weight)}" for r in folded)
                            + (f"；{'、'.join(result.not_reached)}尚未到期" if result.not_reached else "")))
    if len(dates) > 1:
        _trend(result, dates, units, rules, year)
    return result


@dataclasses.dataclass(slots=True)
class _PeriodUnit:
    """What an earlier period's unit result is read for (_fold, _trend, _entry)."""
    code: str
    base: float
    total: float
    rank: int
    grade: str
    veto: str
    reds: int
    submitted: bool
    indicators: list      # [_PeriodIndicator]: the previous period's only, else []


@dataclasses.dataclass(slots=True)
class _PeriodIndicator:
    code: str
    reported: bool        # applies, and the unit gave a value (status OK)
    light: str
    completion_rate: float


def _period_summary(result, lights: bool):
    """An earlier period's result reduced to _PeriodUnit rows (``lights``: with each indicator's
    light and completion, for the period just before the current one)."""
    return dataclasses.replace(result, units=[
        _PeriodUnit(u.code, u.base, u.total, u.rank, u.grade, u.veto, u.reds, u.submitted,
                    [_PeriodIndicator(r.code, r.applies and r.status == ST_OK, r.light, r.completion_rate)
                     for r in u.indicators] if lights else [])
        for u in result.units], submissions={}, issues=[])


def _fold(result, folded: list, units: dict, scheme, current: str) -> None:
    """SPEC 3.11 for each unit of the current period, then ranks and grades again per category.
    ``ur.fold`` keeps the current period's own base (``current_base``, of which the unit's
    ``raw_score``, ``scale`` and ``subtotals`` still speak) and its 期别 (``current``)."""
    params = result.params
    for ur in result.units:
        _undo_rank_change(ur, scheme, params)
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
    for category in result.categories:
        members = [u for u in result.units if u.category == category]
        assign_ranks(members)
        rule = scheme.advance_rules.get(category)
        if rule is not None:      # SPEC 3.10 on the folded totals: r1 before 进位, then rank again
            apply_rank_changes(members, rule, scheme.ranks, params.year, scheme.bonus_caps, params)
            assign_ranks(members)
        assign_grades(members, scheme.grades)
        for u in members:
            u.consequences, u.grade_note = [], ""
        apply_consequences(members, scheme.consequences, scheme.history, params.year)
        advancement(members, scheme.grades)
    order = {c: i for i, c in enumerate(result.categories)}
    result.units.sort(key=lambda u: (order[u.category], u.rank, u.code))


def _undo_rank_change(ur, scheme, params) -> None:
    """Take back the current period's 进位 points (SPEC 3.10): they are given again on the folded
    ranks. ``apply_rank_changes`` put a 进位/保位 into 进位加分 and a 退位 as the last deduction item."""
    points = ur.rank_change.get("points", 0.0) if ur.rank_change else 0.0
    if points > 0:
        add_bonus(ur, BONUS_ADVANCE, -points, scheme.bonus_caps, params)
    elif points < 0:
        ur.deduction_items.pop()
        ur.deduction -= -points
        ur.total = ur.base + ur.bonus - ur.deduction
    ur.rank_change = {}


def _trend(result, dates: list, units: dict, rules: list, year: int) -> None:
    """Per unit the periods' totals, ranks and grades (the current one as folded); per indicator
    the previous period's light and completion."""
    previous = units[dates[-2]] if len(dates) > 1 else {}
    for ur in result.units:
        ur.periods = []
        for day in dates[:-1]:
            then = units[day].get(ur.code)
            if then is not None:
                ur.periods.append(_entry(then, day, rules, year))
        ur.periods.append(_entry(ur, dates[-1], rules, year))
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


def _entry(ur, day: dt.date, rules: list, year: int) -> dict:
    return {"period": period_label(day, rules, year), "as_of": day, "total": ur.total,
            "rank": ur.rank, "grade": ur.grade, "base": ur.base, "reds": ur.reds,
            "submitted": ur.submitted}
