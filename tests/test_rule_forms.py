"""SPEC 3.7–3.10, table-driven: parts weighted (大类), caps on deductions and bonuses (扣分上限,
加分类别), the scheme's own 定性 and 测评 levels, 进位. Every expected number was computed by hand
from the spec; the arithmetic is in the comment beside each row."""
import datetime as dt

import pytest
from helpers import write_book

from tzreport.model import (ST_NO_DATA, ST_NOT_APPLICABLE, ST_OK, AdvanceRule, BonusClaim, Indicator,
                            IndicatorResult, Params, Target, Unit)
from tzreport.read import load_inputs
from tzreport.rules.advance import apply_rank_changes, rank_change
from tzreport.rules.evaluate import evaluate
from tzreport.rules.indicator import score_indicator
from tzreport.rules.ranking import assign_ranks
from tzreport.rules.unit import score_unit

P = Params()
UNIT = Unit("Z01", "城关镇", "镇街")


def result(code, weight, score, major, status=ST_OK, bonus=0.0, bonus_class="指标加分"):
    return IndicatorResult(code, code, major, "测评", weight, status=status, score=score, bonus=bonus,
                           bonus_class=bonus_class)


# -- SPEC 3.7 parts weighted ----------------------------------------------------------------------
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


def _evaluate(path):
    issues = []
    scheme, subs = load_inputs([path], issues)
    return evaluate(scheme, subs, issues), scheme


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


# -- SPEC 3.8 caps ----------------------------------------------------------------------------------
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


def claims(*levels):
    return [BonusClaim(f"事项{n}", level) for n, level in enumerate(levels)]


HONOR = {"国家级": 2.0, "省级": 1.0, "市级": 0.5}


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


# -- SPEC 3.9 levels ----------------------------------------------------------------------------------
LEVELS = {"优": 1.0, "良": 0.85, "中": 0.7, "差": 0.4}


@pytest.mark.parametrize("levels, word, score, light, veto", [
    (LEVELS, "优", 10.0, "绿", "否"),       # 1 × 10, the highest level
    (LEVELS, "良", 8.5, "黄", "否"),        # 0.85 × 10
    (LEVELS, "中", 7.0, "黄", "否"),        # 0.7 × 10
    (LEVELS, "差", 4.0, "红", "是"),        # 0.4 × 10, the lowest level vetoes
    (None, "基本完成", 6.0, "黄", "否"),    # default levels: 0.6 × 10
    (None, "未完成", 0.0, "红", "是"),      # default lowest
])
def test_qualitative_levels(levels, word, score, light, veto):
    ind = Indicator("D01", "镇街", "目标任务", "环保", "环保", "", 10.0, method="定性", veto="是")
    r = score_indicator(ind, None, word, ST_OK, 1.0, P, levels=levels)
    assert (r.score, r.light, r.veto) == (pytest.approx(score), light, veto)


def _level_scheme(folder, extra=None, values=None):
    sheets = {
        "参数": [("项目", "值"), ("考核名称", "测试"), ("考核年度", 2026), ("统计截止日期", dt.date(2026, 12, 31))],
        "单位": [("单位编码", "单位名称", "考核类别"), ("Z01", "城关镇", "镇街"), ("Z02", "龙泉镇", "镇街")],
        "指标": [("指标编码", "考核类别", "大类", "二级指标", "分值", "计分方法", "数据来源", "一票否决"),
               ("D01", "镇街", "目标任务", "环境保护", 80, "定性", "单位", "是"),
               ("M01", "镇街", "社会评价", "民主测评", 20, "测评", "考核办", "否")],
        "等次": [("等次", "最低分"), ("好", 90), ("一般", None)],
        "定性等级": [("等级", "得分比例"), ("优", 1), ("良", "85%"), ("中", 0.7), ("差", 0.4)],
        # 城关镇: 6 好, 2 较好, 1 一般, 1 差 → (6×100 + 2×80 + 1×60 + 1×40)/10 = 86 (default 差 0: 82).
        "测评票值": [("票别", "分值"), ("好", 100), ("较好", 80), ("一般", 60), ("差", 40)],
        "考核办评分": [("单位", "指标编码", "好", "较好", "一般", "差"), ("城关镇", "M01", 6, 2, 1, 1),
                  ("龙泉镇", "M01", 10, 0, 0, 0)],
        "完成情况": [("单位", "指标编码", "本期累计完成")] + (values or [("城关镇", "D01", "良"),
                                                            ("龙泉镇", "D01", "差")]),
    }
    sheets.update(extra or {})
    return write_book(folder / "input.xlsx", sheets)


