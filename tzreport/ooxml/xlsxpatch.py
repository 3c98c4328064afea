"""A unit's own xlsx package, annotated by editing its XML (批注, SPEC 4 and 6).

openpyxl rebuilds a workbook from what it understands and drops the rest (extLst: x14 data bars,
sparklines, cross-sheet lists; text boxes; header images; formulas' cached values). Here the
package is edited instead: every part the annotation does not change is copied as its compressed
bytes; the annotated sheet gets cells spliced into its rows; styles.xml gains the few styles the
annotation uses; 考核结果, comments and their VML are new parts (or appended to the unit's own);
workbook.xml, its rels and [Content_Types].xml are updated.

``XmlBook`` / ``XmlSheet`` / ``XCell`` offer the small part of openpyxl's API that annotate.py's
writers use (``cell(row, col)``, ``merged_cells``, ``column_dimensions``, ``row_dimensions``,
``page_setup``, ``print_title_rows``, ``oddFooter``, ``sheet_view``, comments), so one set of
writers serves both this backend and openpyxl.
"""
from __future__ import annotations

import bisect
import collections
import datetime as dt
import io
import math
import posixpath
import re
import secrets
import struct
import weakref
import zipfile
import zlib
from types import SimpleNamespace

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.functions import tostring as op_tostring

from tzreport.fileio import atomic_path
from tzreport.read.workbook import column_letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
T_WORKSHEET = REL + "/worksheet"
T_COMMENTS = REL + "/comments"
T_VML = REL + "/vmlDrawing"
T_OFFICE = REL + "/officeDocument"
T_STYLES = REL + "/styles"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# zlib level of the parts a 批注 writes: level 6 took 5 ms of a unit's 25 (its two sheets, comments
# and notes, 400 KB of XML), level 1 takes 1.6 ms for files a quarter larger (60 KB, not 48).
PART_LEVEL = 1
MAX_PART = 200 * 1024 * 1024      # an XML part we parse; past this the package is not a unit's table
MAX_MEMBERS = 10000

# Children of <worksheet>, <sheetPr>, <workbook>, <styleSheet> in schema order (new ones go there).
SHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
               "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
               "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
               "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
               "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
               "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
               "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
               "webPublishItems", "tableParts", "extLst")
SHEETPR_ORDER = ("tabColor", "outlinePr", "pageSetUpPr")
BOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
              "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
              "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
              "fileRecoveryPr", "webPublishObjects", "extLst")
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
               "dxfs", "tableStyles", "colors", "extLst")
FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz",
              "color", "name", "family", "charset", "scheme")


class PatchError(Exception):
    """The package cannot be annotated in place (the caller falls back to another layout)."""


def _q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent, tag: str, order: tuple, ns: str = MAIN, create: bool = True):
    """The first child ``tag`` of ``parent``; created at its schema place when missing."""
    found = parent.find(_q(tag, ns))
    if found is not None or not create:
        return found
    el = etree.Element(_q(tag, ns))
    rank = order.index(tag)
    for i, sibling in enumerate(parent):
        name = _local(sibling)
        if name in order and order.index(name) > rank:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def _xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             remove_blank_text=False)
    return etree.fromstring(data, parser)


# -- the zip: raw copies ---------------------------------------------------------------------------
class RawZip:
    """Reads members' compressed bytes as they are stored, for copying unchanged."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise PatchError(f"not a zip ({exc})") from None
        self.infos = self.zf.infolist()
        if len(self.infos) > MAX_MEMBERS:
            raise PatchError("too many members")
        self.by_name = {i.filename: i for i in self.infos}

    def read(self, name: str) -> bytes:
        info = self.by_name[name]
        if info.file_size > MAX_PART:
            raise PatchError(f"{name} too large")
        return self.zf.read(info)

    def raw(self, info) -> bytes:
        """The member's compressed bytes, from its local header on."""
        offset = info.header_offset
        head = self.data[offset:offset + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise PatchError(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = offset + 30 + name_len + extra_len
        return self.data[start:start + info.compress_size]


class ZipWriter:
    """A zip written entry by entry: copied members keep their compressed bytes, CRC and time."""

    def __init__(self, fh, level: int = 6):
        self.fh, self.entries, self.offset = fh, [], 0
        self.level = level          # zlib's, for the members written here

    def _entry(self, name: str, method: int, crc: int, csize: int, usize: int, date_time, raw: bytes):
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        if csize >= 0xFFFFFFFF or usize >= 0xFFFFFFFF or self.offset >= 0xFFFFFFFF:
            raise PatchError("zip64 member")
        year, month, day, hour, minute, second = date_time
        dos_time = hour << 11 | minute << 5 | second // 2
        dos_date = max(0, year - 1980) << 9 | month << 5 | day
        version = 20
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, flags, method, dos_time,
                             dos_date, crc, csize, usize, len(encoded), 0)
        self.fh.write(header + encoded)
        self.fh.write(raw)
        self.entries.append((encoded, flags, method, dos_time, dos_date, crc, csize, usize, self.offset))
        self.offset += len(header) + len(encoded) + len(raw)

    def add_chunks(self, name: str, chunks, date_time) -> None:
        """A member made of text chunks, compressed as they come (a sheet of a hundred thousand
        rows never sits whole in memory); the header's sizes are filled in afterwards."""
        start = self.offset            # the file holds nothing before the zip
        self._entry(name, zipfile.ZIP_DEFLATED, 0, 0, 0, date_time, b"")
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in chunks:
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            data = compressor.compress(chunk)
            packed += len(data)
            self.fh.write(data)
        data = compressor.flush()
        packed += len(data)
        self.fh.write(data)
        if packed >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            raise PatchError("zip64 member")
        end = self.fh.tell()
        self.fh.seek(start + 14)
        self.fh.write(struct.pack("<III", crc, packed, size))
        self.fh.seek(end)
        entry = list(self.entries[-1])
        entry[5:8] = crc, packed, size
        self.entries[-1] = tuple(entry)
        self.offset += packed

    def copy(self, info, raw: bytes) -> None:
        self._entry(info.filename, info.compress_type, info.CRC, info.compress_size, info.file_size,
                    info.date_time, raw)

    def add(self, name: str, data: bytes, date_time) -> None:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        self._entry(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(packed), len(data), date_time, packed)

    def close(self) -> None:
        start = self.offset
        size = 0
        for encoded, flags, method, dtime, ddate, crc, csize, usize, offset in self.entries:
            record = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, dtime,
                                 ddate, crc, csize, usize, len(encoded), 0, 0, 0, 0, 0o644 << 16, offset)
            self.fh.write(record + encoded)
            size += len(record) + len(encoded)
        self.fh.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(self.entries),
                                  len(self.entries), size, start, 0))


# -- package paths ----------------------------------------------------------------------------------
def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _relative(part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(part) or ".")


# -- cells and sheets --------------------------------------------------------------------------------
_PRESENT = object()     # an existing cell's value: there is one, and it stays as the unit wrote it


