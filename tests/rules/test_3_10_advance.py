"""SPEC 3.10 进位: points for places gained on last year's 名次, lost (退位, in D) or held (保位).

进位上限 and 退位上限, 保位加分 inside 保位名次, nothing without a last-year rank; then totals and ranks
are computed again."""
import pytest
from helpers import PARAMS as P
from helpers import UNIT
from helpers import indicator_row as result

from tzreport.model import AdvanceRule, Unit
from tzreport.rules.advance import apply_rank_changes, rank_change
from tzreport.rules.ranking import assign_ranks
from tzreport.rules.unit import score_unit

RULE = AdvanceRule(per_up=0.3, per_down=0.2, up_cap=None, down_cap=1.0, hold_rank=3, hold_points=0.5)


@pytest.mark.parametrize("rule, r0, r1, kind, points, text", [
    (RULE, 5, 3, "进位", 0.6, "较上年前进2位，加0.6分"),                   # 0.3 × 2; r0 5 > 保位名次 3
    (RULE, 1, 1, "保位", 0.5, "上年第1名、本年第1名，保持前3名，保位加0.5分"),  # at the top: cannot move up
    (RULE, 2, 3, "保位", 0.5, "上年第2名、本年第3名，保持前3名，保位加0.5分"),  # Δ = −1 inside 前3: 保位 instead
    (RULE, 4, 9, "退位", -1.0, "较上年后退5位，扣1分"),                     # 0.2 × 5 = 1 (= 退位上限)
    (RULE, 4, 10, "退位", -1.0, "较上年后退6位，应扣1.2分，以退位上限1分为限，扣1分"),  # 1.2 → 1
    (RULE, 6, 6, "持平", 0.0, "与上年名次持平（第6名），不加分"),
    (RULE, None, 2, "无上年名次", 0.0, "上年无名次，不计进位加分"),
    (AdvanceRule(per_up=0.3, up_cap=1.0), 10, 2, "进位", 1.0,
     "较上年前进8位，应加2.4分，以进位上限1分为限，加1分"),               # 0.3 × 8 = 2.4 → 1
])
def test_rank_change(rule, r0, r1, kind, points, text):
    change = rank_change(rule, r0, r1)
    assert (change["kind"], change["points"], change["text"]) == (kind, pytest.approx(points), text)


def test_rank_change_applies_points_and_ranks_again():
    # Totals before 进位: A 90, B 89.8, C 85, D 70; last year A 1st, B 5th, C 2nd, D none; 保位名次 1.
    rule = AdvanceRule(per_up=0.3, per_down=0.2, hold_rank=1, hold_points=0.5)
    units = []
    for code, score in (("A", 90.0), ("B", 89.8), ("C", 85.0), ("D", 70.0)):
        units.append(score_unit(Unit(code, code, "镇街"), [result("X", 100, score, "目标任务")], 100, P,
                                [], {}, [], True, bonus_caps={"进位加分": 1.0}))
    assign_ranks(units)
    apply_rank_changes(units, rule, {"A": {2025: 1}, "B": {2025: 5}, "C": {2025: 2}}, 2026,
                       {"进位加分": 1.0}, P)
    assign_ranks(units)
    got = {u.code: (round(u.total, 6), u.rank, u.rank_change["kind"]) for u in units}
    assert got == {
        "A": (90.5, 2, "保位"),        # r0 1, r1 1 → 保位 +0.5 = 90.5
        "B": (90.7, 1, "进位"),        # r0 5, r1 2 → +0.3 × 3 = 0.9 (≤ 进位加分 上限 1) = 90.7: now 1st
        "C": (84.8, 3, "退位"),        # r0 2, r1 3 → −0.2, counted in D = 84.8
        "D": (70.0, 4, "无上年名次"),  # no r0: nothing
    }
    c = units[2]
    assert c.deduction == pytest.approx(0.2)
    assert c.deduction_items == [("退位扣分（较上年后退1位）", 0.2)]
    assert units[1].bonus_classes[-1] == {"name": "进位加分", "raw": pytest.approx(0.9), "cap": 1.0,
                                          "granted": pytest.approx(0.9)}


def test_rank_change_bonus_is_capped_by_its_class():
    # r0 9 → r1 1: 0.3 × 8 = 2.4 (no 进位上限), 进位加分 上限 1 → 1; total 80 + 1 = 81.
    ur = score_unit(UNIT, [result("X", 100, 80.0, "目标任务")], 100, P, [], {}, [], True)
    ur.rank = 1
    apply_rank_changes([ur], AdvanceRule(per_up=0.3), {"Z01": {2025: 9}}, 2026, {"进位加分": 1.0}, P)
    assert ur.bonus == pytest.approx(1.0) and ur.total == pytest.approx(81.0)
    assert ur.bonus_classes[-1]["raw"] == pytest.approx(2.4)
