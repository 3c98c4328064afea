"""SPEC 3.5 结果运用: a grade held for 连续年数 years (历年等次), 末位 (all tied there) and 否决."""
from helpers import unit_result as unit

from tzreport.model import ConsequenceRule
from tzreport.rules.consequences import apply_consequences
from tzreport.rules.ranking import assign_ranks

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
