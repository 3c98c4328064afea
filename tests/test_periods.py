"""SPEC 3.11: periods side by side, folded by 考核期, 名次加分, trend sentences.

The reference scheme of helpers.py: I01 完成率 序时 60 分 (T' = T·month/12; short: 60·A/T'),
I02 定性 40 分 (完成 40, 基本完成 24); targets 城关镇 1000, 龙泉镇 2000, 青山镇 1500.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import scheme_sheets, write_book, write_submission

from tzreport.model import PeriodRule
from tzreport.read import load_inputs
from tzreport.rules.evaluate import evaluate
from tzreport.rules.periods import fold_base, place_points

D = dt.date
QUARTERS = [("一季度", D(2026, 3, 31), 15), ("上半年", D(2026, 6, 30), 25),
            ("前三季度", D(2026, 9, 30), 25), ("全年", D(2026, 12, 31), 35)]


def periods_sheet(rows, points="1:0.5；2:0.3；3:0.2"):
    return [("期别", "截止日期", "权重", "名次加分")] + [(n, d, w, points) for n, d, w in rows]


def params(as_of):
    # a scheme documents can be issued from (SPEC 4.2: blank 发文机关/发文字号/主送 warn)
    return [("项目", "值"), ("考核名称", "测试"), ("考核年度", 2026), ("统计截止日期", as_of),
            ("发文机关", "测试县考核办"), ("发文字号", "测考办〔2026〕1号"), ("主送", "各单位"), ("满分", 100)]


def score(folder, as_of=None):
    issues = []
    scheme, subs = load_inputs([folder], issues)
    return evaluate(scheme, subs, issues, as_of)


def by_name(result):
    return {u.name: u for u in result.units}


@pytest.mark.parametrize("bases, weights, folded", [
    # Anhui 2023: (15·88 + 25·84 + 25·100 + 35·94) / 100 = 9210 / 100
    ((88, 84, 100, 94), (15, 25, 25, 35), 92.10),
    # only two quarters reached: (15·88 + 25·84) / 40 = 3420 / 40
    ((88, 84), (15, 25), 85.50),
    # a period of 权重 0 weighs nothing: (0·50 + 10·80) / 10
    ((50, 80), (0, 10), 80.0),
])
def test_fold_base_table(bases, weights, folded):
    assert fold_base(list(zip(weights, bases))) == pytest.approx(folded)


@pytest.mark.parametrize("rank, veto, points", [
    (1, "否", 0.5), (2, "否", 0.3), (3, "否", 0.2), (4, "否", 0.0),
    (1, "否优", 0.0), (1, "是", 0.0),        # none while a veto holds in that period
])
def test_place_points_table(rank, veto, points):
    rule = PeriodRule("上半年", D(2026, 6, 30), 50, {1: 0.5, 2: 0.3, 3: 0.2})
    assert place_points(rule, rank, veto) == points


# A whole year, one folder per quarter. Hand arithmetic, T' = T·p:
#           Q1 p=.25          Q2 p=.5           Q3 p=.75          Q4 p=1
# 城关 1000  200/250→48+40=88   500/500→60+24=84  750→60+40=100     900/1000→54+40=94
# 龙泉 2000  500/500→60+40=100  800/1000→48+40=88 1500→60+40=100    1600/2000→48+40=88
# 青山 1500  375→60+24=84       750→60+40=100     900/1125→48+40=88 1500→60+40=100
YEAR = {
    "城关镇": [(200, "完成"), (500, "基本完成"), (750, "完成"), (900, "完成")],
    "龙泉镇": [(500, "完成"), (800, "完成"), (1500, "完成"), (1600, "完成")],
    "青山镇": [(375, "基本完成"), (750, "完成"), (900, "完成"), (1500, "完成")],
}


def write_year(folder, quarters=4, skip=(), **sheets):
    write_book(folder / "考核方案.xlsx", scheme_sheets(参数=params(D(2026, 12, 31)), **sheets))
    for q, (name, day, _) in enumerate(QUARTERS[:quarters]):
        for unit, values in YEAR.items():
            if (unit, q) in skip:
                continue
            a, word = values[q]
            write_submission(folder / name, unit, {"I01": a, "I02": word},
                             as_of=f"{day.year}年{day.month}月{day.day}日")
    return folder


def test_anhui_weighting_over_a_year(tmp_path):
    folder = write_year(tmp_path / "in", 考核期=periods_sheet(QUARTERS, points=None))
    result = score(folder)
    units = by_name(result)
    # 城关 (15·88 + 25·84 + 25·100 + 35·94)/100 = 92.10; 龙泉 (1500+2200+2500+3080)/100 = 92.80;
    # 青山 (1260+2500+2200+3500)/100 = 94.60
    assert {n: round(u.base, 6) for n, u in units.items()} == {"城关镇": 92.1, "龙泉镇": 92.8, "青山镇": 94.6}
    assert {n: round(u.total, 6) for n, u in units.items()} == {"城关镇": 92.1, "龙泉镇": 92.8, "青山镇": 94.6}
    assert {n: u.rank for n, u in units.items()} == {"青山镇": 1, "龙泉镇": 2, "城关镇": 3}
    # the trend: each quarter's own total and rank, the last one as folded. Q1 100/88/84 → 城关 2nd;
    # Q2 88/84/100 (龙泉/城关/青山) → 3rd; Q3 城关 and 龙泉 both 100 → tied 1st
    assert [(p["period"], p["total"], p["rank"]) for p in units["城关镇"].periods] == [
        ("一季度", 88.0, 2), ("上半年", 84.0, 3), ("前三季度", 100.0, 1), ("全年", pytest.approx(92.1), 3)]
    assert [p["period"] for p in result.periods] == ["一季度", "上半年", "前三季度", "全年"]
    # previous light of I01 for 城关: Q3 750 of 1000 at p=.75 → d = 0 → 绿; completion .75
    i01 = next(r for r in units["城关镇"].indicators if r.code == "I01")
    assert (i01.previous_light, i01.previous_completion) == ("绿", pytest.approx(0.75))


def test_mid_year_folds_only_the_quarters_reached(tmp_path):
    folder = write_year(tmp_path / "in", quarters=2, 考核期=periods_sheet(QUARTERS, points=None))
    result = score(folder, D(2026, 6, 30))
    # 城关 (15·88 + 25·84)/40 = 85.5; 龙泉 (1500 + 2200)/40 = 92.5; 青山 (1260 + 2500)/40 = 94.0
    assert {n: round(u.total, 6) for n, u in by_name(result).items()} == {
        "城关镇": 85.5, "龙泉镇": 92.5, "青山镇": 94.0}
    assert result.not_reached == ["前三季度", "全年"]
    # 前三季度 has no data but is not reached: not reported
    assert not [i for i in result.issues if "没有任何数据" in i.message]


def test_a_unit_missing_one_period_scores_it_as_not_submitted(tmp_path):
    folder = write_year(tmp_path / "in", quarters=2, skip={("龙泉镇", 0)},
                        考核期=periods_sheet(QUARTERS, points=None))
    result = score(folder, D(2026, 6, 30))
    units = by_name(result)
    # 龙泉 Q1 未报送 → base 0; (15·0 + 25·88)/40 = 55.0
    assert units["龙泉镇"].total == pytest.approx(55.0)
    assert [(p["period"], p["submitted"]) for p in units["龙泉镇"].periods] == [
        ("一季度", False), ("上半年", True)]
    # no previous light for an indicator the unit did not report then
    assert all(r.previous_light is None for r in units["龙泉镇"].indicators)


def test_place_bonus_with_a_tie_and_a_vetoed_unit(tmp_path):
    folder = tmp_path / "in"
    rules = [("上半年", D(2026, 6, 30), 50), ("前三季度", D(2026, 9, 30), 50)]
    deductions = [("单位", "事项", "扣分", "一票否决", "统计截止"),
                  ("青山镇", "上半年发生安全事故", 0, "否优", D(2026, 6, 30)),
                  ("龙泉镇", "三季度发生安全事故", 0, "否优", None)]
    write_book(folder / "考核方案.xlsx", scheme_sheets(考核期=periods_sheet(rules), 扣分与否决=deductions))
    for unit, a in (("城关镇", 500), ("龙泉镇", 1000), ("青山镇", 750)):
        word = "基本完成" if unit == "青山镇" else "完成"
        write_submission(folder / "上半年", unit, {"I01": a, "I02": word}, as_of="2026年6月30日")
        write_submission(folder, unit)               # 30 September: 100 / 88 / 84
    result = score(folder)
    units = by_name(result)
    # 上半年 p=.5: 城关 500/500 → 100, 龙泉 1000/1000 → 100 (tie: both rank 1, 0.5 each),
    #   青山 750/750 → 60+24 = 84, rank 3 but 否优 in that period → 0.
    # 前三季度: 城关 100 rank 1 → 0.5; 龙泉 88 rank 2 but 否优 now → 0; 青山 84 rank 3 → 0.2.
    # base: 城关 (100+100)/2 = 100, 龙泉 (100+88)/2 = 94, 青山 (84+84)/2 = 84
    assert {n: round(u.base, 6) for n, u in units.items()} == {"城关镇": 100.0, "龙泉镇": 94.0, "青山镇": 84.0}
    place = {n: next(c["raw"] for c in u.bonus_classes if c["name"] == "名次加分") for n, u in units.items()}
    assert place == {"城关镇": 1.0, "龙泉镇": 0.5, "青山镇": 0.2}
    # totals 101.0 / 94.5 / 84.2; the veto of June does not hold in September, 龙泉's does
    assert {n: round(u.total, 6) for n, u in units.items()} == {"城关镇": 101.0, "龙泉镇": 94.5, "青山镇": 84.2}
    assert (units["青山镇"].veto, units["龙泉镇"].veto) == ("否", "否优")
    # 龙泉 94.5 ≥ 90 but 否优: not 优秀 → 良好
    assert {n: u.grade for n, u in units.items()} == {"城关镇": "优秀", "龙泉镇": "良好", "青山镇": "良好"}


def test_one_period_is_exactly_evaluate(tmp_path):
    from helpers import write_all

    from tzreport.rules.evaluate import evaluate_period
    folder = write_all(tmp_path / "in")
    issues = []
    scheme, subs = load_inputs([folder], issues)
    a = evaluate_period(scheme, subs, list(issues))
    b = evaluate(scheme, subs, list(issues))
    assert [(u.code, u.total, u.rank, u.grade) for u in a.units] == \
        [(u.code, u.total, u.rank, u.grade) for u in b.units]
    assert b.periods == [] and all(u.periods == [] for u in b.units)


def test_bad_period_input_names_the_cell(tmp_path):
    folder = tmp_path / "in"
    rules = [("期别", "截止日期", "权重", "名次加分"), ("上半年", D(2026, 6, 30), "两成", None),
             ("年中", D(2026, 6, 30), 10, None), ("前三季度", D(2026, 9, 30), 50, None),
             ("一季度", D(2026, 3, 31), 10, None)]
    write_book(folder / "考核方案.xlsx", scheme_sheets(考核期=rules))
    for unit in ("城关镇", "龙泉镇", "青山镇"):
        write_submission(folder, unit)
        write_submission(folder / "上半年", unit, as_of="2026年6月30日")
    write_submission(folder / "年底", "城关镇", as_of="2026年12月31日")
    result = score(folder)
    found = {(i.sheet, i.cell): i.message for i in result.issues if i.file.endswith("考核方案.xlsx")}
    assert "不是非负数" in found[("考核期", "C2")]               # 权重 两成
    assert "截止日期相同" in found[("考核期", "B3")]             # 年中 = 上半年
    assert "没有任何数据" in found[("考核期", "B5")]             # 一季度: nothing dated 31 March
    late = [i for i in result.issues if "晚于本次统计截止日期" in i.message]
    assert [(i.file, i.sheet, i.cell) for i in late] == [("in/年底/报表/城关镇.xlsx", "指标完成情况", "G2")]
    # 上半年 weighs 0 (its 权重 unreadable): the base is September's alone, 100 / 88 / 84
    assert {u.name: round(u.total, 6) for u in result.units} == {"城关镇": 100.0, "龙泉镇": 88.0, "青山镇": 84.0}


# -- what the outputs say (render/trend.py) ----------------------------------------------------
from tzreport.model import IndicatorResult, UnitResult  # noqa: E402
from tzreport.words.trend import arrow, lights_sentences, rank_change_sentence, unit_trend_lines  # noqa: E402


def unit(code, name, ranks, totals=None, submitted=(True, True), lights=()):
    """A unit with two periods: ranks (then, now); lights [(indicator, light then, light now)]."""
    totals = totals or (80.0, 80.0)
    ur = UnitResult(code, name, "镇街", "", submitted[-1], rank=ranks[1], total=totals[1])
    for i, (ind, before, now) in enumerate(lights):
        r = IndicatorResult(f"I{i}", ind, "目标任务", "完成率", 10, light=now)
        r.previous_light = before
        ur.indicators.append(r)
    ur.reds = sum(1 for *_, now in lights if now == "红")
    ur.periods = [{"period": "8月", "rank": ranks[0], "total": totals[0], "grade": "良好",
                   "submitted": submitted[0], "reds": sum(1 for _, b, _ in lights if b == "红")},
                  {"period": "9月", "rank": ranks[1], "total": totals[1], "grade": "优秀",
                   "submitted": submitted[1], "reds": ur.reds}]
    return ur


@pytest.mark.parametrize("units, sentence", [
    # 白马 5th → 2nd: up 3; 龙泉 1st → 3rd: down 2 (up first, then down)
    ([unit("Z2", "龙泉镇", (1, 3)), unit("Z1", "白马镇", (5, 2))],
     "与上期（8月）相比，白马镇前进3位，龙泉镇后退2位。"),
    # two down, the larger first; a 持平
    ([unit("Z1", "城关镇", (2, 3)), unit("Z2", "青山镇", (1, 4)), unit("Z3", "白马镇", (1, 1))],
     "与上期（8月）相比，青山镇后退3位，城关镇后退1位，白马镇名次持平。"),
    # a unit that had not submitted last period is new in this ranking
    ([unit("Z1", "城关镇", (1, 1)), unit("Z4", "新城镇", (3, 2), submitted=(False, True))],
     "与上期（8月）相比，城关镇名次持平，新城镇为本期新参加排名的单位。"),
    # a unit that has not submitted now is not spoken of
    ([unit("Z1", "城关镇", (2, 1)), unit("Z5", "河口镇", (1, 3), submitted=(True, False))],
     "与上期（8月）相比，城关镇前进1位。"),
])
def test_rank_change_sentences(units, sentence):
    assert rank_change_sentence(units, "8月") == sentence


def test_light_turns_and_red_counts():
    a = unit("Z1", "城关镇", (1, 1), lights=[("财政收入", "红", "绿"), ("招商引资", "绿", "红"),
                                             ("环境保护", "红", "红")])
    b = unit("Z2", "龙泉镇", (2, 2), lights=[("财政收入", "黄", "红"), ("招商引资", "红", "绿")])
    # red then: 城关 2 + 龙泉 1 = 3; now: 城关 2 + 龙泉 1 = 3
    assert lights_sentences([a, b]) == [
        "红灯指标与上期持平，均为3个。",
        "由红灯转为绿灯的2项：城关镇“财政收入”、龙泉镇“招商引资”。",
        "转为红灯的2项：城关镇“招商引资”、龙泉镇“财政收入”。"]


def test_unit_trend_lines():
    ur = unit("Z1", "城关镇", (5, 2), totals=(80.0, 91.5), lights=[("财政收入", "红", "绿")])
    # 91.5 − 80 = 11.5 points more; 5th → 2nd
    assert unit_trend_lines(ur) == [
        "历次考核：8月80.00分、第5名（良好）；9月91.50分、第2名（优秀）。",
        "与上期（8月）相比，名次前进3位（由第5名升至第2名），综合得分增加11.50分。",
        "由红灯转为绿灯：“财政收入”。"]
    assert [arrow(d) for d in (3, -2, 0, None)] == ["↑3", "↓2", "—", "新"]


@pytest.mark.parametrize("ranks, totals, sentence, change", [
    # 市考 凤台区: 前三季度 98.9549 (printed 98.95), 全年 101.4151 (printed 101.42): the full figures
    # differ by 2.4602, but a reader subtracts the printed ones: 101.42 − 98.95 = 2.47
    ((1, 1), (98.9549, 101.4151), "与上期（8月）相比，你单位名次持平（均为第1名），综合得分增加2.47分。", 2.47),
    # 临川县: 前三季度 7th → 全年 5th, 88.80 → 92.98: +4.18; the ranks named, so it is not read
    # against "较上年后退2位" (last year's final rank, SPEC 3.10)
    ((7, 5), (88.8, 92.98), "与上期（8月）相比，你单位名次前进2位（由第7名升至第5名），综合得分增加4.18分。", 4.18),
    # 后退, and a fall that the full figures put at 0.0049 but the printed ones at 0.01
    ((5, 6), (92.655, 92.6501), "与上期（8月）相比，你单位名次后退1位（由第5名降至第6名），综合得分减少0.01分。", -0.01),
    # equal printed totals: 持平, though the full figures differ by 0.004
    ((3, 3), (90.001, 90.004), "与上期（8月）相比，你单位名次持平（均为第3名），综合得分持平。", 0.0),
])
def test_trend_change_is_the_difference_of_the_printed_totals(ranks, totals, sentence, change):
    from tzreport.words.trend import total_change
    ur = unit("Z1", "城关镇", ranks, totals=totals)
    assert unit_trend_lines(ur, "你单位")[1] == sentence
    assert total_change(ur) == change
    # the same rule in every output: score_change of the published scores
    from tzreport.words.numbers import score_change, score_text
    assert total_change(ur) == round(float(score_text(totals[1])) - float(score_text(totals[0])), 2) \
        == score_change(totals[1], totals[0])


def test_round_trip_template_for_the_second_quarter_beside_the_first(tmp_path):
    """`tzreport template` for 30 June, filled, added beside the first quarter's files, built."""
    import openpyxl
    from click.testing import CliRunner

    from tzreport.cli import main
    from tzreport.pipeline import build
    folder = tmp_path / "in"
    rules = [("一季度", D(2026, 3, 31), 40), ("上半年", D(2026, 6, 30), 60)]
    write_book(folder / "考核方案.xlsx", scheme_sheets(参数=params(D(2026, 6, 30)),
                                                  考核期=periods_sheet(rules, points="1:1；2:0.5")))
    q1 = {"城关镇": (250, "完成"), "龙泉镇": (400, "完成"), "青山镇": (375, "基本完成")}
    q2 = {"城关镇": (400, "完成"), "龙泉镇": (1000, "完成"), "青山镇": (750, "完成")}
    for unit, (a, word) in q1.items():
        write_submission(folder / "一季度", unit, {"I01": a, "I02": word}, as_of="2026年3月31日")
    run = CliRunner().invoke(main, ["template", str(folder / "考核方案.xlsx"), "--as-of", "2026-06-30",
                                    "-o", str(folder / "上半年")])
    assert run.exit_code == 0, run.output
    for unit, (a, word) in q2.items():
        path = folder / "上半年" / f"{unit}.xlsx"
        book = openpyxl.load_workbook(path)
        ws = book["指标完成情况"]
        assert ws["G2"].value == "统计截止：2026年6月30日"
        for row in range(5, ws.max_row + 1):
            code = ws.cell(row, 1).value
            if code in ("I01", "I02"):
                ws.cell(row, 7).value = a if code == "I01" else word
        book.save(path)
    result = build([folder], tmp_path / "out")
    units = by_name(result)
    # Q1 p=.25: 城关 250/250 → 60+40 = 100 (1st); 龙泉 400/500 → 48+40 = 88 (2nd); 青山 375/375 → 60+24 = 84
    assert [(n, [(p["period"], round(p["total"], 6), p["rank"]) for p in u.periods][0])
            for n, u in sorted(units.items())] == [
        ("城关镇", ("一季度", 100.0, 1)), ("青山镇", ("一季度", 84.0, 3)), ("龙泉镇", ("一季度", 88.0, 2))]
    # Q2 p=.5 on its own: 城关 400/500 → 48+40 = 88 (3rd); 龙泉 1000/1000 → 100, 青山 750/750 → 100 (tied 1st)
    assert {n: u.fold["current_base"] for n, u in units.items()} == {"城关镇": 88.0, "龙泉镇": 100.0, "青山镇": 100.0}
    # folded (40·Q1 + 60·Q2)/100: 城关 (4000+5280)/100 = 92.8; 龙泉 (3520+6000)/100 = 95.2; 青山 (3360+6000)/100 = 93.6
    # 名次加分 1:1；2:0.5 — Q1 城关 1, 龙泉 0.5; Q2 龙泉 and 青山 tied 1st, 1 each
    # totals 城关 93.8, 龙泉 96.7, 青山 94.6
    assert {n: round(u.total, 6) for n, u in units.items()} == {"城关镇": 93.8, "龙泉镇": 96.7, "青山镇": 94.6}
    assert {n: u.rank for n, u in units.items()} == {"龙泉镇": 1, "青山镇": 2, "城关镇": 3}
    assert not [i for i in result.issues if i.severity in ("error", "warning")], \
        [i.text() for i in result.issues]
    # results.json carries both periods and the previous light (Q1 I01 of 龙泉: 400/2000 at p=.25 → −5 points → 黄)
    import json
    lines = (tmp_path / "out" / "results.json").read_text(encoding="utf-8").splitlines()
    unit = next(json.loads(x.lstrip(",")) for x in lines if '"name":"龙泉镇"' in x and x.lstrip(",").startswith("{"))
    assert [(p["period"], p["rank"]) for p in unit["periods"]] == [("一季度", 2), ("上半年", 1)]
    i01 = next(i for i in unit["indicators"] if i["code"] == "I01")
    assert (i01["previous_light"], i01["previous_completion_rate"], i01["light"]) == ("黄", 0.2, "绿")


