"""SPEC 5 Bad input: reported with file, sheet and cell, in Chinese; every other unit still scored.

Every bad input that reading can meet; where nothing can be built, the build stops and writes
nothing."""
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from helpers import TOTALS, totals, write_all, write_book, write_scheme, write_submission
from helpers import evaluate_book as _evaluate
from helpers import level_scheme as _level_scheme

from tzreport import BuildError, build
from tzreport.pipeline import exit_code

FIXTURES = Path(__file__).parents[1] / "fixtures"


def run(folder, tmp_path):
    return build([folder], tmp_path / "out")


def issues_of(result, file_part):
    return [i for i in result.issues if file_part in i.file]


def assert_others_scored(result, bad_unit):
    got = totals(result)
    for name, total in TOTALS.items():
        if name != bad_unit:
            assert got[name] == pytest.approx(total), name


def test_clean_folder_has_no_issues_and_hand_computed_totals(tmp_path):
    result = run(write_all(tmp_path / "in"), tmp_path)
    assert totals(result) == TOTALS
    assert result.issues == []
    assert exit_code(result) == 0
    assert [u.rank for u in result.units] == [1, 2, 3]


def test_wrong_file_type(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    (folder / "报表" / "青山镇.xlsx").write_text("青山镇 1-9月 完成情况", encoding="utf-8")
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "青山镇.xlsx")
    assert issue.file == "in/报表/青山镇.xlsx"
    assert "不是Excel工作簿" in issue.message and issue.severity == "error"
    assert_others_scored(result, "青山镇")
    assert exit_code(result) == 1


