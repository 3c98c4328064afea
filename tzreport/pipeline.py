"""The build pipeline: read → validate → score → grade → write: what the CLI and scripts call.

``rules.evaluate.evaluate`` is pure (scheme and submissions in, results out); ``build`` adds the files around it
and is what the CLI and scripts call.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from tzreport.fileio import WRITE_PROBLEM, fixed_time, output_label, write_problem, write_reason
from tzreport.model import ERROR, INFO, WARNING, BuildResult, Issue
from tzreport.read import BuildError, load_inputs
from tzreport.read.workbook import copy_allowed
from tzreport.render.docx.documents import PdfUnavailable, to_pdf
from tzreport.render.docx.evenpages import even_imprint_pages
from tzreport.render.xlsx.summary import FILE_NAME
from tzreport.rules.evaluate import evaluate


def default_output_dir(inputs) -> Path:
    """A folder named after the first input, beside it (never inside an input folder):
    `input.xlsx` -> `input-结果/`, a folder `市考` -> `市考-结果/`."""
    from tzreport.read import OUTPUT_DIR_SUFFIX
    first = Path(inputs[0]).resolve()
    return first.parent / f"{first.name if first.is_dir() else first.stem}{OUTPUT_DIR_SUFFIX}"


OWN_SUFFIXES = (".xlsx", ".docx", ".pdf")


def previous_outputs(out: Path) -> set:
    """The files the previous build wrote into ``out``, as its results.json lists them: each unit's
    批注 and 通知 and the documents. Nothing when there is no readable results.json."""
    from tzreport.render.results_json import ResultsUnreadable, read_results
    path = out / "results.json"
    if not path.is_file():
        return set()
    try:
        header, units = read_results(path)
    except ResultsUnreadable:
        return set()
    listed = [f for u in units for f in (u.get("files") or {}).values()]
    listed += header.get("documents") or []
    return {(out / f).resolve() for f in listed if isinstance(f, str)}


def remove_stale(out: Path, previous: set, written) -> list:
    """Delete what the previous build wrote and this one did not (a unit gone from the scheme, the
    考核结果通报 of a year-end build); with a .docx, the PDF ``--pdf`` made of it. Only files the
    previous results.json listed, inside ``out``, of our own kinds: never anything else."""
    root = out.resolve()
    # normcase: on Windows 批注/A.xlsx and 批注/a.xlsx are one file, which this build just wrote
    keep = {os.path.normcase(Path(p).resolve()) for p in written}
    removed = []
    for path in sorted(previous):
        if os.path.normcase(path) in keep or root not in path.parents \
                or path.suffix.lower() not in OWN_SUFFIXES:
            continue
        for victim in (path, path.with_suffix(".pdf")) if path.suffix.lower() == ".docx" else (path,):
            if victim.is_file() and os.path.normcase(victim) not in keep:
                try:
                    victim.unlink()
                except OSError:      # open in Excel/Word on Windows: left for the next build
                    continue
                removed.append(victim)
    return removed


def build(inputs, out_dir=None, as_of: dt.date = None, progress=None, jobs: int = None,
          writers=None, templates=None, date: dt.date = None, pdf: bool = False) -> BuildResult:
    """Read, score, grade and write the outputs. Raises BuildError when nothing can be built.

    Writes 汇总.xlsx, 批注/<单位>.xlsx, 进展通报.docx, 考核结果通报.docx (at year end), 通知/<单位>.docx
    and, last, results.json into ``out_dir``; ``templates`` is a folder of a clerk's own Word
    templates (any missing one is the built-in); ``date`` is the documents' 成文日期 (``--date``,
    over 参数 成文日期). ``writers`` are further callables
    ``writer(result, scheme, out_dir, when)``. ``progress(stage, total)`` may return a callable
    taking a count, for long stages (reading submissions, annotating workbooks, notices).
    ``pdf``: every Word document also as PDF (``write_pdfs``), said in ``result.pdf``.
    """
    from tzreport.render.results_json import EncodedUnits, write_results
    from tzreport.words.letterhead import gongwen_issues
    if not inputs:
        raise BuildError("没有输入文件")
    out = Path(out_dir) if out_dir else default_output_dir(inputs)
    issues = []
    scheme, submissions = load_inputs(inputs, issues, progress=_stage(progress, "读取报表"),
                                      jobs=jobs, skip=[out])
    _require_submissions(scheme, submissions, issues)
    result = evaluate(scheme, submissions, issues, as_of)      # SPEC 3.11: per period, folded
    # Earlier periods' submissions are done with (the result keeps the current ones): not carried
    # into the output workers (SPEC 3.11 at province scale: four quarters of 2,000 workbooks).
    del submissions
    if date is not None:
        result.params.written_date = date
    issues += gongwen_issues(result.params, scheme.file)      # SPEC 4.2: said once, not per document
    when = fixed_time(result.params.as_of)
    writable_folder(out)
    previous = previous_outputs(out)
    encoded = EncodedUnits(out)       # each unit's results.json line, made by the output workers
    try:
        result.documents = write_outputs(result, scheme, out, when, templates, jobs,
                                         _stage(progress, "写汇总、批注表和通知", len(result.units)), encoded)
        for writer in writers or ():
            writer(result, scheme, out, when)
        written = [p for files in result.files.values() for p in files.values()] + list(result.documents)
        removed = remove_stale(out, previous, written)
        if removed:
            names = "、".join(p.relative_to(out.resolve()).as_posix() for p in removed[:5])
            issues.append(Issue(INFO, "", "", "", f"已删除上次生成、本次不再有的{len(removed)}份文件"
                                                  f"（{names}{'等' if len(removed) > 5 else ''}）"))
        # last: it lists the problems of every stage
        wrote = _written(out / "results.json", result, out,
                         lambda: write_results(result, out / "results.json", encoded))
    finally:
        encoded.close()
    if not (wrote or any(result.files.values()) or result.documents or (out / FILE_NAME).is_file()):
        problems = "；".join(i.text() for i in result.issues if i.message.startswith(WRITE_PROBLEM))
        raise BuildError(f"输出目录 {out} 中一个文件也没能写出（{problems[:300]}）")
    if pdf and result.documents:
        try:
            result.pdf = write_pdfs(result)
        except PdfUnavailable as exc:
            result.pdf = {"problem": str(exc)}
    return result


def write_pdfs(result: BuildResult) -> dict:
    """Every Word document the build wrote, also as PDF beside it (LibreOffice); a document whose
    PDF has an odd page count gets a page break before its 版记, so the 版记 ends an even page
    (GB/T 9704 7.4). -> {"converted": count, "moved": the documents so changed}; PdfUnavailable
    when LibreOffice is not there."""
    converted = to_pdf(result.documents)
    moved = even_imprint_pages(result.documents, to_pdf, fixed_time(result.params.as_of))
    return {"converted": len(converted), "moved": moved}


def _require_submissions(scheme, submissions: list, issues: list) -> None:
    """SPEC 4.1 / 5: with no unit's submission read, every unit would be graded on nothing (all 差,
    诫勉谈话 …); stop with exit 2 before anything is written, naming what went wrong."""
    if submissions or not any(not ind.from_office for ind in scheme.indicators):
        return
    problems = [f"{i.file} {i.message}".strip() for i in issues if i.severity == ERROR][:3]
    detail = f"（{'；'.join(problems)}）" if problems else ""
    raise BuildError(f"没有读到任何单位的报表{detail}，未生成任何文件。请把各单位的报表与考核方案一起作为输入"
                     "（文件或文件夹）")


def writable_folder(out: Path) -> None:
    """The output folder, created if need be; BuildError (exit 2) when nothing can be written there."""
    import tempfile
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise BuildError(f"无法写入输出目录 {out}（{write_reason(exc)}），"
                         "请换一个输出目录（-o）或检查权限") from exc


def _written(path: Path, result, out: Path, write) -> bool:
    """Run one writer of a whole-build file; a file that cannot be written is an issue, not a crash."""
    try:
        write()
    except OSError as exc:
        result.issues.append(Issue(ERROR, output_label(out, path), "", "", write_problem(exc)))
        return False
    return True


@dataclasses.dataclass
class OutputJob:
    """What every output task reads, inherited by the workers once (SPEC 6)."""
    result: BuildResult
    scheme: object
    out: Path
    when: dt.datetime
    templates: object
    annotate: object            # annotate.Context
    notice: object = None       # documents.NoticeJob; None when the 通知 template is broken
    issues_by_unit: dict = dataclasses.field(default_factory=dict)    # code -> [Issue]
    file_names: dict = dataclasses.field(default_factory=dict)        # code -> file stem
    scheme_units: dict = dataclasses.field(default_factory=dict)      # code -> Unit of the scheme


def _summary_task(job: OutputJob, issues: list):
    """汇总.xlsx, its 数据问题 being ``issues`` -> the problem of writing it, as issues (SPEC 5: the
    build goes on). Runs beside the units' tasks, which add their problems to the result's list."""
    from tzreport.render.xlsx.summary import write_summary
    try:
        write_summary(dataclasses.replace(job.result, issues=issues), job.out / FILE_NAME, job.when,
                      grade_order=[g.name for g in job.scheme.grades])
    except OSError as exc:
        return [Issue(ERROR, output_label(job.out, job.out / FILE_NAME), "", "", write_problem(exc))]
    return []


def _bulletins_task(job: OutputJob, issues: list):
    """进展通报 and 考核结果通报 -> (paths, the problems they met); ``issues`` as for 汇总."""
    from tzreport.render.docx.documents import write_documents
    result = dataclasses.replace(job.result, issues=list(issues))     # a list of its own
    before = len(result.issues)
    written = write_documents(result, job.scheme, job.out, job.when, job.templates)
    return written, result.issues[before:]


def _unit_task(job: OutputJob, index: int):
    """The unit at ``index`` of the results: its 批注 and 通知 -> (code, 批注 path, its problem,
    通知 path or None, its problem). The task is just the index: every worker already holds the
    job (inherited, or sent once), so nothing of the unit is pickled per task.

    A file that cannot be written (disk full, a folder in its place) is a problem of this unit's
    file only; a 通知 problem that is not a write problem is the template's."""
    from tzreport.render.docx.documents import NOTICE_FOLDER, _notice_one
    from tzreport.render.results_json import relative_path, unit_line
    from tzreport.render.xlsx.annotate import OUTPUT_FOLDER, annotate_unit
    from tzreport.render.xlsx.template import blank_for
    ur = job.result.units[index]
    sub = job.result.submissions.get(ur.code)
    blank = blank_for(job.scheme, job.scheme_units[ur.code])
    issues = job.issues_by_unit.get(ur.code, [])
    annotated = job.out / OUTPUT_FOLDER / f"{job.file_names[ur.code]}.xlsx"
    notice = job.out / NOTICE_FOLDER / f"{job.file_names[ur.code]}.docx"
    annotate_problem = fallback = ""
    try:
        fallback = annotate_unit(job.annotate, ur, sub, blank, issues, annotated)
    except OSError as exc:
        annotate_problem = write_problem(exc)
    problem = ""
    if job.notice is not None:
        problem = _notice_one(job.notice, (notice, ur))[2]
    notice = None if problem or job.notice is None else notice
    # The unit's line of results.json, made here while its results are at hand (SPEC 6)
    folder = job.out.resolve()
    files = dict(sorted(((k, relative_path(p, folder)) for k, p in
                         (("annotated", None if annotate_problem else annotated), ("notice", notice)) if p)))
    line = unit_line(ur, job.annotate.indicators, files)
    return ur.code, annotated, annotate_problem, notice, problem, files, line, fallback