class XCell:
    """A cell of an ``XmlSheet``: openpyxl's ``value``/``data_type``/``number_format``/``comment``."""
    __slots__ = ("row", "column", "_value", "data_type", "number_format", "style", "_comment",
                 "original", "elem", "dirty", "comment_dirty")

    def __init__(self, row: int, column: int, elem=None, present: bool = False):
        self.row, self.column, self.elem = row, column, elem
        self._value = _PRESENT if present else None
        self.data_type = "n"
        self.number_format = None
        self.style = None
        self._comment = self.original = None     # original: the unit's own comment
        self.dirty = self.comment_dirty = False

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, value):
        self._value = value
        self.dirty = True

    @property
    def comment(self):
        return self._comment

    @comment.setter
    def comment(self, comment):
        self._comment = comment
        self.comment_dirty = True

    @property
    def coordinate(self) -> str:
        return f"{column_letters(self.column)}{self.row}"


class _Dimensions(dict):
    def __missing__(self, key):
        value = self[key] = SimpleNamespace(width=None, height=None)
        return value


class _Merged:
    def __init__(self):
        self.ranges, self.new = [], []

    def add(self, rng) -> None:
        rng = CellRange(str(rng.coord if hasattr(rng, "coord") else rng))
        self.ranges.append(rng)
        self.new.append(rng)


class _Span:
    """Columns first..last of one row merged (what annotate merges): a CellRange's bounds and
    coord without its parsing (some thirty a workbook)."""
    __slots__ = ("min_row", "max_row", "min_col", "max_col")

    def __init__(self, row: int, first: int, last: int):
        self.min_row = self.max_row = row
        self.min_col, self.max_col = first, last

    @property
    def coord(self) -> str:
        return f"{column_letters(self.min_col)}{self.min_row}:{column_letters(self.max_col)}{self.max_row}"


class _Comment:
    """The unit's own comment on a cell: its plain text and author (the XML keeps its runs)."""

    def __init__(self, text: str, author: str, elem):
        self.text, self.author, self.elem = text, author, elem


