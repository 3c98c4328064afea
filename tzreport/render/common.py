"""What the Excel renderers share: the clerk's words, light colours, widths, safe writers."""
from __future__ import annotations

import math
import tempfile

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tzreport.model import ERROR, INFO, WARNING
from tzreport.ooxml.splice import _SplicingWorkbook
from tzreport.read.workbook import column_letters
from tzreport.words.numbers import number_text
from tzreport.words.width import display_width

SEVERITY_CN = {ERROR: "错误", WARNING: "提示", INFO: "说明"}


# Excel's own 好/中性/差 cell styles: fill, font colour. They print legibly in black and white too.


HEADER_FILL = "DDEBF7"


ANNOTATION_FILL = "FCE4D6"   # the columns tzreport adds, set apart from the unit's own


PERCENT = "0.0%"


POINTS = "0.00"


SIGNED_POINTS = "+0.00;-0.00;0.00"      # 进位 and the like: a zero prints 0.00 as in the other columns


AMOUNT = "#,##0.00"


# Printing: A4 landscape less 0.4" side margins is 10.9" = 1045 px at 96 dpi. A sheet is fitted to
# the page width only while that keeps it at 65 % or more (11 pt text prints at 7 pt or larger);
# a wider one prints at 75 % across pages, its first columns repeated on each.
PRINT_WIDTH_PX = 1045


MIN_FIT_SCALE = 65


SPLIT_SCALE = 75


# Page breaks are placed for the widest rendering of a column: Excel draws a width-1 column about
# 7 px wide in Calibri, LibreOffice without Calibri (DejaVu Sans) about 9.3 px. Breaking for the
# narrower one made LibreOffice add breaks of its own and print near-empty pages between ours.
WIDE_RENDERING = 9.3 / 7


PAGE_FOOTER = "第 &P 页，共 &N 页"      # every printed sheet tzreport writes or annotates


# A chart page (TableBook.chart_sheet): 16 columns of Excel's default 64 px hold a chart of 1,000 px;
# 31 rows of 15 pt (465 pt) fit the 487 pt an A4 landscape page has between its margins.
CHART_COLUMNS = 16


CHART_WIDTH_PX = 1000


CHART_PAGE_ROWS = 31


def column_pixels(width: float) -> int:
    """An Excel column width (characters of the default font) in pixels at 96 dpi."""
    return int(width * 7 + 5)


def column_breaks(pixels: list, repeat: int, groups: list, scale: int) -> list:
    """Vertical page breaks (first column of each new page) for a sheet printed at ``scale`` %
    with columns 0..repeat-1 on every page. ``groups``: [[(first, last), …] per group], each
    (first, last) a block never split (an indicator's value and rank); a page ends between groups
    where it can, between blocks of a group wider than a page."""
    room = PRINT_WIDTH_PX * 100 / scale / WIDE_RENDERING - sum(pixels[:repeat])
    breaks, used = [], 0
    for blocks in groups:
        width = sum(sum(pixels[a:b + 1]) for a, b in blocks)
        if used and used + width > room:
            breaks.append(blocks[0][0])
            used = 0
        if width <= room:
            used += width
            continue
        for a, b in blocks:
            block = sum(pixels[a:b + 1])
            if used and used + block > room:
                breaks.append(a)
                used = 0
            used += block
    return breaks


def indicator_item(item: str, codes) -> str:
    """"ZB10 环境保护目标责任" -> "环境保护目标责任": units read indicator names, not codes."""
    code, _, name = item.partition(" ")
    return name if code in codes and name else item


# Each wrapped line is 16 pt high: LibreOffice's Noto Sans CJK at 11 pt needs 15.9, so rows of
# 15 pt a line cut off the last line of a long 说明.
LINE_PT = 16


def line_room(width: float) -> int:
    """Latin characters a wrapped line of a ``width`` column holds (CJK count two)."""
    return max(1, int(width) - 1)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters needs (neither Excel nor LibreOffice grows
    a merged or an xlsxwriter-written row by itself)."""
    return -(-display_width(text) // line_room(width))


def row_height(lines: int) -> float:
    """The height in points of a row of ``lines`` wrapped lines (more than one), in whole pixels
    (0.75 pt) as xlsxwriter writes a row's height."""
    return round((LINE_PT * lines + 2) / 0.75) * 0.75


