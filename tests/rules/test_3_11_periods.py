"""SPEC 3.11 Periods (考核期): periods side by side, folded by 权重, 名次加分, periods not reached.

Periods by their 统计截止, 名次加分 by each period's own rank, a unit missing a period, the previous
period's lights.

The reference scheme of helpers.py: I01 完成率 序时 60 分 (T' = T·month/12; short: 60·A/T'),
I02 定性 40 分 (完成 40, 基本完成 24); targets 城关镇 1000, 龙泉镇 2000, 青山镇 1500.
"""
from __future__ import annotations

import datetime as dt

import pytest
from helpers import period_params as params
from helpers import periods_sheet, scheme_sheets, write_book, write_submission

from tzreport.model import PeriodRule
from tzreport.read import load_inputs
from tzreport.rules.evaluate import evaluate
from tzreport.rules.periods import fold_base, place_points

D = dt.date


QUARTERS = [("一季度", D(2026, 3, 31), 15), ("上半年", D(2026, 6, 30), 25),
            ("前三季度", D(2026, 9, 30), 25), ("全年", D(2026, 12, 31), 35)]


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
