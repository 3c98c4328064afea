"""The OOXML below python-docx's friendly objects: GB/T 9704-2012 page, fonts, page numbers.

Everything that has to touch raw XML to make a Word document look like a 公文 lives here, so the
template builder (``doc_templates``) and the tests speak in styles and paragraphs.
"""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Pt, RGBColor, Twips
from lxml import etree

# Fonts as Word names them on a government PC (stock Windows has 仿宋 / 楷体 / 黑体 / 宋体).
FANGSONG, KAITI, HEITI, SONGTI, XIAOBIAOSONG = "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体", "方正小标宋简体"
LATIN = "Times New Roman"
RED = RGBColor(0xFF, 0x00, 0x00)

# GB/T 9704-2012 in twips (1/20 pt): A4, margins 37/35/28/26 mm (top/bottom/left/right).
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2098, 1984, 1588, 1474
BODY_SIZE = 16                     # 三号
LINE_PITCH = 579                   # 28.95 pt: 22 lines in the 225 mm type area
# 28 characters a line: 156 mm / 28 = 15.79 pt per character, so 16 pt characters condensed by a
# quarter point (in twips) fit 28.
CONDENSE = -5


def set_font(rpr_parent, east_asia: str, latin: str = LATIN, size: float = None, bold: bool = None,
             colour: RGBColor = None) -> None:
    """Fonts of a style or a run, East-Asian included (``font.name`` alone sets only the Latin one)."""
    font = rpr_parent.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    rpr = rpr_parent.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:        # the complex-script size too, or Word shows two sizes
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = OxmlElement("w:szCs")
            rpr.append(szcs)
        szcs.set(qn("w:val"), str(int(size * 2)))


def paragraph_format(style, *, align=None, indent_chars: float = 0, line: float = None,
                     before: float = 0, after: float = 0, right_chars: float = 0,
                     size: float = BODY_SIZE) -> None:
    """Spacing and indents of a paragraph style; ``line`` is an exact line height in points,
    None for single spacing (pictures must not sit in an exact-height line: it clips them)."""
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(round(line * 20))
    pf.first_line_indent = Pt(indent_chars * size) if indent_chars else Pt(0)
    pf.right_indent = Pt(right_chars * size) if right_chars else Pt(0)
    pf.left_indent = Pt(0)
    pf.widow_control = False
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is not None and indent_chars:   # Word measures 字 indents in hundredths of a character
        ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
    if ind is not None and right_chars:
        ind.set(qn("w:rightChars"), str(int(right_chars * 100)))


def east_asian_defaults(document, lang: str = "zh-CN") -> None:
    """docDefaults: Chinese language and explicit fonts instead of python-docx's Japanese theme."""
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:cs", LATIN), ("w:eastAsia", FANGSONG)):
        fonts.set(qn(attr), value)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "en-US")
    lang_el.set(qn("w:eastAsia"), lang)
    lang_el.set(qn("w:bidi"), "ar-SA")
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(BODY_SIZE * 2))


def page_setup(section) -> None:
    """A4 portrait, the 9704 margins, 22 lines × 28 characters (document grid)."""
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    section.header_distance = Twips(851)       # 15 mm
    section.footer_distance = Twips(1304)      # 23 mm: the page number sits 7 mm below the type area
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    # A line grid only: Word's character grid needs a negative w:charSpace for 28 characters of
    # 16 pt, and LibreOffice then gives every character two grid cells. The 28 characters come
    # from condensed character spacing instead (``CONDENSE``, set on the body style).
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))


def character_spacing(style, twips: int) -> None:
    """Expanded (>0) or condensed (<0) spacing between characters, in twips (w:spacing)."""
    rpr = style.element.get_or_add_rPr()
    el = rpr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        rpr.append(el)
    el.set(qn("w:val"), str(twips))