class XmlSheet:
    """One worksheet, read from the package (or new), written back as XML with the changes."""
    is_xml = True
    PAPERSIZE_A4 = "9"
    ORIENTATION_LANDSCAPE = "landscape"

    def __init__(self, book, title: str, part: str, root=None):
        # The book owns its sheets; a sheet refers to it weakly, so a unit's book, its XML trees
        # and thousands of cells go as soon as it is saved, not at the next full collection.
        self.book, self.title, self.part = weakref.proxy(book), title, part
        self.new = root is None
        if root is not None and root.tag != _q("worksheet"):     # Strict OOXML, a dialog sheet, …
            raise PatchError(f"{part} is not a transitional worksheet")
        self.root = root if root is not None else _parse(
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews><sheetView workbookViewId="0"/>'
            f'</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData/><pageMargins left="0.75" '
            f'right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'.encode())
        self._cells = {}
        self.merged_cells = _Merged()
        self.column_dimensions = _Dimensions()
        self.row_dimensions = _Dimensions()
        self.page_setup = SimpleNamespace(paperSize=None, orientation=None, fitToWidth=None,
                                          fitToHeight=None, scale=None)
        self.page_margins = SimpleNamespace(left=None, right=None, top=None, bottom=None)
        self.col_breaks = []     # openpyxl Break objects (their ``id``: the column before the break)
        self.row_breaks = []     # openpyxl Break objects (their ``id``: the last row of a page)
        self.sheet_properties = SimpleNamespace(pageSetUpPr=SimpleNamespace(fitToPage=None))
        self.sheet_view = SimpleNamespace(tabSelected=None)
        self.unprotect = False
        self.comments_part = self.vml_part = None
        self.comments_root = None
        self._rows = {}          # row number -> <row>
        self._row_numbers = []
        self._index = {}         # row number -> {column: <c>}, made when a cell of the row is asked for
        self._out = {}           # row number -> {column: (value, style, number format)} written by put
        self._spliced = []       # the cells' text for each marker _cells_out left in a row
        # the markers' name: a sheet cannot hold it by chance (it never reaches the file)
        self._mark = "tzreport-cells-" + secrets.token_hex(8)
        # A new sheet's rows: row number -> [<c> text], and -> [its column]; plain strings and
        # numbers, which the garbage collector does not follow (thousands of them a sheet).
        self._text, self._text_cols = {}, {}
        self._put_row, self._put_number, self._put_column = 0, "", 0
        self._put_cells = self._put_cols = None
        self._blank = []         # a new sheet's cells put with nothing in them
        self._attributes = book.styles().attributes if self.new else {}
        self._read()
        self.print_title_rows = book.print_titles(title)
        self._title_rows = self.print_title_rows
        cols = re.search(r"\$([A-Z]+):\$([A-Z]+)", self.print_title_rows or "")
        self.print_title_cols = f"{cols[1]}:{cols[2]}" if cols else None
        self._title_cols = self.print_title_cols
        footer = self.root.find(f"{_q('headerFooter')}/{_q('oddFooter')}")
        self._footer = footer.text or "" if footer is not None else ""
        self.oddFooter = SimpleNamespace(center=SimpleNamespace(text=_section(self._footer, "C")))
        self._footer_centre = self.oddFooter.center.text

    # openpyxl's API, as far as annotate.py uses it
    def column_widths(self) -> dict:
        """column -> width (None when hidden): the sheet's own <cols> overlaid with this run's
        widths (openpyxl's column_dimensions after loading, for annotate's print width)."""
        out = {}
        cols = self.root.find(_q("cols"))
        if cols is not None:
            for el in cols.iterchildren(_q("col")):
                hidden = el.get("hidden") in ("1", "true")
                width = float(el.get("width")) if el.get("width") else None
                for c in range(int(el.get("min") or 1), min(int(el.get("max") or 1), 16384) + 1):
                    out[c] = None if hidden else width
        for key, dim in self.column_dimensions.items():
            if dim.width is not None:
                out[column_index_from_string(key)] = dim.width
        return out

    def cell(self, row: int, column: int) -> XCell:
        found = self._cells.get((row, column))
        if found is None:
            if column in self._text_cols.get(row, ()):
                raise PatchError(f"cell {column_letters(column)}{row} of a new sheet is written already")
            elem = self._existing(row, column)
            found = self._cells[(row, column)] = XCell(row, column, elem,
                                                       elem is not None and _has_value(elem))
            written = self._out.get(row, {}).pop(column, None)
            if written is not None:      # written by put: from now on the XCell holds it
                found._value, found.style, found.number_format = written
                found.dirty = True
        return found

    def put(self, row: int, column: int, value, style: str = None, number_format: str = None) -> None:
        """``cell(row, column)`` given ``style``, ``value`` and ``number_format`` (as annotate's
        Styles.write and common.put do: text cleaned of characters XML cannot hold; a style or a
        format only when given), without an XCell. A cell of the unit's sheet is a tuple until the
        sheet is rendered; a new sheet's cells become text at once, so they come row by row, left
        to right."""
        if isinstance(value, str) and not value.isprintable():     # control characters: rare
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        found = self._cells.get((row, column)) if self._cells else None
        if found is not None:
            found.value = value
            if style:
                found.style = style
            if number_format:
                found.number_format = number_format
            return
        if not self.new:
            cells = self._out.get(row)
            if cells is None:
                cells = self._out[row] = {}
            old = cells.get(column)
            if old is not None:            # as on an XCell: a style or format once set stays
                style, number_format = style or old[1], number_format or old[2]
            cells[column] = (value, style, number_format)
            return
        # A new sheet: the cell's text, now.
        if value is None and not style and not number_format:     # nothing to write
            self._blank.append((row, column))                      # (but in <dimension>)
            return
        if row != self._put_row:
            if row < self._put_row:
                raise PatchError(f"row {row} of a new sheet written after row {self._put_row}")
            self._put_row, self._put_number, self._put_column = row, str(row), 0
            self._put_cells, self._put_cols = self._text[row], self._text_cols[row] = [], []
        if column <= self._put_column:
            raise PatchError(f"cell {column_letters(column)}{row} of a new sheet written out of order")
        self._put_column = column
        attribute = self._attributes.get((style, number_format))
        if attribute is None:
            attribute = self.book.styles().attribute(style, number_format)
        letters = column_letters(column)
        self._put_cells.append(_cell_xml(letters + self._put_number, attribute, value))
        self._put_cols.append(column)

    def put_row(self, row: int, values, styles, formats=None) -> None:
        """``put(row, 1 + j, values[j], styles[j], formats[j])`` for each j, left to right: a table's
        row (some 300 a unit). On a new sheet, at a row not written yet, the cells' text is made here
        without a call each; elsewhere each goes through put."""
        if not self.new or row <= self._put_row or (
                self._cells and any((row, c) in self._cells for c in range(1, len(values) + 1))):
            for j, value in enumerate(values):
                self.put(row, 1 + j, value, styles[j], formats[j] if formats else None)
            return
        number, attributes, cells, cols = str(row), self._attributes, [], []
        for j, value in enumerate(values):
            style, number_format = styles[j], formats[j] if formats else None
            if value is None:
                if not style and not number_format:
                    self._blank.append((row, 1 + j))
                    continue
            elif isinstance(value, str) and not value.isprintable():     # as in put
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            attribute = attributes.get((style, number_format))
            if attribute is None:
                attribute = self.book.styles().attribute(style, number_format)
            column = 1 + j
            letters = column_letters(column)
            cells.append(_cell_xml(letters + number, attribute, value))
            cols.append(column)
        if cells:            # as put leaves it: this row's text open for more cells to the right
            self._put_row, self._put_number, self._put_column = row, number, cols[-1]
            self._put_cells, self._put_cols = self._text[row], self._text_cols[row] = cells, cols

    def has_value(self, row: int, column: int) -> bool:
        """Whether the cell holds a value (the unit's, or one written here), without making it."""
        found = self._cells.get((row, column))
        if found is not None:
            return found._value is not None
        written = self._out.get(row, {}).get(column)
        if written is not None:
            return written[0] is not None
        elem = self._existing(row, column)
        return elem is not None and _has_value(elem)

    def last_used_column(self) -> int:
        """The last column holding a value or a comment (0 for none): for each row its cells from
        the right, until one holds a value (a row's cells are in column order, as OOXML requires
        and the splice below relies on)."""
        last = 0
        for row_el in self._rows.values():
            for c in row_el.iterchildren(_C, reversed=True):
                col = _column(c.get("r"))
                if col <= last:
                    break
                if _has_value(c):
                    last = col
                    break
        for (_, col), cell in self._cells.items():
            if col > last and (cell._value is not None or cell._comment is not None):
                last = col
        for (row, cells) in self._out.items():
            for col, written in cells.items():
                if col > last and written[0] is not None:
                    last = col
        return last

    def _existing(self, row: int, column: int):
        """The sheet's own <c> at (row, column), or None."""
        row_el = self._rows.get(row)
        if row_el is None:
            return None
        index = self._index.get(row)
        if index is None:
            last = _last_cell(row_el)
            if last is None or _column(last.get("r")) < column:     # past the row's last cell
                return None
            index = self._index[row] = {_column(c.get("r")): c for c in row_el.iterchildren(_C)}
        return index.get(column)

    def __getitem__(self, ref: str) -> XCell:
        """A cell by reference; inside a merged range its top-left cell (the one shown)."""
        letters, row = coordinate_from_string(ref)
        col = column_index_from_string(letters)
        for rng in self.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
                return self.cell(rng.min_row, rng.min_col)
        return self.cell(row, col)

    def merge(self, row: int, first: int, last: int) -> None:
        span = _Span(row, first, last)
        self.merged_cells.ranges.append(span)
        self.merged_cells.new.append(span)

    # reading
    def _read(self) -> None:
        data = self.root.find(_q("sheetData"))
        if data is None:
            data = _child(self.root, "sheetData", SHEET_ORDER)
        self.sheet_data = data
        # Only the rows are indexed here; a cell becomes an XCell when it is asked for (most of a
        # unit's table is never touched). Rows and cells may leave out their r: numbered here.
        numbered = not _UNNUMBERED(data)
        last_row = 0
        for row_el in data.iterchildren(_ROW):
            r = row_el.get("r")
            row = int(r) if r else last_row + 1
            if not r:
                row_el.set("r", str(row))
            last_row = row
            self._rows[row] = row_el
            if numbered:
                continue
            last_col = 0
            for c in row_el.iterchildren(_C):
                ref = c.get("r")
                if ref:
                    col = _column(ref)
                else:
                    col = last_col + 1
                    c.set("r", f"{column_letters(col)}{row}")
                last_col = col
        self._row_numbers = sorted(self._rows)
        merged = self.root.find(_q("mergeCells"))
        if merged is not None:
            for m in merged.iterchildren(_q("mergeCell")):
                if m.get("ref"):
                    self.merged_cells.ranges.append(CellRange(m.get("ref")))
        if not self.new:
            self._read_comments()

    def _read_comments(self) -> None:
        rels = self.book.rels_of(self.part)
        for rid, (rtype, target) in rels.items():
            if rtype == T_COMMENTS:
                self.comments_part = target
        # The notes' VML is the one <legacyDrawing> names (<legacyDrawingHF> is a header picture's).
        legacy = self.root.find(_q("legacyDrawing"))
        if legacy is not None and rels.get(legacy.get(_q("id", REL)), (None,))[0] == T_VML:
            self.vml_part = rels[legacy.get(_q("id", REL))][1]
        if not self.comments_part:
            return
        self.comments_root = _parse(self.book.read(self.comments_part))
        authors = [a.text or "" for a in self.comments_root.iter(_q("author"))]
        for el in self.comments_root.iter(_q("comment")):
            ref = el.get("ref")
            if not ref:
                continue
            text = "".join(t.text or "" for t in el.find(_q("text")).iter(_q("t"))
                           if _local(t.getparent()) != "rPh") if el.find(_q("text")) is not None else ""
            aid = int(el.get("authorId") or 0)
            letters, row = coordinate_from_string(ref.split(":")[0])
            cell = self.cell(row, column_index_from_string(letters))
            cell._comment = cell.original = _Comment(text, authors[aid] if aid < len(authors) else "", el)

    # writing
    def render(self, styles) -> bytes:
        """The sheet's XML with every change applied; ``styles`` turns a style name into an xf."""
        root = self.root
        rows = None
        self._dimension_out()
        if self.new:       # a sheet of our own: its rows are text, put in after serialising
            rows = "".join(self._rows_text(styles))
        else:
            self._cells_out(styles)
        self._cols_out()
        self._merges_out()
        self._setup_out()
        if self.unprotect:
            for el in root.findall(_q("sheetProtection")):
                root.remove(el)
        if self.sheet_view.tabSelected is not None:
            for view in root.iter(_q("sheetView")):
                if self.sheet_view.tabSelected:
                    view.set("tabSelected", "1")
                elif "tabSelected" in view.attrib:
                    del view.attrib["tabSelected"]
        if rows is None:
            return self._unmark(_xml_bytes(root)) if self._spliced else _xml_bytes(root)
        data = _xml_bytes(root)
        if b"<sheetData/>" not in data:
            raise PatchError("new sheet without an empty <sheetData/>")
        return data.replace(b"<sheetData/>", b"<sheetData>" + rows.encode("utf-8") + b"</sheetData>", 1)

    def _written(self) -> tuple:
        """-> ({row: {column: (value, style, number format)}}, the rows to write in order (with
        cells or a height)). A cell is written when something was put in it (a value, a style or
        a format) or when it replaces one of the unit's cells."""
        by_row = {}
        for row, cells in self._out.items():
            for col, (value, style, number_format) in cells.items():
                if not style and value is None and not number_format \
                        and self._existing(row, col) is None:     # nothing to write: rare
                    cells = {c: w for c, w in cells.items()
                             if w[1] or w[0] is not None or w[2] or self._existing(row, c) is not None}
                    break
            if cells:
                by_row[row] = cells
        for cell in self._cells.values():
            if cell.dirty and (cell._value is not None or cell.style or cell.number_format
                               or cell.elem is not None):
                cells = by_row.get(cell.row)
                if cells is None or cells is self._out.get(cell.row):     # never edit _out's own
                    cells = by_row[cell.row] = dict(cells or ())
                cells[cell.column] = (cell._value, cell.style, cell.number_format)
        heights = {r for r, d in self.row_dimensions.items() if d.height}
        return by_row, sorted(by_row.keys() | heights)

    @staticmethod
    def _cells_text(row: int, cells: dict, styles) -> list:
        """The <c> elements of one row as text, in column order (styles get their xfs in the
        order they first appear, row by row: styles.xml comes out the same every build)."""
        number, attributes, attribute = str(row), styles.attributes, styles.attribute
        return [_cell_xml(column_letters(col) + number,
                          attributes.get((style, number_format)) or attribute(style, number_format),
                          value)
                for col, (value, style, number_format) in sorted(cells.items())]

    def _rows_text(self, styles):
        """The <row> elements of a new sheet as text: the cells put there (text already), and any
        written through an XCell."""
        rows = self._text
        by_row, order = self._written()
        if by_row:          # XCells: rare on a new sheet; merged into their rows in column order
            rows = dict(rows)
            for row, cells in by_row.items():
                both = list(zip(self._text_cols.get(row, ()), rows.get(row, ())))
                both += zip(sorted(cells), self._cells_text(row, cells, styles))
                rows[row] = [text for _, text in sorted(both)]
        dims = self.row_dimensions
        for row in sorted(rows.keys() | set(order)):
            height = dims[row].height if row in dims else None
            attrs = f' ht="{_num(height)}" customHeight="1"' if height else ""
            yield f'<row r="{row}"{attrs}>' + "".join(rows.get(row, ())) + "</row>"

    def number_styles(self, styles) -> None:
        """Give the written cells their xfs now, in the order ``render`` will (row by row, left to
        right): a new sheet written after this one numbers its styles after them, and styles.xml
        comes out as if each sheet were rendered in turn."""
        by_row, order = self._written()
        attributes = styles.attributes
        for row in order:
            for col, (_, style, number_format) in sorted(by_row.get(row, {}).items()):
                if (style, number_format) not in attributes:
                    styles.attribute(style, number_format)

    def _cells_out(self, styles) -> None:
        """Splice the written cells into their rows. Most go after the last cell of a row: there a
        marker (a processing instruction) stands for them and ``render`` puts their text in the
        serialised sheet (moving thousands of parsed elements into the unit's tree cost more than
        the rest of the sheet). The others (before or in place of a unit's cell, in a row of their
        own, in a sheet whose main namespace has a prefix) are parsed from text in one go and put
        in place."""
        by_row, order = self._written()
        texts = {row: self._cells_text(row, by_row.get(row, {}), styles) for row in order}
        parsed_rows = []
        for row in order:
            cols = sorted(by_row.get(row, ()))
            row_el = self._rows.get(row)
            if row_el is not None and cols and row_el.prefix is None:
                last = _last_cell(row_el)
                if last is None or _column(last.get("r")) < cols[0]:
                    row_el.attrib.pop("spans", None)      # a hint of the old width: now wrong
                    row_el.append(etree.ProcessingInstruction(self._mark, str(len(self._spliced))))
                    self._spliced.append("".join(texts[row]))
                    self._height_out(row, row_el)
                    continue
            parsed_rows.append(row)
        if not parsed_rows:
            return
        text = [f'<sheetData xmlns="{MAIN}">']
        for row in parsed_rows:
            text.append(f'<row r="{row}">')
            text += texts[row]
            text.append("</row>")
        text.append("</sheetData>")
        parsed = _parse("".join(text).encode("utf-8"))
        for row, new_row in zip(parsed_rows, list(parsed)):
            cols = sorted(by_row.get(row, ()))
            row_el = self._rows.get(row)
            if row_el is None:           # a row the sheet did not have: the parsed one, as it is
                i = bisect.bisect(self._row_numbers, row)
                if i < len(self._row_numbers):
                    self._rows[self._row_numbers[i]].addprevious(new_row)
                else:
                    self.sheet_data.append(new_row)
                self._row_numbers.insert(i, row)
                self._rows[row] = row_el = new_row
            elif cols:
                row_el.attrib.pop("spans", None)
                _merge_cells(row_el, cols, list(new_row))
            self._height_out(row, row_el)
        self._index = {}       # the rows changed

    def _height_out(self, row: int, row_el) -> None:
        height = self.row_dimensions[row].height if row in self.row_dimensions else None
        if height:
            row_el.set("ht", _num(height))
            row_el.set("customHeight", "1")

    def _unmark(self, data: bytes) -> bytes:
        """The serialised sheet with each marker of ``_cells_out`` replaced by its cells."""
        pieces = [text.encode("utf-8") for text in self._spliced]
        found = []

        def piece(m) -> bytes:
            found.append(int(m[1]))
            return pieces[found[-1]] if found[-1] < len(pieces) else b""

        data = re.sub(rb"<\?" + self._mark.encode() + rb" (\d+)\?>", piece, data)
        if sorted(found) != list(range(len(pieces))):     # (cannot happen: checked all the same)
            raise PatchError("cell markers do not match")
        return data

    def _cols_out(self) -> None:
        widths = {column_index_from_string(k): d.width for k, d in self.column_dimensions.items()
                  if d.width is not None}
        if not widths:
            return
        cols_el = _child(self.root, "cols", SHEET_ORDER)
        spans = []       # (min, max, attributes)
        for el in cols_el.iterchildren(_q("col")):
            spans.append((int(el.get("min")), int(el.get("max")), dict(el.attrib)))
        for col, width in sorted(widths.items()):
            out = []
            for lo, hi, attrs in spans:
                if lo <= col <= hi:
                    if lo < col:
                        out.append((lo, col - 1, attrs))
                    if col < hi:
                        out.append((col + 1, hi, attrs))
                    base = dict(attrs)
                else:
                    out.append((lo, hi, attrs))
            base = next((dict(a) for lo, hi, a in spans if lo <= col <= hi), {})
            base.update(width=_num(width), customWidth="1")
            out.append((col, col, base))
            spans = sorted(out, key=lambda s: s[0])
        for el in list(cols_el):
            cols_el.remove(el)
        for lo, hi, attrs in spans:
            el = etree.SubElement(cols_el, _q("col"))
            attrs = dict(attrs, min=str(lo), max=str(hi))
            for key in ("min", "max", "width"):
                if key in attrs:
                    el.set(key, attrs.pop(key))
            for key, value in attrs.items():
                el.set(key, value)

    def _merges_out(self) -> None:
        if not self.merged_cells.new:
            return
        merged = _child(self.root, "mergeCells", SHEET_ORDER)
        for rng in self.merged_cells.new:
            etree.SubElement(merged, _q("mergeCell")).set("ref", rng.coord)
        merged.set("count", str(len(merged)))

    def _setup_out(self) -> None:
        setup = self.page_setup
        if any(v is not None for v in vars(setup).values()):
            el = _child(self.root, "pageSetup", SHEET_ORDER)
            for key in ("paperSize", "scale", "orientation", "fitToWidth", "fitToHeight"):
                value = getattr(setup, key)
                if value is not None:
                    el.set(key, str(value))
        fit = self.sheet_properties.pageSetUpPr.fitToPage
        if fit is not None:
            pr = _child(self.root, "sheetPr", SHEET_ORDER)
            _child(pr, "pageSetUpPr", SHEETPR_ORDER).set("fitToPage", "1" if fit else "0")
        margins = {k: v for k, v in vars(self.page_margins).items() if v is not None}
        if margins:
            el = _child(self.root, "pageMargins", SHEET_ORDER)
            for key, default in (("left", 0.75), ("right", 0.75), ("top", 1), ("bottom", 1),
                                 ("header", 0.5), ("footer", 0.5)):    # all six are required
                el.set(key, _num(margins[key]) if key in margins else el.get(key) or str(default))
        for tag, found, most in (("rowBreaks", self.row_breaks, "16383"), ("colBreaks", self.col_breaks, "1048575")):
            if not found:
                continue
            breaks = _child(self.root, tag, SHEET_ORDER)
            for brk in found:
                el = etree.SubElement(breaks, _q("brk"))
                el.set("id", str(brk.id))
                el.set("max", most)
                el.set("man", "1")
            breaks.set("count", str(len(breaks)))
            breaks.set("manualBreakCount", str(len(breaks)))
        rows_changed = self.print_title_rows != self._title_rows and self.print_title_rows
        if rows_changed or self.print_title_cols != self._title_cols:
            rows = self.print_title_rows if rows_changed else None
            if rows is None and self._title_rows:       # the unit's own repeated rows stay
                found = re.search(r"\$(\d+):\$(\d+)", self._title_rows)
                rows = f"{found[1]}:{found[2]}" if found else None
            self.book.set_print_titles(self.title, rows, self.print_title_cols)
        centre = self.oddFooter.center.text
        if centre != self._footer_centre:
            hf = _child(self.root, "headerFooter", SHEET_ORDER)
            footer = hf.find(_q("oddFooter"))
            if footer is None:
                footer = etree.Element(_q("oddFooter"))
                header = hf.find(_q("oddHeader"))
                if header is not None:
                    header.addnext(footer)
                else:
                    hf.insert(0, footer)
            footer.text = _with_section(footer.text or "", "C", centre or "")

    def _dimension_out(self) -> None:
        """<dimension>: the unit's old one widened to every cell of the sheet (its rows' first and
        last cells) and every cell asked for or written. Before the splice (_cells_out), which
        only adds written cells."""
        dim = self.root.find(_q("dimension"))
        rows, cols = [], []
        for row, row_el in self._rows.items():
            last = _last_cell(row_el)
            if last is not None:
                first = row_el[0] if row_el[0].tag == _C else next(row_el.iterchildren(_C))
                rows.append(row)
                cols += (_column(first.get("r")), _column(last.get("r")))
        rows += [r for r, _ in self._cells]
        cols += [c for _, c in self._cells]
        for row, cells in self._out.items():
            if cells:
                rows.append(row)
                cols += (min(cells), max(cells))
        for row, columns in self._text_cols.items():      # in column order
            rows.append(row)
            cols += (columns[0], columns[-1])
        rows += [r for r, _ in self._blank]
        cols += [c for _, c in self._blank]
        rows, cols = rows or [1], cols or [1]
        lo_r, hi_r, lo_c, hi_c = min(rows), max(rows), min(cols), max(cols)
        if dim is not None and dim.get("ref"):
            try:
                old = CellRange(dim.get("ref"))
                lo_r, hi_r = min(lo_r, old.min_row), max(hi_r, old.max_row)
                lo_c, hi_c = min(lo_c, old.min_col), max(hi_c, old.max_col)
            except (ValueError, TypeError):
                pass
        dim = _child(self.root, "dimension", SHEET_ORDER)
        dim.set("ref", f"{column_letters(lo_c)}{lo_r}:{column_letters(hi_c)}{hi_r}")


