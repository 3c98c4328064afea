"""SPEC 4.1: one count of red lights (and of 未报送) serves every output — results.json, 汇总's
综合排名 and 亮灯统计, the 进展通报's 附件1 and 附件2 — checked over every unit of both samples, of
市考 with 宁远县's current file missing, and of a 200-unit synthetic build."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tzreport.pipeline import build
from tzreport.samples import write_synthetic

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("counts")
    missing = root / "市考缺宁远县"
    shutil.copytree(SAMPLES / "市考", missing)
    (missing / "报表" / "宁远县.xlsx").unlink()
    synthetic = write_synthetic(root / "合成", 200, 12)
    inputs = {"county": SAMPLES / "input.xlsx", "city": SAMPLES / "市考", "missing": missing,
              "synthetic": synthetic}
    out = {}
    for name, source in inputs.items():
        build([source], root / f"{name}-out", jobs=1)
        out[name] = root / f"{name}-out"
    return out


def _units(out: Path) -> list:
    lines = (out / "results.json").read_text("utf-8").splitlines()
    return [json.loads(t.strip().strip(",")) for t in lines if t.strip().lstrip(",").startswith('{"code"')]


def _table(ws, *columns):
    """[{column: value}] of the rows under the header row holding ``columns``."""
    rows, header = [], None
    for values in ws.iter_rows(values_only=True):
        if header is None:
            if all(c in values for c in columns):
                header = values
            continue
        if values == header or not any(v is not None for v in values):
            continue
        rows.append(dict(zip(header, values)))
    return rows


def _word_tables(path: Path, first: str):
    for table in Document(path).tables:
        head = [c.text for c in table.rows[0].cells]
        if head and head[0] == first:
            yield head, [[c.text for c in row.cells] for row in table.rows[1:]]


@pytest.mark.parametrize("name", ["county", "city", "missing", "synthetic"])
def test_every_output_counts_the_same_red_lights(builds, name):
    out = builds[name]
    reds = {u["name"]: u["reds"] for u in _units(out)}
    book = openpyxl.load_workbook(out / "汇总.xlsx", read_only=True)
    ranking = {r["单位"]: r["红灯数"] for r in _table(book["综合排名"], "单位", "红灯数") if r.get("单位")}
    assert ranking == reds
    annex1 = {}
    for head, rows in _word_tables(out / "进展通报.docx", "排名"):
        unit, red = head.index("单位"), head.index("红灯数")
        annex1.update({row[unit]: int(row[red]) for row in rows})
    assert annex1 == reds
    # per indicator: 亮灯统计 and 附件2 give the same red counts, and they add up to the units' reds
    lights = [r for r in _table(book["亮灯统计"], "指标名称", "红灯") if r.get("指标名称")]
    assert sum(r["红灯"] for r in lights) == sum(reds.values())
    annex2 = Counter()
    for head, rows in _word_tables(out / "进展通报.docx", "指标"):
        name_col, red_col = head.index("指标"), head.index("红灯")
        annex2.update({(row[name_col], int(row[red_col])): 1 for row in rows})
    if annex2:          # 附件2 lists the indicators that carry lights (all of them, up to its limit)
        assert annex2 <= Counter((r["指标名称"], r["红灯"]) for r in lights)


def test_a_unit_that_sent_nothing_has_no_red_lights_and_is_said_once(builds):
    out = builds["missing"]
    unit = next(u for u in _units(out) if u["name"] == "宁远县")
    assert (unit["submitted"], unit["reds"], unit["grade_note"]) == (False, 0, "")
    book = openpyxl.load_workbook(out / "汇总.xlsx", read_only=True)
    row = next(r for r in _table(book["综合排名"], "单位", "说明") if r.get("单位") == "宁远县")
    assert row["红灯数"] == 0
    assert row["说明"].startswith("未报送；") and row["说明"].count("未报送") == 1
    lights = {r["指标名称"]: r for r in _table(book["亮灯统计"], "指标名称", "红灯") if r.get("指标名称")}
    assert lights["地区生产总值增速"]["合计"] == 13          # 14 县市区, one sent nothing
    annotated = openpyxl.load_workbook(out / "批注" / "宁远县.xlsx", read_only=True)
    grade = next(r for r in annotated["考核结果"].iter_rows(values_only=True) if r and r[0] == "等次")
    assert [v for v in grade if v] == ["等次", unit["grade"], "未报送"]
    # and no indicator of it is shown lit: its 通知 and 批注 say 未报送 where a light would be
    table = Document(out / "通知" / "宁远县.docx").tables[0]
    light = [c.text for c in table.rows[0].cells].index("亮灯")
    assert {row.cells[light].text for row in table.rows[1:]} - {""} == {"—"}      # "": subtotal rows
    results = [r for r in annotated["考核结果"].iter_rows(values_only=True) if r and str(r[0]).startswith("A")]
    assert results and "未报送" in {r[6] for r in results} and "红" not in {r[6] for r in results}
