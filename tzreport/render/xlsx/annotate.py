"""批注/<单位>.xlsx (SPEC 4): each unit's own workbook handed back with its scores beside its table.

The unit's own package is edited in place (xlsxpatch): every part the annotation does not change
comes back as its compressed bytes (images, charts, text boxes, x14 data bars, sparklines, header
pictures, tables, cached formula values); tzreport adds columns to the right of everything the
sheet uses, comments on the score cells (after the unit's own), and a sheet 考核结果. Units of a
consolidated input, units that sent nothing and .xls/.ods submissions get the standard template
layout, filled with their values, annotated the same way. The writers below take either an
xlsxpatch sheet or an openpyxl one (the reference layout, and the way for a package xlsxpatch
cannot edit).
"""
from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break

from tzreport.fileio import save_openpyxl
from tzreport.model import COMPLETION, CONTROL, EFFICACY, LIGHT_COLOURS, REVERSE, ST_OK, TOTAL, cn_date
from tzreport.ooxml.xlsxpatch import XmlBook
from tzreport.read.submissions import CLAIM_SHEET
from tzreport.read.workbook import column_letters, copy_allowed
from tzreport.render.common import (AMOUNT, ANNOTATION_FILL, HEADER_FILL, LINE_PT, MIN_FIT_SCALE,
                                    PAGE_FOOTER, PERCENT, POINTS, PRINT_WIDTH_PX, SEVERITY_CN, SIGNED_POINTS,
                                    SPLIT_SCALE, WIDE_RENDERING, column_pixels, line_room, put, row_height,
                                    tie_counts, value_format, wrapped_lines)
from tzreport.render.xlsx.template import HEADER_ROW, SUBMISSION_SHEET, write_template
from tzreport.rules.indicator import counted_light
from tzreport.rules.planning import days_remaining
from tzreport.rules.schedule import prorate
from tzreport.words import rule_forms
from tzreport.words.explain import explain_text
from tzreport.words.facts import grade_notes, monthly_pace
from tzreport.words.numbers import history_text, number_text, score_text, veto_text

OUTPUT_FOLDER = "批注"
RESULT_SHEET = "考核结果"
AUTHOR = "考核办"
# (header, number format, width)
# Widths fit each header on one line (a unit's own header row is often one line high). 缺口 and
# the paces carry the row's 计量单位 in their number format (see _formats): one column holds
# 万元, 人 and 百分点 side by side.
COLUMNS = (("完成率", PERCENT, 9), ("序时进度", PERCENT, 9), ("进度差(百分点)", "0.0", 15),
           ("亮灯", None, 7), ("得分", POINTS, 8), ("加分", POINTS, 8), ("同类排名", "0", 10),
           ("缺口", AMOUNT, 15), ("日均需完成", AMOUNT, 15), ("旬均需完成", AMOUNT, 15))
MEASURED = (7, 8, 9)        # COLUMNS shown with the row's 计量单位
YEAR_END = "已到年底"        # the pace columns of a target missed when no day is left

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEAD_FONT = Font(bold=True)
WRAP_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _style_specs() -> dict:
    specs = {
        "head": dict(font=HEAD_FONT, fill=_fill(HEADER_FILL), border=BORDER, alignment=WRAP_CENTRE),
        "annotation head": dict(font=HEAD_FONT, fill=_fill(ANNOTATION_FILL), border=BORDER,
                                alignment=WRAP_CENTRE),
        "label": dict(font=HEAD_FONT, fill=_fill(HEADER_FILL), border=BORDER, alignment=WRAP),
        "cell": dict(border=BORDER, alignment=Alignment(vertical="center")),
        "left": dict(border=BORDER, alignment=Alignment(horizontal="left", vertical="center")),
        "text": dict(border=BORDER, alignment=WRAP),
        "centre": dict(border=BORDER, alignment=WRAP_CENTRE),
        "title": dict(font=Font(bold=True, size=14),
                      alignment=Alignment(horizontal="center", vertical="center")),
        "section": dict(font=Font(bold=True, size=12)),
        "wrap": dict(alignment=WRAP),
        "banner": dict(font=Font(bold=True, color="9C0006")),
    }
    for light, (fill, colour) in LIGHT_COLOURS.items():
        specs[light] = dict(border=BORDER, alignment=WRAP_CENTRE, fill=_fill(fill),
                            font=Font(color=colour, bold=True))
    return specs


