"""Workbook access: the only module that opens spreadsheet files.

Values come from python-calamine (fast, reads .xlsx/.xlsm/.xls/.ods, cached formula values). Sheets
are kept as full grids so that a value's Excel address is always its real one. For .xlsx/.xlsm the
sheet XML is also scanned (by regular expressions: no entity is ever expanded) for what calamine does
not report: hidden rows and formulas that were never calculated.
"""
from __future__ import annotations

import functools
import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.parsers import expat

import python_calamine as calamine

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
# Limits, checked before anything is decompressed or parsed, the same for build and check: a real
# submission is a few hundred KiB, a province's consolidated 完成情况 sheet about 300,000 rows × 9.
MAX_FILE_BYTES = 200 * 1024 * 1024        # the file itself
MAX_MEMBERS = 5000                        # zip members
MAX_UNCOMPRESSED = 512 * 1024 * 1024      # zip members together, as declared (zipfile stops there)
MAX_CELLS = 6_000_000                     # one sheet's grid from A1 to its last cell
MAX_COLUMNS = 1000                        # cells further right are strays, never a table's
FAR_GAP = 10_000                          # empty rows after which a cell is a stray, not the table


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message is Chinese and names no file."""


class SheetError(WorkbookError):
    """One sheet that cannot be read (too large); the rest of the workbook can."""


_LETTERS = [""]       # column number -> letters, made as far as asked, once per process


def column_letters(col: int) -> str:
    """Excel's letters of column number ``col`` (1 -> "A", 28 -> "AB", 16384 -> "XFD"): the one
    definition every reader and writer of cells uses; 0-based indices add 1 first."""
    try:
        return _LETTERS[col]        # asked for every cell an edited sheet writes: the quick way
    except IndexError:
        pass
    while col >= len(_LETTERS):
        n, letters = len(_LETTERS), ""
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        _LETTERS.append(letters)
    return _LETTERS[col]


def cell_ref(row: int, col: int) -> str:
    """0-based row and column -> "B12"."""
    return f"{column_letters(col + 1)}{row + 1}"


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class Sheet:
    name: str
    rows: list                                   # grid from A1: rows[r][c], '' for empty
    merged: list = field(default_factory=list)   # [((r0, c0), (r1, c1))] 0-based inclusive
    hidden_rows: set = field(default_factory=set)        # 0-based
    formula_cells: set = field(default_factory=set)      # (r, c) of formulas with no cached value
    percent_cells: set = field(default_factory=set)      # (r, c) of numbers shown as 7.6% (0.076)

    def get(self, row: int, col: int):
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""

    def merged_at(self, row: int, col: int):
        """The merged range covering (row, col) when it is not the range's top-left cell."""
        for (r0, c0), (r1, c1) in self.merged:
            if r0 <= row <= r1 and c0 <= col <= c1 and (row, col) != (r0, c0):
                return f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
        return None


