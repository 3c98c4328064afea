"""SPEC 5 Bad input, hostile: inputs that used to crash, hang, blow up memory or silently change a score.

Every case asserts the message's file, sheet and cell, and that the other units were still scored
(and, where files are written, still written). Reference scheme: tests/helpers.py (城关镇 100,
龙泉镇 88, 青山镇 84)."""
import datetime as dt
import errno
import os
import shutil
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import (INDICATORS, TOTALS, UNITS, scheme_sheets, totals, write_all, write_book, write_scheme,
                     write_submission)

from tzreport import BuildError, build
from tzreport.cli import main
from tzreport.pipeline import check
from tzreport.read import load_inputs
from tzreport.read import workbook as wbmod
from tzreport.rules.evaluate import evaluate
from tzreport.words.numbers import number_text

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _realworld():
    """../shared/testdata/realworld beside the repo (CI: /work/main + /work/shared), or
    $TZREPORT_REALWORLD; absent in a user's clone."""
    for candidate in (os.environ.get("TZREPORT_REALWORLD"),
                      Path(__file__).resolve().parents[3] / "shared" / "testdata" / "realworld",
                      Path("/work/shared/testdata/realworld")):
        if candidate and (Path(candidate) / "MANIFEST.json").is_file():
            return Path(candidate)
    return None


REALWORLD = _realworld()
needs_realworld = pytest.mark.skipif(REALWORLD is None,
                                     reason="../shared/testdata/realworld (MANIFEST.json) not present")


def read(folder):
    """Read and score, no output files: what every reading case needs."""
    issues = []
    scheme, subs = load_inputs([folder], issues)
    return evaluate(scheme, subs, issues)      # as build scores: per period (SPEC 3.11)


def only(result, file, severity=None):
    found = [i for i in result.issues if i.file == file and (severity is None or i.severity == severity)]
    assert len(found) == 1, [i.text() for i in result.issues]
    return found[0]


def assert_others(result, bad):
    got = totals(result)
    for name, total in TOTALS.items():
        if name != bad:
            assert got[name] == pytest.approx(total), name


# -- 1. never crash, hang or blow up ---------------------------------------------------------------