class Styles:
    """Cell styles of one workbook, each built once and copied onto cells.

    openpyxl hashes every font, fill and border it is handed, for every cell; at 2,000 workbooks
    that was most of the build. A style's StyleArray is made once on a detached cell, then copied.
    """
    SPECS = _style_specs()

    def __init__(self, ws):
        # An XmlSheet (xlsxpatch) takes style names; styles.xml gains them once, when saved.
        self.xml = getattr(ws, "is_xml", False)
        self.scratch = None if self.xml else Cell(ws, row=1, column=1)
        self.arrays = {}

    def merge(self, ws, row: int, first: int, last: int, style: str = None) -> None:
        """Merge columns first..last of a row; the covered cells get ``style`` (their borders).

        openpyxl's own merge_cells re-styles the edge cells one object at a time, which cost more
        than the rest of the sheet together."""
        for col in range(first + 1, last + 1):
            self.put(ws, row, col, None, style)
        if self.xml:
            ws.merge(row, first, last)
            return
        ws.merged_cells.add(MergedCellRange(ws, f"{column_letters(first)}{row}:"
                                                f"{column_letters(last)}{row}"))

    def put(self, ws, row: int, col: int, value, style: str = None, number_format: str = None):
        """``write(ws.cell(row, col), …)``; an XmlSheet keeps just the value, style and format
        (no cell object) until it is rendered."""
        if self.xml:
            ws.put(row, col, value, style, number_format)
        else:
            self.write(ws.cell(row, col), value, style, number_format)

    def write(self, cell, value, style: str = None, number_format: str = None):
        if style and self.xml:
            cell.style = style
        elif style:
            array = self.arrays.get(style)
            if array is None:
                for attr, obj in self.SPECS[style].items():
                    setattr(self.scratch, attr, obj)
                array = self.arrays[style] = copy(self.scratch._style)
                self.scratch._style = StyleArray()
            cell._style = copy(array)
        return put(cell, value, number_format)


@dataclass
class Context:
    """What every unit's annotation needs from the build, sent once to each worker."""
    params: object
    schedule_fraction: float
    when: object
    category_sizes: dict
    full_scores: dict
    excluded: dict = field(default_factory=dict)      # category -> ["名称（编码）"]
    indicators: dict = field(default_factory=dict)    # (category, code) -> Indicator
    ties: dict = field(default_factory=dict)          # (category, rank) -> units holding it


def make_context(result, scheme, when) -> Context:
    sizes = {}
    for u in result.units:
        sizes[u.category] = sizes.get(u.category, 0) + 1
    excluded = {}
    for category, code, name in result.excluded:
        excluded.setdefault(category, []).append(name)
    return Context(result.params, result.schedule_fraction, when, sizes,
                   result.full_scores, excluded, {i.key: i for i in result.indicators}, tie_counts(result.units))


