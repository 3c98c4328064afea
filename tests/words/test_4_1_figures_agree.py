"""SPEC 4.1 "Printed figures agree with each other", checked with a pencil across the outputs.

The 通知, 批注, 汇总 and 进展通报 of both samples: score changes are the printed totals subtracted, no
持平 beside a yellow light, one monthly pace, the two kinds of rank change apart, and a deduction in
one wording."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document
from helpers import all_text, texts

from tzreport.pipeline import build

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


@pytest.fixture(scope="module")
def september(tmp_path_factory):
    out = tmp_path_factory.mktemp("sep")
    return out, build([SAMPLES / "input.xlsx"], out)


def test_a_deduction_with_its_basis_reads_the_same_in_notice_summary_and_annotation(tmp_path):
    """扣分与否决 with a 依据 column: the item, its 依据 and its points in the 通知 (where 扣分 is said),
    in 汇总's 说明 and in the 批注's 考核结果, one wording."""
    import openpyxl
    from helpers import write_scheme, write_submission
    folder = tmp_path / "in"
    write_scheme(folder, 扣分与否决=[("单位", "事项", "扣分", "依据"),
                                   ("龙泉镇", "统计数据报送不及时", 0.5, "云统发〔2026〕8号"),
                                   ("龙泉镇", "发生较大环境事件", 1, None)])
    for unit in ("城关镇", "龙泉镇", "青山镇"):
        write_submission(folder, unit)
    result = build([folder], tmp_path / "out")
    unit = next(u for u in result.units if u.name == "龙泉镇")
    # 88.00 (helpers: 龙泉镇's base) − (0.5 + 1) = 86.50
    assert unit.deduction == pytest.approx(1.5) and unit.total == pytest.approx(86.5)
    said = "统计数据报送不及时（云统发〔2026〕8号），扣0.5分；发生较大环境事件，扣1分"
    notice = texts(Document(tmp_path / "out" / "通知" / "龙泉镇.docx"))
    assert f"你单位扣分1.50分：{said}。" in notice
    rows = list(openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["综合排名"].iter_rows(values_only=True))
    head = next(r for r in rows if r[0] == "考核类别")
    row = dict(zip(head, next(r for r in rows if r[head.index("单位")] == "龙泉镇")))
    assert row["扣分"] == 1.5 and said in row["说明"]
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "龙泉镇.xlsx")["考核结果"]
    # each row's filled cells after the first (a 事项 spans four columns, its 分值 after them)
    rows = [tuple(v for v in r[1:] if v is not None) for r in ws.iter_rows(values_only=True) if r[0] == "扣分"]
    assert rows[0] == (1.5, said)       # 一、总体情况; then 五、加分和扣分事项, item by item
    assert rows[1:] == [("统计数据报送不及时（云统发〔2026〕8号）", -0.5), ("发生较大环境事件", -1)]
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    items = next(u for u in data["units"] if u["name"] == "龙泉镇")["deduction_items"]
    assert items == [{"item": "统计数据报送不及时", "points": 0.5, "basis": "云统发〔2026〕8号"},
                     {"item": "发生较大环境事件", "points": 1}]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    return out, build([SAMPLES / "市考"], out)


def _result_pairs(path: Path) -> dict:
    import openpyxl
    ws = openpyxl.load_workbook(path)["考核结果"]
    return {r[0]: r[1:3] for r in ws.iter_rows(max_col=3, values_only=True) if r[0]}


def _plan_rows(path: Path) -> dict:
    """批注's 倒排计划 table on the 考核结果 sheet: 指标名称 -> row."""
    import openpyxl
    ws = openpyxl.load_workbook(path)["考核结果"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("四、"))
    header = rows[head + 1]
    return {r[1]: dict(zip(header, r)) for r in rows[head + 2:] if r[0] and str(r[0]).startswith("ZB")}


def test_score_change_is_the_difference_of_the_printed_totals(city, september):
    """凤台区 (市考): 前三季度 98.95, 全年 101.42 as printed; 101.42 − 98.95 = 2.47 in the 通知, the
    批注 and 汇总 alike (the full figures differ by 2.46…). And in every unit of both samples the
    change the 通知 prints is its two printed totals subtracted."""
    import openpyxl
    out, _ = city
    text = all_text(Document(out / "通知" / "凤台区.docx"))
    assert "前三季度98.95分、第1名（好）；全年101.42分、第1名（好）。" in text
    assert "与上期（前三季度）相比，你单位名次持平（均为第1名），综合得分增加2.47分。" in text
    assert _result_pairs(out / "批注" / "凤台区.xlsx")["综合得分变化"] == \
        (2.47, "与上期（前三季度）相比，综合得分增加2.47分")
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["历次排名"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == "凤台区")
    assert row[-1] == 2.47 and row[4:6] == (98.95, 101.42)
    for folder in (out, september[0]):
        for path in sorted((folder / "通知").glob("*.docx")):
            lines = texts(Document(path))
            steps = next(t for t in lines if "历次考核" in t)
            totals = [float(x) for x in re.findall(r"([\d.]+)分、第", steps)]
            change = next(t for t in lines if "相比，你单位名次" in t)
            sign, size = re.search(r"综合得分(增加|减少|持平)([\d.]*)", change).groups()
            printed = 0.0 if sign == "持平" else float(size) * (1 if sign == "增加" else -1)
            assert printed == round(totals[-1] - totals[-2], 2), path.name
            assert _result_pairs(folder / "批注" / f"{path.stem}.xlsx")["综合得分变化"][0] == printed