class Workbook:
    """An opened workbook. ``sheet(name)`` reads one sheet on demand.

    ``problems`` collects (sheet, cell, message) met while reading (stray far cells left out); the
    reader of the file turns them into issues naming the file."""

    def __init__(self, path: Path, data: bytes, book, is_ooxml: bool, package=None, inflated=None):
        self.path = path
        self._data = data
        self._book = book
        self._ooxml = is_ooxml
        self.sheet_names = list(book.sheet_names)
        self._sheet_xml = None
        self._percent_styles = None
        self._zip = package
        self._inflated = inflated or {}     # sheet XML inflated by the checks of open_workbook
        self.problems = []

    def _zipfile(self) -> zipfile.ZipFile:
        """The package, its directory parsed once (each part used to open it anew: 7 times a file)."""
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
        return self._zip

    def sheet(self, name: str) -> Sheet:
        """One sheet as a grid from A1; SheetError when it is too large to hold."""
        sheet = Sheet(name=name, rows=[])
        book = self._book
        if self._ooxml:
            data = self._sheet_bytes(name)
            if data is not None:
                keep = _check_extent(name, data, self.problems)
                if keep is not None:       # stray far cells: read a copy of the sheet without them
                    book = self._trimmed_book(name, _drop_cells(data, keep))
                self._scan_xml(sheet, data)
        try:
            raw = book.get_sheet_by_name(name)
            height, width = raw.total_height + 1, raw.total_width + 1
            if raw.height and height * width > MAX_CELLS:   # .xls/.xlsb/.ods: before Python holds it
                raise SheetError(_too_large(name, height, width))
            sheet.rows = raw.to_python(skip_empty_area=False) if raw.height else []
        except SheetError:
            raise
        except Exception as exc:  # noqa: BLE001 — calamine's errors on damaged sheets vary
            raise SheetError(f"工作表“{name}”已损坏，无法读取（{type(exc).__name__}）") from exc
        try:
            sheet.merged = list(raw.merged_cell_ranges or [])
        except Exception:  # not every format reports merges
            sheet.merged = []
        return sheet

    def sheet_size(self, name: str) -> int:
        """The stored size of a sheet (its XML) where cheap to know, else 0: to try small ones first."""
        if not self._ooxml:
            return 0
        member = self._sheet_paths().get(name)
        try:
            return self._zipfile().getinfo(member).file_size if member else 0
        except (KeyError, zipfile.BadZipFile):
            return 0

    # -- OOXML extras -------------------------------------------------------------------------
    def _sheet_paths(self) -> dict:
        """Sheet name -> zip member, from workbook.xml and its relationships."""
        if self._sheet_xml is None:
            self._sheet_xml = {}
            try:
                zf = self._zipfile()
                rels = {}
                for tag, attrs in _start_tags(zf.read("xl/_rels/workbook.xml.rels")):
                    if tag.endswith("Relationship"):
                        rels[attrs.get("Id")] = attrs.get("Target")
                for tag, attrs in _start_tags(zf.read("xl/workbook.xml")):
                    if tag.endswith("}sheet"):
                        rid = next((v for k, v in attrs.items() if k.endswith("}id")), None)
                        target = rels.get(rid, "")
                        if target.startswith("/"):
                            member = target.lstrip("/")
                        else:
                            member = str(PurePosixPath("xl") / target)
                        self._sheet_xml[attrs.get("name")] = member
            except Exception:  # noqa: BLE001 — calamine read it; the extras are best effort
                pass
        return self._sheet_xml

    def _sheet_bytes(self, name: str):
        member = self._sheet_paths().get(name)
        if not member:
            return None
        if member in self._inflated:
            return self._inflated.pop(member)      # once: a sheet is read once, then dropped
        try:
            return self._zipfile().read(member)
        except (KeyError, zipfile.BadZipFile, ValueError, OSError):
            return None

    def _trimmed_book(self, name: str, data: bytes):
        member = self._sheet_paths()[name]
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(self._data)) as src, \
                zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, data if info.filename == member else src.read(info))
        buf.seek(0)
        return calamine.CalamineWorkbook.from_filelike(buf)

    def percent_styles(self) -> set:
        """Indexes of the cell formats (styles.xml cellXfs) that show a number as a percentage."""
        if self._percent_styles is None:
            self._percent_styles = set()
            try:
                zf = self._zipfile()
                member = next((n for n in zf.namelist() if n.lower() == "xl/styles.xml"), None)
                if member:
                    self._percent_styles = percent_style_indexes(zf.read(member))
            except Exception:  # noqa: BLE001 — a broken styles part only loses this check
                pass
        return self._percent_styles

    def _scan_xml(self, sheet: Sheet, data: bytes) -> None:
        """Hidden rows, uncalculated formulas and percent-formatted numbers, by regular expressions
        over the sheet XML.

        Only attributes and tag names are looked at, so no entity is ever expanded; a sheet with
        none of them costs a few byte searches."""
        if b"hidden=" in data:
            for m in _ROW.finditer(data):
                attrs = m.group(1)
                if _HIDDEN.search(attrs):
                    r = _R_ATTR.search(attrs)
                    if r:
                        sheet.hidden_rows.add(int(r.group(1)) - 1)
        percent = self.percent_styles()
        # Every match of _FORMULA holds "<f" or ":f": a byte search first spares the regex scan.
        formulas = (b"<f" in data or b":f" in data) and _FORMULA.search(data)
        if not formulas and percent and len(percent) <= 64 and b" s=" in data:
            # Only percent-formatted cells are of interest: let the regex skip the others (a Python
            # step per cell was 0.3 ms of a 150-row submission). The loop below rechecks each match.
            cells = _styled_cells(frozenset(percent)).finditer(data)
        elif formulas or (percent and b" s=" in data):
            cells = _CELL.finditer(data)
        else:
            cells = ()
        for m in cells:
            attrs, body = m.group(1), m.group(2)
            if not body:
                continue
            ref = _REF.search(attrs)
            if not ref:
                continue
            at = (int(ref.group(2)) - 1, _column_index(ref.group(1).decode()))
            if _FORMULA.search(body) and not _VALUE.search(body):
                sheet.formula_cells.add(at)
            if percent:
                style = _S_ATTR.search(attrs)
                if style and int(style.group(1)) in percent and not _TYPE_TEXT.search(attrs):
                    sheet.percent_cells.add(at)


