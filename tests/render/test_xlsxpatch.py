"""批注 edits the unit's own package (SPEC 4, 6): what a unit put in its workbook comes back.

The unit's workbook is written with xlsxwriter carrying everything openpyxl drops or damages: an
image, a chart, a text box, x14 data bars, a sparkline, a header image, defined names, a list
validated from another sheet, an Excel table, a comment and formulas with cached values.
"""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine
import xlsxwriter
from helpers import submission_rows, write_scheme, write_submission
from PIL import Image

from tzreport.ooxml.xlsxpatch import RawZip
from tzreport.pipeline import build
from tzreport.render.xlsx.annotate import COLUMNS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SHEET = "指标完成情况"


def _png(path: Path, colour) -> Path:
    Image.new("RGB", (40, 20), colour).save(path, format="PNG")
    return path


def write_rich_submission(folder: Path, tmp: Path) -> Path:
    """城关镇's workbook: the template layout (header row 3, I01 on row 4, I02 on row 5) plus extras."""
    path = folder / "报表" / "城关镇.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(SHEET)
    lists = book.add_worksheet("清单")
    for r, row in enumerate(submission_rows("城关镇", {"I01": 750, "I02": "完成"})):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    # Formulas with the values Excel would have calculated: I01 750 × 2 = 1500; 750 − 1000 = −250.
    ws.write_formula("J4", "=G4*2", None, 1500)
    ws.write_formula("J5", "=E4-G4", None, -250)
    ws.write_comment("G4", "含开发区数据", {"author": "城关镇"})
    ws.conditional_format("G4:G5", {"type": "data_bar", "data_bar_2010": True, "bar_color": "#63C384"})
    ws.add_sparkline("H6", {"range": f"{SHEET}!E4:G4"})
    ws.insert_image("B8", str(_png(tmp / "logo.png", (200, 30, 30))))
    ws.insert_textbox("E8", "本表由城关镇财政所填报", {"width": 200, "height": 50})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"={SHEET}!$G$4:$G$4", "name": "本期累计完成"})
    ws.insert_chart("B12", chart)
    ws.set_header("&L&G&C城关镇", {"image_left": str(_png(tmp / "seal.png", (30, 30, 200)))})
    book.define_name("完成合计", f"={SHEET}!$G$4:$G$5")
    for r, word in enumerate(["完成", "基本完成", "未完成"]):
        lists.write(r, 0, word)
    ws.data_validation("I4:I5", {"validate": "list", "source": "=清单!$A$1:$A$3"})
    lists.add_table("C1:D3", {"data": [["甲", 1], ["乙", 2]],
                              "columns": [{"header": "项目"}, {"header": "数量"}]})
    book.close()
    return path


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rich")
    write_scheme(folder)
    for unit in ("龙泉镇", "青山镇"):
        write_submission(folder, unit)
    source = write_rich_submission(folder, tmp_path_factory.mktemp("pictures"))
    out = folder / "out"
    build([folder / "考核方案.xlsx", folder / "报表"], out)
    return source, out / "批注" / "城关镇.xlsx"


# Parts the annotation rewrites or adds; every other part must come back byte for byte.
# (xlsxwriter's vmlDrawing1 holds the notes, vmlDrawing2 the header picture.)
REWRITTEN = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
             "xl/worksheets/sheet1.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}


def test_untouched_parts_come_back_byte_for_byte(rich):
    source, annotated = rich
    before, after = RawZip(source.read_bytes()), RawZip(annotated.read_bytes())
    kept = [i for i in before.infos if i.filename not in REWRITTEN]
    # The features live in parts we never open: each is there, compressed bytes and all.
    names = {i.filename for i in kept}
    for part in ("xl/media/image1.png", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml",
                 "xl/tables/table1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml",
                 "xl/drawings/vmlDrawing2.vml", "xl/worksheets/_rels/sheet1.xml.rels"):
        assert part in names, part
    for info in kept:
        copy = after.by_name[info.filename]
        assert after.raw(copy) == before.raw(info), info.filename
        assert (copy.CRC, copy.compress_type, copy.date_time) == (info.CRC, info.compress_type,
                                                                info.date_time)
    # New parts: only the 考核结果 sheet.
    assert set(after.by_name) - set(before.by_name) == {"xl/worksheets/sheet3.xml"}


