"""SPEC 4 汇总.xlsx: 倒排计划 rows written in bulk as XML text read exactly as xlsxwriter's own rows.

TableBook.sheet(bulk=True): every cell's value and number format, the row heights, the filter."""
from __future__ import annotations

import datetime as dt

import openpyxl

from tzreport.render.common import PERCENT, TableBook

ROWS = [["县市区", "临川县", "A02", "一般公共预算收入", "万元", 137200, 129420.5, 129420.5 / 137200, 7779.5, 0,
         None, "", True, -3, "市财政局、=SUM(A1)", "<市税务局> & 某某\n第二行"],
        ["县市区", "长乐县", "A07", "农村居民人均可支配收入" * 4, "元", 17160.0, 16743.0, 0.9757, 417.0, 12,
         34.75, 5.1, False, 2, " 前后空格 ", "含\x01控制字符"]]
FORMATS = [None, None, None, None, None, lambda v: "#,##0.0" if v % 1 else "#,##0", "#,##0.00",
           PERCENT, "#,##0.00", "0", "#,##0.00"]


def _write(path, bulk: bool):
    book = TableBook(str(path), "测试", dt.datetime(2026, 12, 31))
    book.sheet("说明", "说明", ["甲"], [["一"]])
    book.sheet("倒排计划", "测试倒排计划", [f"列{i}" for i in range(16)], ROWS, FORMATS,
               note="说明：测试", min_widths={3: 16}, bulk=bulk)
    book.wb.close()


def test_bulk_rows_read_as_xlsxwriters_own(tmp_path):
    _write(tmp_path / "old.xlsx", False)
    _write(tmp_path / "new.xlsx", True)
    old, new = (openpyxl.load_workbook(tmp_path / f"{n}.xlsx")["倒排计划"] for n in ("old", "new"))
    assert new.max_row == old.max_row == 5 and new.max_column == old.max_column == 16
    for row_old, row_new in zip(old.iter_rows(), new.iter_rows()):
        for a, b in zip(row_old, row_new):
            if a.coordinate == "P5":      # xlsxwriter writes \x01 as _x0001_; the bulk rows drop it
                continue
            assert (b.value, b.number_format, b.alignment.wrap_text, b.border.left.style) == \
                   (a.value, a.number_format, a.alignment.wrap_text, a.border.left.style), a.coordinate
    assert new["O4"].data_type == "s" and new["O4"].value.endswith("=SUM(A1)")   # text, not a formula
    assert new["P5"].value == "含控制字符"
    for r in range(1, 6):
        assert new.row_dimensions[r].height == old.row_dimensions[r].height, r
    assert new.auto_filter.ref == old.auto_filter.ref == "A3:P5"
    assert new.freeze_panes == old.freeze_panes == "A4"


def test_bulk_rows_are_byte_identical_on_a_rebuild(tmp_path):
    _write(tmp_path / "a.xlsx", True)
    _write(tmp_path / "b.xlsx", True)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
