"""The 版记 on an even page (GB/T 9704-2012 7.4, printed on both sides: the 版记 is on the back of
the last sheet).

Where a document's pages fall is only known once it is laid out, so this runs after ``--pdf`` has
converted the documents: a PDF with an odd number of pages gets a page break before its 版记 (as a
Word user would insert one), which moves the 版记 to the foot of a new, even page; the Word file and
its PDF are both rewritten, so they keep agreeing.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tzreport.fileio import save_docx

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


def _blank_paragraph(page_break: bool = False):
    """An empty one-point paragraph (no blank line), optionally starting a page (page break before:
    LibreOffice anchors the floating 版记 to the paragraph before it and drops a second w:br)."""
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    if page_break:
        ppr.append(OxmlElement("w:pageBreakBefore"))
    spacing = OxmlElement("w:spacing")
    for attr, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
        spacing.set(qn(attr), value)
    ppr.append(spacing)
    p.append(ppr)
    return p


def break_before_imprint(docx, when) -> bool:
    """The 版记 to the foot of the next page; False when the document has no 版记."""
    document = Document(str(docx))
    tbl = _imprint(document.element.body)
    if tbl is None:
        return False
    tbl.addprevious(_blank_paragraph(page_break=True))
    save_docx(document, docx, when)
    return True


def blank_page_before_imprint(docx, when) -> bool:
    """A 版记 standing alone on an odd page: a blank page, then the 版记 on the even page after it,
    neither page numbered (7.5: 版记页前有空白页的，空白页和版记页均不编排页码). The two pages are a
    section of their own with empty footers; False when the document has no 版记."""
    document = Document(str(docx))
    body = document.element.body
    tbl = _imprint(body)
    if tbl is None:
        return False
    before = tbl.getprevious()              # the break of break_before_imprint: the section does it now
    while before is not None and before.tag == qn("w:p") and not "".join(before.itertext()).strip() \
            and before.find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is not None:
        body.remove(before)
        before = tbl.getprevious()
    last = body.find(qn("w:sectPr"))
    end = _blank_paragraph()                # ends the body's section, with its numbered footers
    end.find(qn("w:pPr")).append(copy.deepcopy(last))
    tbl.addprevious(end)
    tbl.addprevious(_blank_paragraph())                      # the blank page (a new section's first)
    tbl.addprevious(_blank_paragraph(page_break=True))       # the 版记's page, anchoring it
    for ref in last.findall(qn("w:footerReference")):
        last.remove(ref)
    section = document.sections[-1]
    section.footer.is_linked_to_previous = False             # new, empty footers
    section.even_page_footer.is_linked_to_previous = False
    save_docx(document, docx, when)
    return True


def even_imprint_pages(documents, convert, when) -> list:
    """For each Word document whose PDF (beside it) has an odd page count: a page break before its
    版记, and the PDF made again with ``convert(paths)``. A 版记 that then stands alone on an odd page
    (no room at the foot of the text) gets a blank page before it instead (``blank_page_before_imprint``).
    Returns the documents changed."""
    changed, todo = [], [Path(d) for d in documents]
    for fix in (break_before_imprint, blank_page_before_imprint):
        odd = [d for d in todo if d.with_suffix(".pdf").is_file() and pdf_pages(d.with_suffix(".pdf")) % 2
               and fix(d, when)]
        if not odd:
            break
        convert(odd)
        changed += [d for d in odd if d not in changed]
        todo = odd
    return changed