@pytest.mark.filterwarnings("ignore:.*extension is not supported")
def test_the_units_sheet_keeps_its_extensions_formulas_and_comment(rich):
    source, annotated = rich
    with zipfile.ZipFile(annotated) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        workbook = zf.read("xl/workbook.xml").decode()
        comments = zf.read("xl/comments1.xml").decode()
        drawing = zf.read("xl/drawings/drawing1.xml").decode()
    assert "<x14:dataBar" in sheet and "<x14:sparklineGroup" in sheet     # extLst kept
    assert "<legacyDrawingHF" in sheet and "<drawing " in sheet
    assert "清单!$A$1:$A$3" in sheet                                     # the cross-sheet list
    assert "<f>G4*2</f><v>1500</v>" in sheet and "<f>E4-G4</f><v>-250</v>" in sheet
    assert "完成合计" in workbook and "考核结果" in workbook
    assert "本表由城关镇财政所填报" in drawing                                   # the text box
    # The unit's comment keeps its run and author; ours follow on the score cells.
    assert "含开发区数据" in comments and "<author>城关镇</author>" in comments
    # Cached values: a reader that does not calculate (calamine) sees 1500 and −250.
    book = calamine.CalamineWorkbook.from_path(str(annotated))
    rows = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    assert rows[3][9] == 1500 and rows[4][9] == -250
    # The annotation: headers after the unit's last column (J, the formulas), so K… on header
    # row 3; I01 row 4: A=750 against T=1000 at p=0.75 → 完成率 75%.
    ws = openpyxl.load_workbook(annotated)[SHEET]
    assert [ws.cell(3, 11 + j).value for j in range(len(COLUMNS))] == [c[0] for c in COLUMNS]
    assert ws.cell(4, 11).value == pytest.approx(0.75)
    assert ws.cell(4, 11).number_format == "0.0%"
    assert ws.cell(4, 15).comment is not None and "一般公共预算收入" in ws.cell(4, 15).comment.text
    assert ws["G4"].comment.text == "含开发区数据"


def test_rebuilds_are_byte_identical(rich, tmp_path):
    source, annotated = rich
    folder = source.parent.parent
    build([folder / "考核方案.xlsx", folder / "报表"], tmp_path / "again")
    assert (tmp_path / "again" / "批注" / "城关镇.xlsx").read_bytes() == annotated.read_bytes()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_annotated_copy(rich, tmp_path):
    _, annotated = rich
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(annotated)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "城关镇.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "考核结果" in text and "完成率" in text


# -- the same content as the openpyxl layout ---------------------------------------------------------
SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


def _cells(ws, near: bool = False) -> dict:
    """Every non-empty cell: coordinate -> (value, number format, comment text)."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            comment = cell.comment.text if cell.comment else None
            if cell.value not in (None, "") or comment:     # openpyxl saves "" as an empty cell
                # openpyxl writes 16 significant digits (2.6), the XML path repr (2.5999999999999996)
                value = pytest.approx(cell.value, rel=1e-14) if near and isinstance(cell.value, float) \
                    else cell.value
                out[cell.coordinate] = (value, cell.number_format if cell.value is not None else None,
                                        comment)
    return out


@pytest.mark.parametrize("source", ["市考", "input.xlsx"])
def test_the_xml_annotation_matches_the_openpyxl_layout_cell_by_cell(source, tmp_path):
    """Every cell of the unit's sheet and of 考核结果 — value, number format, comment — and the
    merged ranges read the same from the edited package as from openpyxl's copy."""
    from tzreport.fileio import fixed_time
    from tzreport.read import load_inputs
    from tzreport.render.xlsx.annotate import annotate_unit, annotate_unit_openpyxl, make_context
    from tzreport.render.xlsx.template import blank_for
    from tzreport.rules.evaluate import evaluate
    issues = []
    scheme, submissions = load_inputs([SAMPLES / source], issues)
    result = evaluate(scheme, submissions, issues)
    when = fixed_time(result.params.as_of)
    ctx = make_context(result, scheme, when)
    units = scheme.unit_by_code()
    compared = 0
    for ur in result.units:
        sub = result.submissions.get(ur.code)
        own = [i for i in result.issues if i.unit == ur.code]
        args = (ctx, ur, sub, blank_for(scheme, units[ur.code]), own)
        annotate_unit(*args, tmp_path / "new.xlsx")
        annotate_unit_openpyxl(*args, tmp_path / "old.xlsx")
        new, old = (openpyxl.load_workbook(tmp_path / f"{n}.xlsx", rich_text=False) for n in ("new", "old"))
        assert new.sheetnames == old.sheetnames, ur.name
        assert new.active.title == old.active.title == "考核结果"
        for name in old.sheetnames:
            a, b = _cells(new[name], near=True), _cells(old[name])
            assert a == b, (ur.name, name, {k: (a.get(k), b.get(k)) for k in set(a) | set(b)
                                            if a.get(k) != b.get(k)})
            assert sorted(map(str, new[name].merged_cells.ranges)) == \
                sorted(map(str, old[name].merged_cells.ranges)), (ur.name, name)
            for letter, dim in old[name].column_dimensions.items():
                if dim.customWidth:
                    assert new[name].column_dimensions[letter].width == pytest.approx(dim.width)
        compared += 1
    assert compared == len(result.units) > 3
