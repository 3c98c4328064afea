"""批注 (SPEC 4): a unit's own package that cannot be edited in place still gets its 批注, through
openpyxl's copy, and the build says so — naming the unit, the reason and the file."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from tzreport.model import WARNING
from tzreport.pipeline import build
from tzreport.render.xlsx import annotate

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


def test_a_package_that_cannot_be_edited_in_place_is_said(tmp_path, monkeypatch):
    source = tmp_path / "市考"
    shutil.copytree(SAMPLES / "市考", source)

    edit = annotate.claims_print_setup

    def unusual(book, sub):           # the first step on the unit's own package, for 临川县 only
        if book.__class__ is annotate.XmlBook and sub.file.endswith("临川县.xlsx"):
            raise ValueError("a part this editor does not know")
        return edit(book, sub)

    monkeypatch.setattr(annotate, "claims_print_setup", unusual)
    result = build([source], tmp_path / "out", jobs=1)
    said = [i for i in result.issues if "未能在原报表上直接标注" in i.message]
    assert [(i.severity, i.file) for i in said] == [(WARNING, "批注/临川县.xlsx")]
    assert said[0].message == ("临川县的批注表未能在原报表上直接标注（ValueError），已改为复制原表的单元格后标注："
                               "原表中的图片、图表、文本框等可能未保留（原报表 市考/报表/临川县.xlsx）")
    book = openpyxl.load_workbook(tmp_path / "out" / "批注" / "临川县.xlsx")
    assert "考核结果" in book.sheetnames                 # the 批注 is there all the same
    others = [i for i in result.issues if i.file.startswith("批注/") and i.file != "批注/临川县.xlsx"]
    assert others == []
