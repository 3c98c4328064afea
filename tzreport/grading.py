"""Grading (SPEC 3.4–3.5, 3.10): ranks, 进位, quota order, grades, consequences. Pure functions only."""
from __future__ import annotations

import bisect
import heapq
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .model import BONUS_ADVANCE, VETO_LOWEST, VETO_NOT_FIRST
from .scoring import add_bonus, fmt, round2


def slots_for_ratio(ratio: float, n: int, rounding: str = "四舍五入") -> int:
    """取整(比例·N) with the scheme's rounding; decimal arithmetic so 5% × 20 is exactly 1."""
    exact = Decimal(repr(ratio)) * n
    mode = {"向下": ROUND_FLOOR, "向上": ROUND_CEILING}.get(rounding, ROUND_HALF_UP)
    return int(exact.quantize(Decimal(1), rounding=mode))


def _rounded(units) -> dict:
    """Published (2-decimal) totals, computed once: Decimal rounding is not free."""
    return {u.code: round2(u.total) for u in units}


def quota_order(units, rounded: dict) -> list:
    """SPEC 3.3 order for quotas: 综合得分 (2 decimals), then base, then fewer 红, then 单位编码."""
    return sorted(units, key=lambda u: (-rounded[u.code], -u.base, u.reds, u.code))


def assign_ranks(units: list) -> None:
    """Rank within one category on 综合得分 rounded to 2 decimals; equal totals share a rank."""
    rounded = _rounded(units)
    ordered = quota_order(units, rounded)
    previous, rank = None, 0
    for i, ur in enumerate(ordered, 1):
        total = rounded[ur.code]
        if total != previous:
            rank, previous = i, total
        ur.rank = rank


def rank_change(rule, last_rank, rank) -> dict:
    """SPEC 3.10 for one unit: r0 = last year's 名次, r1 = this year's before any 进位 points.

    -> {"last_rank", "rank_before", "delta", "kind", "points", "text"}; ``points`` > 0 is a 进位加分,
    < 0 a 退位 deduction (counted in D)."""
    change = {"last_rank": last_rank, "rank_before": rank, "delta": None, "kind": "无上年名次",
              "points": 0.0, "text": "上年无名次，不计进位加分"}
    if last_rank is None:
        return change
    delta = last_rank - rank
    change["delta"] = delta
    hold = rule.hold_rank
    if hold is not None and last_rank <= hold and rank <= hold and delta <= 0:
        # A unit already at the top cannot move up: 保位加分 instead of 进位 / 退位.
        points = rule.hold_points or 0.0
        change.update(kind="保位", points=points,
                      text=f"上年第{last_rank}名、本年第{rank}名，保持前{hold}名，"
                           + (f"保位加{fmt(points)}分" if points else "不加分"))
    elif delta > 0:
        points = (rule.per_up or 0.0) * delta
        text = f"较上年前进{delta}位，加{fmt(points)}分"
        if rule.up_cap is not None and points > rule.up_cap:
            text = f"较上年前进{delta}位，应加{fmt(points)}分，以进位上限{fmt(rule.up_cap)}分为限，加" \
                   f"{fmt(rule.up_cap)}分"
            points = rule.up_cap
        change.update(kind="进位", points=points, text=text)
    elif delta < 0:
        points = (rule.per_down or 0.0) * -delta
        text = f"较上年后退{-delta}位，扣{fmt(points)}分"
        if rule.down_cap is not None and points > rule.down_cap:
            text = f"较上年后退{-delta}位，应扣{fmt(points)}分，以退位上限{fmt(rule.down_cap)}分为限，扣" \
                   f"{fmt(rule.down_cap)}分"
            points = rule.down_cap
        change.update(kind="退位", points=-points, text=text)
    else:
        change.update(kind="持平", text=f"与上年名次持平（第{rank}名），不加分")
    return change