@pytest.mark.parametrize("sample", ["county", "city"])
def test_one_period_samples_give_the_results_of_evaluate(tmp_path, monkeypatch, sample):
    """With one period (the samples without their earlier data) periods.py adds nothing: the
    results.json of the build equals that of ``evaluate`` alone, byte for byte."""

    from tzreport import pipeline, samples
    from tzreport.rules.evaluate import evaluate_period
    if sample == "county":
        source = tmp_path / "input.xlsx"
        samples.write_county(source, periods=False)
    else:
        source = tmp_path / "市考"
        samples.write_city(source, periods=False)
    pipeline.build([source], tmp_path / "a")
    monkeypatch.setattr(pipeline, "evaluate", evaluate_period)
    pipeline.build([source], tmp_path / "b")
    a = (tmp_path / "a" / "results.json").read_bytes()
    assert a == (tmp_path / "b" / "results.json").read_bytes()
    assert b'"periods"' not in a and b"previous_light" not in a


def test_round_trip_outputs_say_the_trend(tmp_path):
    """The same two quarters as above, as a clerk reads them in 进展通报, 通知 and 考核结果."""
    import openpyxl
    from docx import Document
    from test_documents import all_text

    from tzreport.pipeline import build
    folder = tmp_path / "in"
    rules = [("一季度", D(2026, 3, 31), 40), ("上半年", D(2026, 6, 30), 60)]
    write_book(folder / "考核方案.xlsx", scheme_sheets(参数=params(D(2026, 6, 30)),
                                                  考核期=periods_sheet(rules, points="1:1；2:0.5")))
    for unit, (a1, w1), (a2, w2) in (("城关镇", (250, "完成"), (400, "完成")),
                                     ("龙泉镇", (400, "完成"), (1000, "完成")),
                                     ("青山镇", (375, "基本完成"), (750, "完成"))):
        write_submission(folder / "一季度", unit, {"I01": a1, "I02": w1}, as_of="2026年3月31日")
        write_submission(folder, unit, {"I01": a2, "I02": w2}, as_of="2026年6月30日")
    build([folder], tmp_path / "out")
    # ranks 一季度 城关 1, 龙泉 2, 青山 3 → 上半年 (folded) 龙泉 1, 青山 2, 城关 3
    bulletin = all_text(Document(tmp_path / "out" / "进展通报.docx"))
    assert "与上期（一季度）相比，龙泉镇前进1位，青山镇前进1位，城关镇后退2位。" in bulletin
    assert "本次基础得分按考核期折算：一季度权重40、上半年权重60。" in bulletin
    notice = all_text(Document(tmp_path / "out" / "通知" / "龙泉镇.docx"))
    # 龙泉 一季度 88 (良好, 2nd); 上半年 96.7 (优秀, 1st); 96.7 − 88 = 8.7
    assert "你单位历次考核：一季度88.00分、第2名（良好）；上半年96.70分、第1名（优秀）。" in notice
    # the 名次加分 with the bonuses; the fold where the 通知 speaks of the base, after the current
    # period's own: (88×40 + 100×60)/100 = 95.2
    assert "你单位名次加分1.5分（按各期当期综合得分排名：一季度第2名0.5分、上半年第1名1分）。" in notice
    assert "上半年各项得分合计100.00分，即上半年基础得分；基础得分按考核期折算：（一季度88.00分×40、" \
           "上半年100.00分×60）÷100＝95.20分。" in notice
    assert "与上期（一季度）相比，你单位名次前进1位（由第2名升至第1名），综合得分增加8.70分。" in notice
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "龙泉镇.xlsx")["考核结果"]
    pairs = {r[0]: r[1:3] for r in ws.iter_rows(max_col=3, values_only=True) if r[0]}
    assert pairs["历次考核：一季度"] == (88.0, "第2名，良好")
    assert pairs["历次考核：上半年"] == (96.7, "第1名，优秀")
    assert pairs["名次变化"] == ("↑1", "与上期（一季度）相比，名次前进1位（由第2名升至第1名）")
    assert pairs["综合得分变化"] == (8.7, "与上期（一季度）相比，综合得分增加8.70分")
    assert pairs["考核期折算"] == (95.2, "基础得分按考核期折算：（一季度88.00分×40、上半年100.00分×60）÷100＝95.20分；"
                                    "名次加分1.5分（按各期当期综合得分排名：一季度第2名0.5分、上半年第1名1分）。")


