"""SPEC 4 outputs in a real office suite: LibreOffice converts them to PDF (skipped without it).

.ci/run installs libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk so this runs in CI.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tzreport.pipeline import build

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def to_pdf(files, out: Path, profile: Path) -> list:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=240)
    return [out / (Path(f).stem + ".pdf") for f in files]


def pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_libreoffice_renders_the_summary_and_an_annotated_workbook(tmp_path):
    result = build([SAMPLES / "市考"], tmp_path / "out")
    summary, annotated = to_pdf([tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "批注" / "临川县.xlsx"],
                                tmp_path / "pdf", tmp_path / "profile")
    text = pdf_text(summary)
    first = result.units[0]
    for words in ("综合排名", "指标完成情况", "亮灯统计", "结果运用", first.name, f"{first.total:.2f}"[:4]):
        assert words in text, words
    pages = text.count("\f")
    assert 5 <= pages <= 20, pages        # fit to width: a handful of pages, not one per column
    text = pdf_text(annotated)
    assert "临川县考核结果" in text and "考核办计算结果" in text and "争先进位" in text


def test_template_opens_in_libreoffice(tmp_path):
    from tzreport.pipeline import make_templates
    paths, _ = make_templates(SAMPLES / "市考" / "考核方案.xlsx", tmp_path / "t")
    (pdf,) = to_pdf(paths[:1], tmp_path / "pdf", tmp_path / "profile")
    assert "填报单位" in pdf_text(pdf)


def test_libreoffice_renders_each_document_type(tmp_path):
    """进展通报, 考核结果通报 and a 通知 through `--pdf`'s own converter (with tzreport's fontconfig
    aliases): the 红头 and title come out, pages are numbered "— n —", and a full body line holds
    28 characters (GB/T 9704: 22 lines × 28 characters)."""
    from tzreport.render.docx.documents import to_pdf as documents_to_pdf
    from tzreport.words.width import display_width
    result = build([SAMPLES / "市考"], tmp_path / "out")        # 31 December: all three types
    out = tmp_path / "out"
    docs = [out / "进展通报.docx", out / "考核结果通报.docx", out / "通知" / f"{result.units[-1].name}.docx"]
    pdfs = documents_to_pdf(docs)
    assert pdfs == [d.with_suffix(".pdf") for d in docs]
    for pdf in pdfs:
        text = pdf_text(pdf)
        assert "云州市年度目标责任考核领导组办公室文件" in text
        assert "— 1 —" in text or "—1—" in text.replace(" ", "")
        lines = [ln.replace(" ", "") for ln in text.splitlines()]
        widths = [display_width(ln) / 2 for ln in lines if ln and "│" not in ln]
        assert max(w for w in widths if w <= 30) >= 27.5, pdf.name      # full lines of 28
    for pdf, number in zip(pdfs, ("云考办〔2027〕1", "云考办〔2027〕2", "云考办〔2027〕3")):   # SPEC 4.2
        assert number in pdf_text(pdf), pdf.name
    assert "静乐县" in pdf_text(pdfs[1]) and "一票否决" in pdf_text(pdfs[1])
    fonts = subprocess.run(["pdffonts", str(pdfs[0])], capture_output=True, text=True).stdout \
        if shutil.which("pdffonts") else "NotoSerifCJK"
    assert "NotoSerifCJK" in fonts        # 仿宋_GB2312 found its alias, not a fallback sans