def write_outputs(result, scheme, out: Path, when, templates=None, jobs: int = None,
                  progress=None, encoded=None) -> list:
    """汇总.xlsx, the 通报 and every unit's 批注 and 通知, in one pool of workers: the longest
    tasks (汇总, 进展通报) start first, then one task per unit writes both its files, so no core
    waits. -> the Word documents written (also each unit's files in ``result.files``).
    ``encoded`` (results.EncodedUnits) receives each unit's line of results.json, in unit order."""
    from tzreport.fileio import unique_names
    from tzreport.parallel import pool_run
    from tzreport.render.docx.doc_templates import NOTICE
    from tzreport.render.docx.documents import NOTICE_FOLDER, TemplateProblem, notice_job, template_path
    from tzreport.render.xlsx.annotate import OUTPUT_FOLDER, make_context
    names = unique_names(result.units, lambda u: u.name, lambda u: u.code)
    (out / OUTPUT_FOLDER).mkdir(parents=True, exist_ok=True)
    (out / NOTICE_FOLDER).mkdir(parents=True, exist_ok=True)
    notice_template = template_path(NOTICE, templates)
    job = OutputJob(result, scheme, out, when, templates, make_context(result, scheme, when))
    try:
        job.notice = notice_job(result, scheme, when, templates)
    except TemplateProblem as exc:
        result.issues.append(Issue(ERROR, str(notice_template), "", "", str(exc)))
    job.file_names, job.scheme_units = names, scheme.unit_by_code()
    for issue in result.issues:
        if issue.unit:
            job.issues_by_unit.setdefault(issue.unit, []).append(issue)
    tasks = iter(range(len(result.units)))
    notices, problems = [], {}

    def collect(value):
        code, annotated, annotate_problem, notice, problem, unit_files, line, fallback = value
        if encoded is not None:
            encoded.add(code, unit_files, line)
        files = result.files.setdefault(code, {})
        if annotate_problem:
            result.issues.append(Issue(ERROR, output_label(out, annotated), "", "", annotate_problem, code))
        else:
            files["annotated"] = Path(annotated)
        if fallback:
            result.issues.append(Issue(WARNING, output_label(out, annotated), "", "", fallback, code))
        if notice:
            files["notice"] = Path(notice)
            notices.append(Path(notice))
        if problem.startswith(WRITE_PROBLEM):
            notice_path = out / NOTICE_FOLDER / f"{names[code]}.docx"
            result.issues.append(Issue(ERROR, output_label(out, notice_path), "", "", problem, code))
        elif problem:
            problems[problem] = problems.get(problem, 0) + 1

    first = next(tasks, None)
    if first is not None:             # in this process: a template failing for every unit fails here, once
        value = _unit_task(job, first)
        if progress:
            progress(1)
        problem = value[4]
        if problem and not problem.startswith(WRITE_PROBLEM):
            result.issues.append(Issue(ERROR, str(notice_template), "", "", problem))
            job.notice = None
            value = value[:4] + ("",) + value[5:]
        collect(value)
    heads = [(_summary_task, list(result.issues)), (_bulletins_task, list(result.issues))]
    summary_issues, (bulletins, bulletin_issues) = pool_run(
        job, heads, _unit_task, tasks, max(0, len(result.units) - 1), jobs, progress, collect)
    result.issues += summary_issues + bulletin_issues
    for problem, count in problems.items():
        result.issues.append(Issue(ERROR, str(notice_template), "", "", f"{problem}（{count}个单位）"))
    return bulletins + notices


