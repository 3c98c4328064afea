"""The 版记 on an even page (GB/T 9704-2012 7.4, printed on both sides: the 版记 is on the back of
the last sheet).

Where a document's pages fall is only known once it is laid out, so this runs after ``--pdf`` has
converted the documents: a PDF with an odd number of pages gets a page break before its 版记 (as a
Word user would insert one), which moves the 版记 to the foot of a new, even page; the Word file and
its PDF are both rewritten, so they keep agreeing.
"""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..fileio import save_docx

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def pdf_pages(pdf) -> int:
    """Pages of a PDF as LibreOffice writes it (page objects in plain dictionaries)."""
    return len(_PAGE.findall(Path(pdf).read_bytes()))


def _imprint(body):
    """The 版记: the body's table floating at the foot of the 版心 (wordlayout.imprint_table)."""
    for tbl in body.iterchildren(qn("w:tbl")):
        pos = tbl.find(qn("w:tblPr") + "/" + qn("w:tblpPr"))
        if pos is not None and pos.get(qn("w:tblpYSpec")) == "bottom":
            return tbl
    return None


def break_before_imprint(docx, when) -> bool:
    """One more page break before the 版记; False when the document has no 版记."""
    document = Document(str(docx))
    tbl = _imprint(document.element.body)
    if tbl is None:
        return False
    # An empty one-point paragraph that starts a page (page break before, not a w:br in a run:
    # LibreOffice anchors the floating 版记 to the paragraph before it and drops a second w:br).
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(OxmlElement("w:pageBreakBefore"))
    spacing = OxmlElement("w:spacing")
    for attr, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
        spacing.set(qn(attr), value)
    ppr.append(spacing)
    p.append(ppr)
    tbl.addprevious(p)
    save_docx(document, docx, when)
    return True


def even_imprint_pages(documents, convert, when) -> list:
    """For each Word document whose PDF (beside it) has an odd page count: a page break before its
    版记, and the PDF made again with ``convert(paths)``. A 版记 that already stood alone on its odd
    page (no room at the foot of the text) takes a second break, leaving the page before it blank
    as 7.5 foresees. Returns the documents changed."""
    changed, todo = [], [Path(d) for d in documents]
    for _ in range(2):
        odd = [d for d in todo if d.with_suffix(".pdf").is_file() and pdf_pages(d.with_suffix(".pdf")) % 2
               and break_before_imprint(d, when)]
        if not odd:
            break
        convert(odd)
        changed += [d for d in odd if d not in changed]
        todo = odd
    return changed
