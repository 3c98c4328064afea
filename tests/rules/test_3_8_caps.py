"""SPEC 3.8 Caps on deductions and bonuses: an indicator's 扣分上限, and 加分类别 under 加分总上限.

Each bonus in its 类别, each 类别 capped by its 上限, then 加分总上限; hand-computed."""
import pytest
from helpers import HONOR, UNIT, claims
from helpers import PARAMS as P
from helpers import indicator_row as result

from tzreport.model import ST_OK, Indicator, Params, Target
from tzreport.rules.indicator import score_indicator
from tzreport.rules.unit import score_unit


def completion(weight=10.0, cap=None, method="完成率"):
    return Indicator("X01", "镇街", "目标任务", "经济", "指标", "万元", weight, method=method,
                     deduction_cap=cap)


@pytest.mark.parametrize("ind, actual, target, expected", [
    (completion(cap=3), 50.0, 100.0, 7.0),       # 10 × 50/100 = 5, loses 5 > 3 → 10 − 3 = 7 (cuts)
    (completion(cap=3), 80.0, 100.0, 8.0),       # 10 × 80/100 = 8, loses 2 ≤ 3 → 8 (does not cut)
    (completion(cap=None), 50.0, 100.0, 5.0),    # no cap: 5
    (completion(cap=3), None, 100.0, 0.0),       # a blank still scores 0
    (completion(6, cap=2, method="控制"), 5.0, 3.0, 4.0),   # crosses the line → 0, at most −2 → 4
])
def test_deduction_cap(ind, actual, target, expected):
    status = ST_OK if actual is not None else "未填报"
    r = score_indicator(ind, Target(target), actual, status, 1.0, P)
    assert r.score == pytest.approx(expected)


@pytest.mark.parametrize("bonuses, honors, classes, caps, params, expected, granted", [
    # 指标加分 2.5 + 1.7 = 4.2 > 上限 3 → 3 (cuts); 表彰加分 1 + 0.5 = 1.5 ≤ 2 (does not cut); B = 4.5.
    ((2.5, 1.7), ("省级", "市级"), {}, {"指标加分": 3, "表彰加分": 2}, P, 4.5,
     {"指标加分": 3.0, "表彰加分": 1.5}),
    # Same, 加分总上限 4: 3 + 1.5 = 4.5 → 4.
    ((2.5, 1.7), ("省级", "市级"), {}, {"指标加分": 3, "表彰加分": 2}, Params(total_bonus_cap=4), 4.0,
     {"指标加分": 3.0, "表彰加分": 1.5}),
    # 国家级 goes to 类别 创新加分 (no row: uncapped, 2); 省级 stays 表彰加分 whose cap defaults to
    # 参数 表彰加分上限 0.8 → 0.8; 指标加分 1 uncapped; B = 1 + 2 + 0.8 = 3.8.
    ((1.0,), ("国家级", "省级"), {"国家级": "创新加分"}, {"指标加分": None}, Params(honor_bonus_cap=0.8),
     3.8, {"指标加分": 1.0, "创新加分": 2.0, "表彰加分": 0.8}),
    # An indicator of 加分类别 特色加分 (上限 0.5): 1.2 → 0.5; the other 指标加分 0.4; B = 0.9.
    ((0.4, ("特色加分", 1.2)), (), {}, {"特色加分": 0.5}, P, 0.9, {"指标加分": 0.4, "特色加分": 0.5}),
])
def test_bonus_classes(bonuses, honors, classes, caps, params, expected, granted):
    rows = []
    for n, b in enumerate(bonuses):
        name, points = b if isinstance(b, tuple) else ("指标加分", b)
        rows.append(result(f"A{n}", 10, 10.0, "目标任务", bonus=points, bonus_class=name))
    ur = score_unit(UNIT, rows, 100, params, claims(*honors), HONOR, [], True,
                    bonus_caps=caps, honor_classes=classes)
    assert ur.bonus == pytest.approx(expected)
    assert {c["name"]: c["granted"] for c in ur.bonus_classes} == pytest.approx(granted)
    assert ur.total == pytest.approx(ur.base + expected)
