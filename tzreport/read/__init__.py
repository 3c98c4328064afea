"""Reading the inputs of a build: one scheme and the units' submissions, plus every problem met.

``load_inputs`` is the only entry point that touches files. Submissions are read in worker
processes when there are many (the scheme is sent once to each worker).
"""
from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path, PurePath

from tzreport.model import ERROR, WARNING, Issue
from tzreport.parallel import gc_paused, parallel_map
from tzreport.read.scheme import SCHEME_SHEETS, UnitIndex, is_scheme, read_scheme
from tzreport.read.submissions import read_consolidated, read_submission
from tzreport.read.workbook import EXCEL_SUFFIXES, WorkbookError, open_workbook, peek_sheet_names

__all__ = ["BuildError", "InputFile", "expand_inputs", "load_inputs", "read_scheme_file"]

IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
OUTPUT_DIR_NAME = "tzreport-out"     # the default output folder of earlier versions
OUTPUT_DIR_SUFFIX = "-结果"           # today's default: `市考` -> `市考-结果/`, `input.xlsx` -> `input-结果/`


def is_output_dir(name: str) -> bool:
    """A folder a build wrote by default: never read back as input when it sits inside one."""
    return name == OUTPUT_DIR_NAME or name.endswith(OUTPUT_DIR_SUFFIX)


class BuildError(Exception):
    """Nothing can be built (no scheme, two schemes, an unreadable scheme). Chinese message."""


class InputFile:
    __slots__ = ("path", "label")

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label

    def __repr__(self):
        return f"InputFile({self.label!r})"


def expand_inputs(paths, issues: list, skip=()) -> list:
    """Workbooks named on the command line or found in folders, sorted, each with a display label.

    A label is the path relative to the folder holding the input (``报表/城关镇.xlsx``). Linked
    folders are not entered (a link back to a parent would loop); links to files are followed once;
    anything that is not a regular file (a pipe would block the read forever) is reported, not read.
    """
    files, seen = [], set()
    skip = [Path(s).resolve() for s in skip]
    for raw in paths:
        path = Path(raw)
        try:
            exists = path.exists()
        except OSError:
            exists = False
        if not exists:
            if path.is_symlink():
                raise BuildError(f"找不到输入：{raw}（快捷方式/符号链接指向的文件不存在或循环链接）")
            raise BuildError(f"找不到输入：{raw}")
        if path.is_dir():
            top = path.resolve().name
            for child in _walk(path):
                rel = child.relative_to(path)
                if any(part.startswith(".") or is_output_dir(part) for part in rel.parts[:-1]) \
                        or rel.name.startswith("."):
                    continue
                name = child.name
                if name.lower() in IGNORED_NAMES or name.startswith("~$"):
                    continue
                label = (Path(top) / rel).as_posix()
                try:
                    resolved = child.resolve(strict=True)
                    kind = child.stat().st_mode
                except (OSError, RuntimeError):
                    issues.append(Issue(WARNING, label, "", "", "快捷方式（符号链接）指向的文件不存在或循环链接，已跳过"))
                    continue
                if any(s == resolved or s in resolved.parents for s in skip):
                    continue
                if stat.S_ISDIR(kind):
                    issues.append(Issue(WARNING, label, "", "", "是指向文件夹的快捷方式（符号链接），未进入"))
                    continue
                if child.suffix.lower() not in EXCEL_SUFFIXES:
                    issues.append(Issue(WARNING, label, "", "", "不是Excel工作簿（.xlsx .xlsm .xlsb .xls .ods），已跳过"))
                    continue
                if not stat.S_ISREG(kind):
                    issues.append(Issue(ERROR, label, "", "", "不是普通文件（管道、设备或其他特殊文件），未读取"))
                    continue
                if resolved not in seen:
                    seen.add(resolved)
                    files.append(InputFile(child, label))
        else:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(InputFile(path, path.name))
    return files


def _walk(folder: Path):
    """Every entry under ``folder`` except folders, sorted; linked folders are listed, not entered."""
    found = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        base = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != OUTPUT_DIR_NAME]
        for d in dirs:
            if (base / d).is_symlink():
                found.append(base / d)
        found += [base / n for n in names]
    return sorted(found)


def _peek_sheet_names(path: Path):
    """Sheet names without reading any sheet, or None when the file cannot be opened."""
    try:
        return peek_sheet_names(path)
    except WorkbookError:
        return None


def _classify(files: list):
    """-> (the scheme's InputFile, its opened Workbook, the other files in their order); BuildError
    naming each file's cause when no workbook is a scheme.

    Files are looked at nearest the top of the input first (a scheme sits beside the folder of
    submissions), and only until a scheme is found: looking at each of a province's 2,001 files
    took half a second before any reading could start. A second scheme among the files not looked
    at is found by the reader that opens it (_read_one) and stops the build as it would have here
    (_one_scheme)."""
    order = sorted(range(len(files)), key=lambda i: (len(PurePath(files[i].label).parts), i))
    looked = {}           # index -> sheet names, or the WorkbookError met
    for i in order:
        try:
            looked[i] = peek_sheet_names(files[i].path)
            if is_scheme(looked[i]):
                book = open_workbook(files[i].path)
                return files[i], book, files[:i] + files[i + 1:]
        except WorkbookError as exc:
            looked[i] = exc
    _no_scheme(files, looked)