def cell_at(ws, ref: str):
    """The cell a problem names; inside a merged range, the range's top-left cell (the one shown)."""
    cell = ws[ref]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def add_comment(cell, text: str, author: str = AUTHOR) -> None:
    """Add ``text`` to a cell's comment, keeping what the unit wrote there (PITFALLS)."""
    old = cell.comment
    if old is not None and old.text:
        text = f"{old.text.rstrip()}\n—— {author}：\n{text}"
        author = old.author or author
    lines = sum(1 + len(line) // 22 for line in text.split("\n"))
    cell.comment = Comment(text, author, width=320, height=min(400, 24 + 18 * lines))


# -- the unit's workbook ------------------------------------------------------------------------
def _is_ooxml(path: str) -> bool:
    """An Excel 2007+ package, whatever its name says (a real .xlsx is sometimes named .xls)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _template_note(sub) -> str:
    """Why a unit's 批注 has the standard template layout (a line of its 考核结果 sheet)."""
    if sub is None:
        return "未报送，本表按考核方案生成"
    if not sub.path:
        return f"数据来自{sub.file}“{sub.sheet}”表，本表按标准模板生成"
    return f"原报表为{Path(sub.path).suffix or '非Excel 2007'}格式，无法原样批注，本表按标准模板重新生成"


def _template_bytes(ctx: Context, sub, blank) -> tuple:
    """The standard template filled with the unit's values -> (xlsx bytes, {code: row})."""
    buffer = io.BytesIO()
    row_of = write_template(buffer, blank, ctx.params.as_of, ctx.when,
                            values=sub.values if sub else None, claims=sub.claims if sub else ())
    return buffer.getvalue(), row_of


def _open_source(ctx: Context, ur, sub, blank):
    """-> (workbook, sheet, header row, {code: row}, note for the 考核结果 sheet)."""
    if sub is not None and sub.path and _is_ooxml(sub.path) and not copy_allowed(sub.path):
        # openpyxl holds every cell as an object: a 100,000-row sheet beside the table took
        # 45 s and 580 MB here (issue 12)
        note = "原报表过大（含大量行列），无法原样批注，本表按标准模板重新生成"
    elif sub is not None and sub.path and _is_ooxml(sub.path):
        try:
            with open(sub.path, "rb") as fh:     # a file object: openpyxl then ignores the suffix
                book = openpyxl.load_workbook(fh, rich_text=True)
            book.template = False
            return book, book[sub.sheet], sub.header_row, sub.row_of, ""
        except Exception as exc:   # noqa: BLE001 — any failure: fall back to the template layout
            note = f"原报表无法原样复制（{type(exc).__name__}），本表按标准模板重新生成"
    else:
        note = _template_note(sub)
    data, row_of = _template_bytes(ctx, sub, blank)
    book = openpyxl.load_workbook(io.BytesIO(data), rich_text=True)
    sheet = book[SUBMISSION_SHEET]
    sheet.protection.sheet = False     # a results copy: let the unit sort and filter it
    return book, sheet, HEADER_ROW, row_of, note


def _first_free_column(ws, header_row: int) -> int:
    """The column after everything the sheet uses (values, comments, merged ranges of the table)."""
    if getattr(ws, "is_xml", False):          # the unit's own package (xlsxpatch.XmlSheet)
        last = ws.last_used_column()
    else:
        last = 0
        for (_, col), cell in ws._cells.items():   # existing cells only; iter_rows would create cells
            if col > last and (cell.value is not None or cell.comment is not None):
                last = col
    for rng in ws.merged_cells.ranges:
        if rng.max_row >= header_row:
            last = max(last, rng.max_col)
    return last + 1


def _values(ctx: Context, r, ind) -> list:
    """The ten annotation values of one indicator row, in COLUMNS order."""
    if not r.applies:
        return [None, None, None, r.status, None, None, None, None, None, None]
    total_light = ind.value_type == TOTAL and ind.method in (COMPLETION, EFFICACY, CONTROL)
    p_i = prorate(ind, ctx.schedule_fraction) if total_light else None
    shown = counted_light(r)       # SPEC 4.1: a unit that sent nothing has no red lights, it is 未报送
    light = shown if r.status == ST_OK else (f"{shown}·{r.status}" if shown else r.status)
    per_day, per_dekad = r.per_day, r.per_dekad
    if r.remaining is not None and per_day is None and not days_remaining(ctx.params.as_of, ctx.schedule_fraction):
        per_day = per_dekad = YEAR_END
    return [_rate(r, ind), p_i, r.schedule_gap, light, r.score, r.bonus or None, r.rank,
            r.remaining, per_day, per_dekad]


def _formats(ind) -> tuple:
    """The number formats of one indicator row, in COLUMNS order: 缺口 and the paces end in the
    row's 计量单位 (百分点 for a growth rate), so a figure never stands without its unit."""
    measure = "百分点" if ind.value_type != TOTAL else (ind.measure or "").replace('"', "")
    return _measured_formats(measure)


@lru_cache(maxsize=1024)
def _measured_formats(measure: str) -> tuple:
    formats = [spec for _, spec, _ in COLUMNS]
    if measure:
        for j in MEASURED:
            formats[j] = f'{AMOUNT}"{measure}"'
    return tuple(formats)




def _rate(r, ind):
    """完成率 only where higher is better: a 逆向 indicator's A/T is not a completion (SPEC 4.1)."""
    return None if ind.direction == REVERSE else r.completion_rate


def annotate_sheet(ctx: Context, ws, header_row: int, row_of: dict, ur, issues=(),
                   own_file: str = "") -> int:
    """Add the annotation columns and score comments to ``ws``; -> first added column."""
    col0 = _first_free_column(ws, header_row)
    styles = Styles(ws)
    put = ws.put if styles.xml else partial(styles.put, ws)
    for j, (title, _, width) in enumerate(COLUMNS):
        put(header_row, col0 + j, title, "annotation head")
        ws.column_dimensions[column_letters(col0 + j)].width = width
    _banner(ws, header_row, col0, styles)
    for r in ur.indicators:
        row = row_of.get(r.code)
        if row is None:
            continue
        ind = ctx.indicators[(ur.category, r.code)]
        formats = _formats(ind)
        for j, value in enumerate(_values(ctx, r, ind)):
            style = "cell"
            if j == 3 or value == YEAR_END:
                style = counted_light(r) if j == 3 and counted_light(r) else "centre"
            put(row, col0 + j, value, style,
                formats[j] if value is not None and not isinstance(value, str) else None)
        if r.applies:
            score = ws.cell(row, col0 + 4)
            add_comment(score, f"{r.name}（{r.method}，分值{number_text(r.weight)}）\n"
                               f"{explain_text(r.explain) or r.status}")
    print_setup(ws, header_row, col0)
    for issue in issues:
        if own_file and issue.file == own_file and issue.sheet == ws.title and issue.cell:
            try:
                add_comment(cell_at(ws, issue.cell), f"【{SEVERITY_CN[issue.severity]}】{issue.message}")
            except ValueError:   # a cell reference the sheet cannot take: listed in 考核结果 anyway
                pass
    return col0


def print_setup(ws, header_row: int = None, col0: int = None) -> None:
    """With ten more columns the sheet needs landscape, header rows repeated, and fit to width
    while that keeps the print at 65 % or more (common.MIN_FIT_SCALE). Wider (``col0``, the first
    added column, given): 75 %, the added columns on pages of their own, the indicator columns
    A:C repeated beside them."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    if header_row and not ws.print_title_rows:
        ws.print_title_rows = f"{header_row}:{header_row}"
    if col0 and col0 > 4 and _printed_pixels(ws, 1, col0 + len(COLUMNS) - 1) * MIN_FIT_SCALE > PRINT_WIDTH_PX * 100:
        # Each part on one page, in LibreOffice's wider rendering too (common.WIDE_RENDERING).
        widest = max(_printed_pixels(ws, 1, col0 - 1),
                     _printed_pixels(ws, 1, 3) + _printed_pixels(ws, col0, col0 + len(COLUMNS) - 1))
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = max(50, min(SPLIT_SCALE, int(PRINT_WIDTH_PX * 100 / (widest * WIDE_RENDERING))))
        ws.page_margins.left = ws.page_margins.right = 0.4
        if not ws.print_title_cols:
            ws.print_title_cols = "A:C"
        ws.col_breaks.append(Break(id=col0 - 1))     # 0-based: the first added column starts a page
    else:
        _fit_width(ws)


def _fit_width(ws) -> None:
    """Fitted to the page width, as many pages down as it takes, numbered (unless the unit's
    own footer says otherwise)."""
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if not ws.oddFooter.center.text:
        ws.oddFooter.center.text = PAGE_FOOTER


def claims_print_setup(book, sub) -> None:
    """The unit's own 加分申报 sheet prints as the sheets tzreport writes: A4, fitted to the page
    width, the header row over its claims repeated, pages numbered; the unit's orientation, its
    repeated rows and its footer stay."""
    if sub is None or CLAIM_SHEET == sub.sheet or CLAIM_SHEET not in book.sheetnames:
        return
    ws = book[CLAIM_SHEET]
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    _fit_width(ws)
    rows = [int(found[0]) for c in sub.claims if c.where[1] == CLAIM_SHEET
            for found in [re.search(r"\d+", c.where[2] or "")] if found]
    head = min(rows) - 1 if rows else 0
    if head >= 1 and not ws.print_title_rows and (
            ws.has_value(head, 1) if getattr(ws, "is_xml", False) else ws.cell(head, 1).value is not None):
        ws.print_title_rows = f"{head}:{head}"


def _printed_pixels(ws, first: int, last: int) -> int:
    """Width of columns first..last in pixels (hidden ones left out; Excel's default width 8.43)."""
    if getattr(ws, "is_xml", False):       # the unit's own package (xlsxpatch.XmlSheet)
        widths = ws.column_widths()
        return sum(column_pixels(widths.get(c) or 8.43) for c in range(first, last + 1)
                   if c not in widths or widths[c] is not None)
    widths = {}
    for key, dim in ws.column_dimensions.items():
        low = dim.min or column_index_from_string(key)     # a dimension set in this run has no
        high = max(dim.max or low, low)                      # min/max until openpyxl saves
        for c in range(max(low, first), min(high, last) + 1):
            widths[c] = None if dim.hidden else (dim.width or 8.43)
    return sum(column_pixels(widths.get(c, 8.43)) for c in range(first, last + 1)
               if widths.get(c, 1) is not None)


def _banner(ws, header_row: int, col0: int, styles: Styles) -> None:
    """"考核办计算结果" over the added columns, when the row above the header is free there."""
    if header_row < 2:
        return
    row = header_row - 1
    span = range(col0, col0 + len(COLUMNS))
    if getattr(ws, "is_xml", False):
        if any(ws.has_value(row, c) for c in span):
            return
    elif any((row, c) in ws._cells and ws._cells[(row, c)].value is not None for c in span):
        return
    if any(rng.min_row <= row <= rng.max_row and rng.max_col >= col0 for rng in ws.merged_cells.ranges):
        return
    styles.put(ws, row, col0, "考核办计算结果（得分单元格的批注为计算过程）", "banner")
    styles.merge(ws, row, col0, span[-1])


def _method_text(method: str) -> str:
    """参数 序时进度计算方法 "按月" / "按日" (or "月") -> "按月": never "按按月"."""
    method = (method or "").strip()
    return method if method.startswith("按") else f"按{method}"


# -- the 考核结果 sheet ---------------------------------------------------------------------------
# The 考核结果 sheet prints on A4 landscape fitted to its width. Its pages are laid out here rather
# than left to the office suite: every row's height is set, a page ends before a section heading
# that would otherwise stand alone at its foot, and a table running on to the next page starts
# there with its header again (the sheet holds several tables; print titles repeat only one set
# of rows). The pages are reckoned at Excel's scale (Calibri: 7 px a character), the largest any
# suite prints this sheet at, and filled to PAGE_FILL only: a page never overflows into a break
# of the suite's own.
RESULT_WIDTHS = (19, 20, 9, 10, 10, 10, 8, 9, 9, 9, 16, 42)
PAGE_HEIGHT_PT = (8.27 - 2 * 0.75) * 72       # A4 landscape less the top and bottom margins
PAGE_FILL = 0.95
TITLE_PT, SECTION_PT, GAP_PT = 28, 20, 10
KEEP_ROWS = 3          # a table starts on a page with room for its header and this many rows


def _fitted_scale(widths) -> int:
    """The print scale (%) fitting columns of ``widths`` to the page width, as Excel sets it."""
    return min(100, PRINT_WIDTH_PX * 100 // sum(column_pixels(w) for w in widths))


class _Writer:
    """Writes sections down an openpyxl sheet: titles, 项目/内容 pairs and bordered tables, and
    lays out its printed pages (see RESULT_WIDTHS).

    Cells go row by row, left to right: a new XmlSheet makes each one text as it comes."""

    def __init__(self, ws, widths: tuple):
        self.ws, self.row, self.widths, self.width = ws, 1, widths, len(widths)
        self.styles = Styles(ws)
        # put(row, col, value, style, number_format): Styles.put on this sheet
        self.put = ws.put if self.styles.xml else partial(self.styles.put, ws)
        self.page = PAGE_HEIGHT_PT * 100 / _fitted_scale(widths) * PAGE_FILL
        self.used = 0.0           # points of the current page taken
        self.pending = None       # a section heading, written with the row that follows it
        self.repeat = None        # (header, spans) of the table being written

    @staticmethod
    def _height(texts) -> float:
        """Row height for wrapped text (LibreOffice and Excel do not grow merged rows by themselves).

        ``texts``: (text, width in characters) pairs of the row."""
        lines = 1
        for t, w in texts:
            # A text of at most a line's room in half its characters is one line, whatever they are.
            if t and 2 * len(t) > line_room(w):
                lines = max(lines, wrapped_lines(t, w))
        return row_height(lines) if lines > 1 else LINE_PT

    def _place(self, height: float, keep: float = 0.0) -> None:
        """Make room for a row ``height`` points high, with ``keep`` points of what must follow it
        on the same page: else a new page (starting with the table's header again). A section
        heading waiting for this row goes first."""
        # A heading: with room below it for this row and two more (a short section stays whole).
        need = height + keep + (SECTION_PT + 2 * LINE_PT if self.pending else 0)
        if self.used and self.used + need > self.page:
            self._new_page()
        if self.pending:
            self.put(self.row, 1, self.pending, "section")
            self.pending = None
            self._done(SECTION_PT)

    def _done(self, height: float) -> None:
        """The current row is written and ``height`` points high: on to the next."""
        self.ws.row_dimensions[self.row].height = height
        self.used += height
        self.row += 1

    def _new_page(self) -> None:
        self.ws.row_breaks.append(Break(id=self.row - 1))
        self.used = 0.0
        if self.repeat:
            self._header(*self.repeat)

    def _header(self, header, spans) -> None:
        self._cells(header, spans, ["head"] * len(header))
        self._done(LINE_PT)

    def _cells(self, values, spans, styles, formats=None) -> None:
        """One row of a table: value j in ``spans[j]`` columns, merged where more than one (the
        covered cells given its style, as Styles.merge does)."""
        if self.styles.xml and len(spans) == len(values) and all(span == 1 for span in spans):
            self.ws.put_row(self.row, values, styles, formats)      # a plain row: as it is
            return
        if self.styles.xml:        # the row in one call
            cells, cell_styles, cell_formats, merges = [], [], [], []
            for j, value in enumerate(values):
                span, style = spans[j], styles[j]
                cells.append(value)
                cell_styles.append(style)
                cell_formats.append(formats[j] if formats else None)
                if span > 1:
                    merges.append((len(cells), len(cells) + span - 1))
                    cells += [None] * (span - 1)
                    cell_styles += [style] * (span - 1)
                    cell_formats += [None] * (span - 1)
            self.ws.put_row(self.row, cells, cell_styles, cell_formats)
            for first, last in merges:
                self.ws.merge(self.row, first, last)
            return
        put, col = self.put, 1
        for j, value in enumerate(values):
            put(self.row, col, value, styles[j], formats[j] if formats else None)
            if spans[j] > 1:
                self.styles.merge(self.ws, self.row, col, col + spans[j] - 1, styles[j])
            col += spans[j]

    def title(self, text: str) -> None:
        self._place(TITLE_PT)
        self.put(self.row, 1, text, "title")
        self.styles.merge(self.ws, self.row, 1, self.width)
        self._done(TITLE_PT)
        self.gap()

    def section(self, text: str) -> None:
        """A heading, kept on one page with the rows after it (it is written with the first)."""
        self.pending = text

    def line(self, text: str) -> None:
        height = self._height([(text, sum(self.widths))])
        self._place(height)
        self.put(self.row, 1, text, "wrap")
        self.styles.merge(self.ws, self.row, 1, self.width)
        self._done(height)

    def pair(self, label: str, value, note: str = "", number_format: str = None) -> None:
        height = self._height([(label, self.widths[0]), (note, sum(self.widths[2:])),
                               (str(value or ""), self.widths[1])])
        self._place(height)
        put, row = self.put, self.row
        put(row, 1, label, "label")
        put(row, 2, value, "left", number_format)
        put(row, 3, note, "text")
        self.styles.merge(self.ws, row, 3, self.width, "text")
        self._done(height)

    def table(self, header, rows, formats=(), lights=None, spans=None) -> None:
        """A bordered table. ``formats``: per column a number format, or a function of the value
        giving one; ``lights``: (column, each row's light there: its style); ``spans``: how many
        of the sheet's columns each column takes (merged), one each by default.
        Some 4,000 cells a unit: the loop does no more per cell than it must."""
        spans = list(spans or [1] * len(header))
        edges = [sum(spans[:j]) for j in range(len(spans) + 1)]
        widths = [sum(self.widths[edges[j]:edges[j + 1]]) for j in range(len(spans))]
        room = [line_room(w) for w in widths]      # wrapped_lines' characters per line
        specs = list(formats) + [None] * max(0, max(map(len, rows), default=0) - len(formats))
        light_column, light_styles = lights or (None, None)
        if not rows:
            self._place(LINE_PT)
            self._header(header, spans)
        laid = []         # per row: (styles, number formats, height)
        for n, values in enumerate(rows):
            lines, styles, number_formats = 1, [], []
            for j, value in enumerate(values):
                if value is None:
                    number_format = None
                else:
                    spec = specs[j]
                    number_format = spec(value) if callable(spec) else spec
                if isinstance(value, str):
                    style = "text"
                    # Row height for wrapped text (as _height); half the width or less is one line.
                    if 2 * len(value) > room[j]:
                        lines = max(lines, wrapped_lines(value, widths[j]))
                else:
                    style = "cell"
                if j == light_column and light_styles[n]:
                    style = light_styles[n]
                styles.append(style)
                number_formats.append(number_format)
            laid.append((styles, number_formats, row_height(lines) if lines > 1 else LINE_PT))
        for n, (values, (styles, number_formats, height)) in enumerate(zip(rows, laid)):
            if n == 0:       # the header and the first KEEP_ROWS rows on one page
                self._place(LINE_PT, keep=sum(h for _, _, h in laid[:KEEP_ROWS]))
                self._header(header, spans)
                self.repeat = (header, spans)
            self._place(height)
            self._cells(values, spans, styles, number_formats)
            self._done(height)
        self.repeat = None

    def gap(self) -> None:
        """A thin blank row; none at the top of a page, nor where the page is full."""
        if self.used and self.used + GAP_PT <= self.page:
            self._done(GAP_PT)

    def close(self) -> None:
        if self.pending:       # a heading with nothing after it (not written by result_sheet)
            self.line("")


def result_sheet(ctx: Context, book, ur, issues, note: str = "") -> None:
    """The sheet 考核结果: totals, grade, consequences, 争先进位, every indicator, 倒排计划, problems."""
    name = RESULT_SHEET
    n = 2
    while name in book.sheetnames:
        name = f"{RESULT_SHEET}{n}"
        n += 1
    ws = book.create_sheet(name)
    params = ctx.params
    w = _Writer(ws, RESULT_WIDTHS)
    w.title(f"{ur.name}考核结果")
    w.line(f"{params.name}　统计截止：{cn_date(params.as_of)}")
    if note:
        w.line(f"说明：{note}。")
        w.gap()
    size = ctx.category_sizes[ur.category]
    full = ctx.full_scores[ur.category]
    w.section("一、总体情况")
    w.pair("考核类别", ur.category + (f"（{ur.group}）" if ur.group else ""))
    w.pair("序时进度", ctx.schedule_fraction, f"{_method_text(params.schedule_method)}计算", PERCENT)
    w.pair("综合得分", float(score_text(ur.total)),
           f"基础得分{score_text(ur.base)} + 加分{score_text(ur.bonus)} − 扣分{score_text(ur.deduction)}"
           f"（满分{number_text(full)}）", POINTS)
    period = rule_forms.current_period(ur)
    if period:      # SPEC 3.11: the parts below are the current period's, folded after them
        w.pair(f"{period}基础得分", float(score_text(rule_forms.current_base(ur))),
               f"{period}各大类得分合计，未按考核期折算", POINTS)
    for major, subtotal in ur.subtotals.items():
        w.pair(f"  其中：{major}", float(score_text(subtotal)), rule_forms.part_note(ur, major), POINTS)
    if abs(ur.scale - 1) > 1e-9:
        w.pair("折算系数", round(ur.scale, 4), rule_forms.part_scale_note(ur, full))
    if ur.fold:
        from tzreport.words.trend import fold_line
        w.pair("考核期折算", float(score_text(ur.base)), fold_line(ur), POINTS)
    bonus_note = [f"指标超额加分{score_text(ur.indicator_bonus)}"]
    if ur.honor_items:
        bonus_note.append("表彰加分" + score_text(ur.honor_bonus) + "（"
                          + "；".join(f"{i}，{lv}{number_text(p)}分" for i, lv, p in ur.honor_items) + "）")
    if params.total_bonus_cap is not None:
        bonus_note.append(rule_forms.total_cap_note(ur, params.total_bonus_cap)
                          or f"加分总上限{number_text(params.total_bonus_cap)}分")
    w.pair("加分", float(score_text(ur.bonus)), "，".join(bonus_note), POINTS)
    for name, granted, text in rule_forms.bonus_class_lines(ur):     # SPEC 3.8: which cap cut it
        w.pair(f"  其中：{name}", float(score_text(granted)), text, POINTS)
    if ur.rank_change:                                              # SPEC 3.10
        w.pair("进位", rule_forms.rank_change_points(ur), rule_forms.rank_change_text(ur),
               SIGNED_POINTS)
    w.pair("扣分", float(score_text(ur.deduction)), "；".join(rule_forms.deduction_parts(ur)) or "无", POINTS)
    tied = "，并列" if ctx.ties.get((ur.category, ur.rank), 0) > 1 else ""
    w.pair("排名", ur.rank, f"共{size}个单位（{ur.category}）{tied}")
    w.pair("等次", ur.grade, "；".join(grade_notes(ur)))
    w.pair("一票否决", veto_text(ur.veto),
           "；".join(f"{item}（{veto_text(v)}）" for v, item in ur.veto_reasons) or "无")
    w.pair("结果运用", f"{len(ur.consequences)}项" if ur.consequences else "无",
           "；".join(ur.consequences))
    w.pair("近三年等次", ur.grade, history_text(ur.history))
    _trend_pairs(w, ur)                                             # SPEC 3.11
    if ctx.excluded.get(ur.category):
        w.pair("未计入指标", "、".join(ctx.excluded[ur.category]), "暂无评分数据，本次对所有单位不计")
    w.gap()
    _advance_section(w, ur)
    w.gap()
    _indicator_section(ctx, w, ur)
    w.gap()
    _plan_section(ctx, w, ur)
    w.gap()
    w.section("六、数据问题")
    if issues:
        w.table(("级别", "文件", "工作表", "单元格", "问题"),
                [(SEVERITY_CN[i.severity], i.file, i.sheet, i.cell, i.message) for i in issues],
                spans=(1, 1, 1, 1, len(RESULT_WIDTHS) - 4))
    else:
        w.line("无。")
    w.close()
    for j, width in enumerate(RESULT_WIDTHS, 1):
        ws.column_dimensions[column_letters(j)].width = width
    print_setup(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4       # PRINT_WIDTH_PX
    ws.page_margins.top = ws.page_margins.bottom = 0.75      # PAGE_HEIGHT_PT
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    book.active = book.worksheets.index(ws)


def _trend_pairs(w: _Writer, ur) -> None:
    """SPEC 3.11, with two periods or more: the unit's total, rank and grade per period, its rank
    change since the previous one, the indicators whose light changed. One period: nothing."""
    from tzreport.words.trend import (arrow, light_turns, move, previous_words, rank_words, total_change,
                                      total_words)
    if len(ur.periods) < 2:
        return
    for p in ur.periods:
        if not p.get("submitted", True):
            w.pair(f"历次考核：{p['period']}", "未报送")
            continue
        w.pair(f"历次考核：{p['period']}", float(score_text(p["total"])),
               f"第{p['rank']}名" + (f"，{p['grade']}" if p.get("grade") else ""), POINTS)
    m = move(ur)
    if m is not None:
        kind, n = m
        new = kind == "新参加"
        w.pair("名次变化", arrow(None if new else n if kind == "前进" else -n),
               rank_words(ur) if new else previous_words(ur) + rank_words(ur))
        if not new:      # the published totals' difference, as the 通知 and 汇总 print it
            w.pair("综合得分变化", total_change(ur), previous_words(ur) + total_words(ur), SIGNED_POINTS)
    to_green, to_red = light_turns(ur)
    if to_green or to_red:
        w.pair("亮灯变化", f"转绿{len(to_green)}项，转红{len(to_red)}项",
               "；".join(x for x in ("由红转绿：" + "、".join(r.name for r in to_green) if to_green else "",
                                      "转为红灯：" + "、".join(r.name for r in to_red) if to_red else "") if x))


def _advance_section(w: _Writer, ur) -> None:
    w.section("二、争先进位")
    words, lost = rule_forms.lost_items(ur)       # the 通知's list (SPEC 3.6), the points that count
    if lost:
        w.pair("失分较多的指标", f"{len(lost)}项",
               "；".join(f"{name}失{number_text(points)}分" for name, points in lost)
               + (f"（{words}）" if words else ""))
    else:
        w.pair("失分较多的指标", "无", "各项指标均得满分")
    nxt = ur.advance.get("next_rank")
    if nxt:
        w.pair("前进一名", f"还差{number_text(nxt['points_needed'])}分",
               f"第{nxt['rank']}名为{nxt['unit']}")
    else:
        w.pair("前进一名", "已居第1名")
    grade = ur.advance.get("next_grade")
    if grade:
        w.pair("提升一个等次", f"还差{number_text(grade['points_needed'])}分",
               f"评为“{grade['grade']}”需综合得分不低于{score_text(grade['total_needed'])}分"
               "（有比例或名额限制的，以当前该等次最低得分计）")


def _indicator_section(ctx: Context, w: _Writer, ur) -> None:
    w.section("三、指标得分明细")
    rows, lights = [], []
    # lines 小计 / 按权重计 / 合计 / 折算 (rule_forms.point_rows): the 分值 and 得分 columns add up to the
    # base (SPEC 3.3, 3.7); an indicator that does not count says 不计 in its 分值
    for k in rule_forms.point_rows(ur, ctx.full_scores[ur.category]):
        if isinstance(k, rule_forms.SumRow):
            rows.append((None, k.label, None, None, None, None, None,
                         "不计" if k.weight is None else k.weight, k.score, None, None,
                         k.how + (rule_forms.ROUNDING_HOW if k.apart else "")))
            lights.append(None)
            continue
        r = ur.indicators[k]
        ind = ctx.indicators[(ur.category, r.code)]
        actual = r.actual if r.actual is not None else r.status
        rows.append((r.code, r.name, ind.measure, r.target, actual, _rate(r, ind),
                     counted_light(r) or ("" if r.applies and r.status == ST_OK else r.status),
                     r.weight if r.applies else "不计",
                     r.score if r.applies else None, r.bonus or None, r.rank,
                     explain_text(r.explain) or r.status))
        lights.append(counted_light(r) or None)
    w.table(("指标编码", "指标名称", "计量单位", "确保目标", "本期完成", "完成率", "亮灯", "分值", "得分",
             "加分", "同类排名", "计算过程"), rows,
            (None, None, None, value_format, value_format, PERCENT, None, value_format, POINTS, POINTS, "0"),
            lights=(6, lights))


def _plan_section(ctx: Context, w: _Writer, ur) -> None:
    days = days_remaining(ctx.params.as_of, ctx.schedule_fraction)
    w.section(f"四、倒排计划（距年底还有{days}天）" if days else "四、未完成年度目标的指标")
    rows = []
    for r in ur.indicators:
        if r.remaining is None:
            continue
        ind = ctx.indicators[(ur.category, r.code)]
        measure = "百分点" if ind.value_type != TOTAL else ind.measure
        rows.append((r.code, r.name, measure, r.target, r.actual, r.remaining, r.per_day, r.per_week,
                     r.per_dekad, monthly_pace(r.per_month, ind.measure), ind.lead, ind.support))
    if rows and not days:      # no day left: the pace columns would stay empty, 牵头单位 takes them
        w.table(("指标编码", "指标名称", "计量单位", "年度目标", "本期完成", "缺口", "牵头单位", "配合单位"),
                [row[:6] + row[10:] for row in rows], (None, None, None, value_format, value_format, AMOUNT),
                spans=(1, 1, 1, 1, 1, 1, 4, 2))
    elif rows:
        w.table(("指标编码", "指标名称", "计量单位", "年度目标", "本期完成", "缺口", "日均", "周均", "旬均",
                 "月均", "牵头单位", "配合单位"), rows,
                (None, None, None, value_format, value_format, AMOUNT, AMOUNT, AMOUNT, AMOUNT, value_format))
    else:
        w.line("各项指标均已完成年度目标。")
    w.gap()
    w.section("五、加分和扣分事项")
    items = [("表彰加分", f"{i}（{lv}）", p) for i, lv, p in ur.honor_items]
    items += [("扣分", rule_forms.deduction_item(ur, item), -p) for item, p in ur.deduction_items]
    if items:
        w.table(("类别", "事项", "分值"), items, (None, None, SIGNED_POINTS), spans=(1, 4, 1))
    else:
        w.line("无。")


# -- driver ----------------------------------------------------------------------------------------
def annotate_unit(ctx: Context, ur, sub, blank, issues, path) -> str:
    """One unit's 批注 workbook: the unit's own package edited in place (xlsxpatch), every part we
    do not change copied as it was. A package that cannot be edited so goes through openpyxl (which
    keeps its cells but not what openpyxl does not know); no usable xlsx at all: the template
    layout (``blank``, template.Blank), filled with the unit's values.
    -> "" or, when the unit's package could not be edited in place, why (the build says it: the
    copy it got is a poorer one). OSError (the file cannot be written) is the caller's."""
    if sub is not None and sub.path and _is_ooxml(sub.path):
        try:
            with open(sub.path, "rb") as fh:
                book = XmlBook(fh.read(), Styles.SPECS)
            claims_print_setup(book, sub)
            _annotate_book(ctx, book, book[sub.sheet], sub.header_row, sub.row_of, ur, issues,
                           sub.file, "", path)
            return ""
        except OSError:
            raise
        except Exception as exc:   # noqa: BLE001 — an unusual package: openpyxl's copy, then the template
            annotate_unit_openpyxl(ctx, ur, sub, blank, issues, path)
            return (f"{ur.name}的批注表未能在原报表上直接标注（{type(exc).__name__}），已改为复制原表的"
                    f"单元格后标注：原表中的图片、图表、文本框等可能未保留（原报表 {sub.file}）")
    data, row_of = _template_bytes(ctx, sub, blank)
    book = XmlBook(data, Styles.SPECS)
    sheet = book[SUBMISSION_SHEET]
    sheet.unprotect = True            # a results copy: let the unit sort and filter it
    _annotate_book(ctx, book, sheet, HEADER_ROW, row_of, ur, issues, "", _template_note(sub), path)
    return ""


def _annotate_book(ctx: Context, book, ws, header_row, row_of, ur, issues, own, note, path) -> None:
    annotate_sheet(ctx, ws, header_row, row_of, ur, issues, own)
    result_sheet(ctx, book, ur, issues, note)
    book.save(path, ctx.when)


def annotate_unit_openpyxl(ctx: Context, ur, sub, blank, issues, path) -> None:
    """The 批注 workbook through openpyxl: the reference layout, and the way for a package
    xlsxpatch cannot edit."""
    book, ws, header_row, row_of, note = _open_source(ctx, ur, sub, blank)
    own = sub.file if sub is not None and sub.path and not note else ""
    if own:
        claims_print_setup(book, sub)
    annotate_sheet(ctx, ws, header_row, row_of, ur, issues, own)
    result_sheet(ctx, book, ur, issues, note)
    save_openpyxl(book, path, ctx.when)