def apply_rank_changes(units: list, rule, ranks: dict, year: int, caps: dict, params) -> None:
    """SPEC 3.10 within one category, after ``assign_ranks``: 进位 points into the 加分类别 进位加分
    (then 3.8's caps), 退位 points into D; the caller ranks again."""
    for ur in units:
        change = rank_change(rule, ranks.get(ur.code, {}).get(year - 1), ur.rank)
        ur.rank_change = change
        if change["points"] > 0:
            add_bonus(ur, BONUS_ADVANCE, change["points"], caps, params)
        elif change["points"] < 0:
            ur.deduction_items.append((f"退位扣分（较上年后退{-change['delta']}位）", -change["points"]))
            ur.deduction += -change["points"]
            ur.total = ur.base + ur.bonus - ur.deduction


def _pick(eligible: list, rule, n: int, groups: list):
    """The units a quota-limited grade takes, in quota order, with why each was taken."""
    if rule.group_quota is None and rule.ratio is None:
        chosen = [(u, "") for u in eligible]
    else:
        chosen = []
        if rule.group_quota is not None:
            for group in groups:
                members = [u for u in eligible if u.group == group][: rule.group_quota]
                chosen += [(u, f"{group}第{i}名") for i, u in enumerate(members, 1)]
        if rule.ratio is not None:
            taken = {u.code for u, _ in chosen}
            k = slots_for_ratio(rule.ratio, n, rule.rounding)
            rest = [u for u in eligible if u.code not in taken][:k]
            share = f"{rule.ratio * 100:g}%"
            chosen += [(u, f"按总体排序（前{share}，{k}个名额）") for u in rest]
        position = {u.code: i for i, u in enumerate(eligible)}
        chosen.sort(key=lambda pair: position[pair[0].code])
    if rule.quota is not None:
        chosen = chosen[: rule.quota]
    return chosen


def assign_grades(units: list, grades: list) -> None:
    """SPEC 3.4 within one category. ``grades`` best first; the last row takes everyone left."""
    if not units or not grades:
        return
    n = len(units)
    rounded = _rounded(units)
    order = quota_order(units, rounded)
    lowest = grades[-1]
    groups = sorted({u.group for u in units if u.group})
    remaining = []
    for ur in order:
        if ur.veto == VETO_LOWEST:
            ur.grade = lowest.name
            ur.grade_note = "一票否决"
        else:
            remaining.append(ur)
    for i, rule in enumerate(grades[:-1]):
        eligible = [u for u in remaining
                    if rule.min_score is None or rounded[u.code] >= rule.min_score - 1e-9]
        if i == 0:
            eligible = [u for u in eligible if u.submitted and u.veto != VETO_NOT_FIRST]
        chosen = _pick(eligible, rule, n, groups)  # eligible is in quota order
        taken = set()
        for ur, why in chosen:
            ur.grade, ur.grade_note = rule.name, why
            taken.add(ur.code)
        remaining = [u for u in remaining if u.code not in taken]
    for ur in remaining:
        ur.grade = lowest.name
    for ur in order:
        if ur.veto == VETO_NOT_FIRST and not ur.grade_note:
            ur.grade_note = f"一票否优，不得评为{grades[0].name}"
        if not ur.submitted and not ur.grade_note:
            ur.grade_note = "未报送"


def apply_consequences(units: list, rules: list, history: dict, year: int) -> None:
    """SPEC 3.5 within one category: 等次 held for 连续年数 years, 末位, 否决."""
    if not units:
        return
    last_rank = max(u.rank for u in units)
    for ur in units:
        past = history.get(ur.code, {})
        ur.history = {y: past.get(y, "") for y in (year - 2, year - 1)}
        ur.history[year] = ur.grade
        for rule in rules:
            if rule.trigger == "等次":
                fires = ur.grade == rule.grade and all(
                    past.get(year - k) == rule.grade for k in range(1, rule.years))
            elif rule.trigger == "末位":
                fires = len(units) > 1 and ur.rank == last_rank
            else:
                fires = ur.veto == VETO_LOWEST
            if fires and rule.measure not in ur.consequences:
                ur.consequences.append(rule.measure)


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
