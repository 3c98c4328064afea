"""SPEC 3.4–3.5, table-driven: ranks with 并列, the quota order, grades with quotas, consequences."""
import pytest

from tzreport.model import ConsequenceRule, GradeRule, UnitResult
from tzreport.rules.consequences import apply_consequences
from tzreport.rules.grades import assign_grades, slots_for_ratio
from tzreport.rules.planning import advancement
from tzreport.rules.ranking import assign_ranks


def unit(code, total, group="", base=None, reds=0, veto="否", submitted=True):
    ur = UnitResult(code, f"单位{code}", "镇街", group, submitted)
    ur.total, ur.base, ur.reds, ur.veto = total, total if base is None else base, reds, veto
    return ur


def grades_of(units):
    return {u.code: u.grade for u in units}


@pytest.mark.parametrize("ratio, n, rounding, expected", [
    (0.05, 12, "四舍五入", 1),   # 0.6 → 1
    (0.05, 12, "向下", 0),
    (0.05, 12, "向上", 1),
    (0.05, 30, "四舍五入", 2),   # 1.5 → 2 (half up, not half even)
    (0.05, 30, "向下", 1),
    (0.05, 30, "向上", 2),
    (0.05, 20, "向上", 1),       # exactly 1: no spurious rounding up of 1.0000000001
    (0.2, 14, "四舍五入", 3),    # 2.8
    (0.4, 14, "向下", 5),        # 5.6
    (0.1, 30, "向下", 3),        # 0.1×30 is 3.0000000000000004 in floats
])
def test_slots_for_ratio(ratio, n, rounding, expected):
    assert slots_for_ratio(ratio, n, rounding) == expected


def test_ranks_share_equal_rounded_totals():
    units = [unit("A", 90.004), unit("B", 90.0), unit("C", 85.0), unit("D", 95.0)]
    assign_ranks(units)
    assert {u.code: u.rank for u in units} == {"D": 1, "A": 2, "B": 2, "C": 4}


def test_quota_order_breaks_ties_by_base_then_reds_then_code():
    # All four tie at 90.00; B has the higher base, C and D tie on base but C has fewer reds,
    # E and F tie on everything and go by code.
    units = [unit("F", 90, base=88, reds=1), unit("E", 90, base=88, reds=1),
             unit("D", 90, base=89, reds=2), unit("C", 90, base=89, reds=1), unit("B", 90, base=90)]
    rules = [GradeRule("优秀", 60, quota=3), GradeRule("良好")]
    assign_ranks(units)
    assign_grades(units, rules)
    assert {u.rank for u in units} == {1}
    assert grades_of(units) == {"B": "优秀", "C": "优秀", "D": "优秀", "E": "良好", "F": "良好"}


SEED_GROUPS = [  # seed 000: one 优秀 per 分组, then 5% of N by overall order
    unit("A1", 96, "生态发展区"), unit("A2", 95, "生态发展区"), unit("A3", 80, "生态发展区"),
    unit("B1", 94, "工业发展区"), unit("B2", 93, "工业发展区"), unit("B3", 70, "工业发展区"),
    unit("C1", 88, "城市发展区"), unit("C2", 97, "城市发展区"), unit("C3", 85, "城市发展区"),
    unit("C4", 92, "城市发展区"), unit("A4", 91, "生态发展区"), unit("B4", 60, "工业发展区"),
]


@pytest.mark.parametrize("rounding, best", [
    # N=12: 5%×12=0.6. Group winners C2, A1, B1; the next by overall order is A2 (95).
    ("四舍五入", {"C2", "A1", "B1", "A2"}),
    ("向上", {"C2", "A1", "B1", "A2"}),
    ("向下", {"C2", "A1", "B1"}),
])
def test_first_grade_group_quota_plus_ratio(rounding, best):
    units = [unit(u.code, u.total, u.group) for u in SEED_GROUPS]
    rules = [GradeRule("优秀", 90, ratio=0.05, group_quota=1, rounding=rounding),
             GradeRule("良好", 80), GradeRule("一般", 60), GradeRule("较差")]
    assign_ranks(units)
    assign_grades(units, rules)
    got = grades_of(units)
    assert {c for c, g in got.items() if g == "优秀"} == best
    assert got["B3"] == "一般" and got["B4"] == "一般" and got["A3"] == "良好"


def test_group_winner_below_the_minimum_does_not_get_the_slot():
    units = [unit("A", 95, "甲区"), unit("B", 89, "乙区"), unit("C", 94, "甲区")]
    assign_ranks(units)
    assign_grades(units, [GradeRule("优秀", 90, group_quota=1), GradeRule("良好")])
    assert grades_of(units) == {"A": "优秀", "B": "良好", "C": "良好"}