def _no_scheme(files: list, looked: dict):
    """The BuildError of an input without a scheme, each file's cause named."""
    reasons = []
    for i, f in enumerate(files):
        names = looked[i]
        if isinstance(names, WorkbookError):
            reasons.append(f"{f.label} {names}")
            continue
        present = [n for n in SCHEME_SHEETS if n in names]
        if present:
            missing = [n for n in SCHEME_SHEETS if n not in names]
            reasons.insert(0, f"{f.label} 有{_quoted(present)}但缺少{_quoted(missing)}工作表")
    wanted = "找不到考核方案：输入中没有同时包含“参数”“单位”“指标”工作表的工作簿"
    if len(files) == 1 and not reasons:
        reasons.append(f"{files[0].label} 没有“参数”“单位”“指标”工作表，不是考核方案")
    elif not reasons:
        reasons.append(f"读到的{len(files)}个工作簿（{'、'.join(f.label for f in files[:3])}"
                       f"{'等' if len(files) > 3 else ''}）都没有这三张表")
    if not files:
        raise BuildError(f"{wanted}（输入中没有Excel工作簿）")
    shown = reasons[:5] + ([f"……另有{len(reasons) - 5}个文件无法读取"] if len(reasons) > 5 else [])
    raise BuildError(wanted + ("。" + "；".join(shown) if shown else ""))


def _one_scheme(files: list, schemes: list) -> None:
    """BuildError when more than one of ``files`` is a scheme (``schemes``: their labels), all
    named in the order of the input."""
    if len(schemes) > 1:
        rank = {f.label: n for n, f in enumerate(files)}
        raise BuildError("输入中有多个考核方案（" + "、".join(sorted(schemes, key=rank.get))
                         + "），请只保留一个")


def _quoted(names) -> str:
    return "".join(f"“{n}”" for n in names)


# -- worker side ------------------------------------------------------------------------------
def _attribute(issues: list, index, path) -> list:
    """Issues of a file whose contents named no unit: the file name may still name one."""
    guess = index.find(Path(path).stem)
    if guess is None:
        return issues
    return [i if i.unit else dataclasses.replace(i, unit=guess.code) for i in issues]


def _read_one(ctx, item):
    """Read one submission file -> (submissions, issues), or (None, its label) when it is a scheme
    (there is one already). Runs in a worker or in-process; ``ctx`` is (scheme, UnitIndex)."""
    path, label = item
    scheme, index = ctx
    issues = []
    try:
        book = open_workbook(path)
    except WorkbookError as exc:
        issues.append(Issue(ERROR, label, "", "", _not_read(exc)))
        return [], _attribute(issues, index, path)
    except Exception as exc:  # noqa: BLE001 — a damaged file must never stop the other units
        issues.append(Issue(ERROR, label, "", "", f"文件已损坏，无法读取（{type(exc).__name__}），该文件未读取"))
        return [], _attribute(issues, index, path)
    if is_scheme(book.sheet_names):      # a second scheme (_classify stopped at the first)
        return None, label
    try:
        sub = read_submission(book, label, scheme, index, issues, Path(path).stem)
    except WorkbookError as exc:
        issues.append(Issue(ERROR, label, "", "", _not_read(exc)))
        sub = None
    except Exception as exc:  # a malformed file must never stop the other units
        issues.append(Issue(ERROR, label, "", "", f"读取失败（{type(exc).__name__}: {exc}），该文件未读取"))
        sub = None
    for sheet, cell, message in book.problems:
        issues.append(Issue(WARNING, label, sheet, cell, message, sub.unit_code if sub else ""))
    if sub is None:
        return [], _attribute(issues, index, path)
    sub.path = str(Path(path).resolve())
    try:
        sub.mtime = Path(path).stat().st_mtime
    except OSError:
        pass
    return [sub], issues


def _not_read(exc) -> str:
    text = str(exc)
    return text if text.endswith("未读取") else f"{text}，该文件未读取"


def read_scheme_file(path, issues: list):
    """The scheme alone (for `tzreport template`); a consolidated input.xlsx is a scheme too."""
    path = Path(path)
    if not path.is_file():
        raise BuildError(f"找不到考核方案：{path}")
    names = _peek_sheet_names(path)
    if not is_scheme(names):
        raise BuildError(f"{path.name} 不是考核方案（需要“参数”“单位”“指标”工作表）")
    try:
        book = open_workbook(path)
    except WorkbookError as exc:
        raise BuildError(f"{path.name}: {exc}") from exc
    scheme = _read_scheme_book(book, path.name, issues)
    _book_problems(book, path.name, issues)
    return scheme