def test_no_data_for_the_date_itself_takes_the_latest_period(tmp_path):
    """`--as-of 2026-12-31` over September's files: one period, scored at the year end (p = 1)."""
    from helpers import write_all
    result = score(write_all(tmp_path / "in"), D(2026, 12, 31))
    # p = 1: 城关 750/1000 → 45 + 40 = 85; 龙泉 1200/2000 → 36 + 40 = 76; 青山 1125/1500 → 45 + 24 = 69
    assert {u.name: round(u.total, 6) for u in result.units} == {"城关镇": 85.0, "龙泉镇": 76.0, "青山镇": 69.0}
    assert result.periods == [] and any("按最近一期（2026年9月30日）" in i.message for i in result.issues)


def test_no_light_change_for_a_unit_that_sent_nothing_this_period(tmp_path):
    """SPEC 4.1: 龙泉镇 reported Q1 (I01 500 of 2000 at p = .25 → 绿) and sent nothing for Q2. Its
    Q2 lights are red only because nothing came (3.2): no 绿→红 in results, 指标矩阵 or 通报."""
    import openpyxl

    from tzreport.pipeline import build
    folder = write_year(tmp_path / "in", quarters=2, skip={("龙泉镇", 1)})
    result = build([folder], tmp_path / "out", as_of=D(2026, 6, 30))
    units = by_name(result)
    assert not units["龙泉镇"].submitted
    assert all(r.previous_light is None for r in units["龙泉镇"].indicators)
    # 城关镇 reported both quarters: its I01 change is kept (Q1: d = 200 / 250 − 1 = −0.2, inside the
    # 黄 band, completion 200 / 1000 = 0.2; Q2: 500 of 500, d = 0 → 绿)
    i01 = next(r for r in units["城关镇"].indicators if r.code == "I01")
    assert (i01.previous_light, i01.light, i01.previous_completion) == ("黄", "绿", pytest.approx(0.2))
    ws = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["指标矩阵"]
    header = [c.value for c in ws[3]]
    change = header.index("较上期") + 1
    rows = {ws.cell(r, 2).value: ws.cell(r, change).value for r in range(4, 7)}
    assert rows["龙泉镇"] is None
    assert rows["城关镇"] == "黄→绿"


