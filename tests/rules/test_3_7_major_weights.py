"""SPEC 3.7 Parts weighted (大类): Base = Σ 权重_k·R_k, rescaled over the parts that apply.

A 大类 without a row weighs Σ w of its indicators; without rows, 3.3 is unchanged. Every expected
number was computed by hand; the arithmetic is in the comment beside each row."""
import datetime as dt

import pytest
from helpers import PARAMS as P
from helpers import UNIT, write_book
from helpers import evaluate_book as _evaluate
from helpers import indicator_row as result

from tzreport.model import ST_NO_DATA, ST_NOT_APPLICABLE, ST_OK, Indicator
from tzreport.rules.unit import score_unit

# The issue's scheme: 目标任务 85 (indicators 25/20/15/15/10/15) and 社会评价 15 (30/20/20/30).
# The unit has no target for the 25-point indicator; it scores 16, 15, 12, 10, 9 on the other five
# (62 of 75) and 27, 18, 16, 24 on 社会评价 (85 of 100).
GOALS = [("T1", 25, 0.0, ST_NOT_APPLICABLE), ("T2", 20, 16.0, ST_OK), ("T3", 15, 15.0, ST_OK),
         ("T4", 15, 12.0, ST_OK), ("T5", 10, 10.0, ST_OK), ("T6", 15, 9.0, ST_OK)]


SOCIAL = [("S1", 30, 27.0), ("S2", 20, 18.0), ("S3", 20, 16.0), ("S4", 30, 24.0)]


def weighted_rows(social_status=ST_OK):
    rows = [result(c, w, s, "目标任务", status=st) for c, w, s, st in GOALS]
    return rows + [result(c, w, s, "社会评价", status=social_status) for c, w, s in SOCIAL]


@pytest.mark.parametrize("weights, social_status, base, subtotals, scale, full", [
    # R_目标 = 62/75 = 0.826667 (T1 left out inside its part), R_社评 = 85/100 = 0.85;
    # Base = 85 × 0.826667 + 15 × 0.85 = 70.266667 + 12.75 = 83.016667; both parts apply, scale 1.
    ({"目标任务": 85, "社会评价": 15}, ST_OK, 83.016667, (70.266667, 12.75), 1.0, 100),
    # 社会评价 has no data for anyone: K_u = {目标任务}; Base = 85 × 0.826667 × (100/85) = 82.666667.
    ({"目标任务": 85, "社会评价": 15}, ST_NO_DATA, 82.666667, (70.266667, 0.0), 100 / 85, 100),
    # 80/20: 80 × 62/75 + 20 × 0.85 = 66.133333 + 17 = 83.133333.
    ({"目标任务": 80, "社会评价": 20}, ST_OK, 83.133333, (66.133333, 17.0), 1.0, 100),
    # A 大类 without a row weighs Σ w of its indicators: 社会评价 = 100, 满分 185;
    # Base = 85 × 0.826667 + 100 × 0.85 = 70.266667 + 85 = 155.266667.
    ({"目标任务": 85}, ST_OK, 155.266667, (70.266667, 85.0), 1.0, 185),
])
def test_weighted_base(weights, social_status, base, subtotals, scale, full):
    from tzreport.rules.unit import full_score
    rows = weighted_rows(social_status)
    inds = [Indicator(r.code, "镇街", r.major, r.code, "", "", r.weight) for r in rows]
    assert full_score(inds, weights) == full
    ur = score_unit(UNIT, rows, full, P, [], {}, [], True, major_weights=weights)
    assert ur.base == pytest.approx(base, abs=1e-6)
    assert (ur.subtotals["目标任务"], ur.subtotals["社会评价"]) == pytest.approx(subtotals, abs=1e-6)
    assert ur.scale == pytest.approx(scale)
    # One point of T2 is worth 权重/Σw applicable × scale in the base: 85/75 in the first row.
    assert ur.factor("目标任务") == pytest.approx(weights["目标任务"] / 75 * scale)


