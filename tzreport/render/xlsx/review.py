"""`tzreport check`: 审核结果.xlsx, a sheet per unit with problems, plus marked copies to send back.

The copies (退回/<原文件>) are the units' own workbooks with every cell named by a problem filled
red and given a comment saying what is wrong; the units' inputs themselves are never touched.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

import openpyxl
from openpyxl.styles import PatternFill

from tzreport.fileio import atomic_path, safe_filename, save_openpyxl
from tzreport.model import ERROR, INFO, LIGHT_COLOURS, RED, WARNING, cn_date
from tzreport.render.common import SEVERITY_CN, TableBook
from tzreport.render.xlsx.annotate import add_comment, cell_at, print_setup

FILE_NAME = "审核结果.xlsx"
RETURN_FOLDER = "退回"
PROBLEM_HEADER = ["级别", "文件", "工作表", "单元格", "问题"]


def _status(issues, submitted: bool) -> str:
    if not submitted:
        return "未报送"
    if any(i.severity == ERROR for i in issues):
        return "需修改后重新报送"
    if any(i.severity == WARNING for i in issues):
        return "请核对"
    return "通过"


def _sheet_names(units) -> dict:
    """code -> a valid, unique sheet name (≤31 characters, no []:*?/\\)."""
    taken, names = {"总览", "方案及其他"}, {}
    for unit in units:
        base = "".join("_" if ch in "[]:*?/\\" else ch for ch in unit.name)[:28] or unit.code
        name, n = base, 2
        while name in taken:
            name = f"{base[:26]}{n}"
            n += 1
        taken.add(name)
        names[unit.code] = name
    return names


def _flat_name(label: str, taken: set) -> str:
    """退回/<原文件名>.xlsx, flat (not 退回/市考/报表/…); the same name from two folders gets （2）."""
    stem = safe_filename(PurePosixPath(label).stem) or "报表"
    name, n = f"{stem}.xlsx", 2
    while name.lower() in taken:
        name = f"{stem}（{n}）.xlsx"
        n += 1
    taken.add(name.lower())
    return name


def mark_copy(source: Path, target: Path, issues, when) -> int:
    """Copy a unit's workbook with the problem cells filled red and commented -> cells marked."""
    book = openpyxl.load_workbook(source, rich_text=True)
    book.template = False
    fill = PatternFill("solid", start_color=LIGHT_COLOURS[RED][0], end_color=LIGHT_COLOURS[RED][0])
    marked, sheets = 0, set()
    for issue in issues:
        if issue.sheet not in book.sheetnames or not issue.cell:
            continue
        try:
            cell = cell_at(book[issue.sheet], issue.cell)
        except (ValueError, KeyError):
            continue
        if issue.severity == ERROR:
            cell.fill = fill
        add_comment(cell, f"【{SEVERITY_CN[issue.severity]}】{issue.message}")
        marked += 1
        sheets.add(issue.sheet)
    for name in sorted(sheets):
        print_setup(book[name])
    if marked:
        save_openpyxl(book, target, when)
    return marked


def write_review(scheme, result, files: dict, out_dir, when) -> Path:
    """审核结果.xlsx and 退回/ copies. ``files``: input label -> path on disk."""
    out = Path(out_dir)
    units = scheme.units
    by_unit, other = {}, []
    for issue in result.issues:
        if issue.severity == INFO:
            other.append(issue)
        elif issue.unit:
            by_unit.setdefault(issue.unit, []).append(issue)
        else:
            other.append(issue)
    returned, taken = {}, set()
    for label in sorted({i.file for found in by_unit.values() for i in found}):
        path = files.get(label)
        if path is None or Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
            continue
        target = out / RETURN_FOLDER / _flat_name(label, taken)
        problems = [i for found in by_unit.values() for i in found if i.file == label]
        try:
            if mark_copy(Path(path), target, problems, when):
                returned[label] = target.relative_to(out).as_posix()
        except Exception:   # noqa: BLE001 — a file openpyxl cannot open is listed, not copied
            continue
    names = _sheet_names(units)
    params = result.params
    title = f"{params.name}报表审核结果（统计截止{cn_date(params.as_of)}）"
    path = out / FILE_NAME
    with atomic_path(path) as tmp:
        book = TableBook(str(tmp), title, when)
        overview = []
        for unit in units:
            found = by_unit.get(unit.code, [])
            sub = result.submissions.get(unit.code)
            files_of = sorted({i.file for i in found if i.file} | ({sub.file} if sub else set()))
            overview.append([unit.code, unit.name, unit.category, "、".join(files_of),
                             _status(found, sub is not None),
                             sum(1 for i in found if i.severity == ERROR),
                             sum(1 for i in found if i.severity == WARNING),
                             "、".join(returned[f] for f in files_of if f in returned),
                             names[unit.code] if found else ""])
        book.sheet("总览", title, ["单位编码", "单位", "考核类别", "报送文件", "审核结论", "错误", "提示", "退回文件",
                                  "问题清单"], overview, [None, None, None, None, None, "0", "0"],
                   note="说明：“错误”须改正后重新报送，“提示”请核对；问题单元格已在“退回”文件夹的副本中标红并加批注。",
                   min_widths={4: 16})
        if other:
            book.sheet("方案及其他", f"{title}：方案及其他文件", PROBLEM_HEADER,
                       [[SEVERITY_CN[i.severity], i.file, i.sheet, i.cell, i.message] for i in other],
                       min_widths={4: 40})
        for unit in units:
            found = by_unit.get(unit.code)
            if not found:
                continue
            book.sheet(names[unit.code], f"{unit.name}报表问题清单", PROBLEM_HEADER,
                       [[SEVERITY_CN[i.severity], i.file, i.sheet, i.cell, i.message] for i in found],
                       min_widths={4: 40})
        book.wb.close()
    return path