@functools.lru_cache(maxsize=64)
def _styled_cells(styles: frozenset):
    """_CELL for only the cells whose s attribute is one of ``styles`` (a lookahead inside the tag)."""
    alternatives = b"|".join(str(i).encode() for i in sorted(styles))
    return re.compile(rb"<(?:\w+:)?c\b(?=[^>]*?\bs=\"0*(?:" + alternatives + rb")\")([^>]*?)"
                      rb"(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)


def _start_tags(xml: bytes) -> list:
    """(tag, attributes) of each element of a small XML part, in document order, names as
    "namespace}local"; ValueError or ExpatError when it is not well formed. Expat without a tree
    (defusedxml's iterparse cost 0.1 ms a file); a part declaring entities was refused by
    _check_members, and is refused here too."""
    found = []
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_):
        raise ValueError("entity declared")
    parser.StartElementHandler = lambda tag, attrs: found.append((tag, attrs))
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.Parse(xml, True)
    return found


def percent_style_indexes(styles: bytes) -> set:
    """cellXfs indexes whose number format is 0% / 0.00% (built-in 9, 10) or a custom one with %."""
    custom = {}
    for m in _NUMFMT.finditer(styles):
        attrs = m.group(1)
        fid, code = _NUMFMT_ID.search(attrs), _FORMAT_CODE.search(attrs)
        if fid and code:
            custom[int(fid.group(1))] = code.group(1).decode("utf-8", "replace")
    percent_ids = {9, 10} | {i for i, code in custom.items() if _is_percent_format(code)}
    found = set()
    xfs = _CELL_XFS.search(styles)
    if xfs:
        for index, m in enumerate(_XF.finditer(xfs.group(1))):
            fid = _NUMFMT_ID.search(m.group(1))
            if fid and int(fid.group(1)) in percent_ids:
                found.add(index)
    return found


def _is_percent_format(code: str) -> bool:
    """A % outside quoted text, escapes and [colour] parts of the format's first section."""
    code = code.replace("&quot;", '"')
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).split(";")[0]
    return "%" in code


def _check_extent(name: str, data: bytes, problems: list):
    """Guard calamine (which holds a sheet as one dense grid: a lone cell at XFD1048576 asks for
    512 GiB and aborts the process) by the cell references in the XML, before it reads the sheet.

    -> None when the sheet may be read as it is; else the (last row, last column), 0-based, to keep:
    cells right of MAX_COLUMNS or below a gap of FAR_GAP empty rows are strays (a space typed far
    away), reported in ``problems`` and left out. SheetError when even the kept part is too large."""
    if _surely_fits(data):
        return None
    cells = _valued_cells(data)
    if not cells:
        if len(_ANY_CELL.findall(data)) > MAX_CELLS:   # cells without references: dense anyway
            raise SheetError(_too_large(name, len(_ROW.findall(data)), 0))
        return None
    max_row = max(r for r, _ in cells)
    max_col = max(c for _, c in cells)
    if max_row * (max_col + 1) <= MAX_CELLS:
        return None
    near = [(r, c) for r, c in cells if c < MAX_COLUMNS]
    rows = sorted({r for r, _ in near})
    last = rows[0] if rows else 0
    for r in rows[1:]:
        if r - last > FAR_GAP:
            break
        last = r
    keep_col = max((c for r, c in near if r <= last), default=0)
    strays = sorted((r, c) for r, c in cells if r > last or c >= MAX_COLUMNS)
    if not strays:
        raise SheetError(_too_large(name, max_row, max_col + 1))
    shown = "、".join(cell_ref(r - 1, c) for r, c in strays[:3]) + ("等" if len(strays) > 3 else "")
    problems.append((name, cell_ref(strays[0][0] - 1, strays[0][1]),
                     f"{len(strays)}个单元格（{shown}）远在表格之外，未读取（多为误输入的空格；"
                     "请选中后删除并保存）"))
    if last * (keep_col + 1) > MAX_CELLS:
        raise SheetError(_too_large(name, last, keep_col + 1))
    return last - 1, keep_col


