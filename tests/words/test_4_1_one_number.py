"""SPEC 4.1 "One number everywhere": an indicator's score, 完成率 and rank the same in every output.

Each indicator's score, 完成率 and rank read the same in the 通知, the 批注 workbook and 汇总.xlsx of
every unit of both samples as in results.json."""
from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tzreport.pipeline import build
from tzreport.words.numbers import number_text, score_text

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


@pytest.fixture(scope="module", params=["input.xlsx", "市考"])
def built(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    result = build([SAMPLES / request.param], out)
    return out, result, json.loads((out / "results.json").read_text("utf-8"))


def _annotated(path: Path) -> dict:
    """code -> (完成率, 得分, 同类排名) from the 批注 columns of the unit's own sheet."""
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head_at = next(n for n, row in enumerate(rows) if "得分" in row and "同类排名" in row)
    head = list(rows[head_at])
    code_col = head.index("指标编码")
    rate, score, rank = head.index("完成率"), head.index("得分"), head.index("同类排名")
    return {row[code_col]: (row[rate], row[score], row[rank]) for row in rows[head_at + 1:]
            if row and row[code_col]}


def _matrix(path: Path) -> dict:
    """(unit, indicator name) -> (value, rank from the 名次 column beside it, number format) from the
    指标矩阵 sheets (each indicator a value column headed by its name, then a 名次 column)."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        if not ws.title.startswith("指标矩阵"):
            continue
        head_at = next(r for r in range(1, 10) if ws.cell(r, 1).value == "排名")
        names = {c: ws.cell(head_at, c).value for c in range(3, ws.max_column + 1)
                 if ws.cell(head_at, c + 1).value == "名次" and ws.cell(head_at, c).value != "名次"}
        for r in range(head_at + 1, ws.max_row + 1):
            unit = ws.cell(r, 2).value
            for c, name in names.items():
                cell = ws.cell(r, c)
                out[(unit, name)] = (cell.value, ws.cell(r, c + 1).value, cell.number_format)
    return out


def _notice(path: Path) -> dict:
    """indicator name -> (完成率/差距, 得分/分值, 排名) from the 通知's table."""
    table = Document(path).tables[0]
    head = [c.text.replace("\n", "") for c in table.rows[0].cells]
    name, progress, score, rank = (head.index(x) for x in ("指标", "完成率/差距", "得分/分值", "排名"))
    return {row.cells[name].text.replace("\n", ""): (row.cells[progress].text.replace("\n", ""),
                                                    row.cells[score].text, row.cells[rank].text)
            for row in table.rows[1:]}


def test_score_rate_and_rank_agree_across_files(built):
    out, result, data = built
    matrix = _matrix(out / "汇总.xlsx")
    checked = 0
    for u in data["units"]:
        annotated = _annotated(out / "批注" / f"{u['name']}.xlsx")
        notice = _notice(out / "通知" / f"{u['name']}.docx")
        for i in u["indicators"]:
            if i["status"] in ("不适用", "暂无数据"):
                continue
            rate, score, rank = annotated[i["code"]]
            # 批注: the indicator's own score (not rescaled), its 完成率, its rank
            assert score == pytest.approx(i["score"]), (u["name"], i["code"])
            assert rank == i["rank"], (u["name"], i["code"])
            assert (rate is None) == (i["completion_rate"] is None), (u["name"], i["code"])
            if rate is not None:
                assert rate == pytest.approx(i["completion_rate"])
            # 通知: "得分/分值" is the same score of the same 分值; 排名 the same; 完成率 to 1 decimal
            progress, score_cell, rank_cell = notice[i["name"]]
            assert score_cell == f"{score_text(i['score'])}/{number_text(i['weight'])}", (u["name"], i["code"])
            assert rank_cell == (str(i["rank"]) if i["rank"] is not None else "—"), (u["name"], i["code"])
            if i["completion_rate"] is not None:
                assert progress == f"{number_text(i['completion_rate'] * 100, 1, keep_zeros=True)}%"
            else:
                assert "%" not in progress or "百分点" in progress, (u["name"], i["code"], progress)
            # 汇总: the rank in the 名次 column, the 完成率 as the cell's value where it shows one
            value, rank_cell, fmt = matrix[(u["name"], i["name"])]
            assert rank_cell == i["rank"], (u["name"], i["code"])
            if fmt.startswith("0.0%"):
                assert value == pytest.approx(i["completion_rate"]), (u["name"], i["code"])
            checked += 1
    assert checked > 100


def test_no_completion_rate_for_a_reverse_indicator(built):
    _, result, data = built
    reverse = {i.code for i in result.indicators if i.direction == "逆向"}
    for u in data["units"]:
        for i in u["indicators"]:
            if i["code"] in reverse:
                assert i["completion_rate"] is None


def test_points_lost_in_a_notice_are_the_points_that_count(built):
    """"失分较多的指标是党风廉政建设（失11.11分）": 分值 − 得分 as the table prints them, times what a
    point of the indicator is worth in the base (SPEC 3.3 折算, 3.7 权重_k ÷ Σ 分值 of the part that
    applies), as the 批注 lists them; the sentence says so where that is not the table's 分值 − 得分."""
    out, _, data = built
    checked = 0
    for u in data["units"]:
        doc = Document(out / "通知" / f"{u['name']}.docx")
        line = next((p.text for p in doc.paragraphs if "失分较多的指标是" in p.text or "失分的指标是" in p.text), "")
        counts = [i for i in u["indicators"] if i["status"] not in ("不适用", "暂无数据")]
        applied = {}
        for i in counts:
            applied[i["major"]] = applied.get(i["major"], 0.0) + i["weight"]
        weights = u["major_weights"] or applied
        by_name = {i["name"]: i for i in counts}
        rescaled = False
        for name, points in re.findall(r"([^、是]+)（失([\d.]+)分）", line):
            i = by_name[name]
            factor = weights[i["major"]] / applied[i["major"]] * u["scale"]
            assert points == number_text((i["weight"] - i["score"]) * factor), (u["name"], name)
            rescaled |= abs(factor - 1) > 1e-9
            checked += 1
        assert line.startswith("按计入") == rescaled, (u["name"], line)
    assert checked > 20
