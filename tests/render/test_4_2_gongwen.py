"""SPEC 4.2 公文 elements (GB/T 9704-2012) in every generated document of both samples.

Read back as a 考核办 checks a document before it leaves the office: its own 发文字号, the 成文日期, the
版记 and its lines, headings kept with their text, the 发文机关标志 35 mm below the top of the 版心,
署名 and date laid out per 7.3.5.2; and, where LibreOffice is installed, the laid-out pages: no page
holding only the 署名 and date, the 版记 on the last, even page, a 楷体 face for 楷体 headings."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tzreport.cli import main
from tzreport.fileio import fixed_time
from tzreport.model import INFO, WARNING, Params
from tzreport.ooxml.wordlayout import MM, signature_indents
from tzreport.pipeline import build
from tzreport.render.docx.documents import to_pdf
from tzreport.render.docx.evenpages import even_imprint_pages, pdf_pages
from tzreport.words.letterhead import gongwen_issues

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HEADINGS = ("一级标题", "二级标题", "三级标题", "表题")
TYPE_AREA_TOP = 37 * MM            # pt from the top of the page (天头 37 mm)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    return out, build([SAMPLES / "input.xlsx"], out)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    return out, build([SAMPLES / "市考"], out)


def styled(doc, style: str) -> list:
    return [p for p in doc.paragraphs if p.style.name == style]


def imprint_of(doc):
    """The 版记: a table floating at the foot of the 版心, the document's last table."""
    table = doc.tables[-1]
    pos = table._tbl.tblPr.find(qn("w:tblpPr"))
    assert pos is not None and pos.get(qn("w:tblpYSpec")) == "bottom" and pos.get(qn("w:vertAnchor")) == "margin"
    return table


def rule(table, edge: str) -> int:
    el = table._tbl.tblPr.find(qn("w:tblBorders")).find(qn(f"w:{edge}"))
    return int(el.get(qn("w:sz"))) if el.get(qn("w:val")) == "single" else 0


def check_document(path: Path, number: str, date: str, issuer: str, cc: str, printed: str):
    """Every 公文 element of SPEC 4.2 one Word file must carry."""
    doc = Document(path)
    name = path.name
    assert [p.text for p in styled(doc, "发文字号")] == [number], name
    assert [p.text for p in styled(doc, "成文日期")] == [date], name
    # 7.2.4: first paragraph, 35 mm below the top of the 版心 (less the 19 pt between a single-spaced
    # line's top and its glyphs, measured in the PDF below)
    first = doc.paragraphs[0]
    assert first.style.name == "发文机关标志" and first.text == f"{issuer}文件"
    assert abs(first.style.paragraph_format.space_before.pt - (35 * MM - 19)) < 0.5, name
    # headings and the 附件说明 / 署名 keep with what follows
    for style in HEADINGS + ("附件说明", "发文机关署名"):
        assert doc.styles[style].paragraph_format.keep_with_next, style
    for p in doc.paragraphs:
        if p.style.name in HEADINGS:
            assert p.paragraph_format.keep_with_next is not False, (name, p.text)
    # 7.3.5.2: 署名 右空二字, the date's first character two 字 right of the 署名's
    (sig,), (day,) = styled(doc, "发文机关署名"), styled(doc, "成文日期")
    name_right, date_right = signature_indents(sig.text, day.text)
    assert sig.paragraph_format.right_indent == Pt(name_right * 16)
    assert day.paragraph_format.right_indent == Pt(date_right * 16)
    # the last text before the 署名 (past the 附件说明) keeps with it: no page of 署名 and date alone
    paragraphs = doc.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p._p is sig._p)
    before = [p for p in paragraphs[:at] if p.text.strip()]
    last_text = next(p for p in reversed(before) if p.style.name != "附件说明")
    assert last_text.paragraph_format.keep_with_next, name
    # 7.4: 版记 with thick first and last lines (8/8 pt = 0.35 mm), a thin one between (6/8 pt = 0.26 mm)
    table = imprint_of(doc)
    assert (rule(table, "top"), rule(table, "bottom"), rule(table, "insideH")) == (8, 8, 6)
    assert (rule(table, "left"), rule(table, "right")) == (0, 0)
    rows = [row.cells[0].text for row in table.rows]
    assert rows == [f"抄送：{cc}", printed], name
    return doc