def test_custom_levels_and_vote_values_end_to_end(tmp_path):
    result, scheme = _evaluate(_level_scheme(tmp_path))
    assert list(scheme.qualitative_levels) == ["优", "良", "中", "差"]
    town, other = (next(u for u in result.units if u.name == n) for n in ("城关镇", "龙泉镇"))
    # 城关镇: D01 良 0.85 × 80 = 68; M01 86/100 × 20 = 17.2 (差 = 40); total 85.2.
    assert town.total == pytest.approx(85.2)
    # 龙泉镇: D01 差 0.4 × 80 = 32 and, 差 being the lowest level, a 一票否决; M01 100 → 20.
    assert other.total == pytest.approx(52.0)
    assert other.veto == "是" and other.grade == "一般"


def test_template_offers_the_schemes_own_words(tmp_path):
    import openpyxl

    from tzreport.pipeline import make_templates
    paths, _ = make_templates(_level_scheme(tmp_path), tmp_path / "out", dt.date(2026, 12, 31))
    ws = openpyxl.load_workbook(paths[0])["指标完成情况"]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"优,良,中,差"' in lists
    assert "定性指标从下拉列表中选择“优、良、中、差”" in ws["A3"].value


# -- SPEC 3.10 进位 -----------------------------------------------------------------------------------
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


# -- SPEC 5 for the new sheets ------------------------------------------------------------------------
def test_bad_rule_forms_are_reported_with_file_sheet_and_cell(tmp_path):
    path = _level_scheme(tmp_path, extra={
        "大类": [("考核类别", "大类", "权重"), ("镇街", "目标任务", "八十"), ("镇街", "党建", 10),
               ("镇街", "社会评价", 20)],
        "加分类别": [("类别", "上限"), ("指标加分", 3)],
        "加分标准": [("级别", "分值", "类别"), ("国家级", 2, "创新加分")],
        "历年等次": [("单位", "年度", "等次", "名次"), ("城关镇", 2025, "好", 2.5), ("龙泉镇", 2025, "一般", 1)],
        "进位奖励": [("考核类别", "每进一位", "保位名次"), ("镇街", 0.5, "前三")],
    }, values=[("城关镇", "D01", "完成"), ("龙泉镇", "D01", "优")])
    result, scheme = _evaluate(path)
    found = {(i.severity, i.sheet, i.cell): i.message for i in result.issues if i.file == "input.xlsx"}
    assert "权重" in found[("error", "大类", "C2")] and "八十" in found[("error", "大类", "C2")]
    assert "没有大类为“党建”的指标" in found[("warning", "大类", "B3")]
    assert "加分类别“创新加分”在加分类别表中没有对应行，该类加分不封顶" in found[("info", "加分标准", "C2")]
    assert "应为 优、良、中、差 之一" in found[("error", "完成情况", "C2")]
    assert "非负整数" in found[("error", "历年等次", "D2")]
    assert "保位名次" in found[("error", "进位奖励", "C2")]
    # The build goes on: 目标任务 without a valid row weighs Σ w of its indicators (80), 社会评价 20.
    assert scheme.major_weights == {"镇街": {"社会评价": 20}}
    assert scheme.ranks == {"Z02": {2025: 1}}
    town = next(u for u in result.units if u.name == "城关镇")
    assert town.indicators[0].status == "未填报"          # "完成" is not one of 优/良/中/差
    assert town.rank_change["kind"] == "无上年名次"


# -- properties ---------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MAJORS = ("目标任务", "社会评价", "党的建设")
weights_st = st.floats(0, 100, allow_nan=False, allow_subnormal=False)   # 权重 as typed


