"""进位奖励 (SPEC 3.10): 进位/退位/保位 points against last year's 名次."""
from __future__ import annotations

from tzreport.model import BONUS_ADVANCE
from tzreport.rules.rounding import fmt
from tzreport.rules.unit import add_bonus


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