def test_quota_caps_the_whole_grade_in_overall_order():
    units = [unit("A", 95, "甲区"), unit("B", 91, "乙区"), unit("C", 93, "丙区")]
    assign_ranks(units)
    assign_grades(units, [GradeRule("优秀", 90, group_quota=1, quota=2), GradeRule("良好")])
    assert grades_of(units) == {"A": "优秀", "C": "优秀", "B": "良好"}


def test_no_quota_means_every_eligible_unit():
    units = [unit("A", 95), unit("B", 91), unit("C", 89.995)]   # C rounds to 90.00
    assign_ranks(units)
    assign_grades(units, [GradeRule("优秀", 90), GradeRule("良好")])
    assert grades_of(units) == {"A": "优秀", "B": "优秀", "C": "优秀"}


def test_vetoes_and_missing_submissions():
    units = [unit("A", 98, veto="是"), unit("B", 97, veto="否优"), unit("C", 96, submitted=False),
             unit("D", 95), unit("E", 70)]
    rules = [GradeRule("好", 90), GradeRule("较好", 80), GradeRule("一般", 60), GradeRule("差")]
    assign_ranks(units)
    assign_grades(units, rules)
    assert grades_of(units) == {"A": "差", "B": "较好", "C": "较好", "D": "好", "E": "一般"}
    notes = {u.code: u.grade_note for u in units}
    assert notes["A"] == "一票否决" and notes["B"] == "一票否优，不得评为好" and notes["C"] == "未报送"


def test_next_grades_are_capped_by_ratio_and_fall_through():
    # 较好 ≥ 80 and at most 40% of 5 = 2 (四舍五入): C and D qualify by score, E falls through.
    units = [unit("A", 95), unit("B", 84), unit("C", 83), unit("D", 82), unit("E", 50)]
    rules = [GradeRule("好", 90), GradeRule("较好", 80, ratio=0.4), GradeRule("一般", 60),
             GradeRule("差")]
    assign_ranks(units)
    assign_grades(units, rules)
    assert grades_of(units) == {"A": "好", "B": "较好", "C": "较好", "D": "一般", "E": "差"}


RULES = [ConsequenceRule("等次", "一般", 1, "一年内不得提拔、诫勉谈话"),
         ConsequenceRule("等次", "一般", 2, "组织调整"),
         ConsequenceRule("等次", "好", 3, "优先提拔"),
         ConsequenceRule("末位", "", 1, "主要负责人诫勉谈话"),
         ConsequenceRule("否决", "", 1, "取消评优资格")]


def test_consequences_consecutive_years_last_place_and_veto():
    units = [unit("A", 95), unit("B", 80), unit("C", 70), unit("D", 70, veto="是"), unit("E", 85)]
    for u, g in zip(units, ["好", "一般", "一般", "差", "一般"]):
        u.grade = g
    history = {"A": {2025: "好", 2024: "好"}, "B": {2025: "一般"}, "C": {2025: "较好", 2024: "一般"},
               "E": {2024: "一般"}}
    assign_ranks(units)
    apply_consequences(units, RULES, history, 2026)
    got = {u.code: u.consequences for u in units}
    assert got["A"] == ["优先提拔"]                               # 好 in 2024, 2025, 2026
    assert got["B"] == ["一年内不得提拔、诫勉谈话", "组织调整"]       # 一般 2025 and 2026
    assert got["C"] == ["一年内不得提拔、诫勉谈话", "主要负责人诫勉谈话"]  # not consecutive; tied last
    assert got["D"] == ["主要负责人诫勉谈话", "取消评优资格"]         # tied last, and vetoed
    assert got["E"] == ["一年内不得提拔、诫勉谈话"]                   # 2025 missing: not consecutive
    assert units[0].history == {2024: "好", 2025: "好", 2026: "好"}


def test_advancement_names_points_to_next_rank_and_grade():
    units = [unit("A", 95.5), unit("B", 91.2), unit("C", 88.0)]
    rules = [GradeRule("优秀", 90, quota=1), GradeRule("良好", 80), GradeRule("一般")]
    assign_ranks(units)
    assign_grades(units, rules)
    advancement(units, rules)
    b = units[1].advance
    assert b["next_rank"]["unit"] == "单位A" and b["next_rank"]["points_needed"] == pytest.approx(4.3)
    # 优秀 is quota-limited and held by A at 95.5: B needs to reach 95.5
    assert b["next_grade"] == {"grade": "优秀", "total_needed": 95.5,
                               "points_needed": pytest.approx(4.3)}
    assert "next_rank" not in units[0].advance