def tie_counts(units) -> dict:
    """(category, rank) -> how many units hold it: more than one means 并列."""
    ties = {}
    for u in units:
        ties[(u.category, u.rank)] = ties.get((u.category, u.rank), 0) + 1
    return ties


def column_width(values, minimum: int = 6, maximum: int = 60) -> float:
    """An Excel column width that fits the widest value (CJK counted double), within bounds."""
    widest = max((display_width(v) for v in values if v is not None and v != ""), default=0)
    return float(min(maximum, max(minimum, widest + 2)))


def value_format(x):
    """A reported figure: thousands separators, decimals only where it has them (no float noise):
    up to 3 below 10 (an energy intensity 0.451), up to 2 above (a computed 94.2857 shows 94.29)."""
    if not isinstance(x, (int, float)):
        return None
    if float(x).is_integer():
        return "#,##0"
    return "#,##0.0##" if abs(x) < 10 else "#,##0.0#"


def new_xlsxwriter(target, when, factory=None):
    """An xlsxwriter workbook that never turns text into formulas or links, with fixed metadata."""
    book = (factory or xlsxwriter.Workbook)(target, {"strings_to_formulas": False, "strings_to_urls": False,
                                                     "strings_to_numbers": False})
    book.set_properties({"created": when, "author": "tzreport", "company": ""})
    return book