def test_space_typed_in_XFD1048576_is_left_out_and_the_unit_still_scored(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    path = write_submission(folder, "青山镇")
    book = openpyxl.load_workbook(path)
    book["指标完成情况"]["XFD1048576"] = " "       # calamine alone asks for 512 GiB here and aborts
    book.save(path)
    result = read(folder)
    issue = only(result, "in/报表/青山镇.xlsx")
    assert (issue.sheet, issue.cell, issue.severity) == ("指标完成情况", "XFD1048576", "warning")
    assert "远在表格之外" in issue.message and issue.unit == "Z03"
    assert totals(result) == TOTALS                # 青山镇 too: its table was read


def test_a_far_cell_in_a_tall_sheet_is_a_stray_too(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    path = write_submission(folder, "青山镇")
    book = openpyxl.load_workbook(path)
    book["指标完成情况"]["J1048000"] = "x"
    book.save(path)
    result = read(folder)
    assert only(result, "in/报表/青山镇.xlsx").cell == "J1048000"
    assert totals(result) == TOTALS


def test_sheet_too_large_even_without_strays_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setattr(wbmod, "MAX_CELLS", 30)        # the table itself: 7 rows × 9 columns = 63
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_submission(folder, "青山镇", extra_sheets={"说明": [["x"]]})
    monkeypatch.setattr(wbmod, "MAX_CELLS", 6_000_000)
    issues = []
    scheme, _ = load_inputs([folder], issues)           # the scheme is read under the normal cap
    monkeypatch.setattr(wbmod, "MAX_CELLS", 30)
    from tzreport.read import _read_one
    from tzreport.read.scheme import UnitIndex
    subs, found = _read_one((scheme, UnitIndex(scheme.units)),
                            (str(folder / "报表" / "青山镇.xlsx"), "in/报表/青山镇.xlsx"))
    assert subs == [] and len(found) == 1
    assert found[0].file == "in/报表/青山镇.xlsx" and "“指标完成情况”过大" in found[0].message
    assert found[0].unit == "Z03"                       # attributed by the file name


def _bomb(path: Path, size: int):
    """A valid submission plus a sheet of ``size`` bytes of zeros (compresses ~1000:1)."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet99.xml", b"0" * size)


@pytest.mark.parametrize("command", ["build", "check"])
def test_zip_bomb_refused_before_reading_in_build_and_check(tmp_path, monkeypatch, command):
    monkeypatch.setattr(wbmod, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)   # instead of a 1.2 GB test file
    folder = write_all(tmp_path / "in")
    _bomb(folder / "报表" / "青山镇.xlsx", 3 * 1024 * 1024)
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr("tzreport.render.xlsx.review.openpyxl.load_workbook",
                        lambda p, *a, **k: opened.append(str(p)) or real(p, *a, **k))
    out = tmp_path / "out"
    result = (build if command == "build" else check)([folder], out)
    issue = only(result, "in/报表/青山镇.xlsx")
    assert issue.severity == "error" and "压缩内容异常庞大" in issue.message
    assert_others(result, "青山镇")
    assert not [p for p in opened if "青山镇" in p]  # check's 退回 copy never opens it either
    if command == "build":
        assert {p.name for p in (out / "批注").iterdir()} == {"城关镇.xlsx", "龙泉镇.xlsx", "青山镇.xlsx"}


def test_extra_sheets_are_not_read_when_the_table_sheet_is_found(tmp_path, monkeypatch):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_submission(folder, "青山镇", extra_sheets={"原始数据": [[i, i * 2] for i in range(2000)]})
    seen = []
    real = wbmod.Workbook.sheet
    monkeypatch.setattr(wbmod.Workbook, "sheet", lambda self, name: seen.append(name) or real(self, name))
    result = read(folder)
    assert "原始数据" not in seen and totals(result) == TOTALS


def test_renamed_table_sheet_is_found_before_a_large_data_sheet(tmp_path, monkeypatch):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    path = write_submission(folder, "青山镇", extra_sheets={"原始数据": [[i, i * 2] for i in range(2000)]})
    book = openpyxl.load_workbook(path)
    book.move_sheet("原始数据", -1)                      # first in the book
    book["指标完成情况"].title = "Sheet1"
    book.save(path)
    seen = []
    real = wbmod.Workbook.sheet
    monkeypatch.setattr(wbmod.Workbook, "sheet", lambda self, name: seen.append(name) or real(self, name))
    result = read(folder)
    assert "原始数据" not in seen and totals(result) == TOTALS


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_like_a_submission_is_skipped_not_opened(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    os.mkfifo(folder / "报表" / "青山镇.xlsx")          # open() on it would block forever
    result = read(folder)
    issue = only(result, "in/报表/青山镇.xlsx")
    assert "不是普通文件" in issue.message and issue.severity == "error"
    assert_others(result, "青山镇")


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlink_loops_are_reported_and_skipped(tmp_path):
    folder = write_all(tmp_path / "in")
    (folder / "报表" / "甲.xlsx").symlink_to("乙.xlsx")
    (folder / "报表" / "乙.xlsx").symlink_to("甲.xlsx")
    (folder / "报表" / "上级").symlink_to("..", target_is_directory=True)   # a folder loop
    result = read(folder)
    assert "循环链接" in only(result, "in/报表/甲.xlsx").message
    assert "循环链接" in only(result, "in/报表/乙.xlsx").message
    assert "未进入" in only(result, "in/报表/上级").message
    assert totals(result) == TOTALS


def test_200_character_unit_name_gets_its_files(tmp_path):
    long_name = "清源县" + "经济技术开发区管理委员会" * 18 + "办"      # 3 + 216 + 1 = 220 characters
    units = [("单位编码", "单位名称", "考核类别", "分组", "别名")] + UNITS + [("Z04", long_name, "镇街", "", "")]
    targets = [("单位", "指标编码", "确保目标"), ("城关镇", "I01", 1000), ("龙泉镇", "I01", 2000),
               ("青山镇", "I01", 1500), (long_name, "I01", 1000)]
    folder = write_all(tmp_path / "in")
    write_scheme(folder, 单位=units, 目标=targets)
    write_submission(folder, long_name, {"I01": 750, "I02": "完成"}, file_name="开发区.xlsx")
    out = tmp_path / "out"
    result = build([folder], out)
    assert [i.text() for i in result.issues] == []
    assert totals(result)[long_name] == 100.0            # 750 / (1000 × 0.75) → 60, 完成 → 40
    [annotated] = [p for p in (out / "批注").iterdir() if p.name.startswith("清源县")]
    assert len(annotated.name.encode()) <= 255 and annotated.suffix == ".xlsx"
    assert len([p for p in (out / "通知").iterdir()]) == 4


def test_a_folder_where_one_units_file_goes_and_a_full_disk_are_reported_per_file(tmp_path, monkeypatch):
    folder = write_all(tmp_path / "in")
    out = tmp_path / "out"
    (out / "批注" / "青山镇.xlsx").mkdir(parents=True)
    from tzreport import fileio
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "龙泉镇.docx":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)
    monkeypatch.setattr(fileio.os, "replace", replace)
    result = build([folder], out)
    assert totals(result) == TOTALS
    folder_issue = only(result, "批注/青山镇.xlsx")
    assert folder_issue.unit == "Z03" and "同名的文件夹" in folder_issue.message
    full = only(result, "通知/龙泉镇.docx")
    assert full.unit == "Z02" and "磁盘已满" in full.message
    assert (out / "批注" / "城关镇.xlsx").is_file() and (out / "批注" / "龙泉镇.xlsx").is_file()
    assert (out / "通知" / "青山镇.docx").is_file() and not (out / "通知" / "龙泉镇.docx").exists()
    assert (out / "results.json").is_file() and (out / "汇总.xlsx").is_file()
    assert not [p for p in out.rglob("*.tmp")]           # nothing half-written left behind


@pytest.mark.parametrize("command", ["build", "check"])
def test_unwritable_output_folder_exits_2_with_a_clear_message(tmp_path, command):
    folder = write_all(tmp_path / "in")
    blocker = tmp_path / "占位.txt"
    blocker.write_text("x")
    result = CliRunner().invoke(main, [command, str(folder), "-o", str(blocker / "输出")])
    assert result.exit_code == 2, result.output
    assert "无法写入输出目录" in result.output and "Traceback" not in result.output


def test_1e300_in_a_cell_is_scored_and_written(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_submission(folder, "青山镇", {"I01": 1e300, "I02": "基本完成"})
    result = build([folder], tmp_path / "out")
    # δ > 0: I01 scores its full 60 (no 超额加分 set), 基本完成 0.6 × 40 = 24 → 84
    assert totals(result) == TOTALS
    assert number_text(1e300).startswith("1000000000") and number_text(float("inf")) == "—"
    assert (tmp_path / "out" / "通知" / "青山镇.docx").is_file()


def test_two_long_names_cut_to_one_stem_keep_their_codes():
    from tzreport.fileio import MAX_STEM_BYTES, unique_names
    units = [("Z1", "开发区" * 60 + "东"), ("Z2", "开发区" * 60 + "西")]
    names = unique_names(units, lambda u: u[1], lambda u: u[0])
    assert names["Z1"].endswith("_Z1") and names["Z2"].endswith("_Z2")
    assert all(len(n.encode("utf-8")) <= MAX_STEM_BYTES for n in names.values())


# -- 2. silently wrong scores ---------------------------------------------------------------------

def _percent_scheme(folder):
    inds = [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法", "方向",
             "数值类型", "序时"),
            ("I01", "镇街", "目标任务", "民生", "城镇调查失业率下降", "%", 60, "完成率", "", "", ""),
            INDICATORS[1]]
    targets = [("单位", "指标编码", "确保目标"), ("城关镇", "I01", 10), ("龙泉镇", "I01", 10),
               ("青山镇", "I01", 10)]
    write_scheme(folder, 指标=inds, 目标=targets)


def test_percent_formatted_cell_is_read_as_the_percentage_shown(tmp_path):
    folder = tmp_path / "in"
    _percent_scheme(folder)
    write_submission(folder, "城关镇", {"I01": 10, "I02": "完成"})
    write_submission(folder, "青山镇", {"I01": 10, "I02": "基本完成"})
    path = write_submission(folder, "龙泉镇", {"I01": 0.076, "I02": "完成"})
    book = openpyxl.load_workbook(path)
    book["指标完成情况"]["G4"].number_format = "0.0%"     # shows 7.6%
    book.save(path)
    result = read(folder)
    issue = only(result, "in/报表/龙泉镇.xlsx")
    assert (issue.sheet, issue.cell, issue.severity) == ("指标完成情况", "G4", "warning")
    assert "百分比格式" in issue.message and "按7.6" in issue.message
    # 龙泉镇 I01: δ = (7.6 − 10)/10 = −0.24 → 60 + 0.6 × (−24) = 45.6; I02 完成 40 → 85.6
    # (read as 0.076 it was 60 × 0.0076 + 40 = 40.456)
    assert totals(result) == {"城关镇": 100.0, "龙泉镇": 85.6, "青山镇": 84.0}


def test_two_actual_columns_error_names_both_cells_and_reads_the_first(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    path = write_submission(folder, "龙泉镇")
    book = openpyxl.load_workbook(path)
    ws = book["指标完成情况"]
    ws["J3"] = "本期累计完成"
    ws["J4"] = 2000
    book.save(path)
    result = read(folder)
    issue = only(result, "in/报表/龙泉镇.xlsx")
    assert (issue.sheet, issue.cell, issue.severity) == ("指标完成情况", "G3", "error")
    assert "G3、J3" in issue.message and "只读取第一个 G3" in issue.message
    assert totals(result) == TOTALS                        # G4 = 1200 read, not J4


def test_bands_with_a_twin_lower_bound_and_a_share_above_one(tmp_path):
    folder = write_all(tmp_path / "in")
    inds = [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法")] + \
        [("I01", "镇街", "目标任务", "财政收入", "一般公共预算收入", "万元", 60, "分档"),
         ("I02", "镇街", "目标任务", "资源环境", "环境保护", "", 40, "定性")]
    bands = [("指标编码", "下限", "得分比例"), ("I01", 1000, 1.2), ("I01", 900, 0.8), ("I01", 900, 0.5),
             ("I01", 0, 0.4)]
    write_scheme(folder, 指标=inds, 分档标准=bands)
    result = read(folder)
    texts = sorted((i.sheet, i.cell, i.message) for i in result.issues if i.sheet == "分档标准")
    assert texts[0][:2] == ("分档标准", "B4") and "下限900重复（B3已有）" in texts[0][2]
    assert texts[1][:2] == ("分档标准", "C2") and "得分比例1.2大于1" in texts[1][2]
    # bands left: ≥900 → 0.8, ≥0 → 0.4. 城关镇 750 → 0.4 × 60 = 24 (+40) = 64; 龙泉镇 1200 → 0.8 ×
    # 60 = 48 (+40) = 88; 青山镇 1125 → 48 + 24 = 72
    assert totals(result) == {"城关镇": 64.0, "龙泉镇": 88.0, "青山镇": 72.0}


def test_parameter_formula_without_cached_value_is_an_error_naming_the_cell(tmp_path):
    folder = write_all(tmp_path / "in")
    params = scheme_sheets()["参数"][:-1] + [("满分", "=50+50")]   # openpyxl stores no result
    write_scheme(folder, 参数=params)
    result = read(folder)
    issue = only(result, "in/考核方案.xlsx", "error")
    # 满分 is the sheet's last row (under the header row)
    assert (issue.sheet, issue.cell) == ("参数", f"B{len(params)}") and "公式没有计算结果" in issue.message
    assert totals(result) == TOTALS


def test_negative_target_is_warned(tmp_path):
    folder = write_all(tmp_path / "in")
    targets = [("单位", "指标编码", "确保目标"), ("城关镇", "I01", 1000), ("龙泉镇", "I01", -2000),
               ("青山镇", "I01", 1500)]
    write_scheme(folder, 目标=targets)
    result = read(folder)
    issue = only(result, "in/考核方案.xlsx", "warning")
    assert (issue.sheet, issue.cell) == ("目标", "C3") and "确保目标为负数" in issue.message
    assert_others(result, "龙泉镇")


# -- 3. wrong file adopted ------------------------------------------------------------------------

def test_an_old_copy_is_the_earlier_period_not_the_current_one(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", {"I01": 1500, "I02": "完成"})
    old = write_submission(folder / "报表", "龙泉镇", {"I01": 1, "I02": "未完成"},
                           as_of="2026年6月30日")          # 报表/报表/龙泉镇.xlsx, saved later
    os.utime(old, (2_000_000_000, 2_000_000_000))
    result = read(folder)
    # SPEC 3.11: files of different 统计截止 are different periods — no 重复报送; the June file is
    # June's data (said so at its cell), September counts for the current period.
    issue = only(result, "in/报表/报表/龙泉镇.xlsx")
    assert issue.severity == "warning" and issue.cell == "G2" and "作为2026年6月30日一期的数据" in issue.message
    # 龙泉镇: 1500 vs 1500 → 60, 完成 → 40
    assert totals(result) == {**TOTALS, "龙泉镇": 100.0}
    assert [p["period"] for p in result.periods] == ["6月", "9月"]


# -- 4. messages that name the cause --------------------------------------------------------------

def test_encrypted_scheme_named_with_its_cause(tmp_path):
    folder = tmp_path / "in"
    write_submission(folder, "城关镇")
    shutil.copy(FIXTURES / "青山镇_加密.xlsx", folder / "考核方案.xlsx")
    with pytest.raises(BuildError, match=r"考核方案\.xlsx 工作簿已加密"):
        read(folder)


def test_truncated_scheme_named_with_its_cause(tmp_path):
    folder = write_all(tmp_path / "in")
    data = (folder / "考核方案.xlsx").read_bytes()
    (folder / "考核方案.xlsx").write_bytes(data[:len(data) // 2])
    with pytest.raises(BuildError, match=r"考核方案\.xlsx 文件已损坏"):
        read(folder)


def test_xml_entity_bomb_scheme_named_with_its_cause(tmp_path):
    folder = write_all(tmp_path / "in")
    path = folder / "考核方案.xlsx"
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    laughs = b'<!ENTITY a "ha">' + b"".join(
        b'<!ENTITY a%d "%s">' % (n, (b"&a%d;" % (n - 1) if n > 1 else b"&a;") * 10) for n in range(1, 10))
    sheet = members["xl/worksheets/sheet1.xml"].split(b"?>", 1)[-1]
    members["xl/worksheets/sheet1.xml"] = b'<?xml version="1.0"?><!DOCTYPE w [' + laughs + b"]>" + sheet
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    with pytest.raises(BuildError, match=r"考核方案\.xlsx 文件的XML中定义了实体"):
        read(folder)


def test_scheme_missing_its_indicator_sheet(tmp_path):
    folder = write_all(tmp_path / "in")
    write_scheme(folder, 指标=None, 目标=None)
    with pytest.raises(BuildError, match="考核方案.xlsx 有“参数”“单位”但缺少“指标”工作表"):
        read(folder)


def test_unrelated_workbook_alone(tmp_path):
    path = write_book(tmp_path / "工资表.xlsx", {"Sheet1": [["姓名", "工资"]]})
    with pytest.raises(BuildError, match="工资表.xlsx 没有“参数”“单位”“指标”工作表"):
        load_inputs([path], [])


def test_missing_weight_column_says_so(tmp_path):
    folder = write_all(tmp_path / "in")
    inds = [row[:6] + row[7:] for row in scheme_sheets()["指标"]]        # no 分值 column
    write_scheme(folder, 指标=inds)
    with pytest.raises(BuildError, match="指标.*找不到表头（需要列：分值）"):
        read(folder)


def test_alias_shared_by_two_units(tmp_path):
    folder = write_all(tmp_path / "in")
    units = [("单位编码", "单位名称", "考核类别", "分组", "别名")] + UNITS[:2] + \
        [("Z03", "青山镇", "镇街", "生态发展区", "城关")]
    write_scheme(folder, 单位=units)
    result = read(folder)
    issue = only(result, "in/考核方案.xlsx", "error")
    assert (issue.sheet, issue.cell) == ("单位", "E4") and "别名“城关”已是城关镇（Z01）" in issue.message
    assert totals(result) == TOTALS


def test_office_votes_adding_to_zero(tmp_path):
    folder = write_all(tmp_path / "in")
    inds = scheme_sheets()["指标"] + [("I03", "镇街", "社会评价", "满意度", "群众满意度", "", 0, "测评", "", "",
                                      "")]
    inds = [r + ("数据来源",) if i == 0 else r + ("考核办" if r[0] == "I03" else "",)
            for i, r in enumerate(inds)]
    votes = [("单位", "指标编码", "好", "较好", "一般", "差"), ("城关镇", "I03", 0, 0, 0, 0),
             ("龙泉镇", "I03", 10, 0, 0, 0), ("青山镇", "I03", 10, 0, 0, 0)]
    write_scheme(folder, 指标=inds, 考核办评分=votes)
    result = read(folder)
    issue = next(i for i in result.issues if i.sheet == "考核办评分" and i.severity == "error")
    assert issue.cell == "C2" and "票数合计为0" in issue.message
    assert_others(result, "城关镇")


@needs_realworld
@pytest.mark.parametrize("name, words", [("calamine__pass_protected.ods", "已加密"),
                                         ("pycalamine__password.xls", "已加密"),
                                         ("calamine__date.xlsb", "找不到报表工作表")])
def test_encrypted_ods_xls_and_readable_xlsb(tmp_path, name, words):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    target = folder / "报表" / ("青山镇" + Path(name).suffix)
    shutil.copy(REALWORLD / name, target)
    result = read(folder)
    issue = only(result, f"in/报表/{target.name}")
    assert words in issue.message
    assert_others(result, "青山镇")


# -- 5. outputs mode ------------------------------------------------------------------------------

@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_outputs_get_the_umask_mode_not_0600(tmp_path):
    folder = write_all(tmp_path / "in")
    old = os.umask(0o027)
    try:
        build([folder], tmp_path / "out")
    finally:
        os.umask(old)
    for path in [tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "results.json",
                 tmp_path / "out" / "批注" / "城关镇.xlsx", tmp_path / "out" / "通知" / "城关镇.docx"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path


# -- 6. the real-world corpus ---------------------------------------------------------------------

@needs_realworld
def test_every_realworld_file_as_a_submission_and_alone(tmp_path):
    import json
    manifest = json.loads((REALWORLD / "MANIFEST.json").read_text(encoding="utf-8"))
    names = [entry["file"] for entry in manifest]
    folder = write_all(tmp_path / "in")
    for name in names:
        shutil.copy(REALWORLD / name, folder / "报表" / name)
    result = read(folder)
    assert totals(result) == TOTALS
    named = {i.file for i in result.issues}
    for name in names:
        assert f"in/报表/{name}" in named, name       # each said why it was not a submission
    for name in names:
        with pytest.raises(BuildError) as caught:
            load_inputs([REALWORLD / name], [])
        assert name in str(caught.value), name


@needs_realworld
def test_every_realworld_file_as_qingshan_in_check(tmp_path):
    """Named 青山镇, each file's problems belong to that unit, so `check` tries its 退回 copy too."""
    import json
    names = [e["file"] for e in json.loads((REALWORLD / "MANIFEST.json").read_text(encoding="utf-8"))]
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    for n, name in enumerate(names):
        target = folder / "报表" / f"{n:02d}" / ("青山镇" + Path(name).suffix)
        target.parent.mkdir(parents=True)
        shutil.copy(REALWORLD / name, target)
    result = check([folder], tmp_path / "out")
    assert_others(result, "青山镇")
    named = {i.file for i in result.issues}
    for n, name in enumerate(names):
        assert f"in/报表/{n:02d}/青山镇{Path(name).suffix}" in named, name
    assert (tmp_path / "out" / "审核结果.xlsx").is_file()


# -- 7. fuzz ---------------------------------------------------------------------------------------

def test_fuzz_random_cells_and_sheets_never_raise(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    cells = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, width=64),
                      st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
                      st.sampled_from(["完成", "1,200", "85%", "=1/0", "-", "I01",
                                                             "本期累计完成", "指标编码", " "]),
                      st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
    rows = st.lists(st.lists(cells, max_size=10), max_size=8)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=rows, values=st.tuples(cells, cells), extra=st.dictionaries(
        st.text("ABC数据说明", min_size=1, max_size=5), rows, max_size=2))
    def run(rows, values, extra):
        folder = tmp_path_factory.mktemp("fuzz")
        write_scheme(folder)
        write_submission(folder, "城关镇", {"I01": values[0], "I02": values[1]}, extra_sheets=extra)
        write_book(folder / "报表" / "龙泉镇.xlsx", {"指标完成情况": rows})
        result = read(folder)
        assert totals(result)["青山镇"] == 0.0            # not submitted, still scored
        for unit in result.units:
            number_text(unit.total)
    run()


def test_fuzz_damaged_bytes_never_raise(tmp_path_factory):
    """A unit's file with bytes overwritten anywhere (a broken download, a bad USB stick)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    source = write_all(tmp_path_factory.mktemp("src"))
    good = (source / "报表" / "青山镇.xlsx").read_bytes()

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=1, max_size=8)),
                    min_size=1, max_size=4), st.integers(16, len(good)))
    def run(patches, length):
        data = bytearray(good[:length])
        for at, chunk in patches:
            data[at:at + len(chunk)] = chunk
        folder = tmp_path_factory.mktemp("bytes")
        shutil.copytree(source, folder, dirs_exist_ok=True)
        (folder / "报表" / "青山镇.xlsx").write_bytes(bytes(data))
        result = read(folder)
        assert_others(result, "青山镇")
        problems = [i for i in result.issues if i.file.endswith("/报表/青山镇.xlsx")]
        assert problems or totals(result)["青山镇"] == 84.0     # read whole, or said why not
    run()


def test_atomic_paths_for_one_target_never_share_a_temporary_file(tmp_path):
    """Two writers of one file at once (two builds into one folder) each get their own temporary
    file; the one that fails leaves nothing behind and the other's file is whole."""
    from tzreport.fileio import atomic_path
    target = tmp_path / "城关镇.xlsx"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        assert first.name.startswith(".城关镇.xlsx.") and first.suffix == ".tmp"
        first.write_bytes(b"first")
        second.write_bytes(b"second")
    assert target.read_bytes() == b"first"        # the outer one replaced it last
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"first" and sorted(p.name for p in tmp_path.iterdir()) == ["城关镇.xlsx"]
