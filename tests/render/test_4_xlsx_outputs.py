"""SPEC 4 Excel outputs (批注, 汇总, template, check) opened as a clerk's Excel would.

Cells, fills, comments, charts, print set-up."""
from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import write_all, write_scheme, write_submission

from tzreport.pipeline import build
from tzreport.render.xlsx.annotate import COLUMNS
from tzreport.rules.rounding import round2

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
ANNOTATION_HEADERS = [c[0] for c in COLUMNS]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    result = build([SAMPLES / "市考"], out)
    return out, result


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    result = build([SAMPLES / "input.xlsx"], out)
    return out, result


def _unit(result, name):
    return next(u for u in result.units if u.name == name)


def _pairs(ws) -> dict:
    """The 项目 → 内容 rows of a 考核结果 sheet: label -> (value, note)."""
    found = {}
    for row in ws.iter_rows(min_col=1, max_col=3):
        if isinstance(row[0].value, str):
            found.setdefault(row[0].value.strip(), (row[1].value, row[2].value))
    return found


def test_annotated_workbook_keeps_the_units_own_cells_formulas_and_comments(city):
    out, result = city
    source = openpyxl.load_workbook(SAMPLES / "市考" / "报表" / "临川县.xlsx")["指标完成情况"]
    book = openpyxl.load_workbook(out / "批注" / "临川县.xlsx")
    ws = book["指标完成情况"]
    for row in source.iter_rows():
        for cell in row:
            copy = ws[cell.coordinate]
            assert copy.value == cell.value, cell.coordinate
            assert copy.number_format == cell.number_format
            for style in ("fill", "border", "font", "alignment", "protection"):
                assert repr(getattr(copy, style)) == repr(getattr(cell, style)), (cell.coordinate, style)
    # The unit's working column J: formulas, still formulas.
    assert ws["J5"].value == "=G5-H5" and ws["J5"].data_type == "f"
    # The unit's own comment on A02's 本期累计完成 survives.
    assert ws["G5"].comment.text.startswith("含临川经济开发区数据")
    # Our columns start after the unit's last used column (J) on the header row.
    assert [ws.cell(3, 11 + j).value for j in range(10)] == ANNOTATION_HEADERS


def test_annotated_row_has_the_hand_computed_figures_light_and_arithmetic(city):
    out, result = city
    ws = openpyxl.load_workbook(out / "批注" / "临川县.xlsx")["指标完成情况"]
    # Row 5 is A02 一般公共预算收入: 129420.5 against 137200 at year end (p = 1), 10 points.
    # 完成率 129420.5/137200 = 94.33%; d = (0.9433 − 1)·100 = −5.7 points: 黄 (band 10);
    # score 10 × 0.9433 = 9.43; short 137200 − 129420.5 = 7779.5.
    assert ws["A5"].value == "A02"
    assert ws["K5"].value == pytest.approx(129420.5 / 137200)
    assert ws["K5"].number_format == "0.0%"
    assert ws["L5"].value == pytest.approx(1.0)
    assert ws["M5"].value == pytest.approx(-5.67, abs=0.01)
    assert ws["N5"].value == "黄" and ws["N5"].fill.fgColor.rgb.endswith("FFEB9C")
    assert ws["O5"].value == pytest.approx(9.4330, abs=1e-4)
    assert "× 分值10 = 9.43" in ws["O5"].comment.text
    assert ws["R5"].value == pytest.approx(7779.5)
    unit = _unit(result, "临川县")
    a02 = next(r for r in unit.indicators if r.code == "A02")
    assert ws["Q5"].value == a02.rank
    # A red light is filled red.
    reds = [r for r in unit.indicators if r.light == "红"]
    for r in reds:
        row = next(c.row for c in ws["A"] if c.value == r.code)
        assert ws.cell(row, 14).fill.fgColor.rgb.endswith("FFC7CE")