@pytest.mark.parametrize("sample, unit, row", [
    # 0.462 against 0.46 (逆向): d = −(0.462/0.46 − 1)·100 = −0.43 points → 黄; not "0.46 | 0.46 | 与目标持平"
    ("september", "新华街道", ["万元地区生产总值能耗", "0.46", "0.462", "超过目标值0.002", "黄"]),
    ("september", "凤凰镇", ["万元地区生产总值能耗", "0.46", "0.463", "超过目标值0.003", "黄"]),
    ("city", "龙山区", ["单位地区生产总值能耗", "0.52", "0.523", "超过目标值0.003", "黄"]),
    # growth 7.3 against 7: the gap as the printed figures give it
    ("september", "新华街道", ["地区生产总值增速", "7", "7.3", "高于目标0.3个百分点", "绿"]),
])
def test_no_level_with_the_target_beside_a_yellow_light(request, sample, unit, row):
    out, _ = request.getfixturevalue(sample)
    table = Document(out / "通知" / f"{unit}.docx").tables[0]
    found = next(r for r in table.rows if r.cells[0].text.replace("\n", "") == row[0])
    assert [c.text.replace("\n", "") for c in (found.cells[0], *found.cells[2:6])] == row
    # 持平 only where the two printed figures are the same, and then the light is green
    level = [[c.text for c in r.cells[2:6]] for r in table.rows if r.cells[4].text == "与目标持平"]
    assert all(target == actual and light == "绿" for target, actual, _, light in level)


@pytest.mark.parametrize("unit, code, sentence, month", [
    # 145600 − 120130 = 25470 万元 = 2.55亿元; ÷ the 3 months left = 8490 (not 25470 ÷ 3.02 = 8420.79)
    ("龙泉镇", "固定资产投资", "固定资产投资距年度目标还差2.55亿元，后3个月需月均完成8490万元。", 8490),
    # 10200 − 7796.7 = 2403.3 ÷ 3 = 801.1 → whole 万元 like the others: 801
    ("新华街道", "一般公共预算收入", "一般公共预算收入距年度目标还差2403万元，后3个月需月均完成801万元。", 801),
    # 4760 − 3155.7 = 1604.3 ÷ 3 = 534.77 → 535
    ("金鸡乡", "一般公共预算收入", "一般公共预算收入距年度目标还差1604万元，后3个月需月均完成535万元。", 535),
])
def test_monthly_pace_is_one_figure_in_notice_annotation_and_summary(september, unit, code, sentence, month):
    import openpyxl
    out, _ = september
    assert any(t.endswith(f".{sentence}") for t in texts(Document(out / "通知" / f"{unit}.docx")))
    cell = _plan_rows(out / "批注" / f"{unit}.xlsx")[code]["月均"]
    assert cell == month
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["倒排计划"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "考核类别")
    row = next(dict(zip(header, r)) for r in ws.iter_rows(values_only=True) if r[1] == unit and r[3] == code)
    assert row["月均需完成"] == month


def test_rank_changes_against_last_year_and_last_period_read_apart(city):
    """临川县: last year 3rd, this year 5th before 进位 points (后退2位, SPEC 3.10); 前三季度 7th, 全年
    5th (前进2位, SPEC 3.11). Both said with their ranks, never "后退2位" beside a bare "前进2位"."""
    out, _ = city
    lines = texts(Document(out / "通知" / "临川县.docx"))
    assert "你单位较上年后退2位，扣0.4分（上年第3名，本年不计进位加减分时第5名）。" in lines
    # 92.98 − 88.80 = 4.18
    assert "与上期（前三季度）相比，你单位名次前进2位（由第7名升至第5名），综合得分增加4.18分。" in lines
    assert not any("与上期相比" in t for t in lines)
    lines = texts(Document(out / "通知" / "青阳县.docx"))
    assert "你单位与上年名次持平（第12名），不加分。" in lines
    # 77.73 − 77.10 = 0.63
    assert "与上期（前三季度）相比，你单位名次持平（均为第12名），综合得分增加0.63分。" in lines


def test_no_none_completed_where_a_unit_completed(city):
    """市考 at the year end: 一般公共预算收入 totals 91.4% of the target, but 凤台区 reached 101.2%
    (257736.6 / 254800); 城镇新增就业 likewise, with 2 units that reached theirs."""
    out, _ = city
    text = all_text(Document(out / "进展通报.docx"))
    assert "从指标看，一般公共预算收入、城镇新增就业2项县（市、区）考核指标合计未完成年度目标，其中一般公共预算收入、" \
        "城镇新增就业分别有1个、2个单位完成年度目标。" in text
    assert "均未完成年度目标" not in text
    assert "2.一般公共预算收入：合计完成156.75亿元，完成年度目标的91.4%；14个单位中，绿灯1个，黄灯6个，红灯7个。" in text
    table = Document(out / "通知" / "凤台区.docx").tables[0]
    row = next(r for r in table.rows if r.cells[0].text == "一般公共预算收入")
    assert [c.text for c in row.cells[2:6]] == ["254800", "257736.6", "101.2%", "绿"]