@st.composite
def unit_rows(draw):
    rows = []
    for n in range(draw(st.integers(1, 12))):
        w = draw(st.floats(0.5, 50, allow_nan=False))
        status = draw(st.sampled_from((ST_OK, ST_OK, ST_OK, ST_NOT_APPLICABLE, ST_NO_DATA)))
        rows.append(result(f"I{n}", w, draw(st.floats(0, 1)) * w, draw(st.sampled_from(MAJORS)),
                           status=status, bonus=draw(st.sampled_from((0.0, 0.5, 1.25, 3.0)))))
    return rows


@settings(max_examples=300, deadline=None)
@given(rows=unit_rows(), weights=st.dictionaries(st.sampled_from(MAJORS), weights_st, min_size=1))
def test_weighted_base_stays_within_the_sum_of_weights(rows, weights):
    from tzreport.rules.unit import full_score
    inds = [Indicator(r.code, "镇街", r.major, r.code, "", "", r.weight) for r in rows]
    full = full_score(inds, weights)
    ur = score_unit(UNIT, rows, full, P, [], {}, [], True, major_weights=weights)
    assert -1e-9 <= ur.base <= full * (1 + 1e-9) + 1e-9
    for k, subtotal in ur.subtotals.items():
        assert -1e-9 <= subtotal <= ur.major_weights[k] * (1 + 1e-9) + 1e-9


def _spec_3_3(rows, full, params, claims_, levels, deductions):
    """SPEC 3.3 as it read before 3.7–3.10, literally: the totals every scheme without the new
    sheets must keep, to the last bit."""
    from tzreport.rules.unit import honor_bonus
    applicable = [r for r in rows if r.applies]
    weight = sum(r.weight for r in applicable)
    base = sum(r.score for r in applicable) * (full / weight if weight > 0 else 0.0)
    honor, _ = honor_bonus(claims_, levels, params.honor_bonus_cap)
    bonus = sum(r.bonus for r in applicable) + honor
    if params.total_bonus_cap is not None:
        bonus = min(bonus, params.total_bonus_cap)
    return base + bonus - sum(d.points for d in deductions)


@settings(max_examples=300, deadline=None)
@given(rows=unit_rows(), full=st.sampled_from((100.0, 1000.0, 87.5)),
       total_cap=st.none() | st.floats(0, 10), honor_cap=st.none() | st.floats(0, 5),
       levels=st.lists(st.sampled_from(tuple(HONOR)), max_size=4),
       cuts=st.lists(st.floats(0, 3), max_size=3))
def test_without_the_new_sheets_totals_are_exactly_spec_3_3(rows, full, total_cap, honor_cap, levels,
                                                            cuts):
    from tzreport.model import Deduction
    params = Params(total_bonus_cap=total_cap, honor_bonus_cap=honor_cap)
    claims_ = claims(*levels)
    deductions = [Deduction("Z01", f"扣{n}", p) for n, p in enumerate(cuts)]
    ur = score_unit(UNIT, rows, full, params, claims_, HONOR, deductions, True)
    assert ur.total == _spec_3_3(rows, full, params, claims_, HONOR, deductions)
    ur = score_unit(UNIT, rows, full, params, claims_, HONOR, deductions, True, major_weights={},
                    bonus_caps={}, honor_classes={})
    assert ur.total == _spec_3_3(rows, full, params, claims_, HONOR, deductions)


