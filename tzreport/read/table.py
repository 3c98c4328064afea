"""A sheet read as a table: a header row found by text, then one ``Row`` per non-empty line."""
from __future__ import annotations

from tzreport.model import ERROR, WARNING, Issue
from tzreport.read.values import header_key, is_blank, text_of
from tzreport.read.workbook import Sheet, cell_ref, column_of, find_header, row_keys


class Row:
    """One line of a table: ``index`` the 0-based row in the sheet, ``columns`` header name ->
    0-based column (shared by every row of the table)."""
    __slots__ = ("sheet", "index", "columns", "line")

    def __init__(self, sheet: Sheet, index: int, columns: dict):
        self.sheet, self.index, self.columns = sheet, index, columns
        self.line = sheet.rows[index]      # read directly: get() runs for every cell of a table

    def has(self, name: str) -> bool:
        return name in self.columns

    def get(self, name: str):
        col = self.columns.get(name)
        line = self.line
        return line[col] if col is not None and col < len(line) else ""

    def ref(self, name: str) -> str:
        col = self.columns.get(name)
        return cell_ref(self.index, col if col is not None else 0)

    @property
    def excel_row(self) -> int:
        return self.index + 1


class Reporter:
    """Collects issues for one file, so callers say only sheet, cell and message."""

    def __init__(self, file: str, issues: list, unit: str = ""):
        self.file = file
        self.issues = issues
        self.unit = unit        # the unit code the coming issues belong to, when known

    def error(self, sheet: str, cell: str, message: str) -> None:
        self.add(ERROR, sheet, cell, message)

    def warning(self, sheet: str, cell: str, message: str) -> None:
        self.add(WARNING, sheet, cell, message)

    def add(self, severity: str, sheet: str, cell: str, message: str) -> None:
        self.issues.append(Issue(severity, self.file, sheet, cell, message, self.unit))


def read_table(sheet: Sheet, required: tuple, optional: tuple, report: Reporter,
               severity: str = ERROR):
    """Rows of ``sheet`` under a header holding every ``required`` column.

    Missing columns are reported (naming the sheet) and give ``None``. Merged cells inside the table
    and hidden rows are reported as warnings; their values are still read (a clerk hides rows to
    tidy, not to delete).
    """
    header, keys = find_header(sheet, required)
    if header is None:
        seen = {}
        for line in sheet.rows[:30]:
            for key, col in row_keys(line).items():
                seen.setdefault(key, col)
        missing = [name for name in required if column_of(seen, name) is None]
        report.add(severity, sheet.name, "A1",
                   f"找不到表头（需要列：{'、'.join(missing or required)}）")
        return None
    columns = {}
    for name in required + optional:
        col = column_of(keys, name)
        if col is not None:
            columns[name] = col
    _report_twin_columns(sheet, header, columns, report, severity)
    rows = []
    # Only merged ranges reaching below the header into a column of the table can cover a cell
    # read here (the title merged across the top never does): most tables skip the search per cell.
    wanted = set(columns.values())
    merged = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in sheet.merged
              if r1 > header and any(c0 <= c <= c1 for c in wanted)]
    hidden = sheet.hidden_rows
    all_rows = sheet.rows
    for r in range(header + 1, len(all_rows)):
        line = all_rows[r]
        for v in line:
            if type(v) is float or (v != "" and not is_blank(v)):   # a number is never blank
                break
        else:               # nothing but blanks: not a row of the table
            continue
        row = Row(sheet, r, columns)
        if r in hidden:
            report.warning(sheet.name, f"A{r + 1}", f"第{r + 1}行被隐藏，其数据仍参与计算，请核对")
        if merged:
            for name, col in columns.items():
                rng = _merged_at(merged, r, col)
                if rng:
                    report.warning(sheet.name, cell_ref(r, col),
                                   f"“{name}”列单元格在合并区域 {rng} 内，只有左上角单元格的值被读取")
        rows.append(row)
    return rows


def _merged_at(merged: list, row: int, col: int):
    """Sheet.merged_at over a subset of the sheet's ranges, in their order (the first one wins)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1 and (row, col) != (r0, c0):
            return f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
    return None



def _report_twin_columns(sheet: Sheet, header: int, columns: dict, report: Reporter, severity) -> None:
    """Two header cells with the same text (two 本期累计完成 columns): the first is read, and said."""
    line = sheet.rows[header]
    for name, col in columns.items():
        key = header_key(line[col])
        twins = [c for c in range(col + 1, len(line))
                 if isinstance(line[c], str) and line[c].strip() and header_key(line[c]) == key]
        if twins:
            others = "、".join(cell_ref(header, c) for c in twins)
            report.add(severity, sheet.name, cell_ref(header, col),
                       f"有{len(twins) + 1}个“{text_of(line[col])}”列（{cell_ref(header, col)}、{others}），"
                       f"只读取第一个 {cell_ref(header, col)} 列；请删去多余的列后重新报送")
