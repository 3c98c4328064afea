"""Scoring and grading a whole build (SPEC 3): each period scored, folded, then ranked and graded
once. Pure: no files, no clock."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from tzreport.model import (BEST, ERROR, INFO, RANKING, ST_BLANK, ST_NO_DATA, ST_NOT_APPLICABLE,
                            ST_NOT_SUBMITTED, ST_OK, TARGETED_METHODS, WARNING, BuildResult, Issue, cn_date)
from tzreport.parallel import gc_paused
from tzreport.rules.advance import apply_rank_changes
from tzreport.rules.consequences import apply_consequences
from tzreport.rules.grades import assign_grades
from tzreport.rules.indicator import score_indicator
from tzreport.rules.periods import (fold, period_label, period_summary, period_unit, scheme_at,
                                    split_periods, trend)
from tzreport.rules.planning import advancement, plan, rank_indicators
from tzreport.rules.ranking import assign_ranks
from tzreport.rules.rounding import fmt
from tzreport.rules.schedule import is_year_end, schedule_fraction
from tzreport.rules.unit import full_score, score_unit


def _categories(scheme) -> list:
    return list(dict.fromkeys(unit.category for unit in scheme.units))   # first-seen order


def evaluate(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
    """Score and grade a build (SPEC 3): every period with data up to the 统计截止日期 scored as if
    it were the 统计截止日期 (SPEC 3.11: same annual targets, its own p_j), the current one (the
    latest) folded over the 考核期 reached, then ranked and graded once. With one period the
    result is ``evaluate_period``'s."""
    current = as_of or scheme.params.as_of
    if current is None:
        return evaluate_period(scheme, submissions, issues, as_of)
    by_date = split_periods(scheme, submissions, issues, current)
    latest = max((d for d, subs in by_date.items() if subs), default=None)
    if latest is not None and latest < current and not by_date.get(current):
        # No unit reported for the 统计截止日期 itself (e.g. `--as-of 2026-12-31` over September's
        # files): the latest data are the current period's, as a build of one date always took them.
        by_date[current] = by_date.pop(latest)
        if latest in scheme.dated_office_values or latest in scheme.dated_deductions:
            by_date[latest] = []
        issues.append(Issue(INFO, "", "", "", f"没有统计截止为{cn_date(current)}的报表，按最近一期"
                            f"（{cn_date(latest)}）的数据计算"))
    rules = [r for r in scheme.periods]
    reached = [r for r in rules if r.end <= current]
    for rule in reached:
        if rule.end not in by_date:
            issues.append(Issue(WARNING, *rule.where,
                                f"考核期“{rule.name}”（截止{cn_date(rule.end)}）没有任何数据，不参与折算"))
    dates = sorted(by_date)
    if not dates or dates[-1] != current:
        dates.append(current)     # the build's own date is always the current period
    if len(dates) == 1 and not reached:     # one period
        return evaluate_period(scheme_at(scheme, current, current), by_date.get(current, []), issues, as_of)
    summaries = {}
    for day in dates[:-1]:        # earlier periods, each ranked and graded as it stood then
        then = evaluate_period(scheme_at(scheme, day, current), by_date.get(day, []), [],
                               day if day != scheme.params.as_of or as_of else None)
        summaries[day] = period_summary(then, lights=day == dates[-2])
    result = evaluate_period(scheme_at(scheme, current, current), by_date.get(current, []), issues,
                             current if current != scheme.params.as_of or as_of else None, standing=False)
    year = result.params.year
    folded = [r for r in reached if r.end in summaries or r.end == current]
    if len(dates) < 2 and not folded:
        settle_standing(result, scheme)
        return result
    result.periods = [{"period": period_label(d, rules, year), "as_of": d,
                       "weight": next((r.weight for r in folded if r.end == d), None),
                       "folded": any(r.end == d for r in folded)} for d in dates]
    result.not_reached = [r.name for r in rules if r.end > current]
    units = {d: {u.code: u for u in summaries[d].units} for d in dates[:-1]}
    if folded:
        if any(r.end == current for r in folded):    # its own rank is one of the ranks folded
            units[current] = own_standing(result, scheme)
        fold(result, folded, units, scheme, period_label(current, rules, year))
    settle_standing(result, scheme)
    if folded:
        issues.append(Issue(INFO, scheme.file, "考核期", "", "本次按考核期折算："
                            + "、".join(f"{r.name}{fmt(r.weight)}" for r in folded)
                            + (f"；{'、'.join(result.not_reached)}尚未到期" if result.not_reached else "")))
    if len(dates) > 1:
        trend(result, dates, units, rules, year)
    return result