def _surely_fits(data: bytes) -> bool:
    """A cheap sufficient condition for ``_check_extent`` to pass the sheet as it is, in a few C-level
    scans instead of a Python loop per value (2.7 ms of a submission's 14 ms; 6 s of a province's
    目标 sheet): the largest row and column that any cell reference names, blank cells included (so
    an upper bound of the valued ones), span at most MAX_CELLS, and there are too few cell tags for
    the reference-less check to fire. Anything else takes the exact path below."""
    # Each match of _ANY_CELL holds its own "<c" or ":c", so these counts bound how many there are.
    if data.count(b"<c") + data.count(b":c") > MAX_CELLS:
        return False
    refs = _ANY_REF.findall(data)      # a superset of the references _REF finds in a cell tag
    if not refs:
        return True
    last_row = max(map(int, {row for _, row in refs}))
    last_col = max(_column_index(letters.decode()) for letters in {letters for letters, _ in refs})
    return last_row * (last_col + 1) <= MAX_CELLS


_CELL_WINDOW = 4096


def _valued_cells(data: bytes) -> list:
    """(1-based row, 0-based column) of every cell holding a value (<v> or <is>); calamine skips
    the rest (<c r="A7" s="1"></c>, a formatted blank, of which a sheet may have a million).

    Found from the values backwards, which costs a byte search where blanks are the many."""
    cells = []
    for m in _VALUE_TAG.finditer(data):
        pos = m.start()
        # A value sits a few hundred bytes after its cell's start tag: search back that far first.
        # Searching back to the start of the sheet for each value (a prefix that is absent, as
        # ":c " is in most files, is looked for all the way) made a 150,000-row sheet take minutes.
        low = max(0, pos - _CELL_WINDOW)
        start = max(data.rfind(b"<c ", low, pos), data.rfind(b":c ", low, pos))
        if start < 0 and low:
            start = max(data.rfind(b"<c ", 0, pos), data.rfind(b":c ", 0, pos))
        if start < 0:
            continue
        end = data.find(b">", start, pos)
        ref = _REF.search(data, start, end) if end > 0 else None
        if ref:
            cells.append((int(ref.group(2)), _column_index(ref.group(1).decode())))
    return cells


def _drop_cells(data: bytes, keep) -> bytes:
    """The sheet XML without the cells beyond ``keep`` = (last row, last column), 0-based."""
    last_row, last_col = keep

    def cell(m):
        ref = _REF.search(m.group(1))
        if ref and (int(ref.group(2)) - 1 > last_row or _column_index(ref.group(1).decode()) > last_col):
            return b""
        return m.group(0)
    data = _CELL.sub(cell, data)
    return _DIMENSION.sub(b"", data)


