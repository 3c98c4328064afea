"""SPEC 4 通知: rendered from a template prepared once, they say exactly what docxtpl's whole render says.

Prepared once (documents.PreparedTemplate): paragraph by paragraph, table cell by cell, and part
by part."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from tzreport.fileio import fixed_time
from tzreport.read import load_inputs
from tzreport.render.docx import documents
from tzreport.render.docx.doc_templates import NOTICE
from tzreport.rules.evaluate import evaluate
from tzreport.words.facts import categories, grade_order
from tzreport.words.notice_doc import notice_context

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


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
    cats = {c.name: c for c in categories(result)}
    order = grade_order(result, scheme)
    for ur in result.units:
        make = lambda: notice_context(result, cats[ur.category], ur, order)  # noqa: E731
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
    cats = {c.name: c for c in categories(result)}
    ur = result.units[0]
    context = lambda: notice_context(result, cats[ur.category], ur,  # noqa: E731
                                               grade_order(result, scheme))
    documents.prepared_template(template, when).write(context(), tmp_path / "a.docx")
    documents.PreparedTemplate(template, when).write(context(), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def _notice_contexts(source: str, count: int = None):
    issues = []
    scheme, submissions = load_inputs([SAMPLES / source], issues)
    result = evaluate(scheme, submissions, issues)
    when = fixed_time(result.params.as_of)
    cats = {c.name: c for c in categories(result)}
    order = grade_order(result, scheme)
    make = lambda ur: notice_context(result, cats[ur.category], ur, order)  # noqa: E731
    return when, [(ur, make) for ur in result.units[:count]]


@pytest.mark.parametrize("source", ["市考", "input.xlsx"])
def test_builtin_notice_rows_are_written_as_text_with_the_same_bytes(source):
    """The built-in 通知 takes the text way for its table rows (RowLoops), and its document part
    comes out byte for byte as the general way's (lxml parses and writes the whole part)."""
    when, units = _notice_contexts(source)
    prepared = documents.PreparedTemplate(documents.template_path(NOTICE), when)
    assert prepared.rows is not None and len(prepared.rows.loops) == 1
    assert prepared.rows.loops[0].pieces is not None       # rows put together by str.format
    for ur, make in units:
        context = documents._dress(make(ur))
        fast = prepared._render_rows_as_text(context)
        assert fast is not None, ur.name
        assert fast == prepared._render(prepared.document, context), ur.name


ODD_VALUES = ["", " ", "  a  ", "a&b<c>d", "it's", 'say "hi"', "两行\n文字", "\n开头", "结尾\n", "a\n\nb",
              "{_{ x }_}", "{{ y }}", "全角\u3000空格", "a\xa0b", "tab\there", "bell\a", "page\f", "cr\r",
              "nul\x00", "ctl\x01", "𠀀 wide", "&#39;", "&amp;", "%_}"]


@pytest.mark.parametrize("key", ["name", "measure", "progress", "fill", "rank"])
def test_odd_row_values_give_the_general_ways_bytes_or_take_it(key):
    """Whatever a row holds — markup, quotes, line breaks, empty text, control characters — the
    text way gives the general way's bytes, or gives up (None) and the unit goes the general way."""
    when, units = _notice_contexts("市考", 1)
    prepared = documents.PreparedTemplate(documents.template_path(NOTICE), when)
    ur, make = units[0]
    taken = 0
    for value in ODD_VALUES + [7, 2.5]:
        context = documents._dress(make(ur))
        rows = context["indicator_tables"][0]["rows"]
        rows[0][key] = value
        rows[-1][key] = value
        try:
            general = prepared._render(prepared.document, context)
        except Exception:   # noqa: BLE001 — XML lxml cannot take even with recovery
            general = None
        fast = prepared._render_rows_as_text(context)
        if fast is not None:
            taken += 1
            assert fast == general, (key, value)
    assert taken >= 12 if key != "fill" else taken >= 8


def test_a_clerks_notice_template_takes_the_general_way(tmp_path):
    """Only the built-in template's bytes get the text way; a clerk's copy that differs (here
    saved again by python-docx) renders the general way, and says the same."""
    from docx import Document as open_docx
    own = tmp_path / NOTICE
    open_docx(str(documents.template_path(NOTICE))).save(str(own))
    when, units = _notice_contexts("市考", 3)
    clerk = documents.PreparedTemplate(own, when)
    builtin = documents.PreparedTemplate(documents.template_path(NOTICE), when)
    assert clerk.rows is None and builtin.rows is not None
    for ur, make in units:
        clerk.write(make(ur), tmp_path / "clerk.docx")
        builtin.write(make(ur), tmp_path / "builtin.docx")
        assert _content(tmp_path / "clerk.docx") == _content(tmp_path / "builtin.docx")


def test_the_first_unit_checks_the_text_way_against_the_general_way(tmp_path, monkeypatch):
    """The first unit of a process is rendered both ways; should they differ, the text way is
    dropped for the process and the general way's bytes are written."""
    when, units = _notice_contexts("市考", 2)
    template = documents.template_path(NOTICE)
    good = documents.PreparedTemplate(template, when)
    good.write(units[0][1](units[0][0]), tmp_path / "a.docx")
    assert good.rows is not None and good.rows_checked
    broken = documents.PreparedTemplate(template, when)
    loop = broken.rows.loops[0]
    monkeypatch.setattr(loop, "pieces", [piece.replace("<w:cantSplit/>", "") if isinstance(piece, str)
                                         else piece for piece in loop.pieces])
    broken.write(units[0][1](units[0][0]), tmp_path / "b.docx")
    assert broken.rows is None
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


@pytest.mark.parametrize("widths", [[1000] * 8, ["1000"] * 8, ['10"0'] * 8, ["a&b"] * 8, ["x'y"] * 8,
                                    ["1\n2"] * 8, [""] * 8, [1.5] * 8, [None] * 8])
def test_odd_values_beside_the_rows_give_the_general_ways_bytes_or_take_it(widths):
    from markupsafe import Markup
    when, units = _notice_contexts("市考", 1)
    prepared = documents.PreparedTemplate(documents.template_path(NOTICE), when)
    ur, make = units[0]
    for value in (widths, [Markup("<b>1</b>")] * 8, [Markup('1"')] * 8, []):
        context = documents._dress(make(ur))
        context["indicator_tables"][0]["widths"] = value
        try:
            general = prepared._render(prepared.document, context)
        except Exception as exc:   # noqa: BLE001 — the text way must then fail or give up too
            general = type(exc)
        try:
            fast = prepared._render_rows_as_text(context)
        except Exception as exc:   # noqa: BLE001
            fast = type(exc)
        assert fast is None or fast == general, value
        if value in ([1000] * 8, ["a&b"] * 8, ["x'y"] * 8, ['10"0'] * 8, [""] * 8):
            assert fast is not None, value