def _num(x) -> str:
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


def _section(text: str, which: str) -> str:
    """The &L/&C/&R section of a header or footer text ("" when it has none)."""
    found = re.search(rf"&{which}(.*?)(?=&[LCR]|$)", text, re.S)
    return found.group(1) if found else ""


def _with_section(text: str, which: str, value: str) -> str:
    if re.search(f"&{which}", text):
        return re.sub(rf"&{which}(.*?)(?=&[LCR]|$)", lambda m: f"&{which}{value}", text, count=1, flags=re.S)
    return f"{text}&{which}{value}"


def _escape(text: str) -> str:
    """Text as XML character data (a carriage return kept as one). str.translate with a table
    took 5 µs for a line of Chinese; most texts have none of these characters."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _cell_xml(ref: str, attribute: str, value) -> str:
    """One <c> element as text: text always an inline string (never a formula, SPEC 5).
    ``attribute``: its style (StylePatch.attribute)."""
    kind = type(value)        # the usual types first: thousands of cells a workbook
    if kind is float:
        if math.isfinite(value):
            return f'<c r="{ref}"{attribute}><v>{value!r}</v></c>'
        return f'<c r="{ref}"{attribute}/>'
    if kind is str and value:
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}"{attribute} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    head = f'<c r="{ref}"{attribute}'
    if value is None or value is _PRESENT or value == "":     # "" is an empty cell, as in openpyxl
        return head + "/>"
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'{head} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'{head} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{head}><v>{to_excel(value)!r}</v></c>"
    if isinstance(value, int):
        return f"{head}><v>{value}</v></c>"
    if isinstance(value, float):
        return f"{head}><v>{value!r}</v></c>" if math.isfinite(value) else head + "/>"
    return f'{head} t="inlineStr"><is><t>{_escape(str(value))}</t></is></c>'


def _merge_cells(row_el, cols: list, elements: list) -> None:
    """Put new <c> elements (of columns ``cols``, ascending) into a row among the unit's own: a
    cell of the same column is replaced, the others go in column order."""
    existing = [(_column(c.get("r")), c) for c in row_el.iterchildren(_C)]
    at = [col for col, _ in existing]
    replaced = dict(existing)
    for col, el in zip(cols, elements):
        old = replaced.get(col)
        if old is not None:
            old.addnext(el)
            row_el.remove(old)
            continue
        i = bisect.bisect(at, col)
        if i < len(at):
            existing[i][1].addprevious(el)
        else:
            row_el.append(el)
        at.insert(i, col)
        existing.insert(i, (col, el))


# What lxml refuses in text (it raises ValueError): control characters, U+FFFE, U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _last_cell(row_el):
    """The last <c> of a row, or None (usually its last child: looked at first)."""
    if len(row_el) and row_el[-1].tag == _C:
        return row_el[-1]
    return next(row_el.iterchildren(_C, reversed=True), None)


def _has_value(c) -> bool:
    """Whether a <c> holds a value (or a formula), not just a style."""
    for x in c:
        if x.tag in _VALUE_TAGS:
            return True
    return False


_ROW, _C = _q("row"), _q("c")
_VALUE_TAGS = {_q("v"), _q("is"), _q("f")}
_UNNUMBERED = etree.XPath("boolean(x:row/x:c[not(@r)])", namespaces={"x": MAIN})
_COLUMNS = {}


def _column(ref: str) -> int:
    """The column number of a reference ("AB12" -> 28)."""
    letters = ref.rstrip("0123456789$").lstrip("$")
    found = _COLUMNS.get(letters)
    if found is None:
        found = _COLUMNS[letters] = column_index_from_string(letters)
    return found


# -- styles.xml ------------------------------------------------------------------------------------
class StylePatch:
    """The package's styles.xml plus the xfs the annotation asks for, each made once.

    A new xf's number is known when it is asked for (the package's own xfs come first, then the
    new ones in the order asked); styles.xml is made when the package is saved. The same styles.xml
    and the same styles asked in the same order make the same part, and most units fill the same
    template: the part is kept for the next ones (_RENDERED)."""

    def __init__(self, data: bytes, specs: dict):
        self.data, self.specs = data, specs
        self.attributes = {}
        self.keys = []           # (style, number format) of each new xf, in order
        xfs = _parse(data).find(_q("cellXfs"))
        self.first = len(xfs) if xfs is not None else 0

    @property
    def changed(self) -> bool:
        return bool(self.keys)

    def attribute(self, style: str, number_format: str) -> str:
        """' s="7"' for a cell of this style and format ("" for the default)."""
        key = (style, number_format)
        found = self.attributes.get(key)
        if found is None:
            if not style and not number_format:
                found = ""
            else:
                xf = self.first + len(self.keys)
                self.keys.append(key)
                found = f' s="{xf}"' if xf else ""
            self.attributes[key] = found
        return found

    def render(self) -> bytes:
        key = (self.data, id(self.specs), tuple(self.keys))
        found = _RENDERED.get(key)
        if found is None or found[0] is not self.specs:
            found = _RENDERED[key] = (self.specs, _StyleBuilder(self.data, self.specs).build(self.keys,
                                                                                           self.first))
            while len(_RENDERED) > 32:
                _RENDERED.popitem(last=False)
        else:
            _RENDERED.move_to_end(key)
        return found[1]


_RENDERED = collections.OrderedDict()     # (styles.xml, specs, new xfs) -> (specs, the new styles.xml)


class _StyleBuilder:
    """styles.xml with new xfs: the fonts, fills, borders and number formats they need added once."""

    def __init__(self, data: bytes, specs: dict):
        self.root = _parse(data)
        self.specs = specs
        self.fonts, self.fills, self.borders = {}, {}, {}
        self.formats = {}
        fmts = self.root.find(_q("numFmts"))
        self.next_fmt = 164
        if fmts is not None:
            for f in fmts.iterchildren(_q("numFmt")):
                self.formats[f.get("formatCode")] = int(f.get("numFmtId"))
                self.next_fmt = max(self.next_fmt, int(f.get("numFmtId")) + 1)
        fonts = self.root.find(_q("fonts"))
        first = fonts.find(_q("font")) if fonts is not None else None
        self.base_font = {_local(c): c for c in first} if first is not None else {}

    def build(self, keys: list, first: int) -> bytes:
        """The part with an xf for each (style, number format), numbered from ``first`` on."""
        for n, (style, number_format) in enumerate(keys, first):
            if self._xf(self.specs.get(style, {}) if style else {}, number_format) != n:
                raise PatchError("styles.xml numbers its xfs unexpectedly")
        return _xml_bytes(self.root)

    def _append(self, tag: str, element) -> int:
        parent = _child(self.root, tag, STYLE_ORDER)
        parent.append(element)
        parent.set("count", str(len(parent)))
        return len(parent) - 1

    def _fmt_id(self, code: str) -> int:
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        if code not in self.formats:
            el = etree.Element(_q("numFmt"))
            el.set("numFmtId", str(self.next_fmt))
            el.set("formatCode", code)
            self._append("numFmts", el)
            self.formats[code] = self.next_fmt
            self.next_fmt += 1
        return self.formats[code]

    def _font(self, font) -> int:
        key = id(font)
        if key not in self.fonts:
            own = {_local(c): c for c in _foreign(font)}
            merged = {}
            for name in FONT_ORDER:
                if name in own:
                    merged[name] = own[name]
                elif name in self.base_font and name not in ("b", "i", "u", "strike"):
                    merged[name] = _copy(self.base_font[name])
            el = etree.Element(_q("font"))
            for name in FONT_ORDER:
                if name in merged:
                    el.append(merged[name])
            self.fonts[key] = self._append("fonts", el)
        return self.fonts[key]

    def _fill(self, fill) -> int:
        key = id(fill)
        if key not in self.fills:
            self.fills[key] = self._append("fills", _foreign(fill))
        return self.fills[key]

    def _border(self, border) -> int:
        key = id(border)
        if key not in self.borders:
            self.borders[key] = self._append("borders", _foreign(border))
        return self.borders[key]

    def _xf(self, spec: dict, number_format: str) -> int:
        xf = etree.Element(_q("xf"))
        xf.set("numFmtId", str(self._fmt_id(number_format) if number_format else 0))
        xf.set("fontId", str(self._font(spec["font"]) if "font" in spec else 0))
        xf.set("fillId", str(self._fill(spec["fill"]) if "fill" in spec else 0))
        xf.set("borderId", str(self._border(spec["border"]) if "border" in spec else 0))
        xf.set("xfId", "0")
        if number_format:
            xf.set("applyNumberFormat", "1")
        for name in ("font", "fill", "border", "alignment"):
            if name in spec:
                xf.set(f"apply{name.capitalize()}", "1")
        if "alignment" in spec:
            xf.append(_foreign(spec["alignment"]))
        return self._append("cellXfs", xf)


_FOREIGN = {}


def _foreign(obj):
    """An openpyxl style object (its unqualified tags) as a new lxml element in the main namespace.
    The style objects are the module-level specs, so their XML is made once per process."""
    data = _FOREIGN.get(id(obj))
    if data is None:
        data = _FOREIGN[id(obj)] = (obj, b'<x xmlns="' + MAIN.encode() + b'">' + op_tostring(obj.to_tree())
                                    + b"</x>")
    return _parse(data[1])[0]


def _copy(el):
    return etree.fromstring(etree.tostring(el))


# -- the workbook ------------------------------------------------------------------------------------
class _SheetRef:
    """A sheet of the package the annotation does not open (copied as it is unless deselected)."""

    def __init__(self, title: str, part: str):
        self.title, self.part = title, part
        self.sheet_view = SimpleNamespace(tabSelected=None)


class XmlBook:
    """The unit's package: the workbook part, its sheets by name, and the changes to write."""

    def __init__(self, data: bytes, specs: dict = None):
        self.zip = RawZip(data)
        self.specs = specs or {}     # style name -> openpyxl style objects (annotate.Styles.SPECS)
        self._styles = None
        self.replaced = {}       # part -> new bytes
        self.added = {}          # part -> bytes (new parts)
        rels = self._rels("", "_rels/.rels")
        office = [t for kind, t in rels.values() if kind == T_OFFICE]
        if not office:
            raise PatchError("no workbook part")
        self.workbook_part = office[0]
        self.wb_root = _parse(self.read(self.workbook_part))
        if self.wb_root.tag != _q("workbook"):
            raise PatchError("not a transitional workbook (Strict OOXML?)")
        self.ct_root = _parse(self.read("[Content_Types].xml"))
        main = self._content_type("/" + self.workbook_part) or ""
        if "macroEnabled" in main or "template" in main:
            raise PatchError(f"workbook type {main}")
        self.wb_rels_part = _rels_of(self.workbook_part)
        self.wb_rels_root = _parse(self.read(self.wb_rels_part))
        self.wb_rels = self.rels_of(self.workbook_part)
        styles = [t for kind, t in self.wb_rels.values() if kind == T_STYLES]
        if not styles:
            raise PatchError("no styles part")
        self.styles_part = styles[0]
        self._sheets = []        # [(name, part or None, element)]
        for el in self.wb_root.find(_q("sheets")).iterchildren(_q("sheet")):
            kind, target = self.wb_rels.get(el.get(_q("id", REL)), (None, None))
            self._sheets.append((el.get("name"), target if kind == T_WORKSHEET else None, el))
        self.open = {}
        self.refs = [_SheetRef(name, part) for name, part, _ in self._sheets]
        self.created = []
        self.active = None
        self.title_changes = {}

    # package reading
    def exists(self, part: str) -> bool:
        return part in self.zip.by_name or part in self.added

    def read(self, part: str) -> bytes:
        if part in self.added:
            return self.added[part]
        if part not in self.zip.by_name:
            raise PatchError(f"missing part {part}")
        return self.zip.read(part)

    def _rels(self, part: str, rels_part: str = None) -> dict:
        rels_part = rels_part or _rels_of(part)
        if not self.exists(rels_part):
            return {}
        out = {}
        for el in _parse(self.read(rels_part)).iterchildren(_q("Relationship", PKG_REL)):
            if el.get("TargetMode") == "External":
                continue
            out[el.get("Id")] = (el.get("Type"), _resolve(part or "x", el.get("Target")))
        return out

    def rels_of(self, part: str) -> dict:
        return self._rels(part)

    def _content_type(self, name: str):
        for el in self.ct_root.iterchildren(_q("Override", CT)):
            if el.get("PartName") == name:
                return el.get("ContentType")
        return None

    # openpyxl's API, as result_sheet uses it
    @property
    def sheetnames(self) -> list:
        return [name for name, _, _ in self._sheets] + [s.title for s in self.created]

    @property
    def worksheets(self) -> list:
        return [self.open.get(ref.part, ref) for ref in self.refs] + self.created

    def __getitem__(self, name: str) -> XmlSheet:
        for ref in self.refs:
            if ref.title == name:
                if ref.part is None:
                    raise PatchError(f"{name} is not a worksheet")
                if ref.part not in self.open:
                    self.open[ref.part] = XmlSheet(self, name, ref.part, _parse(self.read(ref.part)))
                return self.open[ref.part]
        raise PatchError(f"no sheet {name}")

    def create_sheet(self, title: str) -> XmlSheet:
        n = 1
        while self.exists(f"xl/worksheets/sheet{n}.xml") or any(
                s.part == f"xl/worksheets/sheet{n}.xml" for s in self.created):
            n += 1
        sheet = XmlSheet(self, title, f"xl/worksheets/sheet{n}.xml")
        self.created.append(sheet)
        return sheet

    # defined names
    def _sheet_index(self, title: str) -> int:
        return self.sheetnames.index(title)

    def print_titles(self, title: str):
        names = self.wb_root.find(_q("definedNames"))
        if names is None or title not in self.sheetnames:
            return None
        index = str(self._sheet_index(title))
        for el in names.iterchildren(_q("definedName")):
            if el.get("name") == "_xlnm.Print_Titles" and el.get("localSheetId") == index:
                return el.text
        return None

    def set_print_titles(self, title: str, rows: str = None, cols: str = None) -> None:
        """The sheet's _xlnm.Print_Titles: repeated columns ("A:C") and rows ("4:4"), replacing
        the one it had."""
        names = _child(self.wb_root, "definedNames", BOOK_ORDER)
        index = str(self._sheet_index(title))
        for el in list(names.iterchildren(_q("definedName"))):
            if el.get("name") == "_xlnm.Print_Titles" and el.get("localSheetId") == index:
                names.remove(el)
        quoted = "'" + title.replace("'", "''") + "'"
        parts = []
        for span in (cols, rows):
            if span:
                first, _, last = span.partition(":")
                parts.append(f"{quoted}!${first}:${last or first}")
        if parts:
            el = etree.SubElement(names, _q("definedName"))
            el.set("name", "_xlnm.Print_Titles")
            el.set("localSheetId", index)
            el.text = ",".join(parts)

    # writing
    def styles(self) -> "StylePatch":
        """styles.xml with the xfs the writing asks for, made when first needed: by a new sheet's
        first cell, or when saved. The open sheets' cells are numbered first (number_styles)."""
        if self._styles is None:
            self._styles = StylePatch(self.read(self.styles_part), self.specs)
            for sheet in self.open.values():
                sheet.number_styles(self._styles)
        return self._styles

    def save(self, path, when: dt.datetime, specs: dict = None) -> None:
        if specs is not None and self._styles is None:
            self.specs = specs
        styles = self.styles()
        stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
        for part, sheet in self.open.items():
            self._comments_out(sheet)       # first: a new comments part adds <legacyDrawing>
            self.replaced[part] = sheet.render(styles)
        sheets_el = self.wb_root.find(_q("sheets"))
        used_ids = [int(el.get("sheetId") or 0) for el in sheets_el]
        for sheet in self.created:
            self.added[sheet.part] = sheet.render(styles)
            rid = self._add_rel(self.wb_rels_root, T_WORKSHEET, _relative(self.workbook_part, sheet.part))
            el = etree.SubElement(sheets_el, _q("sheet"))
            el.set("name", sheet.title)
            used_ids.append(max(used_ids, default=0) + 1)
            el.set("sheetId", str(used_ids[-1]))
            el.set(_q("id", REL), rid)
            self._override("/" + sheet.part, CT_WORKSHEET)
        for ref in self.refs:
            if ref.part and ref.part not in self.open and ref.sheet_view.tabSelected is False:
                data = self.read(ref.part)
                if b'tabSelected="1"' in data:
                    self.replaced[ref.part] = data.replace(b'tabSelected="1"', b'tabSelected="0"')
        if self.active is not None:
            views = _child(self.wb_root, "bookViews", BOOK_ORDER)
            view = views.find(_q("workbookView"))
            if view is None:
                view = etree.SubElement(views, _q("workbookView"))
            view.set("activeTab", str(self.active))
            if int(view.get("firstSheet") or 0) > self.active:
                view.set("firstSheet", str(self.active))
        if styles.changed:
            self.replaced[self.styles_part] = styles.render()
        self.replaced[self.workbook_part] = _xml_bytes(self.wb_root)
        self._store(self.wb_rels_part, _xml_bytes(self.wb_rels_root))
        self.replaced["[Content_Types].xml"] = _xml_bytes(self.ct_root)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            out = ZipWriter(fh, PART_LEVEL)
            for info in self.zip.infos:
                name = info.filename
                if name in self.replaced:
                    out.add(name, self.replaced[name], stamp)
                else:
                    out.copy(info, self.zip.raw(info))
            for name, data in self.added.items():
                out.add(name, data, stamp)
            out.close()

    def _store(self, part: str, data: bytes) -> None:
        if part in self.zip.by_name:
            self.replaced[part] = data
        else:
            self.added[part] = data

    def _add_rel(self, rels_root, kind: str, target: str) -> str:
        ids = {el.get("Id") for el in rels_root}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        el = etree.SubElement(rels_root, _q("Relationship", PKG_REL))
        el.set("Id", f"rId{n}")
        el.set("Type", kind)
        el.set("Target", target)
        return f"rId{n}"

    def _override(self, name: str, content_type: str) -> None:
        el = etree.SubElement(self.ct_root, _q("Override", CT))
        el.set("PartName", name)
        el.set("ContentType", content_type)

    def _free(self, pattern: str) -> str:
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def _comments_out(self, sheet: XmlSheet) -> None:
        changed = [c for c in sheet._cells.values() if c.comment_dirty and c._comment is not None]
        if not changed:
            return
        if sheet.comments_root is None:
            sheet.comments_root = _parse(f'<comments xmlns="{MAIN}"><authors/><commentList/>'
                                         f'</comments>'.encode())
            sheet.comments_part = self._free("xl/comments{}.xml")
            new_part = True
        else:
            new_part = False
        root = sheet.comments_root
        authors_el = _child(root, "authors", ("authors", "commentList", "extLst"))
        authors = [a.text or "" for a in authors_el]
        clist = _child(root, "commentList", ("authors", "commentList", "extLst"))
        # New comments go at the end of the list as text, through a marker (as _cells_out's
        # cells): a hundred and fifty lxml elements built one by one cost more than the rest.
        mark = "tzreport-comments-" + secrets.token_hex(8) if clist.prefix is None else None
        texts, shapes = [], []
        for cell in sorted(changed, key=lambda c: (c.row, c.column)):
            comment = cell._comment
            old = cell.original         # the unit's own comment: ours is appended to it
            if old is not None:
                _append_text(old.elem, old.text, comment.text)
                continue
            author = comment.author or ""
            if author not in authors:
                etree.SubElement(authors_el, _q("author")).text = author
                authors.append(author)
            if mark:
                if _XML_INVALID.search(comment.text):      # as lxml would refuse it
                    raise PatchError("a comment with a character XML cannot hold")
                texts.append(f'<comment ref="{cell.coordinate}" authorId="{authors.index(author)}">'
                             f'<text><t xml:space="preserve">{_escape(comment.text)}</t></text></comment>')
            else:
                el = etree.SubElement(clist, _q("comment"))
                el.set("ref", cell.coordinate)
                el.set("authorId", str(authors.index(author)))
                t = etree.SubElement(etree.SubElement(el, _q("text")), _q("t"))
                t.text = comment.text
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            shapes.append((cell.row - 1, cell.column - 1, getattr(comment, "width", 160) or 160,
                           getattr(comment, "height", 80) or 80))
        if texts:
            marker = etree.ProcessingInstruction(mark)
            clist.append(marker)
            data = _xml_bytes(root)
            clist.remove(marker)
            head, found, tail = data.partition(etree.tostring(marker))
            if not found:
                raise PatchError("comment marker lost")
            data = head + "".join(texts).encode("utf-8") + tail
        else:
            data = _xml_bytes(root)
        if new_part:
            self.added[sheet.comments_part] = data
            self._override("/" + sheet.comments_part, CT_COMMENTS)
            rels_part = _rels_of(sheet.part)
            rels_root = _parse(self.read(rels_part)) if self.exists(rels_part) else \
                _parse(f'<Relationships xmlns="{PKG_REL}"/>'.encode())
            self._add_rel(rels_root, T_COMMENTS, _relative(sheet.part, sheet.comments_part))
            if sheet.vml_part is None:
                sheet.vml_part = self._free("xl/drawings/vmlDrawing{}.vml")
                rid = self._add_rel(rels_root, T_VML, _relative(sheet.part, sheet.vml_part))
                self.added[sheet.vml_part] = _VML_HEAD + _VML_END
                self._default_vml()
                legacy = _child(sheet.root, "legacyDrawing", SHEET_ORDER)
                legacy.set(_q("id", REL), rid)
            self._store(rels_part, _xml_bytes(rels_root))
        else:
            self.replaced[sheet.comments_part] = data
        if shapes:
            self._store(sheet.vml_part, _vml_with(self.read(sheet.vml_part), shapes))

    def _default_vml(self) -> None:
        for el in self.ct_root.iterchildren(_q("Default", CT)):
            if (el.get("Extension") or "").lower() == "vml":
                return
        el = etree.Element(_q("Default", CT))
        el.set("Extension", "vml")
        el.set("ContentType", CT_VML)
        self.ct_root.insert(0, el)