def _field_runs(paragraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) as Word writes it."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def page_numbers(document, style) -> None:
    """"— 1 —" in 4号 宋体: odd pages on the right, even pages on the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = style
        p.alignment = align
        indent = Pt(14)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = indent
        else:
            p.paragraph_format.left_indent = indent
        p.add_run("— ")
        _field_runs(p, "PAGE", "1")
        p.add_run(" —")


def rule_below(style, colour: str = "FF0000", eighths: int = 12, space: int = 11) -> None:
    """The red 分隔线 under the 发文字号: a bottom border of the paragraph style."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", str(space)),
                        ("w:color", colour)):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    # pBdr goes before spacing/ind/jc in CT_PPr's sequence
    anchor = next((ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                   if ppr.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def table_borders(table, eighths: int = 4) -> None:
    """Single black lines around and between every cell (the style-independent way)."""
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for attr, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "0"),
                            ("w:color", "000000")):
            el.set(qn(attr), value)
        borders.append(el)
    tblpr.append(borders)


def repeat_header(row) -> None:
    """The header row repeats on every page a long table runs to."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


# -- 公文 elements set per document (GB/T 9704-2012 7.3.5, 7.4) -------------------------------------

MM = 72 / 25.4                      # points per millimetre
TYPE_AREA_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT    # 156 mm in twips
THICK_RULE, THIN_RULE = 8, 6        # 版记 lines in eighths of a point: 1 pt ≈ 0.35 mm, 0.75 pt ≈ 0.25 mm


AUTOSPACE = 0.2      # 字 that Word and LibreOffice add between Chinese characters and digits


def char_width(text: str) -> float:
    """Width of ``text`` in 字 (full-width characters): digits and Latin letters count half, and
    each change between them and Chinese characters adds ``AUTOSPACE`` (measured in LibreOffice's PDF:
    3.2 pt at 16 pt between "2026" and "年")."""
    import unicodedata
    wide = [unicodedata.east_asian_width(ch) in "WF" for ch in str(text)]
    changes = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    return sum(1 if w else 0.5 for w in wide) + AUTOSPACE * changes


def signature_indents(issuer: str, date: str) -> tuple:
    """Right indents in 字 of the 发文机关署名 and the 成文日期 without a seal (GB/T 9704 7.3.5.2):
    署名 右空二字, the date one line below with its first character two 字 right of the 署名's;
    a date longer than that keeps 右空二字 and the 署名 moves left by as much."""
    name, day = char_width(issuer), char_width(date)
    name_right = 2.0
    date_right = name_right + name - 2 - day        # date starts two 字 right of the 署名's start
    if date_right < 2:
        date_right = 2.0
        name_right = date_right + day + 2 - name
    return name_right, date_right


def set_right_indent(paragraph, chars: float, size: float = BODY_SIZE) -> None:
    """A right indent in 字: w:rightChars for Word and WPS, w:right in twips for LibreOffice."""
    paragraph.paragraph_format.right_indent = Pt(chars * size)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:rightChars"), str(int(round(chars * 100))))


def signature_style_ids(document, issuer_style: str = "发文机关署名", date_style: str = "成文日期") -> dict:
    """Style name -> id (None when the template lacks it) of the styles lay_out_signature reads.
    Compared by style id, looked up once: python-docx finds a paragraph's style name by scanning
    every style of the document, which cost a tenth of a second a notice."""
    styles = document.part.styles
    ids = {}
    for name in (issuer_style, date_style, "附件说明"):
        try:
            ids[name] = styles[name].style_id
        except KeyError:        # a clerk's template without the style
            ids[name] = None
    return ids


def lay_out_signature(document, issuer_style: str = "发文机关署名", date_style: str = "成文日期",
                      style_ids: dict = None) -> None:
    """After rendering: the 署名 and 成文日期 indents from their own text (7.3.5.2), and the body
    paragraph before them (and any 附件说明) kept with them, so no page holds only the 署名 and the
    date (7.3.5). ``style_ids``: signature_style_ids of the document's styles, when known (a
    template rendered for every unit looks them up once)."""
    paragraphs = document.paragraphs
    ids = style_ids if style_ids is not None else signature_style_ids(document, issuer_style, date_style)
    if ids[issuer_style] is None or not paragraphs:
        return
    style_of = _style_ids_of(paragraphs)
    for i, p in enumerate(paragraphs):
        if ids[issuer_style] is None or style_of[i] != ids[issuer_style]:
            continue
        date = paragraphs[i + 1] if i + 1 < len(paragraphs) and style_of[i + 1] == ids[date_style] \
            else None
        name_right, date_right = signature_indents(p.text, date.text if date is not None else "")
        set_right_indent(p, name_right)
        if date is not None:
            set_right_indent(date, date_right)
        for k in range(i - 1, -1, -1):              # back over the 附件说明 to the last body text
            q = paragraphs[k]
            if not q.text.strip():
                continue
            q.paragraph_format.keep_with_next = True
            if style_of[k] != ids["附件说明"]:
                break


def _style_ids_of(paragraphs) -> list:
    """``p._p.style`` of each paragraph (its style id, None without one) for paragraphs of one
    container: their w:pStyle found by one XPath, not python-docx's properties paragraph by
    paragraph (a 通知 has some 90, and they took a tenth of its time)."""
    parent = paragraphs[0]._p.getparent()
    if parent is None or any(p._p.getparent() is not parent for p in paragraphs):
        return [p._p.style for p in paragraphs]
    found = {style.getparent().getparent(): style for style in _PARAGRAPH_STYLES(parent)}
    return [found[p._p].val if p._p in found else None for p in paragraphs]


_PARAGRAPH_STYLES = etree.XPath("w:p/w:pPr[1]/w:pStyle[1]", namespaces={"w": nsmap["w"]})


def keep_together(paragraph) -> None:
    """Keep-with-next and keep-lines-together: the paragraph moves to the next page whole."""
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True


def imprint_table(table, width_twips: int = TYPE_AREA_WIDTH) -> None:
    """The 版记 as a table floating at the foot of the type area of the page it ends on (7.4):
    the width of the 版心, its last line on the 版心's bottom edge, thick first and last lines,
    thin lines between its rows, no side lines, no cell padding."""
    tblpr = table._tbl.tblPr
    pos = OxmlElement("w:tblpPr")
    for attr, value in (("w:leftFromText", "0"), ("w:rightFromText", "0"), ("w:topFromText", "0"),
                        ("w:bottomFromText", "0"), ("w:vertAnchor", "margin"),
                        # placed from the page's left edge, not centred in the margins: LibreOffice
                        # keeps a table as wide as the 版心 in the text flow unless it is page-relative
                        ("w:horzAnchor", "page"), ("w:tblpX", str(MARGIN_LEFT)), ("w:tblpYSpec", "bottom")):
        pos.set(qn(attr), value)
    tblpr.insert(1 if tblpr.find(qn("w:tblStyle")) is not None else 0, pos)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    pos.addnext(overlap)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(width_twips))
    width.set(qn("w:type"), "dxa")
    old = tblpr.find(qn("w:tblW"))
    if old is not None:
        old.getparent().replace(old, width)
    else:
        tblpr.append(width)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", THICK_RULE), ("left", 0), ("bottom", THICK_RULE), ("right", 0),
                       ("insideH", THIN_RULE), ("insideV", 0)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single" if size else "nil")
        if size:
            for attr, value in (("w:sz", str(size)), ("w:space", "0"), ("w:color", "000000")):
                el.set(qn(attr), value)
        borders.append(el)
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)
    _schema_order(tblpr)


_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
                "tblLayout", "tblCellMar", "tblLook")


def _schema_order(tblpr) -> None:
    """w:tblPr's children in the order of the schema (Word refuses a file otherwise)."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_TBLPR_ORDER)}
    children = list(tblpr)
    for child in children:
        tblpr.remove(child)
    for child in sorted(children, key=lambda c: rank.get(c.tag, len(rank))):
        tblpr.append(child)
