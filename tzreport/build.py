"""The build pipeline: read → validate → score → grade → write.

``evaluate`` is pure (scheme and submissions in, results out); ``build`` adds the files around it
and is what the CLI and scripts call.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from .fileio import WRITE_PROBLEM, fixed_time, output_label, write_problem, write_reason
from .grading import (advancement, apply_consequences, apply_rank_changes, assign_grades,
                      assign_ranks)
from .model import (BEST, ERROR, INFO, RANKING, ST_BLANK, ST_NO_DATA, ST_NOT_APPLICABLE,
                    ST_NOT_SUBMITTED, ST_OK, TARGETED_METHODS, WARNING, BuildResult, Issue)
from .parallel import gc_paused
from .planning import plan, rank_indicators
from .read import BuildError, load_inputs
from .read.workbook import copy_allowed
from .render.summary import FILE_NAME
from .scoring import full_score, schedule_fraction, score_indicator, score_unit


def _categories(scheme) -> list:
    return list(dict.fromkeys(unit.category for unit in scheme.units))   # first-seen order


def evaluate(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
    """Score and grade every unit of the scheme (SPEC 3). Pure: no files, no clock."""
    with gc_paused():      # 300,000 results at 2,000 units, none of them garbage
        return _evaluate(scheme, submissions, issues, as_of)


def _evaluate(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
    params = dataclasses.replace(scheme.params)
    if as_of is not None:
        params.as_of = as_of
        if params.year and as_of.year != params.year:
            issues.append(Issue(WARNING, scheme.file, "参数", "",
                                f"--as-of {as_of} 不在考核年度{params.year}内，按{as_of.year}年计算"))
        params.year = as_of.year
    if params.as_of is None:
        year = params.year or 2000
        params.as_of = dt.date(year, 12, 31)
        issues.append(Issue(ERROR, scheme.file, "参数", "", f"参数表没有统计截止日期，按{year}年12月31日计算"
                            "（可在参数表填写，或用 --as-of 指定）"))
    params.year = params.year or params.as_of.year
    p = schedule_fraction(params.as_of, params.schedule_method)
    by_unit = {s.unit_code: s for s in submissions}
    deductions = {}
    for d in scheme.deductions:
        deductions.setdefault(d.unit, []).append(d)
    results, excluded, full_scores = [], [], {}
    categories = _categories(scheme)
    for category in categories:
        inds = scheme.indicators_of(category)
        members = [u for u in scheme.units if u.category == category]
        weights = scheme.major_weights.get(category) or None    # SPEC 3.7
        full_scores[category] = full_score(inds, weights)

        def lookup(unit, ind):
            """-> (actual, the unit's reported Value or None); 考核办 indicators come from the scheme."""
            if ind.from_office:
                found = scheme.office_values.get((unit.code, ind.code))
                return (found[0] if found else None), None
            sub = by_unit.get(unit.code)
            value = sub.values.get(ind.code) if sub else None
            return (value.actual if value else None), value

        no_data = set()
        for ind in inds:
            if ind.from_office and not any((u.code, ind.code) in scheme.office_values for u in members):
                no_data.add(ind.code)
                excluded.append((category, ind.code, ind.name))
                rest = (f"“{ind.major}”按本大类其余指标折算" if weights else   # SPEC 3.7 / 3.3
                        f"其余指标按满分{full_scores[category]:g}分折算")
                issues.append(Issue(INFO, scheme.file, "考核办评分", "",
                                    f"{category}：“{ind.name}”（{ind.code}，{ind.weight:g}分）暂无评分数据，"
                                    f"本次对所有单位不计，{rest}"))
        peers = {}
        for ind in inds:
            if ind.method in (RANKING, BEST) and ind.code not in no_data:
                peers[ind.code] = sorted(v for u in members for v in [lookup(u, ind)[0]]
                                         if isinstance(v, float))
        category_results = []
        # What each indicator needs, looked up once per category rather than once per unit
        # (300,000 times at 2,000 units); the loop below is lookup() written out.
        per_indicator = [(ind, ind.code, ind.from_office, ind.code in no_data,
                          ind.method in TARGETED_METHODS, peers.get(ind.code, ()),
                          scheme.bands.get(ind.key, ())) for ind in inds]
        targets, office_values = scheme.targets, scheme.office_values
        for unit in members:
            sub = by_unit.get(unit.code)
            if sub is None:    # named at every build; at the year end it decides a grade (SPEC 4.1)
                final = (params.as_of.month, params.as_of.day) == (12, 31)
                issues.append(Issue(WARNING, "", "", "", f"{unit.name}未报送" + (
                    f"{params.year}年度完成情况，由单位填报的指标均按0分计，考核结果通报中列为未报送"
                    if final else "，由单位填报的指标均按0分计"), unit.code))
            reported = sub.values if sub is not None else {}
            rows = []
            for ind, code, from_office, without_data, targeted, ind_peers, bands in per_indicator:
                target = targets.get((unit.code, code))
                if from_office:
                    found = office_values.get((unit.code, code))
                    actual, value = (found[0] if found else None), None
                else:
                    value = reported.get(code)
                    actual = value.actual if value is not None else None
                if without_data:
                    status = ST_NO_DATA
                elif targeted and target is None:
                    status = ST_NOT_APPLICABLE
                elif actual is not None:
                    status = ST_OK
                elif from_office:
                    status = ST_BLANK
                    issues.append(Issue(WARNING, scheme.file, "考核办评分", "",
                                        f"缺少{unit.name}“{ind.name}”（{ind.code}）的评分，按0分计",
                                        unit.code))
                else:
                    status = ST_NOT_SUBMITTED if sub is None else ST_BLANK
                r = score_indicator(ind, target, actual, status, p, params, ind_peers, bands,
                                    scheme.qualitative_levels)
                if value is not None:
                    r.previous, r.note = value.previous, value.note
                plan(r, ind, params.as_of)
                rows.append(r)
            ur = score_unit(unit, rows, full_scores[category], params, sub.claims if sub else [],
                            scheme.honor_levels, deductions.get(unit.code, []), sub is not None,
                            weights, scheme.bonus_caps, scheme.honor_classes)
            category_results.append(ur)
        rank_indicators(category_results, inds)
        assign_ranks(category_results)
        rule = scheme.advance_rules.get(category)
        if rule is not None:
            if not any(scheme.ranks.get(u.code, {}).get(params.year - 1) for u in members):
                issues.append(Issue(INFO, scheme.file, "进位奖励", "",
                                    f"{category}：历年等次表没有{params.year - 1}年度的名次，本次不计进位加分"))
            # SPEC 3.10: rank on 综合得分 before 进位, apply 进位/退位/保位 points, rank again.
            apply_rank_changes(category_results, rule, scheme.ranks, params.year, scheme.bonus_caps,
                               params)
            assign_ranks(category_results)
        assign_grades(category_results, scheme.grades)
        apply_consequences(category_results, scheme.consequences, scheme.history, params.year)
        advancement(category_results, scheme.grades)
        category_results.sort(key=lambda u: (u.rank, u.code))
        results += category_results
    return BuildResult(params=params, schedule_fraction=p, units=results,
                       indicators=list(scheme.indicators), excluded=excluded, issues=issues,
                       categories=categories, full_scores=full_scores, submissions=by_unit)


def default_output_dir(inputs) -> Path:
    """A folder named after the first input, beside it (never inside an input folder):
    `input.xlsx` -> `input-结果/`, a folder `市考` -> `市考-结果/`."""
    from .read import OUTPUT_DIR_SUFFIX
    first = Path(inputs[0]).resolve()
    return first.parent / f"{first.name if first.is_dir() else first.stem}{OUTPUT_DIR_SUFFIX}"


OWN_SUFFIXES = (".xlsx", ".docx", ".pdf")


def previous_outputs(out: Path) -> set:
    """The files the previous build wrote into ``out``, as its results.json lists them: each unit's
    批注 and 通知 and the documents. Nothing when there is no readable results.json."""
    from .results import ResultsUnreadable, read_results
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
          writers=None, templates=None, date: dt.date = None) -> BuildResult:
    """Read, score, grade and write the outputs. Raises BuildError when nothing can be built.

    Writes 汇总.xlsx, 批注/<单位>.xlsx, 进展通报.docx, 考核结果通报.docx (at year end), 通知/<单位>.docx
    and, last, results.json into ``out_dir``; ``templates`` is a folder of a clerk's own Word
    templates (any missing one is the built-in); ``date`` is the documents' 成文日期 (``--date``,
    over 参数 成文日期). ``writers`` are further callables
    ``writer(result, scheme, out_dir, when)``. ``progress(stage, total)`` may return a callable
    taking a count, for long stages (reading submissions, annotating workbooks, notices).
    """
    from .render.documents import gongwen_issues
    from .results import EncodedUnits, write_results
    if not inputs:
        raise BuildError("没有输入文件")
    out = Path(out_dir) if out_dir else default_output_dir(inputs)
    issues = []
    scheme, submissions = load_inputs(inputs, issues, progress=_stage(progress, "读取报表"),
                                      jobs=jobs, skip=[out])
    _require_submissions(scheme, submissions, issues)
    from .periods import evaluate_periods      # SPEC 3.11: evaluate per period, folded
    result = evaluate_periods(scheme, submissions, issues, as_of)
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
    return result


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
    from .render.summary import write_summary
    try:
        write_summary(dataclasses.replace(job.result, issues=issues), job.out / FILE_NAME, job.when,
                      grade_order=[g.name for g in job.scheme.grades])
    except OSError as exc:
        return [Issue(ERROR, output_label(job.out, job.out / FILE_NAME), "", "", write_problem(exc))]
    return []


