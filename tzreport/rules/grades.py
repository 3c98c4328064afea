"""Grades (SPEC 3.4): quotas per 分组, 一票否决/否优. Pure functions only."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from tzreport.model import VETO_LOWEST, VETO_NOT_FIRST
from tzreport.rules.ranking import _rounded, quota_order


def slots_for_ratio(ratio: float, n: int, rounding: str = "四舍五入") -> int:
    """取整(比例·N) with the scheme's rounding; decimal arithmetic so 5% × 20 is exactly 1."""
    exact = Decimal(repr(ratio)) * n
    mode = {"向下": ROUND_FLOOR, "向上": ROUND_CEILING}.get(rounding, ROUND_HALF_UP)
    return int(exact.quantize(Decimal(1), rounding=mode))


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