# -- what the outputs say (the 市考 sample: 加分类别 指标加分 3 / 表彰加分 2 / 进位加分 1, 加分总上限 5,
# 进位奖励 每进一位 0.3, 每退一位 0.2, 退位上限 1, 保位名次 3, 保位加分 0.5) ----------------------------
def test_city_outputs_show_caps_and_rank_changes(tmp_path):
    import openpyxl
    from docx import Document
    from test_documents import all_text

    from tzreport import build
    samples = __import__("pathlib").Path(__file__).parent.parent / "sample_workbooks"
    result = build([samples / "市考"], tmp_path)
    unit = {u.name: u for u in result.units}
    # 长乐县: 1st last year, 2nd before 进位 (on the folded year, SPEC 3.11) → 保位 +0.5; 指标加分 3.9
    # → 3 (上限 3); 表彰加分 国家级 2 (= 上限 2); 名次加分 (3.11, "1:0.5；2:0.3；3:0.2") 一季度 1st 0.5 +
    # 上半年 3rd 0.2 + 前三季度 2nd 0.3 + 全年 2nd 0.3 = 1.3; 3 + 2 + 0.5 + 1.3 = 6.8 → 加分总上限 5.
    c = unit["长乐县"]
    assert c.rank_change["kind"] == "保位" and c.bonus == pytest.approx(5.0)
    assert [(p["period"], p["rank"], p["points"]) for p in c.fold["periods"]] == [
        ("一季度", 1, 0.5), ("上半年", 3, 0.2), ("前三季度", 2, 0.3), ("全年", 2, 0.3)]
    assert c.bonus_before_total_cap == pytest.approx(6.8)
    rows = {r[0]: r[1:3] for r in openpyxl.load_workbook(tmp_path / "批注" / "长乐县.xlsx")["考核结果"]
            .iter_rows(max_col=3, values_only=True) if r[0]}
    assert rows["  其中：指标加分"] == (3, "应得3.9分，超过指标加分上限3分，按3分计")
    assert rows["进位"] == (0.5, "上年第1名、本年第2名，保持前3名，保位加0.5分")
    said = "各类加分合计6.8分（指标加分3分、表彰加分2分、进位加分0.5分、名次加分1.3分），超过加分总上限5分，按5分计"
    assert said in rows["加分"][1]
    notice = all_text(Document(tmp_path / "通知" / "长乐县.docx"))
    assert f"你单位指标加分应得3.9分，超过指标加分上限3分，按3分计；{said}。" in notice
    # 和平县 has no 名次 for 2025 in 历年等次.
    assert "你单位上年无名次，不计进位加分。" in all_text(Document(tmp_path / "通知" / "和平县.docx"))
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["综合排名"]
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "考核类别")
    assert header[header.index("表彰加分") + 1:header.index("综合得分")] == ("进位加分", "名次加分", "加分合计", "扣分",
                                                                      "进位")
    # A 退位 is a deduction: 怀远县 9th last year, 11th before 进位 → −0.2 × 2 = −0.4, in D with its
    # 扣分与否决 item 1.5 → 1.9.
    h = unit["怀远县"]
    assert h.rank_change["points"] == pytest.approx(-0.4) and h.deduction == pytest.approx(1.9)


def test_office_qualitative_value_is_one_of_the_levels(tmp_path):
    path = _level_scheme(tmp_path, extra={
        "指标": [("指标编码", "考核类别", "大类", "二级指标", "分值", "计分方法", "数据来源"),
               ("Q01", "镇街", "目标任务", "领导评价", 100, "定性", "考核办")],
        "考核办评分": [("单位", "指标编码", "得分"), ("城关镇", "Q01", "良"), ("龙泉镇", "Q01", "完成")],
        "完成情况": [("单位", "指标编码", "本期累计完成")]})
    result, _ = _evaluate(path)
    town, other = (next(u for u in result.units if u.name == n) for n in ("城关镇", "龙泉镇"))
    assert town.total == pytest.approx(85.0)                   # 良 0.85 × 100
    assert other.indicators[0].status == "未填报" and other.total == 0.0
    errors = [(i.sheet, i.cell) for i in result.issues if i.severity == "error"]
    assert ("考核办评分", "C3") in errors                        # "完成" is not among 优/良/中/差


def test_rank_change_line_says_the_ranks_in_plain_words():
    """SPEC 3.10: the 进位 line names last year's rank and this year's rank before the 进位 points,
    in words a unit reads ("不计进位加减分时"), not the office's shorthand ("计进位分前")."""
    from types import SimpleNamespace as NS

    from tzreport.words.rule_forms import rank_change_text
    ur = NS(rank_change={"kind": "进位", "text": "较上年前进2位，加0.6分", "last_rank": 5, "rank_before": 3})
    assert rank_change_text(ur) == "较上年前进2位，加0.6分（上年第5名，本年不计进位加减分时第3名）"