def test_weighted_base_differs_from_whole_unit_rescaling():
    # SPEC 3.3 on the same scheme with the weights folded into 分值 (×0.85 and ×0.15, no 大类 rows):
    # Σ scores = 62 × 0.85 + 85 × 0.15 = 52.7 + 12.75 = 65.45 over Σ w applicable = 100 − 21.25
    # = 78.75, so Base = 65.45 × 100/78.75 = 83.111111 — not 3.7's 83.016667.
    folded = [result(r.code, r.weight * (0.85 if r.major == "目标任务" else 0.15),
                     r.score * (0.85 if r.major == "目标任务" else 0.15), r.major, status=r.status)
              for r in weighted_rows()]
    whole = score_unit(UNIT, folded, 100, P, [], {}, [], True)
    parts = score_unit(UNIT, weighted_rows(), 100, P, [], {}, [], True,
                       major_weights={"目标任务": 85, "社会评价": 15})
    assert whole.base == pytest.approx(83.111111, abs=1e-6)
    assert parts.base == pytest.approx(83.016667, abs=1e-6)


def _consolidated(folder, weighted: bool):
    """The 85/15 scheme as a real input workbook: T1 完成率 (城关镇 has no target), the rest 测评."""
    factor = {"目标任务": 1.0, "社会评价": 1.0} if weighted else {"目标任务": 0.85, "社会评价": 0.15}
    inds = [("T1", "镇街", "目标任务", "经济", "财政收入", "万元", 25, "完成率")]
    inds += [(c, "镇街", "目标任务", "经济", f"任务{c}", "分", w, "测评") for c, w, _, _ in GOALS[1:]]
    inds += [(c, "镇街", "社会评价", "评价", f"评价{c}", "分", w, "测评") for c, w, _ in SOCIAL]
    inds = [row[:6] + (row[6] * factor[row[2]],) + row[7:] for row in inds]
    # 测评 A = score/w × 100: T2 16/20 → 80, T3 100, T4 12/15 → 80, T5 100, T6 9/15 → 60;
    # S1 27/30 → 90, S2 18/20 → 90, S3 16/20 → 80, S4 24/30 → 80.
    actual = {"T2": 80, "T3": 100, "T4": 80, "T5": 100, "T6": 60, "S1": 90, "S2": 90, "S3": 80, "S4": 80}
    sheets = {
        "参数": [("项目", "值"), ("考核名称", "测试"), ("考核年度", 2026), ("统计截止日期", dt.date(2026, 12, 31)),
               ("满分", 100)],
        "单位": [("单位编码", "单位名称", "考核类别"), ("Z01", "城关镇", "镇街"), ("Z02", "龙泉镇", "镇街")],
        "指标": [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法")] + inds,
        "目标": [("单位", "指标编码", "确保目标"), ("龙泉镇", "T1", 100)],
        "等次": [("等次", "最低分"), ("优秀", 90), ("良好", 80), ("一般", None)],
        "完成情况": [("单位", "指标编码", "本期累计完成")]
        + [("城关镇", c, a) for c, a in actual.items()]
        + [("龙泉镇", c, 100) for c in ["T1"] + list(actual)],
    }
    if weighted:
        sheets["大类"] = [("考核类别", "大类", "权重"), ("镇街", "目标任务", 85), ("镇街", "社会评价", "15%")]
    return write_book(folder / "input.xlsx", sheets)


@pytest.mark.parametrize("weighted, base", [
    (True, 83.016667),    # 3.7: 85 × 62/75 + 15 × 85/100 (the "15%" cell reads as 15)
    (False, 83.111111),   # 3.3: 65.45 × 100/78.75
])
def test_weighted_scheme_read_and_scored_end_to_end(tmp_path, weighted, base):
    result, scheme = _evaluate(_consolidated(tmp_path, weighted))
    town = next(u for u in result.units if u.name == "城关镇")
    assert town.base == pytest.approx(base, abs=1e-6)
    assert result.full_scores["镇街"] == pytest.approx(100)
    assert not [i for i in result.issues if i.severity == "error"]
    if weighted:
        assert scheme.major_weights == {"镇街": {"目标任务": 85, "社会评价": 15}}
        assert town.major_weights == {"目标任务": 85, "社会评价": 15}