def _stage(progress, name: str, total: int = None):
    """The per-item callback of one stage, from ``progress(stage, total)`` (or None)."""
    return progress(name, total) if progress else None


def check(inputs, out_dir=None, as_of: dt.date = None, jobs: int = None) -> BuildResult:
    """Validation only: read and score as ``build`` does, write just 审核结果.xlsx and 退回/ copies."""
    from tzreport.read import expand_inputs
    from tzreport.render.xlsx.review import write_review
    if not inputs:
        raise BuildError("没有输入文件")
    out = Path(out_dir) if out_dir else default_output_dir(inputs)
    issues = []
    scheme, submissions = load_inputs(inputs, issues, jobs=jobs, skip=[out])
    result = evaluate(scheme, submissions, issues, as_of)      # SPEC 3.11: per period, folded
    # Only files within the reading limits get a marked 退回 copy: openpyxl, which makes it, has
    # none of its own (a zip bomb refused by the reader grew past 24 GB there).
    files = {f.label: f.path for f in expand_inputs(inputs, [], skip=[out]) if copy_allowed(f.path)}
    writable_folder(out)
    try:
        write_review(scheme, result, files, out, fixed_time(result.params.as_of))
    except OSError as exc:
        raise BuildError(f"无法写出 {out}：{write_problem(exc)}") from exc
    return result


def make_templates(scheme_path, out_dir, as_of: dt.date = None) -> tuple:
    """Blank submissions, one per unit of the scheme -> (paths written, issues of the scheme)."""
    from tzreport.read import read_scheme_file
    from tzreport.render.xlsx.template import write_templates
    issues = []
    scheme = read_scheme_file(scheme_path, issues)
    day = as_of or scheme.params.as_of
    return write_templates(scheme, out_dir, day, fixed_time(day)), issues


def exit_code(result: BuildResult) -> int:
    """SPEC 5: 0 clean, 1 built with problems (errors or warnings); 2 is raised as BuildError."""
    return 1 if any(i.severity in (ERROR, WARNING) for i in result.issues) else 0