def put(cell, value, number_format: str = None):
    """Write a value into an openpyxl cell; text always stays text (never a formula, SPEC 5)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class TableBook:
    """The workbook plus the formats every sheet uses."""

    def __init__(self, target, title: str, when):
        self.wb = new_xlsxwriter(target, when, _SplicingWorkbook)
        self.title = title
        add = self.wb.add_format
        self.f_title = add({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.f_note = add({"font_color": "#595959", "valign": "vcenter"})
        self.f_head = add({"bold": True, "bg_color": f"#{HEADER_FILL}", "border": 1, "text_wrap": True,
                           "align": "center", "valign": "vcenter"})
        self.formats = {}
        self.pixels = {}       # sheet name -> printed table width in pixels (to size charts)
        self.widths = {}       # sheet name -> column widths (for the print set-up)
        self.charts = []       # (chart, height in pixels) for chart_sheet, in order

    def fmt(self, num_format=None, **extra):
        key = (num_format, tuple(sorted(extra.items())))
        if key not in self.formats:
            props = {"border": 1, "valign": "vcenter"}
            if num_format:
                props["num_format"] = num_format
            props.update(extra)
            self.formats[key] = self.wb.add_format(props)
        return self.formats[key]

    def sheet(self, name: str, title: str, header, rows, formats=(), note: str = "",
              min_widths=None, hidden_from: int = None, max_width: int = 60, widths=None,
              bulk: bool = False):
        """A titled table: title in row 1, an optional note in row 2, header, rows.

        ``formats``: per column a number format, or a callable (value) -> format name; ``widths``:
        column -> a fixed width (long text then wraps). ``bulk``: the rows go in as XML text (a
        table of a hundred thousand rows; see _SplicingWorkbook). -> (worksheet, 0-based header row)."""
        fixed_widths = widths or {}
        ws = self.wb.add_worksheet(name)
        ws.write_string(0, 0, title, self.f_title)
        ws.set_row(0, 24)
        if note:
            ws.write_string(1, 0, note, self.f_note)
        head = 2      # the header is on row 3 of every sheet, with or without a note
        for c, text in enumerate(header):
            ws.write_string(head, c, text, self.f_head)
        ws.set_row(head, 32)
        widths = []
        for c, text in enumerate(header):
            sample = [_shown(values[c]) for values in rows[:400] if c < len(values)]
            widths.append(fixed_widths.get(c) or column_width(
                [text[:8]] + sample, minimum=(min_widths or {}).get(c, 6), maximum=max_width))
            ws.set_column(c, c, widths[c], None,
                          {"hidden": hidden_from is not None and c >= hidden_from})
        self.widths[name] = widths
        self.pixels[name] = sum(column_pixels(w) for w in widths[:hidden_from])
        # The hot loop at province scale (a million cells): formats looked up once per column.
        specs = [formats[c] if c < len(formats) else None for c in range(len(header))]
        fixed = [None if callable(spec) else self.fmt(spec) for spec in specs]
        text, blank = self.fmt(text_wrap=True), self.fmt()
        if bulk and rows:       # the same cells and row heights as the loop below, as XML text
            self.bulk(ws, head + 1, rows, [text] * len(widths), blank, widths=widths, specs=specs)
            rows_written = []
        else:
            rows_written = rows
        for r, values in enumerate(rows_written, head + 1):
            lines = 1
            for c, value in enumerate(values):
                if value is None or value == "":
                    ws.write_blank(r, c, None, blank)
                elif isinstance(value, str):
                    ws.write_string(r, c, value, text)
                    if c < len(widths) and 2 * len(value) > line_room(widths[c]):
                        lines = max(lines, wrapped_lines(value, widths[c]))
                elif isinstance(value, bool):
                    ws.write_string(r, c, "是" if value else "否", blank)
                else:
                    ws.write_number(r, c, value, fixed[c] if c < len(fixed) and fixed[c] is not None
                                    else self.fmt(specs[c](value) if c < len(specs) and specs[c]
                                                  else None))
            if lines > 1:
                ws.set_row(r, row_height(lines))
        count = len(rows)
        ws.freeze_panes(head + 1, 0)
        if count:
            ws.autofilter(head, 0, head + count, (hidden_from or len(header)) - 1)
        # Too wide for 65 %: across pages with the first two columns (类别, 单位 / 级别, 单位) repeated.
        self.print_setup(ws, head, title, (hidden_from or len(header)) - 1, head + count,
                         repeat_cols=min(2, len(header) - 1))
        return ws, head

    def bulk(self, ws, first: int, rows, texts: list, blank, widths=None, specs=(),
             row_formats=None, bare_from: int = None) -> None:
        """Rows as XML text for _SplicingWorkbook, from 0-based row ``first`` on.

        ``texts``: per column the format of its text; ``blank``: of empty cells; numbers take
        ``row_formats[i][c]`` (a number format, per cell) or else ``specs[c]`` (per column a number
        format, None, or a callable (value) -> number format).
        With ``widths`` a row is as high as its longest wrapped text. Columns from ``bare_from`` on
        (hidden helper codes) hold bare text, and nothing where empty.

        The hot loop of 汇总 at province scale (2.4 million cells in 倒排计划, 1.2 million in the
        指标矩阵): one branch per cell, and what repeats (a unit's or an indicator's name, a format)
        is worked out once: the escaped text, its wrapped lines, the xf of a format."""
        xfs, by_spec, shown, lines_of = {}, {}, {}, {}

        def xf(fmt) -> str:
            found = xfs.get(id(fmt))
            if found is None:
                found = xfs[id(fmt)] = str(fmt._get_xf_index())
            return found

        def spec_xf(spec) -> str:
            found = by_spec.get(spec)
            if found is None:
                found = by_spec[spec] = xf(self.fmt(spec))
            return found

        count = max((len(v) for v in rows), default=0)
        bare_from = count if bare_from is None else bare_from
        opening = [f'<c r="{column_letters(c + 1)}' for c in range(count)]
        s_text = [xf(f) for f in texts] + [xf(self.fmt(text_wrap=True))] * (count - len(texts))
        s_blank = xf(blank)
        specs = [specs[c] if c < len(specs) else None for c in range(count)]
        fixed = [None if callable(spec) else spec_xf(spec) for spec in specs]
        room = [line_room(w) for w in widths] if widths else []     # wrapped_lines' per line
        out = tempfile.TemporaryFile()      # the rows' XML, until the package is written
        for i, values in enumerate(rows):
            r = str(first + i + 1)
            formats = row_formats[i] if row_formats else None
            cells, lines = [], 1
            for c, value in enumerate(values):
                if value is None or value == "":
                    if c < bare_from:
                        cells.append(f'{opening[c]}{r}" s="{s_blank}"/>')
                elif isinstance(value, str):
                    text = shown.get(value)
                    if text is None:
                        clean = ILLEGAL_CHARACTERS_RE.sub("", value).translate(_XML_ESCAPE)
                        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
                        text = shown[value] = f' t="inlineStr"><is><t{space}>{clean}</t></is></c>'
                    if c >= bare_from:
                        cells.append(f'{opening[c]}{r}"{text}')
                        continue
                    cells.append(f'{opening[c]}{r}" s="{s_text[c]}"{text}')
                    if c < len(room) and 2 * len(value) > room[c]:
                        key = (value, c)
                        n = lines_of.get(key)
                        if n is None:
                            n = lines_of[key] = wrapped_lines(value, widths[c])
                        if n > lines:
                            lines = n
                elif isinstance(value, bool):
                    cells.append(f'{opening[c]}{r}" s="{s_blank}" t="inlineStr"><is><t>{"是" if value else "否"}'
                                 f'</t></is></c>')
                elif not math.isfinite(value):
                    cells.append(f'{opening[c]}{r}" s="{s_blank}"/>')
                else:
                    style = spec_xf(formats[c]) if formats else fixed[c] or spec_xf(specs[c](value))
                    cells.append(f'{opening[c]}{r}" s="{style}"><v>{value!r}</v></c>')
            height = f' ht="{row_height(lines):g}" customHeight="1"' if lines > 1 else ""
            out.write(f'<row r="{r}"{height}>{"".join(cells)}</row>'.encode("utf-8"))
        self.wb.spliced[ws] = (out, first + len(rows), count)

    def write(self, ws, r, c, value, num_format=None):
        if value is None or value == "":
            ws.write_blank(r, c, None, self.fmt())
        elif isinstance(value, str):
            ws.write_string(r, c, value, self.fmt(text_wrap=True))
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", self.fmt())
        else:
            ws.write_number(r, c, value, self.fmt(num_format))

    def chart_sheet(self, name: str, title: str) -> None:
        """The charts made so far on a sheet of their own, one to a printed page (A4 landscape at
        100 %, CHART_WIDTH_PX wide, at most CHART_PAGE_ROWS rows high), with no repeated table
        header above them. A chart beside its table printed under that sheet's repeated header rows."""
        if not self.charts:
            return
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        top, breaks = 0, []
        for chart, height in self.charts:
            chart.set_size({"width": CHART_WIDTH_PX, "height": min(height, CHART_PAGE_ROWS * 20 - 10)})
            ws.insert_chart(top, 0, chart, {"object_position": 3})     # neither moved nor sized with cells
            top += CHART_PAGE_ROWS
            breaks.append(top)
        ws.set_h_pagebreaks(breaks[:-1])
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
        ws.print_area(0, 0, top - 1, CHART_COLUMNS - 1)
        ws.set_header(f"&C&12{_escape_header(title)}")
        ws.set_footer(f"&C{PAGE_FOOTER}")
        ws.fit_to_pages(1, 0)
        self.charts = []

    def print_setup(self, ws, head: int, title: str, last_col: int, last_row: int,
                    repeat_cols: int = 0, groups=None):
        """A4 landscape, the header row on every page, fitted to the page width while that keeps
        the print at MIN_FIT_SCALE % or more; a wider sheet prints at SPLIT_SCALE % across pages with
        its first ``repeat_cols`` columns on each, breaking between ``groups`` (see column_breaks).
        -> the page breaks (first column of each further page), [] when fitted."""
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
        ws.repeat_rows(head)
        ws.print_area(0, 0, max(last_row, head), last_col)
        ws.set_header(f"&C&12{_escape_header(title)}")
        ws.set_footer(f"&C{PAGE_FOOTER}")
        pixels = [column_pixels(w) for w in self.widths.get(ws.get_name(), [])[:last_col + 1]]
        if not repeat_cols or sum(pixels) * MIN_FIT_SCALE <= PRINT_WIDTH_PX * 100:
            ws.fit_to_pages(1, 0)
        else:
            ws.set_print_scale(SPLIT_SCALE)
            ws.repeat_columns(0, repeat_cols - 1)
            if groups is None:
                groups = [[(c, c)] for c in range(repeat_cols, last_col + 1)]
            breaks = column_breaks(pixels, repeat_cols, groups, SPLIT_SCALE)
            ws.set_v_pagebreaks(breaks)
            return breaks
        return []


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    return number_text(value, 2) if isinstance(value, (int, float)) else ""


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")