def _read_scheme_book(book, label: str, issues: list):
    """read_scheme, with "nothing usable" explained by the problems of the sheet concerned."""
    try:
        scheme = read_scheme(book, label, issues)
    except WorkbookError as exc:
        raise BuildError(f"{label}: {exc}") from exc
    for sheet, what, empty in (("单位", "单位", not scheme.units),
                               ("指标", "指标", not scheme.indicators)):
        if empty:
            causes = [i.text() for i in issues if i.file == label and i.sheet == sheet
                      and i.severity == ERROR][:3]
            raise BuildError(f"{label} {sheet}: 方案中没有可用的{what}"
                             + ("（" + "；".join(causes) + "）" if causes else "（表中没有数据行）"))
    return scheme


def _book_problems(book, label: str, issues: list) -> None:
    for sheet, cell, message in book.problems:
        issues.append(Issue(WARNING, label, sheet, cell, message))


def load_inputs(paths, issues: list, progress=None, jobs: int = None, skip=()):
    """-> (scheme, [Submission]). Raises BuildError when there is nothing to build on.

    ``progress(n)`` is called after each submission file; ``jobs`` caps the worker processes.
    """
    with gc_paused():
        return _load_inputs(paths, issues, progress, jobs, skip)


def _load_inputs(paths, issues: list, progress, jobs, skip):
    files = expand_inputs(paths, issues, skip)
    scheme_file, book, others = _classify(files)
    try:
        scheme = _read_scheme_book(book, scheme_file.label, issues)
    except BuildError:     # a second scheme is said first, as when every file was looked at first
        _one_scheme(files, [scheme_file.label] + [f.label for f in others if is_scheme(_peek_sheet_names(f.path))])
        raise
    submissions = []
    if "完成情况" in book.sheet_names:
        try:
            submissions += read_consolidated(book, scheme_file.label, scheme,
                                             UnitIndex(scheme.units), issues)
        except WorkbookError as exc:
            issues.append(Issue(ERROR, scheme_file.label, "完成情况", "", f"{exc}，完成情况表未读取"))
    _book_problems(book, scheme_file.label, issues)
    items = [(str(f.path), f.label) for f in others]
    ctx = (scheme, UnitIndex(scheme.units))
    shared = {code: code for code in {i.code for i in scheme.indicators}}
    schemes = [scheme_file.label]
    for subs, found in parallel_map(_read_one, ctx, items, len(items), jobs, progress):
        if subs is None:             # ``found``: its label
            schemes.append(found)
            continue
        for sub in subs:
            _share_strings(sub, shared)
        submissions += subs
        issues += found
    _one_scheme(files, schemes)
    return scheme, _one_per_unit(submissions, scheme, issues)


def _share_strings(sub, shared: dict) -> None:
    """One object for each indicator code and cell reference (B12), shared by every submission.
    Each came back from its worker as its own copy: at 2,000 units × 150 indicators, 300,000
    copies of 150 codes and of a few hundred references, about 30 MiB of the main process that
    the output workers then inherit."""
    sub.values = {shared.setdefault(code, code): value for code, value in sub.values.items()}
    sub.row_of = {shared.setdefault(code, code): row for code, row in sub.row_of.items()}
    for value in sub.values.values():
        where = value.where
        if len(where) == 3 and isinstance(where[2], str):
            value.where = (where[0], where[1], shared.setdefault(where[2], where[2]))


def _one_per_unit(submissions: list, scheme, issues: list) -> list:
    """Two submissions for one unit and one period: the one ``preferred`` counts, the other is
    reported. Files of different 统计截止 are different periods (SPEC 3.11), both kept."""
    names = {u.code: u.name for u in scheme.units}
    kept = {}
    for sub in sorted(submissions, key=lambda s: (s.file, s.sheet)):
        key = (sub.unit_code, sub.as_of or scheme.params.as_of)
        first = kept.get(key)
        if first is None:
            kept[key] = sub
            continue
        used, other, why = preferred(first, sub)
        kept[key] = used
        issues.append(Issue(ERROR, other.file, other.sheet, "",
                            f"{names[sub.unit_code]}重复报送：{other.file} 与 {used.file}，已采用 {used.file}"
                            f"（{why}），本文件未计入", sub.unit_code))
    return list(kept.values())


def preferred(a, b) -> tuple:
    """Of two submissions of one unit -> (used, not used, why in Chinese): what a clerk means is the
    latest 统计截止 stated above the header, then the file saved last, then the first by name.

    In a build, files of different 统计截止 are different periods (SPEC 3.11) and never reach this
    choice (a file without 统计截止 belongs to the scheme's date): the date rule is kept for copies
    compared directly."""
    from tzreport.model import cn_date
    if a.as_of and b.as_of and a.as_of != b.as_of:
        used, other = (a, b) if a.as_of > b.as_of else (b, a)
        return used, other, f"统计截止{cn_date(used.as_of)}晚于{cn_date(other.as_of)}"
    ma, mb = getattr(a, "mtime", None), getattr(b, "mtime", None)
    if ma is not None and mb is not None and ma != mb:
        used, other = (a, b) if ma > mb else (b, a)
        return used, other, "统计截止相同，该文件保存时间较晚"
    return a, b, "统计截止和保存时间相同，按文件名先后"