def test_word_document_renamed_xlsx(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    import zipfile
    with zipfile.ZipFile(folder / "报表" / "青山镇.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    [issue] = issues_of(run(folder, tmp_path), "青山镇.xlsx")
    assert "这是Word文档" in issue.message


def test_html_saved_as_xls(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    (folder / "报表" / "青山镇.xls").write_text(
        "<html><body><table><tr><td>指标编码</td></tr></table></body></html>", encoding="utf-8")
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "青山镇.xls")
    assert "网页（HTML）格式" in issue.message and "另存为" in issue.message
    assert_others_scored(result, "青山镇")


def test_encrypted_workbook(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    shutil.copy(FIXTURES / "青山镇_加密.xlsx", folder / "报表" / "青山镇.xlsx")
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "青山镇.xlsx")
    assert "已加密" in issue.message and issue.file == "in/报表/青山镇.xlsx"
    assert_others_scored(result, "青山镇")
    qs = next(u for u in result.units if u.name == "青山镇")
    assert not qs.submitted and qs.indicators[0].status == "未报送"


def test_corrupt_zip(tmp_path):
    folder = write_all(tmp_path / "in")
    path = folder / "报表" / "青山镇.xlsx"
    path.write_bytes(path.read_bytes()[:1500])
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "青山镇.xlsx")
    assert "已损坏" in issue.message
    assert_others_scored(result, "青山镇")


def test_missing_sheet_or_column(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_book(folder / "报表" / "青山镇.xlsx", {"Sheet1": [["填报单位：青山镇"], ["指标编码", "完成值"],
                                                         ["I01", 1125]]})
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "青山镇.xlsx")
    assert issue.sheet == "指标完成情况" and "本期累计完成" in issue.message
    assert_others_scored(result, "青山镇")


def test_missing_scheme_sheet_column(tmp_path):
    folder = write_all(tmp_path / "in")
    write_scheme(folder, 目标=[("单位", "指标编码", "目标值"), ("城关镇", "I01", 1000)])
    result = run(folder, tmp_path)
    msg = [i for i in result.issues if i.sheet == "目标"]
    assert msg and "确保目标" in msg[0].message and msg[0].file == "in/考核方案.xlsx"


def test_unknown_and_duplicate_indicator_codes(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_submission(folder, "青山镇", {"I01": 1125, "I09": 5, "I02": "基本完成"})
    path = folder / "报表" / "青山镇.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["指标完成情况"].append(["I01", None, None, None, None, None, 99])   # row 7: duplicate
    wb.save(path)
    result = run(folder, tmp_path)
    found = {(i.cell, i.message.split("“")[0]) for i in issues_of(result, "青山镇.xlsx")}
    assert ("A5", "未知指标编码") in found
    assert ("A7", "指标编码") in found
    dup = next(i for i in issues_of(result, "青山镇.xlsx") if i.cell == "A7")
    assert "重复" in dup.message and "第4行" in dup.message
    assert totals(result)["青山镇"] == 84.0            # the first I01 row counts
    assert_others_scored(result, "青山镇")


def test_duplicate_indicator_code_in_scheme(tmp_path):
    folder = write_all(tmp_path / "in")
    from helpers import INDICATORS
    write_scheme(folder, 指标=[("指标编码", "考核类别", "分值", "计分方法", "序时"),
                             *[(i[0], i[1], i[6], i[7], i[10]) for i in INDICATORS],
                             ("I01", "镇街", 5, "完成率", "")])
    result = run(folder, tmp_path)
    dup = [i for i in result.issues if i.sheet == "指标" and "重复" in i.message]
    assert dup and dup[0].cell == "A4"
    assert totals(result) == TOTALS


def test_unknown_unit(tmp_path):
    folder = write_all(tmp_path / "in")
    write_submission(folder, "城关镇", file_name="白云镇.xlsx",
                     values={"I01": 1}, as_of="2026年9月30日")
    wb = openpyxl.load_workbook(folder / "报表" / "白云镇.xlsx")
    wb["指标完成情况"]["A2"] = "填报单位：白云镇"
    wb.save(folder / "报表" / "白云镇.xlsx")
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "白云镇.xlsx")
    assert (issue.sheet, issue.cell) == ("指标完成情况", "A2")
    assert "白云镇" in issue.message and "不是方案中的单位" in issue.message
    assert totals(result) == TOTALS


def test_unit_found_by_alias_and_by_file_name(tmp_path):
    folder = write_all(tmp_path / "in", skip=("城关镇", "龙泉镇"))
    write_submission(folder, "城关", values={"I01": 750, "I02": "完成"}, file_name="城关镇报表.xlsx")
    rows = [["指标编码", "本期累计完成"], ["I01", 1200], ["I02", "完成"]]
    write_book(folder / "报表" / "龙泉镇.xlsx", {"指标完成情况": rows})   # no 填报单位: by file name
    result = run(folder, tmp_path)
    assert totals(result) == TOTALS and result.issues == []


def test_two_submissions_for_one_unit(tmp_path):
    folder = write_all(tmp_path / "in")
    newer = write_submission(folder, "龙泉镇", {"I01": 1500, "I02": "完成"},
                             file_name="龙泉镇（修改版）.xlsx")
    os.utime(folder / "报表" / "龙泉镇.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_700_000_100, 1_700_000_100))
    result = run(folder, tmp_path)
    # Same 统计截止: the file saved last counts, and the older one is reported naming both.
    [issue] = issues_of(result, "in/报表/龙泉镇.xlsx")
    assert "重复报送" in issue.message and "已采用 in/报表/龙泉镇（修改版）.xlsx" in issue.message
    assert "保存时间较晚" in issue.message
    # 龙泉镇 now: I01 1500 vs T' = 2000 × 0.75 = 1500 → 60; I02 完成 → 40; total 100
    assert totals(result) == {**TOTALS, "龙泉镇": 100.0}


@pytest.mark.parametrize("raw, ok, total", [
    ("1,200", True, 88.0), ("１２００", True, 88.0), ("1200万元", True, 88.0), (" 1200 ", True, 88.0),
    ("约1200", False, 40.0), ("1200亿元", False, 40.0), ("1200左右", False, 40.0), ("85%", False, 40.0),
    ("1.200,5", False, 40.0),
])
def test_text_in_numeric_cells(tmp_path, raw, ok, total):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", {"I01": raw, "I02": "完成"})
    result = run(folder, tmp_path)
    assert totals(result)["龙泉镇"] == pytest.approx(total)
    found = issues_of(result, "龙泉镇.xlsx")
    if ok:
        assert found == []
    else:
        [issue] = found
        assert (issue.sheet, issue.cell) == ("指标完成情况", "G4")
        assert f'"{raw}"' in issue.message and "按未填报处理" in issue.message
        assert issue.text().startswith('in/报表/龙泉镇.xlsx 指标完成情况!G4: I01 一般公共预算收入：')
    assert_others_scored(result, "龙泉镇")


def test_formula_without_cached_value(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", {"I01": "=600+600", "I02": "完成"})
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "龙泉镇.xlsx")
    assert issue.cell == "G4" and "公式没有计算结果" in issue.message
    assert totals(result)["龙泉镇"] == 40.0
    assert_others_scored(result, "龙泉镇")


def test_merged_cells_and_hidden_rows(tmp_path):
    folder = write_all(tmp_path / "in")
    path = folder / "报表" / "龙泉镇.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["指标完成情况"]
    ws.merge_cells("G4:G5")        # the I02 value cell disappears under I01's
    ws.row_dimensions[4].hidden = True
    wb.save(path)
    result = run(folder, tmp_path)
    found = {(i.cell, i.severity) for i in issues_of(result, "龙泉镇.xlsx")}
    assert ("A4", "warning") in found                   # hidden row 4
    merged = next(i for i in issues_of(result, "龙泉镇.xlsx") if "合并区域" in i.message)
    assert merged.cell == "G5" and "G4:G5" in merged.message
    assert totals(result)["龙泉镇"] == 48.0               # I02 lost under the merge
    assert_others_scored(result, "龙泉镇")


def test_as_of_disagreeing_with_the_scheme(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", as_of="2026年8月31日")
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "龙泉镇.xlsx")
    assert issue.cell == "G2" and "2026年8月31日" in issue.message and "2026年9月30日" in issue.message
    # SPEC 3.11: the file is August's data, a period of its own; in September 龙泉镇 is 未报送 (0)
    assert totals(result) == {**TOTALS, "龙泉镇": 0.0}
    # August, p = 8/12: I01 1200 vs T' = 2000·8/12 = 1333.33 → 60·0.9 = 54; I02 完成 40 → 94
    [august, september] = next(u for u in result.units if u.name == "龙泉镇").periods
    assert (august["period"], round(august["total"], 6), september["submitted"]) == ("8月", 94.0, False)


def test_targets_in_submission_differ_scheme_wins(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", targets={"I01": 1600})
    result = run(folder, tmp_path)
    [issue] = issues_of(result, "龙泉镇.xlsx")
    assert issue.cell == "E4" and "1600" in issue.message and "2000" in issue.message
    assert "以方案为准" in issue.message
    assert totals(result)["龙泉镇"] == 88.0


def test_weights_not_adding_up(tmp_path):
    folder = write_all(tmp_path / "in")
    from helpers import INDICATORS
    rows = [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法", "方向",
             "数值类型", "序时")] + [INDICATORS[0][:6] + (50,) + INDICATORS[0][7:], INDICATORS[1]]
    write_scheme(folder, 指标=rows)
    result = run(folder, tmp_path)
    [issue] = [i for i in result.issues if "分值合计" in i.message]
    assert issue.sheet == "指标" and "90" in issue.message and "100" in issue.message


def test_quotas_that_cannot_be_met(tmp_path):
    folder = write_all(tmp_path / "in")
    write_scheme(folder, 等次=[("等次", "最低分", "比例", "名额", "分组名额", "取整"),
                             ("优秀", 90, "5%", None, None, "向下"), ("良好", 80, None, 1, 1, None),
                             ("一般",)])
    result = run(folder, tmp_path)
    texts = [i.message for i in result.issues if i.sheet == "等次"]
    assert any("取整为0个名额" in t for t in texts)
    assert any("超过总名额1个" in t for t in texts)
    # 优秀 has 0 slots, so 城关镇 (100) competes for 良好; each 分组 puts up its best (all three),
    # and 名额 1 keeps the best overall.
    assert {u.name: u.grade for u in result.units} == {"城关镇": "良好", "龙泉镇": "一般", "青山镇": "一般"}


def test_nothing_to_build(tmp_path):
    write_book(tmp_path / "a.xlsx", {"Sheet": [["x"]]})
    with pytest.raises(BuildError, match="找不到考核方案"):
        build([tmp_path / "a.xlsx"], tmp_path / "out")
    folder = write_all(tmp_path / "in")
    write_scheme(folder, name="考核方案（旧）.xlsx")
    with pytest.raises(BuildError, match="多个考核方案"):
        build([folder], tmp_path / "out")


def test_a_build_without_any_submission_stops_and_writes_nothing(tmp_path):
    from helpers import write_scheme

    from tzreport.pipeline import build
    from tzreport.read import BuildError
    write_scheme(tmp_path / "in")
    with pytest.raises(BuildError, match="没有读到任何单位的报表"):
        build([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_second_scheme_among_the_submissions_stops_the_build(tmp_path):
    """The scheme is looked for nearest the top of the input first and the search stops there; a
    second scheme deeper down (not looked at then) is found when it is read, and the build stops
    with both named in the order of the input, nothing written."""
    folder = write_all(tmp_path / "in")
    write_scheme(folder / "报表", name="考核方案（旧）.xlsx")
    with pytest.raises(BuildError) as raised:
        build([folder], tmp_path / "out")
    assert str(raised.value) == "输入中有多个考核方案（in/报表/考核方案（旧）.xlsx、in/考核方案.xlsx），请只保留一个"
    assert not (tmp_path / "out").exists()
    # the scheme found first cannot be used: the second scheme is still what is said first
    write_scheme(folder, 单位=[("单位编码", "单位名称", "考核类别", "分组", "别名")])
    with pytest.raises(BuildError, match="多个考核方案（in/报表/考核方案（旧）.xlsx、in/考核方案.xlsx）"):
        build([folder], tmp_path / "out")
    # the scheme deeper down alone is found too, after every file nearer the top is looked at
    (folder / "考核方案.xlsx").rename(tmp_path / "elsewhere.xlsx")
    result = build([folder], tmp_path / "out")
    assert result.units and (tmp_path / "out" / "results.json").is_file()


def test_inputs_are_never_modified(tmp_path):
    folder = write_all(tmp_path / "in")
    before = {p: p.read_bytes() for p in folder.rglob("*.xlsx")}
    run(folder, tmp_path)
    assert {p: p.read_bytes() for p in folder.rglob("*.xlsx")} == before


# -- the sheets of the rule forms (SPEC 3.7–3.10) ---------------------------------------------------
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
