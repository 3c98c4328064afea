"""A real office suite opens the Excel outputs: LibreOffice converts them to PDF (skipped without it).

.ci/run installs libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk so this runs in CI.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tzreport.build import build

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
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
    from tzreport.build import make_templates
    paths, _ = make_templates(SAMPLES / "市考" / "考核方案.xlsx", tmp_path / "t")
    (pdf,) = to_pdf(paths[:1], tmp_path / "pdf", tmp_path / "profile")
    assert "填报单位" in pdf_text(pdf)