# -- the Word files -------------------------------------------------------------------------------

def test_county_documents(county):
    out, result = county
    cc = "县委办公室，县人大常委会办公室，县政府办公室，县政协办公室。"      # 参数 抄送 + 。(7.4.2)
    printed = "中共青峰县委目标责任考核办公室\t2026年10月12日印发"
    issuer = "中共青峰县委目标责任考核办公室"
    # 参数 成文日期 2026-10-12, not the 统计截止日期 2026-09-30
    doc = check_document(out / "进展通报.docx", "青考办〔2026〕5号", "2026年10月12日", issuer, cc, printed)
    assert [p.text for p in styled(doc, "附件说明")] == ["附件：1.各单位综合得分排名表", "2.各项指标亮灯情况统计表"]
    marks = styled(doc, "附件标识")
    assert [p.text for p in marks] == ["附件1", "附件2"] and all(p.paragraph_format.page_break_before for p in marks)
    assert doc.styles["附件标识"].paragraph_format.first_line_indent == Pt(0)          # 顶格
    titles = styled(doc, "附件标题")
    assert [p.text for p in titles] == ["各单位综合得分排名表", "各项指标亮灯情况统计表"]
    assert doc.styles["附件标题"].font.size == Pt(22)
    # 附件标识 on line 1, one empty line, the title on line 3: one line (28.95 pt) before it
    assert abs(doc.styles["附件标题"].paragraph_format.space_before.pt - 28.95) < 0.01
    notices = sorted((out / "通知").glob("*.docx"))
    assert len(notices) == len(result.units) == 20
    for path in notices:             # one 通知字号 for the one 文 sent to every unit
        check_document(path, "青考办〔2026〕6号", "2026年10月12日", issuer, cc, printed)
    assert not [i for i in result.issues if "参数表未填写" in i.message or "成文日期" in i.message]


def test_city_documents_each_their_own_number(city):
    out, result = city
    cc = "市委办公室，市人大常委会办公室，市政府办公室，市政协办公室，市纪委监委。"
    issuer = "云州市年度目标责任考核领导组办公室"
    printed = f"{issuer}\t2027年1月20日印发"
    numbers = {"进展通报.docx": "云考办〔2027〕1号", "考核结果通报.docx": "云考办〔2027〕2号"}
    for name, number in numbers.items():
        check_document(out / name, number, "2027年1月20日", issuer, cc, printed)
    for path in sorted((out / "通知").glob("*.docx")):
        check_document(path, "云考办〔2027〕3号", "2027年1月20日", issuer, cc, printed)
    assert len(set(numbers.values()) | {"云考办〔2027〕3号"}) == 3


def test_signature_layout_of_the_standard():
    # 署名 15 字; date "2026年10月12日" = 8 digits × ½ + 3 字 + 5 digit/字 changes × 0.2 (the space
    # Word and LibreOffice put between them) = 8 字. 署名 右空2; the date starts 2 字 right of the
    # 署名's start, so its right space is 2 + 15 − 2 − 8 = 7 字
    assert signature_indents("中共青峰县委目标责任考核办公室", "2026年10月12日") == (2, 7)
    # 署名 "考核办" 3 字 is shorter than the date: the date 右空二字, the 署名 moves left to keep the
    # two-字 step: its right space 2 + 8 + 2 − 3 = 9 字
    assert signature_indents("考核办", "2026年10月12日") == (9, 2)