# -- the 市考 sample as a reader reads it: the current period, each period × 权重, the folded base --
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from tzreport.pipeline import build
    out = tmp_path_factory.mktemp("city")
    return out, build([Path(__file__).resolve().parent.parent / "sample_workbooks" / "市考"], out)


def _notice(out, unit) -> list:
    from docx import Document
    return [p.text for p in Document(out / "通知" / f"{unit}.docx").paragraphs]


def _result_pairs(out, unit) -> dict:
    """考核结果's label → (value, note), the first row of each label (一、总体情况)."""
    import openpyxl
    ws = openpyxl.load_workbook(out / "批注" / f"{unit}.xlsx")["考核结果"]
    pairs = {}
    for r in ws.iter_rows(max_col=3, values_only=True):
        if r[0]:
            pairs.setdefault(r[0], r[1:3])
    return pairs


def _ranking(out) -> tuple:
    import openpyxl
    rows = list(openpyxl.load_workbook(out / "汇总.xlsx")["综合排名"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "考核类别")
    name = rows[head].index("单位")     # after 分组 where a unit has one
    return rows[head - 1][0], rows[head], {r[name]: dict(zip(rows[head], r)) for r in rows[head + 1:] if r[name]}


def _sentences(paragraphs: list) -> list:
    """Each paragraph's sentences, each with its "。" (a rounding note may follow in the same one)."""
    return [t + "。" for p in paragraphs for t in p.split("。") if t]


def test_city_place_bonus_says_which_rank_it_counts(city):
    """SPEC 3.11: 名次加分 goes by each period's own rank_j (on that period's 综合得分); 临川县 ranks
    3rd on the 全年 period's own score (0.2 by "1:0.5；2:0.3；3:0.2") and 5th after the fold, and
    the 通知 prints "第5名" beside it: the sentence says which rank the 0.2 counts."""
    out, result = city
    lin = next(u for u in result.units if u.name == "临川县")
    assert lin.rank == 5
    assert [(p["period"], p["rank"], p["points"]) for p in lin.fold["periods"] if p["points"]] == [("全年", 3, 0.2)]
    assert "你单位名次加分0.2分（按各期当期综合得分排名：全年第3名0.2分）。" in _sentences(_notice(out, "临川县"))


def test_city_notice_says_what_the_bonus_is_made_of(city):
    """SPEC 3.8: 临川县's 加分 4.49 = 指标加分 2.29 + 表彰加分 2 (3 claimed, 上限 2) + 名次加分 0.2; the
    通知 says so (the 表彰 cap in the sentence after it), with the indicators that earned a bonus."""
    out, result = city
    lin = next(u for u in result.units if u.name == "临川县")
    assert {c["name"]: round(c["granted"], 2) for c in lin.bonus_classes if c["granted"]} == {
        "指标加分": 2.29, "表彰加分": 2.0, "名次加分": 0.2}
    notice = _notice(out, "临川县")
    assert "你单位加分4.49分：指标加分2.29分（地区生产总值增速、城镇居民人均可支配收入增速、进京赴省越级上访批次）、" \
           "表彰加分2分、名次加分0.2分。" in notice
    assert "你单位表彰加分应得3分，超过表彰加分上限2分，按2分计。" in notice
    # a total cap note lists the classes itself: no second list (凤台区, capped at 5)
    assert not any(p.startswith("你单位加分") for p in _notice(out, "凤台区"))


def test_city_notice_says_the_current_period_then_the_fold(city):
    out, _ = city
    yong = _notice(out, "永宁县")
    # 永宁县: every indicator applies (Σ 分值 100, no rescaling); the 全年 period's scores add up to
    # 75.33; folded: (83.07×15 + 80.10×25 + 71.63×25 + 75.33×35)/100
    # = (1246.05 + 2002.50 + 1790.75 + 2636.55)/100 = 7675.85/100 = 76.7585 → 76.76
    assert "全年各项得分合计75.33分，即全年基础得分；基础得分按考核期折算：（一季度83.07分×15、上半年80.10分×25、" \
           "前三季度71.63分×25、全年75.33分×35）÷100＝76.76分。" in _sentences(yong)
    # 综合得分 76.76 − 扣分 2.40 = 74.36
    assert yong[yong.index("一、总体情况") + 1].startswith(
        "2026年度，你单位综合得分74.36分（基础得分76.76分，扣分2.40分）")
    feng = _notice(out, "凤台区")
    # 凤台区 has no 农村居民人均可支配收入 target (分值 6): 折算系数 100/94 = 1.0638;
    # 90.94 × 1.0638 = 96.742 → 96.74, the 全年 period's base; folded:
    # (95.55×15 + 97.01×25 + 95.89×25 + 96.74×35)/100 = (1433.25 + 2425.25 + 2397.25 + 3385.90)/100
    # = 9641.65/100 = 96.4165 → 96.42
    assert "全年各项得分合计90.94分，按县（市、区）满分100分折算（折算系数1.0638），全年基础得分96.74分；" \
           "基础得分按考核期折算：（一季度95.55分×15、上半年97.01分×25、前三季度95.89分×25、全年96.74分×35）" \
           "÷100＝96.42分。" in _sentences(feng)
    # 名次加分 (SPEC 3.11: each period's own rank_j) 1:0.5；2:0.3 — 一季度 2nd 0.3, then 1st three times 0.5: 0.3 + 1.5 = 1.8
    assert "你单位名次加分1.8分（按各期当期综合得分排名：一季度第2名0.3分、上半年第1名0.5分、前三季度第1名0.5分、全年第1名0.5分）。" in feng
    for text in (yong, feng):     # the old contradiction: the current period's sum called the 基础得分
        assert not any("，即基础得分" in p or "÷100＝" in p and p.startswith("你单位基础得分") for p in text)


def test_every_printed_fold_and_rescaling_holds_with_the_printed_operands(city):
    """All 14 notices: Σ printed base × 权重 ÷ Σ 权重 and 合计 × 折算系数 round to the printed result."""
    import re
    from decimal import ROUND_HALF_UP, Decimal
    out, _ = city

    def r2(x):
        return x.quantize(Decimal("0.01"), ROUND_HALF_UP)
    folds = scales = 0
    for path in sorted((out / "通知").glob("*.docx")):
        text = "\n".join(_notice(out, path.stem))
        for m in re.finditer(r"按考核期折算：（(.*?)）÷([\d.]+)＝([\d.]+)分", text):
            terms = re.findall(r"([\d.]+)分×([\d.]+)", m.group(1))
            assert r2(sum(Decimal(a) * Decimal(b) for a, b in terms) / Decimal(m.group(2))) == Decimal(m.group(3))
            folds += 1
        for m in re.finditer(r"合计([\d.]+)分，按.*?折算（折算系数([\d.]+)），全年基础得分([\d.]+)分", text):
            assert r2(Decimal(m.group(1)) * Decimal(m.group(2))) == Decimal(m.group(3)), path.stem
            scales += 1
    assert folds == 14 and scales == 2      # 凤台区 and 龙山区 lack a target: rescaled


def test_city_parts_add_up_to_what_they_are_labelled(city):
    out, result = city
    pairs = _result_pairs(out, "永宁县")
    parts = [v for k, (v, _) in pairs.items() if k.startswith("  其中：") and k[5:] in
             ("经济发展", "人民生活", "社会发展", "资源环境", "社会安全", "班子和队伍建设")]
    # 29.52 + 10.03 + 8.95 + 7.98 + 8.00 + 10.84 = 75.32, the 全年 base 75.33 within rounding
    assert pairs["全年基础得分"] == (75.33, "全年各大类得分合计，未按考核期折算")
    assert sum(parts) == pytest.approx(75.33, abs=0.015)
    assert pairs["考核期折算"][0] == 76.76
    keys = list(pairs)     # in order: the current period's base, its parts, then the fold
    assert keys.index("全年基础得分") < keys.index("  其中：经济发展") < keys.index("考核期折算") < keys.index("加分")
    note, header, rows = _ranking(out)
    assert "各大类得分和全年基础得分为本期（全年）得分，未按考核期折算；基础得分按考核期折算（一季度15、上半年25、" \
           "前三季度25、全年35）" in note
    majors = [h for h in header if h and h.endswith("（全年）")]
    assert len(majors) == 6
    for unit in ("凤台区", "永宁县"):
        row = rows[unit]
        assert sum(row[h] for h in majors) == pytest.approx(row["全年基础得分"], abs=0.015)
    # 凤台区: 39.47 + 6.38 + 12.69 + 11.49 + 14.89 + 11.82 = 96.74, folded 96.42
    assert (rows["凤台区"]["全年基础得分"], rows["凤台区"]["基础得分"]) == (96.74, 96.42)
    assert (rows["永宁县"]["全年基础得分"], rows["永宁县"]["基础得分"]) == (75.33, 76.76)


def test_city_deductions_are_each_explained(city):
    out, _ = city
    # 永宁县: 扣分与否决 2 (较大生产安全事故) + 退位 11th → 13th, 2 × 0.2 = 0.4: 2.40
    assert "你单位扣分2.40分：发生较大生产安全事故（1起3人死亡），扣2分；退位扣分（较上年后退2位），扣0.4分。" \
        in _notice(out, "永宁县")
    # 怀远县: 1.5 (耕地保护) + 退位 9th → 11th, 0.4: 1.90
    assert "你单位扣分1.90分：耕地保护督察发现违法占地问题，扣1.5分；退位扣分（较上年后退2位），扣0.4分。" \
        in _notice(out, "怀远县")
    assert not any(p.startswith("你单位扣分") for p in _notice(out, "凤台区"))       # nothing deducted
    # a 退位 alone is said by the 进位 line, not twice
    assert not any(p.startswith("你单位扣分") for p in _notice(out, "临川县"))
    assert _result_pairs(out, "永宁县")["扣分"] == (
        2.4, "发生较大生产安全事故（1起3人死亡），扣2分；退位扣分（较上年后退2位），扣0.4分")
    _, _, rows = _ranking(out)
    assert rows["永宁县"]["扣分"] == 2.4 and rows["怀远县"]["扣分"] == 1.9
    assert rows["永宁县"]["说明"].endswith("较上年后退2位，扣0.4分；发生较大生产安全事故（1起3人死亡），扣2分")
    assert rows["怀远县"]["说明"] == "较上年后退2位，扣0.4分；耕地保护督察发现违法占地问题，扣1.5分"