def _too_large(name: str, rows: int, cols: int) -> str:
    size = f"{rows}行×{cols}列" if cols else f"{rows}行"
    return (f"工作表“{name}”过大（{size}，超过{MAX_CELLS:,}个单元格的上限），未读取；"
            "请删除多余的行列后重新保存")


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_R_ATTR = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v>[^<]|is\b)")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
# Without \b (which defeats the regex engine's literal-prefix search): more matches, never fewer.
_ANY_REF = re.compile(rb'r="([A-Z]{1,3})(\d{1,7})"')
_S_ATTR = re.compile(rb'\bs="(\d+)"')
_TYPE_TEXT = re.compile(rb'\bt="(?:s|str|inlineStr|b|e)"')
_VALUE_TAG = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c\b")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_NUMFMT_ID = re.compile(rb'\bnumFmtId="(\d+)"')
_FORMAT_CODE = re.compile(rb'\bformatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")


def _looks_encrypted_ole(data: bytes) -> bool:
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode(
        "utf-16-le") in data


def read_guarded(path: Path) -> bytes:
    """The bytes of a workbook file, after the checks that need no parsing: a regular file (a FIFO
    would block forever), not over MAX_FILE_BYTES, and for a zip, members and declared sizes within
    the limits (zipfile never inflates a member past its declared size). WorkbookError otherwise.

    ``check`` calls this too before openpyxl opens a unit's file for its 退回 copy."""
    return _read_guarded(path)[0]


def _read_guarded(path) -> tuple:
    """read_guarded -> (the bytes, the opened zip package or None), the package read once."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise WorkbookError(f"无法读取文件（{exc.strerror or exc}）") from exc
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError("不是普通文件（管道、设备或其他特殊文件），未读取")
    if info.st_size > MAX_FILE_BYTES:
        raise WorkbookError(f"文件过大（{info.st_size / 1024 / 1024:.0f} MB，上限"
                            f"{MAX_FILE_BYTES // 1024 // 1024} MB），未读取")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise WorkbookError(f"无法读取文件（{exc.strerror or exc}）") from exc
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError("文件过大，未读取")
    zf = None
    if data.startswith(b"PK\x03\x04"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise WorkbookError("文件已损坏（不是完整的压缩包），请重新保存后报送") from exc
        total = sum(i.file_size for i in infos)
        if len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
            raise WorkbookError(f"压缩内容异常庞大（解压后约{total / 1024 / 1024:.0f} MB，上限"
                                f"{MAX_UNCOMPRESSED // 1024 // 1024} MB），疑似恶意文件，未读取")
    return data, zf


MAX_COPY_XML = 8 * 1024 * 1024    # sheets' XML together, for an openpyxl copy (~100,000 cells)


def copy_allowed(path) -> bool:
    """Whether a unit's .xlsx may be opened whole by openpyxl (for `check`'s marked copy): within
    the reading limits, and its sheets small enough to hold as openpyxl objects."""
    try:
        data = read_guarded(path)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            sheets = sum(i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))
    except (WorkbookError, zipfile.BadZipFile, ValueError, OSError):
        return False
    return sheets <= MAX_COPY_XML


KEEP_INFLATED = 64 * 1024 * 1024     # worksheets' XML kept from the check for the reading, in all


def _check_members(zf: zipfile.ZipFile) -> dict:
    """Every member inflates with a good checksum (zipfile checks it at the end of each), and no XML
    part opens with a DTD declaring entities (the "billion laughs" bomb): one pass over the zip.
    -> {member: bytes} of the worksheets, so that reading them does not inflate them again."""
    kept, room = {}, KEEP_INFLATED       # bounded: a hostile zip may declare 512 MiB of sheets
    for info in zf.infolist():
        try:
            with zf.open(info) as fh:
                head = fh.read(8192)
                if info.filename.startswith("xl/worksheets/") and info.file_size <= room:
                    kept[info.filename] = head + fh.read()
                    room -= info.file_size
                while fh.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise WorkbookError(f"文件已损坏（{info.filename} 校验失败），请重新保存后报送") from exc
        if info.filename.endswith((".xml", ".rels")) and (b"<!ENTITY" in head or (
                b"<!DOCTYPE" in head and b"[" in head.split(b"<!DOCTYPE", 1)[1][:200])):
            raise WorkbookError("文件的XML中定义了实体（<!ENTITY>，Excel和WPS从不这样保存），"
                                "疑似恶意构造的文件，未读取")
    return kept


def peek_sheet_names(path) -> list:
    """Sheet names, cheaply (no member inflated but what calamine reads to list them); when that
    fails, the full open says why (WorkbookError)."""
    data = read_guarded(path)
    try:
        return list(calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
    except Exception:  # noqa: BLE001 — open_workbook gives the reason
        return open_workbook(path).sheet_names


def _ods_encrypted(zf: zipfile.ZipFile) -> bool:
    try:
        return b"encryption-data" in zf.read("META-INF/manifest.xml")
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return False


def _xls_encrypted(data: bytes) -> bool:
    """A BIFF8 FILEPASS record (0x002F) right after the first BOF of the Workbook stream."""
    return bool(re.search(b"\\x2f\\x00[\\x02-\\x36]\\x00\\x01\\x00", data[:65536])) and \
        "Workbook".encode("utf-16-le") in data


ENCRYPTED = "工作簿已加密（设有打开密码），请取消密码后重新报送"


def open_workbook(path: Path) -> Workbook:
    """Open a workbook by its content, whatever its extension says; WorkbookError if unreadable."""
    path = Path(path)
    data, package = _read_guarded(path)
    head = data[:8]
    is_zip = head.startswith(b"PK\x03\x04")
    is_ooxml = False
    inflated = None
    if not data:
        raise WorkbookError("文件为空")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _looks_encrypted_ole(data):
            raise WorkbookError(ENCRYPTED)
    elif is_zip:
        try:
            zf = package
            names = {i.filename for i in zf.infolist()}
            if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
                if "word/document.xml" in names:
                    raise WorkbookError("这是Word文档，不是Excel工作簿")
                raise WorkbookError("不是Excel工作簿（压缩包中没有工作簿内容）")
            if "content.xml" in names and _ods_encrypted(zf):
                raise WorkbookError(ENCRYPTED)
            is_ooxml = "xl/workbook.xml" in names
            inflated = _check_members(zf)
        except zipfile.BadZipFile as exc:
            raise WorkbookError("文件已损坏（不是完整的压缩包），请重新保存后报送") from exc
        except (ValueError, OSError, EOFError, NotImplementedError) as exc:
            raise WorkbookError(f"文件已损坏，无法解压（{type(exc).__name__}），请重新保存后报送") from exc
    else:
        sniff = data[:512].lstrip().lower()
        if sniff.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in sniff:
            raise WorkbookError("这是网页（HTML）格式，只是扩展名为Excel；请在Excel或WPS中"
                                "“另存为”.xlsx 后重新报送")
        raise WorkbookError("不是Excel工作簿（支持 .xlsx .xlsm .xlsb .xls .ods）")
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise WorkbookError(ENCRYPTED) from exc
    except Exception as exc:
        if head.startswith(b"\xd0\xcf\x11\xe0") and _xls_encrypted(data):
            raise WorkbookError(ENCRYPTED) from exc
        raise WorkbookError(f"文件已损坏，无法读取（{type(exc).__name__}）") from exc
    return Workbook(path, data, book, is_ooxml, package if is_ooxml else None, inflated)


def row_keys(line) -> dict:
    """{header_key: column} of the text cells of one row; the first of equal headers wins."""
    from tzreport.read.values import header_key
    keys = {}
    for c, value in enumerate(line):
        if isinstance(value, str) and value.strip():
            keys.setdefault(header_key(value), c)
    return keys


def find_header(sheet: Sheet, required: tuple, scan: int = 30):
    """The first row (0-based) whose cells include every header in ``required``.

    Returns (row, {header_key: column}) or (None, {}).
    """
    for r, line in enumerate(sheet.rows[:scan]):
        keys = row_keys(line)
        if all(any(k in keys for k in _alternatives(req)) for req in required):
            return r, keys
    return None, {}


# Header texts a clerk might use for the same column.
SYNONYMS = {
    "单位": ("单位", "单位名称", "被考核单位", "单位编码", "填报单位"),
    "单位名称": ("单位名称", "单位"),
    "项目": ("项目", "参数"),
    "值": ("值", "数值", "参数值"),
    "本期累计完成": ("本期累计完成", "累计完成", "本期完成"),
    "上年同期": ("上年同期", "去年同期"),
    "完成说明": ("完成说明", "说明", "备注"),
}


def _alternatives(name: str) -> tuple:
    return SYNONYMS.get(name, (name,))


def column_of(keys: dict, name: str):
    for alt in _alternatives(name):
        if alt in keys:
            return keys[alt]
    return None
