"""通知 from a template prepared once (documents.PreparedTemplate) say exactly what docxtpl's whole
render says: paragraph by paragraph, table cell by cell, and part by part."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from tzreport.build import evaluate
from tzreport.fileio import fixed_time
from tzreport.read import load_inputs
from tzreport.render import documents
from tzreport.render.doc_templates import NOTICE

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"


def _content(path: Path) -> list:
    """What a reader sees: each paragraph's style and text, each table's cells, the sections."""
    doc = Document(str(path))
    out = [(p.style.name, p.text) for p in doc.paragraphs]
    out += [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    out += [(s.page_width, s.page_height, s.top_margin, s.left_margin,
             [p.text for p in s.footer.paragraphs]) for s in doc.sections]
    return out


def _canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


@pytest.mark.parametrize("source", ["市考", "input.xlsx"])
def test_prepared_notices_match_docxtpl_paragraph_by_paragraph(source, tmp_path):
    issues = []
    scheme, submissions = load_inputs([SAMPLES / source], issues)
    result = evaluate(scheme, submissions, issues)
    when = fixed_time(result.params.as_of)
    template = documents.template_path(NOTICE)
    prepared = documents.prepared_template(template, when)
    assert prepared is not None
    cats = {c.name: c for c in documents.categories(result)}
    order = documents._grade_order(result, scheme)
    for ur in result.units:
        make = lambda: documents.notice_context(result, cats[ur.category], ur, order)  # noqa: E731
        documents.render(template, make, tmp_path / "old.docx", when)
        prepared.write(make(), tmp_path / "new.docx")
        old, new = _content(tmp_path / "old.docx"), _content(tmp_path / "new.docx")
        assert new == old, ur.name
        assert any(ur.name in str(item) for item in new)
        # Part by part: the same parts, the same XML once both are put in canonical form.
        with zipfile.ZipFile(tmp_path / "old.docx") as a, zipfile.ZipFile(tmp_path / "new.docx") as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for name in a.namelist():
                if name.endswith((".xml", ".rels")):
                    assert _canonical(b.read(name)) == _canonical(a.read(name)), (ur.name, name)
                else:
                    assert b.read(name) == a.read(name), (ur.name, name)


def test_prepared_notices_are_byte_identical_on_a_rebuild(tmp_path):
    issues = []
    scheme, submissions = load_inputs([SAMPLES / "市考"], issues)
    result = evaluate(scheme, submissions, issues)
    when = fixed_time(result.params.as_of)
    template = documents.template_path(NOTICE)
    cats = {c.name: c for c in documents.categories(result)}
    ur = result.units[0]
    context = lambda: documents.notice_context(result, cats[ur.category], ur,  # noqa: E731
                                               documents._grade_order(result, scheme))
    documents.prepared_template(template, when).write(context(), tmp_path / "a.docx")
    documents.PreparedTemplate(template, when).write(context(), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