def _append_text(elem, old_text: str, new_text: str) -> None:
    """Keep the unit's runs (their fonts) and add ours after them."""
    text_el = elem.find(_q("text"))
    if text_el is None:
        text_el = etree.SubElement(elem, _q("text"))
    kept = old_text.rstrip()
    if new_text.startswith(kept):
        extra = new_text[len(kept):]
    else:
        for child in list(text_el):
            text_el.remove(child)
        extra = new_text
    if text_el.find(_q("t")) is not None and text_el.find(_q("r")) is None:
        # a plain <t>: turn it into a run so a second run can follow
        t = text_el.find(_q("t"))
        text_el.remove(t)
        run = etree.SubElement(text_el, _q("r"))
        run.append(t)
    run = etree.SubElement(text_el, _q("r"))
    t = etree.SubElement(run, _q("t"))
    t.text = extra
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


_VML_HEAD = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
             b'<o:idmap v:ext="edit" data="1"/></o:shapelayout>')
_VML_END = b"</xml>"
_VML_TYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
             b'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_with(vml: bytes, shapes: list) -> bytes:
    """The VML drawing with a note shape for each new comment (row0, col0, width px, height px)."""
    numbers = [int(n) for n in re.findall(rb"_x0000_s(\d+)", vml)]
    n = max(numbers, default=1024) + 1
    parts = [] if b'id="_x0000_t202"' in vml else [_VML_TYPE]
    for row, col, width, height in shapes:
        cols, rows = 1 + math.ceil(width / 64), math.ceil(height / 20)
        parts.append(
            f'<v:shape id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            f'margin-top:1.5pt;width:{width * 0.75:g}pt;height:{height * 0.75:g}pt;z-index:{n - 1024};'
            f'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            f'<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            f'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>{col + 1}, 15, {max(0, row - 1)}, 10, {col + cols}, 15, {row + rows}, 4</x:Anchor>'
            f'<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>'
            f'</x:ClientData></v:shape>'.encode())
        n += 1
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise PatchError("VML drawing without </xml>")
    return vml[:end] + b"".join(parts) + vml[end:]
