"""SPEC 2 Inputs: submissions in every format it names, read with their real cell addresses."""
import shutil
from pathlib import Path

import openpyxl
from helpers import TOTALS, submission_rows, totals, write_all, write_ods, write_submission

from tzreport import build

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_xls_submission_as_wps_and_old_excel_save_it(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    shutil.copy(FIXTURES / "青山镇.xls", folder / "报表" / "青山镇.xls")   # written by xlwt (BIFF8)
    result = build([folder], tmp_path / "out")
    assert totals(result) == TOTALS and result.issues == []
    qs = next(u for u in result.units if u.name == "青山镇")
    assert qs.indicators[0].note == "WPS导出的.xls"
    # openpyxl cannot copy a .xls: the unit gets the template layout with its values, and is told.
    book = openpyxl.load_workbook(tmp_path / "out" / "批注" / "青山镇.xlsx")
    assert book["指标完成情况"]["G5"].value == 1125
    assert book["指标完成情况"]["I5"].value == "WPS导出的.xls"
    assert "原报表为.xls格式" in book["考核结果"]["A4"].value


def test_ods_submission(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_ods(folder / "报表" / "青山镇.ods", "指标完成情况",
              submission_rows("青山镇", {"I01": 1125, "I02": "基本完成"}))
    result = build([folder], tmp_path / "out")
    assert totals(result) == TOTALS and result.issues == []


def test_ods_bad_cell_is_reported_at_its_real_address(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    write_ods(folder / "报表" / "青山镇.ods", "指标完成情况",
              submission_rows("青山镇", {"I01": "1千多", "I02": "基本完成"}))
    result = build([folder], tmp_path / "out")
    [issue] = result.issues
    assert (issue.file, issue.sheet, issue.cell) == ("in/报表/青山镇.ods", "指标完成情况", "G4")


def test_xlsx_with_a_real_file_named_xls_is_read_by_its_content(tmp_path):
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    path = write_submission(folder, "青山镇")
    path.rename(path.with_suffix(".xls"))
    assert totals(build([folder], tmp_path / "out")) == TOTALS
    # …and annotated as the unit's own workbook: its layout (header on row 3), our columns beside it.
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "青山镇.xlsx")["指标完成情况"]
    assert ws["J3"].value == "完成率" and ws["N4"].value == 60


def test_notes_and_previous_year_values_are_kept(tmp_path):
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    rows = submission_rows("龙泉镇", {"I01": 1200, "I02": "完成"})
    rows[3][7], rows[3][8] = 1100, "两家重点企业税款延期入库"
    from helpers import write_book
    write_book(folder / "报表" / "龙泉镇.xlsx", {"指标完成情况": rows})
    result = build([folder], tmp_path / "out")
    i01 = next(u for u in result.units if u.name == "龙泉镇").indicators[0]
    assert (i01.previous, i01.note) == (1100.0, "两家重点企业税款延期入库")
