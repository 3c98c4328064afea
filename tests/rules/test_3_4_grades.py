"""SPEC 3.4 Grades within each 考核类别: vetoes, the first grade's quotas, the next grades' caps.

Table-driven: 一票否决 / 否优, the first grade by 分组名额, 比例 (取整) and 名额, the next grades capped by
比例 and falling through."""
import pytest
from helpers import grades_of
from helpers import unit_result as unit

from tzreport.model import GradeRule
from tzreport.rules.grades import assign_grades, slots_for_ratio
from tzreport.rules.ranking import assign_ranks


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
    assert notes["A"] == "一票否决" and notes["B"] == "一票否优，不得评为好" and notes["C"] == ""
    # 未报送 is not a reason of the grade's: words say it once, from whether the unit submitted
    from tzreport.words.facts import grade_notes
    assert [grade_notes(u) for u in units[:3]] == [["一票否决"], ["一票否优，不得评为好"], ["未报送"]]


def test_next_grades_are_capped_by_ratio_and_fall_through():
    # 较好 ≥ 80 and at most 40% of 5 = 2 (四舍五入): C and D qualify by score, E falls through.
    units = [unit("A", 95), unit("B", 84), unit("C", 83), unit("D", 82), unit("E", 50)]
    rules = [GradeRule("好", 90), GradeRule("较好", 80, ratio=0.4), GradeRule("一般", 60),
             GradeRule("差")]
    assign_ranks(units)
    assign_grades(units, rules)
    assert grades_of(units) == {"A": "好", "B": "较好", "C": "较好", "D": "一般", "E": "差"}
