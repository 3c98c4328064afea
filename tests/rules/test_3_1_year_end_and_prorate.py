"""SPEC 3.1 and 4.1: T·p_i prorated in one place, and one year end (p = 1) that every output asks."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from docx import Document

from tzreport.pipeline import build
from tzreport.read.workbook import cell_ref, column_letters
from tzreport.rules.planning import days_remaining
from tzreport.rules.schedule import is_year_end, prorate, schedule_fraction

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


@pytest.mark.parametrize("prorated, p, amount, expected", [
    (True, 0.75, 9870.0, 7402.5),        # 序时 是: 9870 × 9/12
    (False, 0.75, 9870.0, 9870.0),       # the annual figure itself
    (True, 0.75, 1.0, 0.75),             # p_i
    (False, 0.75, 1.0, 1.0),
])
def test_prorate(prorated, p, amount, expected):
    assert prorate(SimpleNamespace(prorate=prorated), p, amount) == expected


@pytest.mark.parametrize("day, method, year_end, days", [
    ("2026-09-30", "按月", False, 92),
    ("2026-12-15", "按月", True, 0),      # 按月: December is 12/12, the year's result
    ("2026-12-15", "按日", False, 16),
    ("2026-12-31", "按日", True, 0),
    ("2024-12-31", "按日", True, 0),      # a leap year: 366/366
])
def test_one_year_end(day, method, year_end, days):
    as_of = dt.date.fromisoformat(day)
    p = schedule_fraction(as_of, method)
    assert is_year_end(p) is year_end
    assert days_remaining(as_of, p) == days


@pytest.mark.parametrize("col, letters", [(1, "A"), (26, "Z"), (27, "AA"), (28, "AB"), (702, "ZZ"),
                                          (703, "AAA"), (16384, "XFD")])
def test_column_letters(col, letters):
    assert column_letters(col) == letters
    assert cell_ref(11, col - 1) == f"{letters}12"


def test_mid_december_by_month_is_the_year_end_in_every_output(tmp_path):
    """按月 on 15 December p = 1: the 通知 is the year's result, the 考核结果通报 is written, and
    neither 批注 nor 汇总 speaks of a 倒排计划 with 16 days left."""
    result = build([SAMPLES / "input.xlsx"], tmp_path, as_of=dt.date(2026, 12, 15))
    short = [r for u in result.units for r in u.indicators if r.remaining]
    assert short and all(r.per_day is None and r.per_month is None for r in short)     # no pace then
    assert (tmp_path / "考核结果通报.docx").is_file()
    notice = Document(next((tmp_path / "通知").glob("*.docx")))
    assert any("年度目标责任考核结果的通知" in p.text.replace("\n", "") for p in notice.paragraphs)
    summary = openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)
    assert "未完成目标" in summary.sheetnames and "倒排计划" not in summary.sheetnames
    annotated = openpyxl.load_workbook(next((tmp_path / "批注").glob("*.xlsx")), read_only=True)
    texts = [v for row in annotated["考核结果"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "四、未完成年度目标的指标" in texts
    assert not any("距年底还有" in t for t in texts)
