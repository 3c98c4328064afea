"""Rows written as XML text into an xlsxwriter package once it is written (a province's 倒排计划)."""
from __future__ import annotations

import re

import xlsxwriter

from tzreport.read.workbook import column_letters


class _SplicingWorkbook(xlsxwriter.Workbook):
    """xlsxwriter, plus rows written as XML text into a sheet once the package is written.

    xlsxwriter spends some 80 µs a cell; 倒排计划 at province scale has 2.4 million cells. Rows of
    a ``bulk`` table are made here as text (inline strings: text is never a formula, SPEC 5) and
    put into the sheet's <sheetData> after xlsxwriter has written everything else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spliced = {}         # worksheet -> (rows XML, last row, last column), 1-based

    def close(self) -> None:
        super().close()
        if self.spliced:
            self._splice()

    def _splice(self) -> None:
        from tzreport.ooxml.xlsxpatch import PART_LEVEL, RawZip, ZipWriter
        parts = {}
        sheets = [ws for ws in self.worksheets() if not ws.is_chartsheet]
        for ws, spliced in self.spliced.items():
            parts[f"xl/worksheets/sheet{sheets.index(ws) + 1}.xml"] = spliced
        with open(self.filename, "rb") as fh:
            source = RawZip(fh.read())
        stamp = next(i.date_time for i in source.infos)
        with open(self.filename, "wb") as fh:
            out = ZipWriter(fh, PART_LEVEL)      # zlib's fastest: a province's sheets in a third of the time
            for info in source.infos:
                if info.filename not in parts:
                    out.copy(info, source.raw(info))
                    continue
                rows, last_row, last_col = parts[info.filename]
                xml = source.zf.read(info).decode("utf-8")
                xml = re.sub(r'<dimension ref="[^"]*"/>',
                             f'<dimension ref="A1:{column_letters(last_col)}{last_row}"/>', xml, count=1)
                if "<sheetData/>" in xml:
                    xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
                head, _, tail = xml.partition("</sheetData>")
                out.add_chunks(info.filename, _chunks(head, rows, "</sheetData>" + tail), stamp)
                rows.close()
            out.close()


def _chunks(head: str, rows, tail: str):
    yield head.encode("utf-8")
    rows.seek(0)
    while True:
        chunk = rows.read(1 << 20)
        if not chunk:
            break
        yield chunk
    yield tail.encode("utf-8")


