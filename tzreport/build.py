"""The build pipeline: read → validate → score → grade → write.

``evaluate`` is pure (scheme and submissions in, results out); ``build`` adds the files around it
and is what the CLI and scripts call.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .fileio import fixed_time
from .grading import advancement, apply_consequences, assign_grades, assign_ranks
from .model import (BEST, ERROR, INFO, RANKING, ST_BLANK, ST_NO_DATA, ST_NOT_APPLICABLE,
                    ST_NOT_SUBMITTED, ST_OK, TARGETED_METHODS, WARNING, BuildResult, Issue)
from .planning import plan, rank_indicators
from .read import BuildError, load_inputs
from .scoring import schedule_fraction, score_indicator, score_unit


def _categories(scheme) -> list:
    return list(dict.fromkeys(unit.category for unit in scheme.units))   # first-seen order


def evaluate(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
    """Score and grade every unit of the scheme (SPEC 3). Pure: no files, no clock."""
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
        full_scores[category] = sum(i.weight for i in inds)

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
                issues.append(Issue(INFO, scheme.file, "考核办评分", "",
                                    f"{category}：“{ind.name}”（{ind.code}，{ind.weight:g}分）暂无评分数据，"
                                    f"本次对所有单位不计，其余指标按满分{full_scores[category]:g}分折算"))
        peers = {}
        for ind in inds:
            if ind.method in (RANKING, BEST) and ind.code not in no_data:
                peers[ind.code] = sorted(v for u in members for v in [lookup(u, ind)[0]]
                                         if isinstance(v, float))
        category_results = []
        for unit in members:
            sub = by_unit.get(unit.code)
            if sub is None:
                issues.append(Issue(WARNING, "", "", "", f"{unit.name}未报送", unit.code))
            rows = []
            for ind in inds:
                target = scheme.targets.get((unit.code, ind.code))
                actual, value = lookup(unit, ind)
                if ind.code in no_data:
                    status = ST_NO_DATA
                elif ind.method in TARGETED_METHODS and target is None:
                    status = ST_NOT_APPLICABLE
                elif actual is not None:
                    status = ST_OK
                elif ind.from_office:
                    status = ST_BLANK
                    issues.append(Issue(WARNING, scheme.file, "考核办评分", "",
                                        f"缺少{unit.name}“{ind.name}”（{ind.code}）的评分，按0分计",
                                        unit.code))
                else:
                    status = ST_NOT_SUBMITTED if sub is None else ST_BLANK
                r = score_indicator(ind, target, actual, status, p, params, peers.get(ind.code, ()),
                                    scheme.bands.get(ind.key, ()))
                if value is not None:
                    r.previous, r.note = value.previous, value.note
                plan(r, ind, params.as_of)
                rows.append(r)
            ur = score_unit(unit, rows, full_scores[category], params, sub.claims if sub else [],
                            scheme.honor_levels, deductions.get(unit.code, []), sub is not None)
            category_results.append(ur)
        rank_indicators(category_results, inds)
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
    first = Path(inputs[0])
    return first.resolve().parent / "tzreport-out"


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
    from .render.annotate import write_annotated
    from .render.documents import gongwen_issues, write_documents
    from .render.summary import FILE_NAME, write_summary
    from .results import write_results
    if not inputs:
        raise BuildError("没有输入文件")
    out = Path(out_dir) if out_dir else default_output_dir(inputs)
    issues = []
    scheme, submissions = load_inputs(inputs, issues, progress=_stage(progress, "读取报表"),
                                      jobs=jobs, skip=[out])
    result = evaluate(scheme, submissions, issues, as_of)
    if date is not None:
        result.params.written_date = date
    issues += gongwen_issues(result.params, scheme.file)      # SPEC 4.2: said once, not per document
    when = fixed_time(result.params.as_of)
    out.mkdir(parents=True, exist_ok=True)
    write_summary(result, out / FILE_NAME, when)
    write_annotated(result, scheme, out, when, jobs=jobs,
                    progress=_stage(progress, "写批注表", len(result.units)))
    result.documents = write_documents(result, scheme, out, when, templates=templates, jobs=jobs,
                                       progress=_stage(progress, "写通知", len(result.units)))
    for writer in writers or ():
        writer(result, scheme, out, when)
    write_results(result, out / "results.json")   # last: it lists the problems of every stage
    return result


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
    result = evaluate(scheme, submissions, issues, as_of)
    files = {f.label: f.path for f in expand_inputs(inputs, [], skip=[out])}
    out.mkdir(parents=True, exist_ok=True)
    write_review(scheme, result, files, out, fixed_time(result.params.as_of))
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