def evaluate_period(scheme, submissions: list, issues: list, as_of: dt.date = None,
                    standing: bool = True) -> BuildResult:
    """One period: every unit of the scheme scored (SPEC 3.1–3.3, 3.6–3.9) and, with ``standing``,
    ranked and graded (``settle_standing``). Pure: no files, no clock."""
    with gc_paused():      # 300,000 results at 2,000 units, none of them garbage
        result = _score(scheme, submissions, issues, as_of)
        if standing:
            settle_standing(result, scheme)
    return result


def settle_standing(result: BuildResult, scheme) -> None:
    """Per 考核类别, once the bases are final: ranks (SPEC 3.3), 进位 (3.10: rank on 综合得分
    before 进位, apply 进位/退位/保位 points, rank again), grades (3.4), consequences (3.5) and
    争先进位 (3.6); the units in category, then rank order."""
    params = result.params
    by_category = {}
    for ur in result.units:
        by_category.setdefault(ur.category, []).append(ur)
    units = []
    for category in result.categories:
        members = by_category.get(category, [])
        assign_ranks(members)
        rule = scheme.advance_rules.get(category)
        if rule is not None:
            apply_rank_changes(members, rule, scheme.ranks, params.year, scheme.bonus_caps, params)
            assign_ranks(members)
        assign_grades(members, scheme.grades)
        apply_consequences(members, scheme.consequences, scheme.history, params.year)
        advancement(members, scheme.grades)
        members.sort(key=lambda u: (u.rank, u.code))
        units += members
    result.units = units


def own_standing(result: BuildResult, scheme) -> dict:
    """The current period's own rank, 进位 and grade (SPEC 3.11: 名次加分 goes by each period's
    own rank) -> {code: PeriodUnit}, worked on copies: the units themselves are ranked once, on the
    folded bases."""
    copies = [_standing_copy(u) for u in result.units]
    settle_standing(dataclasses.replace(result, units=copies), scheme)
    return {u.code: period_unit(u, lights=False) for u in copies}


def _standing_copy(ur):
    """A unit result whose standing may be worked out without touching ``ur``: the containers
    standing replaces or appends to are its own (the indicators are only read)."""
    twin = copy.copy(ur)
    for name in ("deduction_items", "bonus_classes", "consequences", "advance", "rank_change"):
        setattr(twin, name, copy.copy(getattr(ur, name)))
    return twin


def _score(scheme, submissions: list, issues: list, as_of: dt.date = None) -> BuildResult:
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
                final = is_year_end(p)
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
                plan(r, ind, params.as_of, p)
                rows.append(r)
            ur = score_unit(unit, rows, full_scores[category], params, sub.claims if sub else [],
                            scheme.honor_levels, deductions.get(unit.code, []), sub is not None,
                            weights, scheme.bonus_caps, scheme.honor_classes)
            category_results.append(ur)
        rank_indicators(category_results, inds)
        if scheme.advance_rules.get(category) is not None and \
                not any(scheme.ranks.get(u.code, {}).get(params.year - 1) for u in members):
            issues.append(Issue(INFO, scheme.file, "进位奖励", "",
                                f"{category}：历年等次表没有{params.year - 1}年度的名次，本次不计进位加分"))
        results += category_results
    return BuildResult(params=params, schedule_fraction=p, units=results,
                       indicators=list(scheme.indicators), excluded=excluded, issues=issues,
                       categories=categories, full_scores=full_scores, submissions=by_unit)
