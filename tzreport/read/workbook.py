"""Workbook access: the only module that opens spreadsheet files.

Values come from python-calamine (fast, reads .xlsx/.xlsm/.xls/.ods, cached formula values). Sheets
are kept as full grids so that a value's Excel address is always its real one. For .xlsx/.xlsm the
sheet XML is also scanned (streamed, defused) for what calamine does not report: hidden rows and
formulas that were never calculated.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import python_calamine as calamine

try:  # defusedxml guards against entity bombs in hostile workbooks
    from defusedxml.ElementTree import iterparse
except ImportError:  # pragma: no cover - defusedxml is a dependency
    from xml.etree.ElementTree import iterparse

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# Limits against zip bombs: a real submission is a few hundred KiB.
MAX_MEMBERS = 5000
MAX_UNCOMPRESSED = 512 * 1024 * 1024


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message is Chinese and names no file."""


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row and column -> "B12"."""
    return f"{column_letter(col)}{row + 1}"


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
    """An opened workbook. ``sheet(name)`` reads one sheet on demand."""

    def __init__(self, path: Path, data: bytes, book, is_ooxml: bool):
        self.path = path
        self._data = data
        self._book = book
        self._ooxml = is_ooxml
        self.sheet_names = list(book.sheet_names)
        self._sheet_xml = None

    def sheet(self, name: str) -> Sheet:
        raw = self._book.get_sheet_by_name(name)
        rows = raw.to_python(skip_empty_area=False)
        merged = []
        try:
            merged = list(raw.merged_cell_ranges or [])
        except Exception:  # not every format reports merges
            merged = []
        sheet = Sheet(name=name, rows=rows, merged=merged)
        if self._ooxml:
            self._scan_xml(sheet)
        return sheet

    # -- OOXML extras -------------------------------------------------------------------------
    def _sheet_paths(self) -> dict:
        """Sheet name -> zip member, from workbook.xml and its relationships."""
        if self._sheet_xml is None:
            self._sheet_xml = {}
            with zipfile.ZipFile(io.BytesIO(self._data)) as zf:
                rels = {}
                for _, el in iterparse(zf.open("xl/_rels/workbook.xml.rels")):
                    if el.tag.endswith("Relationship"):
                        rels[el.get("Id")] = el.get("Target")
                for _, el in iterparse(zf.open("xl/workbook.xml")):
                    if el.tag.endswith("}sheet"):
                        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                        target = rels.get(rid, "")
                        if target.startswith("/"):
                            member = target.lstrip("/")
                        else:
                            member = str(PurePosixPath("xl") / target)
                        self._sheet_xml[el.get("name")] = member
        return self._sheet_xml

    def _scan_xml(self, sheet: Sheet) -> None:
        """Hidden rows and uncalculated formulas, by regular expressions over the sheet XML.

        Only attributes and tag names are looked at, so no entity is ever expanded; a sheet with
        neither a hidden row nor a formula costs two byte searches."""
        try:
            member = self._sheet_paths().get(sheet.name)
            if not member:
                return
            with zipfile.ZipFile(io.BytesIO(self._data)) as zf:
                data = zf.read(member)
        except (KeyError, zipfile.BadZipFile, ValueError, OSError):
            return
        if b"hidden=" in data:
            for m in _ROW.finditer(data):
                attrs = m.group(1)
                if _HIDDEN.search(attrs):
                    r = _R_ATTR.search(attrs)
                    if r:
                        sheet.hidden_rows.add(int(r.group(1)) - 1)
        if _FORMULA.search(data):
            for m in _CELL.finditer(data):
                body = m.group(2)
                if not body or not _FORMULA.search(body) or _VALUE.search(body):
                    continue
                ref = _REF.search(m.group(1))
                if ref:
                    sheet.formula_cells.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_R_ATTR = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v>[^<]|is\b)")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _looks_encrypted_ole(data: bytes) -> bool:
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode(
        "utf-16-le") in data


def open_workbook(path: Path) -> Workbook:
    """Open a workbook by its content, whatever its extension says; WorkbookError if unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"无法读取文件（{exc.strerror or exc}）") from exc
    head = data[:8]
    is_zip = head.startswith(b"PK\x03\x04")
    is_ooxml = False
    if not data:
        raise WorkbookError("文件为空")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _looks_encrypted_ole(data):
            raise WorkbookError("工作簿已加密（设有打开密码），请取消密码后重新报送")
    elif is_zip:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
                if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                    raise WorkbookError("压缩内容异常庞大，疑似恶意文件，未读取")
                names = {i.filename for i in infos}
                if "xl/workbook.xml" not in names and "content.xml" not in names:
                    if "word/document.xml" in names:
                        raise WorkbookError("这是Word文档，不是Excel工作簿")
                    raise WorkbookError("不是Excel工作簿（压缩包中没有工作簿内容）")
                is_ooxml = "xl/workbook.xml" in names
                bad = zf.testzip()
                if bad:
                    raise WorkbookError(f"文件已损坏（{bad} 校验失败），请重新保存后报送")
        except zipfile.BadZipFile as exc:
            raise WorkbookError("文件已损坏（不是完整的压缩包），请重新保存后报送") from exc
    else:
        sniff = data[:512].lstrip().lower()
        if sniff.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in sniff:
            raise WorkbookError("这是网页（HTML）格式，只是扩展名为Excel；请在Excel或WPS中"
                                "“另存为”.xlsx 后重新报送")
        raise WorkbookError("不是Excel工作簿（支持 .xlsx .xlsm .xls .ods）")
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise WorkbookError("工作簿已加密（设有打开密码），请取消密码后重新报送") from exc
    except Exception as exc:
        raise WorkbookError(f"文件已损坏，无法读取（{type(exc).__name__}）") from exc
    return Workbook(path, data, book, is_ooxml)


def row_keys(line) -> dict:
    """{header_key: column} of the text cells of one row; the first of equal headers wins."""
    from .values import header_key
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
