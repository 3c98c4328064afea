"""Reading the inputs of a build: one scheme and the units' submissions, plus every problem met.

``load_inputs`` is the only entry point that touches files. Submissions are read in worker
processes when there are many (the scheme is sent once to each worker).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import python_calamine as calamine

from ..model import ERROR, WARNING, Issue
from ..parallel import parallel_map
from .scheme import UnitIndex, is_scheme, read_scheme
from .submissions import read_consolidated, read_submission
from .workbook import EXCEL_SUFFIXES, WorkbookError, open_workbook

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

    A label is the path relative to the folder holding the input (``报表/城关镇.xlsx``).
    """
    files, seen = [], set()
    skip = [Path(s).resolve() for s in skip]
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise BuildError(f"找不到输入：{raw}")
        if path.is_dir():
            top = path.resolve().name
            for child in sorted(path.rglob("*")):
                resolved = child.resolve()
                if child.is_dir() or any(s == resolved or s in resolved.parents for s in skip):
                    continue
                rel = child.relative_to(path)
                if any(part.startswith(".") or is_output_dir(part) for part in rel.parts[:-1]) \
                        or rel.name.startswith("."):
                    continue
                name = child.name
                if name.lower() in IGNORED_NAMES or name.startswith("~$"):
                    continue
                label = (Path(top) / rel).as_posix()
                if child.suffix.lower() not in EXCEL_SUFFIXES:
                    issues.append(Issue(WARNING, label, "", "", "不是Excel工作簿（.xlsx .xlsm .xls .ods），已跳过"))
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


def _peek_sheet_names(path: Path):
    """Sheet names without reading any sheet, or None when the file cannot be opened."""
    try:
        with open(path, "rb") as fh:
            return calamine.CalamineWorkbook.from_filelike(fh).sheet_names
    except Exception:
        return None


def _classify(files: list):
    schemes, others = [], []
    for f in files:
        names = _peek_sheet_names(f.path)
        if is_scheme(names):
            schemes.append(f)
        else:
            others.append(f)
    if not schemes:
        raise BuildError("找不到考核方案：输入中没有同时包含“参数”“单位”“指标”工作表的工作簿")
    if len(schemes) > 1:
        raise BuildError("输入中有多个考核方案（" + "、".join(f.label for f in schemes)
                         + "），请只保留一个")
    return schemes[0], others


# -- worker side ------------------------------------------------------------------------------
def _attribute(issues: list, index, path) -> list:
    """Issues of a file whose contents named no unit: the file name may still name one."""
    guess = index.find(Path(path).stem)
    if guess is None:
        return issues
    return [i if i.unit else dataclasses.replace(i, unit=guess.code) for i in issues]


def _read_one(ctx, item):
    """Read one submission file -> (submissions, issues). Runs in a worker or in-process;
    ``ctx`` is (scheme, UnitIndex)."""
    path, label = item
    scheme, index = ctx
    issues = []
    try:
        book = open_workbook(path)
    except WorkbookError as exc:
        issues.append(Issue(ERROR, label, "", "", f"{exc}，该文件未读取"))
        return [], _attribute(issues, index, path)
    try:
        sub = read_submission(book, label, scheme, index, issues, Path(path).stem)
    except Exception as exc:  # a malformed file must never stop the other units
        issues.append(Issue(ERROR, label, "", "", f"读取失败（{type(exc).__name__}: {exc}），该文件未读取"))
        sub = None
    if sub is None:
        return [], _attribute(issues, index, path)
    sub.path = str(Path(path).resolve())
    return [sub], issues


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
    scheme = read_scheme(book, path.name, issues)
    if not scheme.units or not scheme.indicators:
        raise BuildError(f"{path.name}: 方案中没有可用的单位或指标")
    return scheme


def load_inputs(paths, issues: list, progress=None, jobs: int = None, skip=()):
    """-> (scheme, [Submission]). Raises BuildError when there is nothing to build on.

    ``progress(n)`` is called after each submission file; ``jobs`` caps the worker processes.
    """
    files = expand_inputs(paths, issues, skip)
    scheme_file, others = _classify(files)
    try:
        book = open_workbook(scheme_file.path)
    except WorkbookError as exc:
        raise BuildError(f"{scheme_file.label}: {exc}") from exc
    scheme = read_scheme(book, scheme_file.label, issues)
    if not scheme.units:
        raise BuildError(f"{scheme_file.label} 单位: 方案中没有可用的单位")
    if not scheme.indicators:
        raise BuildError(f"{scheme_file.label} 指标: 方案中没有可用的指标")
    submissions = []
    if "完成情况" in book.sheet_names:
        submissions += read_consolidated(book, scheme_file.label, scheme, UnitIndex(scheme.units),
                                         issues)
    items = [(str(f.path), f.label) for f in others]
    ctx = (scheme, UnitIndex(scheme.units))
    for subs, found in parallel_map(_read_one, ctx, items, len(items), jobs, progress):
        submissions += subs
        issues += found
    return scheme, _one_per_unit(submissions, scheme, issues)


def _one_per_unit(submissions: list, scheme, issues: list) -> list:
    """Two submissions for one unit: the first (by file name) counts, the other is reported."""
    names = {u.code: u.name for u in scheme.units}
    kept = {}
    for sub in sorted(submissions, key=lambda s: (s.file, s.sheet)):
        if sub.unit_code in kept:
            first = kept[sub.unit_code]
            issues.append(Issue(ERROR, sub.file, sub.sheet, "",
                                f"{names[sub.unit_code]}重复报送：已采用 {first.file}，本文件未计入",
                                sub.unit_code))
            continue
        kept[sub.unit_code] = sub
    return list(kept.values())