def test_date_option_and_blank_head_parameters(tmp_path):
    # --date over 参数 成文日期; the 版记's 印发日期 stays 参数 印发日期 (2027-01-20)
    run = CliRunner().invoke(main, ["build", str(SAMPLES / "市考"), "-o", str(tmp_path), "-q", "--date", "2027-02-03"])
    assert run.exit_code == 0, run.output
    doc = Document(tmp_path / "考核结果通报.docx")
    assert [p.text for p in styled(doc, "成文日期")] == ["2027年2月3日"]
    assert imprint_of(doc).rows[-1].cells[0].text.endswith("2027年1月20日印发")
    # blank 发文机关 / 发文字号 / 主送: a warning each naming 参数; no 成文日期: which date was used
    issues = gongwen_issues(Params(as_of=dt.date(2026, 9, 30)), "方案.xlsx")
    warnings = [i.message for i in issues if i.severity == WARNING]
    assert len(warnings) == 3 and all(i.sheet == "参数" and i.file == "方案.xlsx" for i in issues)
    for item in ("发文机关", "发文字号", "主送"):
        assert any(f"参数表未填写“{item}”" in w for w in warnings), item
    assert [i.message for i in issues if i.severity == INFO] == [
        "成文日期未填写，按统计截止日期2026年9月30日落款；可在参数表填写“成文日期”或用 --date 指定"]
    early = gongwen_issues(Params(as_of=dt.date(2026, 12, 31), issuer="x", doc_number="x", addressee="x",
                                  written_date=dt.date(2026, 10, 12)))
    assert [i.severity for i in early] == [WARNING] and "早于统计截止日期" in early[0].message


# -- the pages, where LibreOffice is installed ----------------------------------------------------

def page_texts(pdf: Path) -> list:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [[line.replace(" ", "") for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


def red_top(pdf: Path, tmp: Path) -> float:
    """Top of the first red pixels on page 1 (the 发文机关标志), in points from the page's top."""
    from PIL import Image
    subprocess.run(["pdftoppm", "-png", "-r", "144", "-f", "1", "-l", "1", str(pdf), str(tmp / "p1")], check=True)
    image = Image.open(next(tmp.glob("p1*.png"))).convert("RGB")
    width, height = image.size
    pixels = image.load()
    for y in range(height):
        if any(pixels[x, y][0] > 200 and pixels[x, y][1] < 80 and pixels[x, y][2] < 80 for x in range(0, width, 2)):
            return y / 2
    raise AssertionError("no red 发文机关标志")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or poppler-utils is not installed")
def test_laid_out_pages(county, city, tmp_path):
    """金鸡乡 and 静乐县 once ended on a page holding only the 署名 and date."""
    docs = []
    for (out, _), names in ((county, ["进展通报.docx", "通知/金鸡乡.docx"]),
                            (city, ["考核结果通报.docx", "通知/静乐县.docx"])):
        for name in names:
            target = tmp_path / "docs" / (Path(name).stem + ".docx")
            target.parent.mkdir(exist_ok=True)
            shutil.copy(out / name, target)
            docs.append(target)
    pdfs = to_pdf(docs)                                     # one LibreOffice call, --pdf's own fonts
    even_imprint_pages(docs, to_pdf, fixed_time(dt.date(2026, 9, 30)))
    date_line = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
    for pdf in pdfs:
        pages = page_texts(pdf)
        assert len(pages) == pdf_pages(pdf) and len(pages) % 2 == 0, pdf.name        # 版记 on an even page
        assert "印发" in "".join(pages[-1]) and any(line.startswith("抄送：") for line in pages[-1]), pdf.name
        assert not any("印发" in line for page in pages[:-1] for line in page), pdf.name
        if not pages[-2]:      # 7.5: a blank page before the 版记 page: neither is numbered
            assert not any(re.fullmatch(r"—\d+—", line) for line in pages[-1]), pdf.name
        signed = [i for i, page in enumerate(pages) if any(date_line.fullmatch(line) for line in page)]
        assert signed, pdf.name
        page = pages[signed[0]]
        at = next(i for i, line in enumerate(page) if date_line.fullmatch(line))
        above = [line for line in page[:at - 1] if not re.fullmatch(r"—\d+—", line)]   # above the 署名
        assert above, (pdf.name, page)                      # the 署名 never stands alone (7.3.5)
        # 7.2.4: the 发文机关标志's top 35 mm below the 版心's top (±1.5 pt)
        shot = tmp_path / pdf.stem
        shot.mkdir()
        assert abs(red_top(pdf, shot) - (TYPE_AREA_TOP + 35 * MM)) < 1.5, pdf.name
    if shutil.which("pdffonts") and subprocess.run(["fc-list", "AR PL UKai CN"], capture_output=True,
                                                   text=True).stdout.strip():
        fonts = subprocess.run(["pdffonts", str(pdfs[0])], capture_output=True, text=True).stdout
        assert "UKai" in fonts             # the 楷体 二级标题 in a Kai face, not the body's serif
