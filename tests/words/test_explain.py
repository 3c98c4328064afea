"""SPEC 3.2, 3.8, 3.9 as the 批注 and results.json say them: rules return the arithmetic as terms,
words.explain writes the sentence."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tzreport.model import Indicator, Params, Target
from tzreport.rules.indicator import score_indicator
from tzreport.words.explain import FORMS, explain_text

RULES = Path(__file__).resolve().parents[2] / "tzreport" / "rules" / "indicator.py"


def _indicator(**kw):
    base = dict(code="A01", category="镇街", major="经济发展", level1="财政收入", level2="一般公共预算收入",
                measure="万元", weight=10.0, prorate=True)
    base.update(kw)
    return Indicator(**base)


@pytest.mark.parametrize("kw, target, actual, text", [
    ({}, Target(1000.0), 600.0,
     "实际600，序时目标750（1000×75%），完成序时目标的80%（年度目标的60%） × 分值10 = 8"),
    ({"excess_bonus": 0.1, "bonus_cap": 1.0}, Target(1000.0), 900.0,
     "实际900，序时目标750（1000×75%），已完成，得满分10；加分 = 超额20% × 0.1，封顶1 = 1"),
    ({"method": "控制", "prorate": False, "deduction_rate": 0.5}, Target(10.0), 12.0,
     "实际12，突破控制线10达20% × 每1%扣0.5分，得0"),
    ({"deduction_cap": 3.0, "deduction_rate": 0.5}, Target(1000.0), 600.0,
     "实际600，序时目标750（1000×75%），差20% × 每1%扣0.5分，10 − 10 = 0；扣分以3分为限，得7"),
])
def test_the_arithmetic_in_words(kw, target, actual, text):
    r = score_indicator(_indicator(**kw), target, actual, "正常", 0.75, Params())
    assert all(isinstance(term, tuple) and term[0] in FORMS for term in r.explain)
    assert not any(isinstance(v, str) and "，" in v for term in r.explain for v in term[1:])
    assert explain_text(r.explain) == text


@pytest.mark.parametrize("step, peers, text", [
    (0.1, [70.0, 80.0, 90.0], "第2名（共3个），10 × (1 − 1×0.1) = 9"),
    (0.0, [80.0], "第1名（共1个），10 × (1 − 0×0)"),          # as the scoring wrote it before
    (None, [80.0], "仅1个单位报送，得满分"),
])
def test_ranking_in_words(step, peers, text):
    r = score_indicator(_indicator(method="排名", prorate=False, rank_step=step), None, 80.0, "正常", 0.75,
                        Params(), peers)
    assert explain_text(r.explain) == text


def test_a_value_not_given_says_its_status():
    r = score_indicator(_indicator(), Target(1000.0), None, "未填报", 0.75, Params())
    assert explain_text(r.explain) == "未填报，得0分"


def test_every_term_the_rules_make_has_its_words():
    """The forms rules.indicator writes (the first string of each term tuple) are the ones words knows."""
    tree = ast.parse(RULES.read_text("utf-8"))
    slots = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
             and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in n.targets)}
    made = {node.elts[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Tuple) and id(node) not in slots and node.elts
            and isinstance(node.elts[0], ast.Constant) and isinstance(node.elts[0].value, str)}
    kinds = {"best", "best_reverse"}           # chosen through a name, not written as a literal tuple
    assert made | kinds == set(FORMS)