def _bulletins_task(job: OutputJob, issues: list):
    """进展通报 and 考核结果通报 -> (paths, the problems they met); ``issues`` as for 汇总."""
    from .render.documents import write_documents
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
    from .render.annotate import OUTPUT_FOLDER, annotate_unit
    from .render.documents import NOTICE_FOLDER, _notice_one
    from .render.template import blank_for
    from .results import relative_path, unit_line
    ur = job.result.units[index]
    sub = job.result.submissions.get(ur.code)
    blank = blank_for(job.scheme, job.scheme_units[ur.code])
    issues = job.issues_by_unit.get(ur.code, [])
    annotated = job.out / OUTPUT_FOLDER / f"{job.file_names[ur.code]}.xlsx"
    notice = job.out / NOTICE_FOLDER / f"{job.file_names[ur.code]}.docx"
    annotate_problem = ""
    try:
        annotate_unit(job.annotate, ur, sub, blank, issues, annotated)
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
    return ur.code, annotated, annotate_problem, notice, problem, files, line


def write_outputs(result, scheme, out: Path, when, templates=None, jobs: int = None,
                  progress=None, encoded=None) -> list:
    """汇总.xlsx, the 通报 and every unit's 批注 and 通知, in one pool of workers: the longest
    tasks (汇总, 进展通报) start first, then one task per unit writes both its files, so no core
    waits. -> the Word documents written (also each unit's files in ``result.files``).
    ``encoded`` (results.EncodedUnits) receives each unit's line of results.json, in unit order."""
    from .fileio import unique_names
    from .render.annotate import OUTPUT_FOLDER, make_context
    from .render.documents import NOTICE_FOLDER, TemplateProblem, notice_job, template_path
    from .render.doc_templates import NOTICE
    from .parallel import pool_run
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
        code, annotated, annotate_problem, notice, problem, unit_files, line = value
        if encoded is not None:
            encoded.add(code, unit_files, line)
        files = result.files.setdefault(code, {})
        if annotate_problem:
            result.issues.append(Issue(ERROR, output_label(out, annotated), "", "", annotate_problem, code))
        else:
            files["annotated"] = Path(annotated)
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
    from .read import expand_inputs
    from .render.review import write_review
    if not inputs:
        raise BuildError("没有输入文件")
    out = Path(out_dir) if out_dir else default_output_dir(inputs)
    issues = []
    scheme, submissions = load_inputs(inputs, issues, jobs=jobs, skip=[out])
    from .periods import evaluate_periods
    result = evaluate_periods(scheme, submissions, issues, as_of)
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
    from .read import read_scheme_file
    from .render.template import write_templates
    issues = []
    scheme = read_scheme_file(scheme_path, issues)
    day = as_of or scheme.params.as_of
    return write_templates(scheme, out_dir, day, fixed_time(day)), issues


def exit_code(result: BuildResult) -> int:
    """SPEC 5: 0 clean, 1 built with problems (errors or warnings); 2 is raised as BuildError."""
    return 1 if any(i.severity in (ERROR, WARNING) for i in result.issues) else 0