def test_annotation_speaks_to_the_unit_without_codes_software_or_unitless_figures(city):
    out, result = city
    book = openpyxl.load_workbook(out / "批注" / "临川县.xlsx")
    ws = book["指标完成情况"]
    assert ws["K2"].value == "考核办计算结果（得分单元格的批注为计算过程）"       # no "tzreport 生成"
    assert ws["M3"].value == "进度差(百分点)" and ws.column_dimensions["M"].width >= 15
    # 缺口 carries the row's unit: A02 is in 万元, A07 (农村居民人均可支配收入) in 元
    assert ws["R5"].number_format == '#,##0.00"万元"'
    a07 = next(c.row for c in ws["A"] if c.value == "A07")
    assert ws.cell(a07, 18).value == pytest.approx(17160 - 16743)        # 417 元 short
    assert ws.cell(a07, 18).number_format == '#,##0.00"元"'
    # 31 December: no day left to spread a gap over
    assert ws["S5"].value == "已到年底" and ws["T5"].value == "已到年底"
    # the score comment names the indicator, not its code
    assert ws["O5"].comment.text.startswith("一般公共预算收入（")
    # too wide for one page at 65 %: the added columns (from K) print on a page of their own at
    # no more than 75 %, the indicator columns A:C beside them
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and 50 <= ws.page_setup.scale <= 75
    assert [brk.id for brk in ws.col_breaks.brk] == [10] and ws.print_title_cols == "$A:$C"
    pairs = _pairs(book["考核结果"])
    assert pairs["序时进度"][1] == "按月计算"                                # not "按按月计算"
    texts = [c.value for row in book["考核结果"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("tzreport" in t for t in texts)
    assert "日均" not in texts and "缺口" in texts         # year end: the pace columns are left out


def test_result_sheet_states_total_rank_grade_history_and_consequences(city):
    out, result = city
    book = openpyxl.load_workbook(out / "批注" / "临川县.xlsx")
    assert book.active.title == "考核结果"
    pairs = _pairs(book["考核结果"])
    unit = _unit(result, "临川县")
    assert pairs["综合得分"][0] == round2(unit.total)
    assert pairs["排名"][0] == unit.rank
    assert pairs["等次"][0] == unit.grade
    assert pairs["近三年等次"][1] == f"2024年 较好；2025年 好；2026年 {unit.grade}"
    assert (pairs["结果运用"][1] or "") == "；".join(unit.consequences)
    assert "还差" in str(pairs["前进一名"][0]) or unit.rank == 1
    # 临川县 claimed two honours: both are listed with their points.
    assert "全国文明城市（县级）提名城市，国家级2分" in pairs["加分"][1]


def test_consolidated_units_get_the_template_layout_with_their_values(county):
    out, result = county
    book = openpyxl.load_workbook(out / "批注" / "金鸡乡.xlsx")
    ws = book["指标完成情况"]
    assert ws["A2"].value == "填报单位：金鸡乡"
    assert ws["A4"].value == "指标编码"
    unit = _unit(result, "金鸡乡")
    by_code = {r.code: r for r in unit.indicators}
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    assert ws.cell(rows["ZB02"], 7).value == by_code["ZB02"].actual
    assert ws.cell(rows["ZB02"], 13).value == by_code["ZB02"].light
    # 群众满意度调查 has no data yet: the row says so instead of a light.
    assert ws.cell(rows["ZB15"], 13).value == "暂无数据"
    pairs = _pairs(book["考核结果"])
    assert pairs["一票否决"][0] == "一票否决"
    assert "ZB10" in pairs["一票否决"][1]
    assert pairs["等次"][0] == "较差"
    assert "数据来自input.xlsx“完成情况”表" in book["考核结果"]["A4"].value


def test_a_unit_that_sent_nothing_still_gets_its_workbook(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    result = build([folder], tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "批注" / "青山镇.xlsx")
    ws = book["指标完成情况"]
    assert ws["A2"].value == "填报单位：青山镇"
    assert ws["M5"].value == "未报送"          # SPEC 4.1: no red light for a unit that sent nothing
    assert ws["M5"].fill.fgColor.rgb[-6:] != "FFC7CE"
    assert _pairs(book["考核结果"])["综合得分"][0] == 0
    assert _unit(result, "青山镇").grade == "较差"


def test_problems_are_commented_on_the_units_own_cells(tmp_path):
    folder = tmp_path / "in"
    write_scheme(folder)
    write_submission(folder, "城关镇", {"I01": "约750", "I02": "完成"})
    build([folder], tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "城关镇.xlsx")["指标完成情况"]
    assert "不是数字" in ws["G4"].comment.text
    assert ws["G4"].value == "约750"     # the unit's text is still there, untouched


def test_summary_workbook_sheets_values_and_layout(county):
    out, result = county
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    assert book.sheetnames == ["综合排名", "指标矩阵-镇街", "指标矩阵-部门", "亮灯统计", "历次排名", "图表",
                               "倒排计划", "结果运用", "数据问题"]
    # SPEC 3.11: input.xlsx carries August beside September — units × periods, ranks side by side
    periods = book["历次排名"]
    assert [c.value for c in periods[3]] == ["考核类别", "单位", "8月综合得分", "9月综合得分", "8月排名", "9月排名",
                                           "名次变化", "综合得分变化"]
    by_name = {periods.cell(r, 2).value: [c.value for c in periods[r]] for r in range(4, 4 + len(result.units))}
    for unit in result.units:
        (aug, sep), row = unit.periods, by_name[unit.name]
        assert row[2:6] == [round2(aug["total"]), round2(sep["total"]), aug["rank"], sep["rank"]]
        delta = aug["rank"] - sep["rank"]
        assert row[6] == (f"↑{delta}" if delta > 0 else f"↓{-delta}" if delta < 0 else "—")
        assert row[7] == pytest.approx(round2(sep["total"]) - round2(aug["total"]))
    ws = book["综合排名"]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["考核类别", "分组", "排名", "单位"]
    total_col = header.index("综合得分")
    rows = {ws.cell(r, 4).value: r for r in range(4, 4 + len(result.units))}
    for unit in result.units:
        r = rows[unit.name]
        assert ws.cell(r, total_col + 1).value == round2(unit.total)
        assert ws.cell(r, 3).value == unit.rank
        assert ws.cell(r, header.index("等次") + 1).value == unit.grade
    assert ws.freeze_panes == "E4"
    assert ws.auto_filter.ref.startswith("A3:")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0   # 1 is the default
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text
    # Column widths fit Chinese names: the 单位 column is wider than its four characters.
    assert ws.column_dimensions["D"].width >= 10


def test_matrix_lights_are_conditional_formats_and_ranks_in_their_own_column(county):
    out, result = county
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["指标矩阵-镇街"]
    rules = [rule for rng in ws.conditional_formatting for rule in rng.rules]
    assert len(rules) == 3 and all(rule.type == "expression" for rule in rules)
    fills = {rule.formula[0].split('"')[1]: rule.dxf.fill.bgColor.rgb for rule in rules}
    assert fills["R"].endswith("FFC7CE") and fills["G"].endswith("C6EFCE")
    header = [c.value for c in ws[3]]
    col = header.index("固定资产投资") + 1
    assert header[col] == "名次"                        # the rank right of the value
    twin = header.index("ZB02灯") + 1
    assert twin - col == header.index("ZB01灯") - header.index("地区生产总值增速")   # one offset for all
    assert any(dim.hidden and dim.min <= twin <= dim.max for dim in ws.column_dimensions.values())
    unit = result.units[0]          # first row: rank 1 of 镇街
    r = next(x for x in unit.indicators if x.code == "ZB02")
    cell = ws.cell(4, col)
    assert cell.value == pytest.approx(r.completion_rate) and cell.number_format == "0.0%"
    assert ws.cell(4, col + 1).value == r.rank and ws.cell(4, col + 1).number_format == "0"
    assert ws.cell(4, twin).value == {"绿": "G", "黄": "Y", "红": "R"}[r.light]
    # SPEC 3.11: input.xlsx has August beside September, so each indicator has a 较上期 column
    # with the light's change ("红→绿"), blank where the light stayed; not coloured.
    assert header[col + 1] == "较上期"
    changes = {}
    for row, unit in enumerate(u for u in result.units if u.category == "镇街"):
        for x in unit.indicators:
            c = header.index(x.name) + 1 if x.name in header else None
            if c is None or not x.applies:
                continue
            shown = ws.cell(4 + row, c + 2).value
            expected = f"{x.previous_light}→{x.light}" if (x.previous_light and x.light
                                                           and x.previous_light != x.light) else None
            assert shown == expected, (unit.name, x.name)
            changes[shown] = changes.get(shown, 0) + 1
    assert sum(v for k, v in changes.items() if k) > 0          # the sample has lights that turned
    assert ws.cell(4, twin + 2).value is None                   # the change's hidden twin stays blank
    # 实际利用外资 (ZB07) is reported with one decimal by some units: the whole column shows one
    amounts = header.index("实际利用外资") + 1
    assert {ws.cell(row, amounts).number_format for row in range(4, 16)} == {"#,##0.0"}


def test_summary_number_formats_do_not_grow_with_the_units(county):
    """The rank used to be baked into each cell's number format (0.0%"（447）"): one format per
    rank and kind, 7,710 at 2,000 units. Now a handful, whatever the number of units."""
    import re
    out, _ = county
    with zipfile.ZipFile(out / "汇总.xlsx") as zf:
        styles = zf.read("xl/styles.xml").decode()
    formats = re.findall(r'formatCode="([^"]*)"', styles)
    assert len(formats) <= 12, formats
    assert not any("（" in f for f in formats)


def test_summary_prints_legibly_on_a4(county):
    """综合排名 fits one landscape page width at 65 % or more; the 镇街 matrix (15 indicators, too
    wide for that) prints at 75 % across pages with 排名 and 单位 repeated and breaks between 大类."""
    from tzreport.render.common import MIN_FIT_SCALE, PRINT_WIDTH_PX, column_pixels
    out, result = county
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    ranking = book["综合排名"]
    widths = [ranking.column_dimensions[openpyxl.utils.get_column_letter(c)].width
              for c in range(1, ranking.max_column + 1)]
    assert sum(column_pixels(w) for w in widths) * MIN_FIT_SCALE <= PRINT_WIDTH_PX * 100
    assert ranking.sheet_properties.pageSetUpPr.fitToPage
    matrix = book["指标矩阵-镇街"]
    assert not matrix.sheet_properties.pageSetUpPr.fitToPage
    assert matrix.page_setup.scale == 75 and matrix.print_title_cols == "$A:$B"
    breaks = [brk.id for brk in matrix.col_breaks.brk]
    assert breaks
    header = [c.value for c in matrix[3]]
    names = {i.name for i in result.indicators if i.category == "镇街"}
    for brk in breaks:       # one 大类 (目标任务) wider than a page: never inside an indicator's block
        # (value, 名次 and, with two periods as in input.xlsx, 较上期)
        assert header[brk] in names and header[brk - 1] == "较上期", header[brk - 1:brk + 1]


def test_page_breaks_fall_between_groups_where_they_can():
    from tzreport.render.common import column_breaks
    # room on a page at 100 %: 1045 / (9.3 / 7) = 786.6 px, less the repeated 2 × 40 = 706.6 px
    # group A (columns 2–4, 600 px) fits; B (5–6, 400 px) would end at 1000 -> break before 5;
    # C (7–11, 1000 px) is wider than a page -> break before 7, then after 3 blocks (600) -> 10
    pixels = [40, 40] + [200] * 10
    groups = [[(2, 2), (3, 3), (4, 4)], [(5, 5), (6, 6)], [(c, c) for c in range(7, 12)]]
    assert column_breaks(pixels, 2, groups, 100) == [5, 7, 10]
    # at 75 % the room is 786.6 / 0.75 − 80 = 968.8 px: A and B together (1000) do not fit either
    assert column_breaks(pixels, 2, groups, 75) == [5, 7, 11]


def test_score_chart_axis_starts_near_the_lowest_score_and_grades_are_marked(county):
    out, result = county
    with zipfile.ZipFile(out / "汇总.xlsx") as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    # 镇街 (SPEC 3.7 weights): lowest 79.91, highest 102.64; margin max(2, 22.73 × 0.15 = 3.41)
    # -> 76.50 -> 75
    assert '<c:min val="75.0"/>' in chart
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["综合排名"]
    rules = {rule.formula[0]: rule.dxf.fill.bgColor.rgb for rng in ws.conditional_formatting
             for rule in rng.rules}
    assert rules['"优秀"'].endswith("C6EFCE") and rules['"较差"'].endswith("FFC7CE")
    assert rules['"一票否决"'].endswith("FFC7CE") and rules['"一票否优"'].endswith("FFEB9C")
    notes = [ws.cell(r, ws.max_column).value or "" for r in range(4, 24)]
    assert any("环境保护目标责任（一票否决）" in n for n in notes)
    assert not any("ZB" in n or "BM" in n for n in notes)


def test_summary_has_native_charts_and_the_other_sheets(county):
    out, result = county
    with zipfile.ZipFile(out / "汇总.xlsx") as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        text = "".join(zf.read(n).decode() for n in charts)
    # 综合得分 for 镇街 and 部门, lights per indicator, ranks over August and September per category
    assert len(charts) == 5
    assert "综合排名" in text and "亮灯统计" in text and "历次排名" in text and "<c:lineChart>" in text
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    plan = book["倒排计划"]
    header = [c.value for c in plan[3]]
    lagging = sum(1 for u in result.units for r in u.indicators if r.remaining is not None)
    assert plan.max_row == 3 + lagging
    assert header[header.index("日均需完成")] == "日均需完成"
    consequences = book["结果运用"]
    assert [c.value for c in consequences[3]][5:8] == ["2024年等次", "2025年等次", "2026年等次"]
    problems = book["数据问题"]
    said = [problems.cell(r, 6).value for r in range(4, problems.max_row + 1)]
    assert any(text.startswith("镇街：“群众满意度调查”") for text in said if text)
    assert "城关镇加分申报“全国文明村镇”另有国家级申报（B2），同一事项按最高级别计一次，本行省级不计" in said


def test_template_round_trip_gives_the_hand_computed_scores(tmp_path):
    from helpers import TOTALS, VALUES
    scheme = write_scheme(tmp_path / "in")
    from click.testing import CliRunner

    from tzreport.cli import main
    run = CliRunner().invoke(main, ["template", str(scheme), "-o", str(tmp_path / "in" / "报表")])
    assert run.exit_code == 0, run.output
    for unit, values in VALUES.items():
        path = tmp_path / "in" / "报表" / f"{unit}.xlsx"
        book = openpyxl.load_workbook(path)
        ws = book["指标完成情况"]
        assert ws.protection.sheet and not ws.protection.password
        assert ws["A2"].value == f"填报单位：{unit}"
        assert ws["G2"].value == "统计截止：2026年9月30日"
        rows = [row for row in range(5, ws.max_row + 1) if ws.cell(row, 1).value]
        assert len(rows) == len(values)
        for row in rows:
            code = ws.cell(row, 1).value
            assert ws.cell(row, 5).protection.locked          # 确保目标: the office's
            assert not ws.cell(row, 7).protection.locked      # 本期累计完成: the unit's
            ws.cell(row, 7).value = values[code]
        # below the table, after a blank row: 填报人 / 联系电话 typed in, then signature and seal
        sign = rows[-1] + 2
        assert [ws.cell(sign, 3).value, ws.cell(sign, 6).value] == ["填报人：", "联系电话："]
        assert not ws.cell(sign, 4).protection.locked and not ws.cell(sign, 7).protection.locked
        ws.cell(sign, 4).value, ws.cell(sign, 7).value = "张三", "0551-1234567"
        assert ws.cell(sign + 1, 3).value == "单位负责人（签字）：" and ws.cell(sign + 1, 7).value == "（单位盖章）"
        assert "在同类单位之间比较计分" in ws["A3"].value and "排名、比最优、分档" in ws["A3"].value
        lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert lists == ['"完成,基本完成,未完成"']
        assert any(dv.type == "decimal" for dv in ws.data_validations.dataValidation)
        book.save(path)
    result = build([tmp_path / "in"], tmp_path / "out")
    assert {u.name: round(u.total, 6) for u in result.units} == TOTALS
    assert {u.name: u.grade for u in result.units} == {"城关镇": "优秀", "龙泉镇": "良好", "青山镇": "良好"}
    assert not [i for i in result.issues if i.severity in ("error", "warning")]


def test_template_prefills_targets_and_skips_indicators_without_one(tmp_path):
    from tzreport.pipeline import make_templates
    scheme = write_scheme(tmp_path, 目标=[("单位", "指标编码", "确保目标"), ("城关镇", "I01", 1000)])
    paths, _ = make_templates(scheme, tmp_path / "t")
    ws = openpyxl.load_workbook(tmp_path / "t" / "城关镇.xlsx")["指标完成情况"]
    assert [ws.cell(r, 1).value for r in (5, 6)] == ["I01", "I02"] and ws["E5"].value == 1000
    ws = openpyxl.load_workbook(tmp_path / "t" / "龙泉镇.xlsx")["指标完成情况"]
    assert ws["A5"].value == "I02" and ws["A6"].value is None   # no I01 target: no I01 row


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_writes_the_review_and_marked_copies_and_leaves_inputs_alone(tmp_path):
    folder = tmp_path / "in"
    write_scheme(folder)
    bad = write_submission(folder, "龙泉镇", {"I01": "约1200", "I02": "完成", "I09": 5})
    # 城关镇 names itself wrongly and reports as of another day; 青山镇 sends nothing
    from helpers import VALUES
    write_submission(folder, "城关街道", VALUES["城关镇"], file_name="城关镇.xlsx", as_of="2026年6月30日")
    before = _digest(bad)
    from click.testing import CliRunner

    from tzreport.cli import main
    run = CliRunner().invoke(main, ["check", str(folder), "-o", str(tmp_path / "审核")])
    assert run.exit_code == 1, run.output
    assert _digest(bad) == before
    book = openpyxl.load_workbook(tmp_path / "审核" / "审核结果.xlsx")
    assert book.sheetnames[:1] == ["总览"] and "龙泉镇" in book.sheetnames
    overview = {row[1].value: row for row in book["总览"].iter_rows(min_row=4)}
    assert overview["龙泉镇"][4].value == "需修改后重新报送"
    assert overview["龙泉镇"][5].value == 2                    # 约1200, unknown code I09
    # SPEC 3.11: its file is June's data, so for 30 September 城关镇 has sent nothing (its own
    # sheet says why, at G2)
    assert overview["城关镇"][4].value == "未报送"
    assert overview["青山镇"][4].value == "未报送"
    assert overview["龙泉镇"][7].value == "退回/龙泉镇.xlsx"          # flat, not 退回/in/报表/
    own = [[c.value for c in row] for row in book["城关镇"].iter_rows(min_row=4)]
    assert ["提示", "in/报表/城关镇.xlsx", "指标完成情况", "A2"] == own[0][:4]
    assert own[0][4] == "填报单位“城关街道”不是方案中的单位，按文件名认定为城关镇"
    assert ["提示", "in/报表/城关镇.xlsx", "指标完成情况", "G2"] == own[1][:4]
    assert own[1][4].startswith("统计截止2026年6月30日与方案的统计截止日期2026年9月30日不一致")
    assert "方案及其他" not in book.sheetnames
    problems = [[c.value for c in row] for row in book["龙泉镇"].iter_rows(min_row=4)]
    assert ["错误", "in/报表/龙泉镇.xlsx", "指标完成情况", "G4"] == problems[0][:4]
    assert "不是数字" in problems[0][4]
    assert sorted(p.name for p in (tmp_path / "审核" / "退回").iterdir()) == ["城关镇.xlsx", "龙泉镇.xlsx"]
    marked = openpyxl.load_workbook(tmp_path / "审核" / "退回" / "龙泉镇.xlsx")["指标完成情况"]
    assert marked["G4"].fill.fgColor.rgb.endswith("FFC7CE") and "不是数字" in marked["G4"].comment.text
    assert "未知指标编码" in marked["A6"].comment.text
    assert not (tmp_path / "审核" / "results.json").exists()    # validation only


INJECTED = '=HYPERLINK("http://evil.example/x","点击查看")'


def test_text_that_looks_like_a_formula_stays_text_in_every_output(tmp_path):
    folder = tmp_path / "in"
    write_scheme(folder, 扣分与否决=[("单位", "事项", "扣分"), ("城关镇", "@SUM(1+1)*cmd|' /C calc'!A0", 1)],
                 加分标准=[("级别", "分值"), ("省级", 1)])
    path = write_submission(folder, "城关镇", extra_sheets={"加分申报": [("事项", "级别"), (INJECTED, "省级")]})
    book = openpyxl.load_workbook(path)     # stored as text, the way Excel keeps a typed '=…
    for cell in (book["指标完成情况"]["I4"], book["加分申报"]["A2"]):
        cell.value = INJECTED
        cell.data_type = "s"
    book.save(path)
    write_submission(folder, "龙泉镇", {"I01": "+1200", "I02": "-完成"})
    write_submission(folder, "青山镇")
    build([folder], tmp_path / "out")
    from tzreport.pipeline import check
    check([folder], tmp_path / "审核")
    outputs = list((tmp_path / "out").rglob("*.xlsx")) + list((tmp_path / "审核").rglob("*.xlsx"))
    assert len(outputs) >= 6
    for output in outputs:
        with zipfile.ZipFile(output) as zf:
            for name in zf.namelist():
                body = zf.read(name).decode("utf-8", "replace")
                assert "<f>" not in body and "<f " not in body, (output, name)
                assert "<hyperlink" not in body and "relationships/hyperlink" not in body, (output, name)
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "城关镇.xlsx")["指标完成情况"]
    assert ws["I4"].value == INJECTED and ws["I4"].data_type == "s"
    result_sheet = openpyxl.load_workbook(tmp_path / "out" / "批注" / "城关镇.xlsx")["考核结果"]
    texts = [c.value for row in result_sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(INJECTED in t for t in texts) and any("@SUM(1+1)" in t for t in texts)


def test_two_builds_of_the_same_inputs_are_byte_identical(tmp_path):
    import time
    shutil.copytree(SAMPLES / "市考", tmp_path / "市考")
    build([tmp_path / "市考"], tmp_path / "a")
    time.sleep(2.1)                         # zip timestamps have a 2-second resolution
    build([tmp_path / "市考"], tmp_path / "b")
    first = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    # results.json, 汇总.xlsx, 14 批注, 进展通报, 考核结果通报 (at 31 December), 14 通知
    assert first == second and len(first) == 32
    for rel in first:
        assert _digest(tmp_path / "a" / rel) == _digest(tmp_path / "b" / rel), rel


def test_unit_names_become_safe_file_names(tmp_path):
    from helpers import UNITS, scheme_sheets, write_book

    from tzreport.fileio import safe_filename
    assert safe_filename('城关镇/开发区:东区*') == "城关镇_开发区_东区_"
    assert safe_filename("CON") == "未命名_CON" and safe_filename(" .. ") == "未命名"
    units = [("Z01", "城关镇/开发区", "镇街", "", "城关镇"), *UNITS[1:]]
    sheets = scheme_sheets(单位=[("单位编码", "单位名称", "考核类别", "分组", "别名")] + units)
    folder = tmp_path / "in"
    write_book(folder / "考核方案.xlsx", sheets)
    for unit in ("城关镇", "龙泉镇", "青山镇"):
        write_submission(folder, unit)
    build([folder], tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "批注").iterdir()) == \
        ["城关镇_开发区.xlsx", "青山镇.xlsx", "龙泉镇.xlsx"]


# -- print layout: what a clerk sees when printing -------------------------------------------------
def _fits_width_and_runs_down(ws) -> bool:
    return (ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
            and ws.page_setup.fitToHeight == 0)


def _widths(ws, count: int) -> list:
    """Column widths 1..count as written (openpyxl files a <col min max> range under its first letter)."""
    found = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
            found[c] = dim.width
    return [found.get(c, 8.43) for c in range(1, count + 1)]


def _pages(ws) -> list:
    """The 考核结果 sheet's printed pages: lists of (row, column A text, height in points)."""
    breaks = sorted(brk.id for brk in ws.row_breaks.brk)
    pages, first = [], 1
    for last in breaks + [ws.max_row]:
        pages.append([(r, ws.cell(r, 1).value, ws.row_dimensions[r].height) for r in range(first, last + 1)])
        first = last + 1
    return pages


@pytest.mark.parametrize("fixture,unit", [("county", "金鸡乡"), ("county", "新华街道"), ("city", "静乐县")])
def test_result_sheet_prints_at_a_readable_scale_with_headers_on_each_page(fixture, unit, request):
    """考核结果: fitted to the page width only (12 columns of 171 characters: Excel prints it at
    1045 / (7 × 171 + 12 × 5) = 83 %), several pages, each page no higher than A4 landscape holds
    at that scale (487 pt between the margins / 0.83), a table continued on a new page under its
    header again, and no page ending on a section heading."""
    from tzreport.render.xlsx.annotate import RESULT_WIDTHS
    out, _ = request.getfixturevalue(fixture)
    ws = openpyxl.load_workbook(out / "批注" / f"{unit}.xlsx")["考核结果"]
    assert _fits_width_and_runs_down(ws)
    assert ws.page_setup.orientation == "landscape" and "&P" in ws.oddFooter.center.text
    assert [round(w) for w in _widths(ws, 12)] == list(RESULT_WIDTHS) and sum(RESULT_WIDTHS) == 171
    scale = 1045 * 100 // (7 * 171 + 12 * 5)
    assert scale == 83
    pages = _pages(ws)
    assert len(pages) >= 2
    headings = ("一、", "二、", "三、", "四、", "五、", "六、")
    for n, page in enumerate(pages):
        assert all(height for _, _, height in page), n          # every row's height is set
        assert sum(height for _, _, height in page) <= (8.27 - 1.5) * 72 * 100 / scale, n
        last = next(text for _, text, _ in reversed(page) if text is not None)
        assert not str(last).startswith(headings), (n, last)   # a heading goes with what follows
        if n:      # a page starts with a heading, a 项目 label or a table's header, never a bare row
            first = page[0][1]
            assert first in ("指标编码", "级别", "类别") or str(first).startswith(headings) or \
                not str(first)[:1].isascii(), (n, first)
    codes = [text for page in pages for _, text, _ in page]
    assert codes.count("指标编码") >= 2        # the indicator and the 倒排 tables (and any repeat)


def test_result_sheet_lead_and_support_units_share_the_width(city):
    """At year end the pace columns are gone: 牵头单位 takes the four columns they left (35
    characters), 配合单位 the last two; neither wraps a unit's name over three lines."""
    out, _ = city
    ws = openpyxl.load_workbook(out / "批注" / "静乐县.xlsx")["考核结果"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 7).value == "牵头单位")
    merged = {str(rng) for rng in ws.merged_cells.ranges}
    assert f"G{head}:J{head}" in merged and f"K{head}:L{head}" in merged
    assert ws.cell(head, 11).value == "配合单位"
    row = head + 1
    assert ws.cell(row, 7).value and ws.row_dimensions[row].height < 3 * 16


def test_units_own_claims_sheet_gets_the_print_setup_of_the_others(city):
    """市考: a unit's own 加分申报 sheet had no print set-up (文件依据 printed on a page of its own):
    A4, fitted to the width, its header row repeated, pages numbered as on the other sheets."""
    out, _ = city
    book = openpyxl.load_workbook(out / "批注" / "凤台区.xlsx")
    ws = book["加分申报"]
    assert _fits_width_and_runs_down(ws) and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text == book["考核结果"].oddFooter.center.text == "第 &P 页，共 &N 页"


def test_summary_charts_print_on_a_sheet_of_their_own(county):
    """汇总: the charts sit on 图表, one to a page, with no table header repeated above them; the
    table sheets keep their header rows repeated and hold no chart."""
    out, _ = county
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    charts = book["图表"]
    assert charts.print_title_rows is None and _fits_width_and_runs_down(charts)
    assert [brk.id for brk in charts.row_breaks.brk] == [31, 62, 93, 124]       # 5 charts, 5 pages
    assert "&P" in charts.oddFooter.center.text
    with zipfile.ZipFile(out / "汇总.xlsx") as zf:
        drawn = [n for n in zf.namelist() if n.startswith("xl/worksheets/_rels/")]
        assert drawn == [f"xl/worksheets/_rels/sheet{book.sheetnames.index('图表') + 1}.xml.rels"]
        anchors = zf.read("xl/drawings/drawing1.xml").decode()
    # each chart 31 rows apart, every one starting on its page's first row
    assert [int(r) for r in __import__("re").findall(r"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
                                                     r"<xdr:row>(\d+)</xdr:row>", anchors)] == [0, 31, 62, 93, 124]
    for name in ("综合排名", "亮灯统计", "历次排名", "倒排计划"):
        ws = book[name]
        assert ws.print_title_rows == "$3:$3" and _fits_width_and_runs_down(ws), name


def test_rank_chart_shows_every_unit_when_they_fit(city):
    """市考: 14 units, all on the 历次排名 chart (永宁县 and 静乐县, the last two, too); the title
    names no subset."""
    out, result = city
    with zipfile.ZipFile(out / "汇总.xlsx") as zf:
        chart = next(t for t in (zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/"))
                     if "<c:lineChart>" in t)
    rows = [int(r) for r in __import__("re").findall(r"<c:tx><c:strRef><c:f>历次排名!\$B\$(\d+)</c:f>", chart)]
    assert rows == list(range(4, 18))
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["历次排名"]
    assert [ws.cell(r, 2).value for r in rows][-2:] == ["永宁县", "静乐县"]
    assert "县市区历次排名<" in chart.replace("</a:t>", "<") and "前12" not in chart


def test_ranking_has_no_empty_group_column_and_prints_zeros_as_zeros(city):
    """市考: no unit has a 分组, so no 分组 column; every unit has a figure in 进位加分 and 名次加分
    (0.00 where it was granted none), and a zero 进位 prints 0.00 like the other point columns."""
    out, result = city
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["综合排名"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["考核类别", "排名", "单位"] and "分组" not in header
    assert ws.freeze_panes == "D4"          # 考核类别, 排名 and 单位 stay in view
    for name in ("进位加分", "名次加分"):
        col = header.index(name) + 1
        values = [ws.cell(r, col).value for r in range(4, 4 + len(result.units))]
        assert None not in values and 0 in values, name
    col = header.index("进位") + 1
    assert ws.cell(4, col).number_format == "+0.00;-0.00;0.00"
    width = _widths(ws, len(header))[header.index("说明")]
    assert 36 <= width <= 37       # its longest notes run past 36 characters: they wrap


def test_plan_sheet_fits_the_width_at_a_readable_scale(county):
    """倒排计划 (76 rows): 16 columns, each as wide as its figures, under a header that wraps:
    fitted to the width at 80 % or more in Excel, header rows repeated, as many pages as it takes."""
    out, result = county
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["倒排计划"]
    assert _fits_width_and_runs_down(ws) and ws.print_title_rows == "$3:$3"
    widths = _widths(ws, 16)
    pixels = sum(round(w * 7) for w in widths)      # as written: width + 0.71, 7 px a character
    assert 1045 * 100 // pixels >= 80, pixels
    # the widest figure still shows: 月均需完成's widest as printed (thousands separators; 万元
    # amounts of 100 and over whole, e.g. 10,474) with room to spare
    header = [c.value for c in ws[3]]
    col = header.index("月均需完成")
    figures = [row[col].value for row in ws.iter_rows(min_row=4) if isinstance(row[col].value, (int, float))]
    widest = max(len(f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}") for v in figures)
    assert widest >= 5 and widths[col] >= widest + 1 and min(widths) >= 6


def test_rank_chart_legend_names_every_unit_in_full_within_the_figure():
    """进展通报: the 县直部门 rank chart's legend held six names a row and ran off the right edge
    (县自然资源局 cut), 县住房和城乡建设局 shortened. Now: four a row, full names, inside the figure."""
    import matplotlib

    from tzreport.render import charts
    names = ["县发展和改革局", "县住房和城乡建设局", "县工业和信息化局", "县农业农村局", "县财政局",
             "县生态环境局", "县商务局", "县自然资源局"]
    assert charts.legend_columns(names) == 4        # (9 + 5.2) × 7 pt = 99.4 pt each in 439 pt
    with matplotlib.rc_context({"font.family": [charts.cjk_family()], "font.size": 8}):
        fig = charts._draw_ranks("县直部门历次排名", ["8月", "9月"],
                                 [(n, [i + 1, i + 1]) for i, n in enumerate(names)])
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        legend = fig.legends[0]
        # read across: the first row holds the first four in rank order
        renderer = canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width
        where = {t.get_text(): t.get_window_extent(renderer) for t in legend.get_texts()}
        texts = sorted(where, key=lambda t: (-round(where[t].y0 / 10), where[t].x0))
        assert len({round(where[t].y0 / 10) for t in texts}) == 2      # two rows of four
        assert texts == names


def test_year_end_summary_lists_what_was_not_reached_without_paces(tmp_path):
    """SPEC 4.1: at the year end nothing speaks of 倒排计划 — the 市考 sample (统计截止 31 December):
    a sheet 未完成目标 with 缺口 and 牵头/配合单位, no 剩余天数 or 日均…月均 columns."""
    from tzreport.pipeline import build
    build([Path(__file__).resolve().parents[2] / "sample_workbooks" / "市考"], tmp_path)
    book = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    assert "倒排计划" not in book.sheetnames and "未完成目标" in book.sheetnames
    rows = list(book["未完成目标"].iter_rows(values_only=True))
    assert rows[0][0].endswith("未完成年度目标的指标")
    assert rows[2] == ("考核类别", "单位", "指标编码", "指标名称", "计量单位", "年度目标", "全年完成", "完成率", "缺口",
                       "牵头单位", "配合单位")
    # 凤台区 城镇新增就业: 10920 − 10791 = 129 short
    assert rows[3][1:4] == ("凤台区", "A08", "城镇新增就业") and rows[3][8] == pytest.approx(129)
