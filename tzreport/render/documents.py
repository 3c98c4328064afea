"""Word documents (SPEC 4): 进展通报.docx every build, 考核结果通报.docx at year end, and
通知/<单位>.docx for every unit — docxtpl templates from ``templates/`` filled with sentences
written from the numbers (``prose``) and charts (``charts``).

The templates are a clerk's to edit, so they render in a sandbox with autoescape and strict
undefined variables; a broken one becomes a one-line problem naming the template and the tag, and
the rest of the build goes on.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import save_docx, unique_names
from ..model import (COMPLETION, CONTROL, ERROR, FORWARD, GREEN, GROWTH, INFO, QUALITATIVE, RED,
                     TOTAL, VETO_LOWEST, VETO_NONE, WARNING, YELLOW, Issue)
from ..parallel import parallel_map
from ..planning import days_left
from ..read.values import cn_date
from . import prose
from .charts import ChartFontMissing, lights_chart, totals_chart
from .common import LIGHT_COLOURS, display_width, number_text, score_text
from .doc_templates import NOTICE, PROGRESS, RESULTS
from .wordlayout import lay_out_signature

NOTICE_FOLDER = "通知"
CN_NUMERALS = "〇一二三四五六七八九"
VETO_WORDS = {VETO_LOWEST: "一票否决", "否优": "一票否优"}
CHART_WIDTH_MM = 150


class TemplateProblem(Exception):
    """A clerk's template that cannot be rendered; the message names the template and the tag."""


def builtin_templates() -> Path:
    """templates/ as installed (inside the package) or in a source checkout (beside it)."""
    here = Path(__file__).resolve().parents[1]
    for folder in (here / "templates", here.parent / "templates"):
        if (folder / PROGRESS).is_file():
            return folder
    raise TemplateProblem(f"找不到内置的 Word 模板（{PROGRESS}），请重新安装 tzreport")


def template_path(name: str, folder=None) -> Path:
    """A clerk's own template from ``folder`` when it has one by that name, else the built-in."""
    if folder is not None and (Path(folder) / name).is_file():
        return Path(folder) / name
    return builtin_templates() / name


# -- words ---------------------------------------------------------------------------------------

def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (for （一）-style headings)."""
    if n < 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")


def period_text(day: dt.date) -> str:
    """"1—9月" at a month end, "1月1日至9月20日" otherwise."""
    month_end = (day + dt.timedelta(days=1)).day == 1
    if month_end:
        return f"1—{day.month}月" if day.month > 1 else "1月"
    return f"1月1日至{day.month}月{day.day}日"


def is_year_end(day: dt.date) -> bool:
    return (day.month, day.day) == (12, 31)


def notice_title(unit: str, as_of: dt.date, year: int) -> str:
    """The title of a unit's 通知 (also the default subject of its mail)."""
    if is_year_end(as_of):
        return f"关于{unit}{year}年度目标责任考核结果的通知"
    return f"关于{unit}{year}年{period_text(as_of)}目标任务完成情况的通知"


def _lit(r) -> bool:
    return r.applies and r.light in (GREEN, YELLOW, RED)


def _figure(x, digits: int = 2) -> str:
    return number_text(x, digits) if isinstance(x, (int, float)) else (x or "—")


def _veto_item(item: str, codes: set) -> str:
    """"ZB10 环境保护目标责任" → "“环境保护目标责任”指标"; a deduction item stays as it is."""
    code, _, name = item.partition(" ")
    return f"“{name}”指标" if code in codes and name else item


@dataclass
class Category:
    """One 考核类别 with what several documents say about it."""
    name: str
    units: list                       # [UnitResult], rank order
    indicators: list                  # [Indicator], aligned with each unit's .indicators
    full_score: float
    excluded: list = field(default_factory=list)   # names left out for lack of data

    @property
    def ranked(self) -> list:
        return [(u.name, u.rank) for u in self.units]

    @functools.cached_property
    def lights(self) -> list:
        """Per indicator, unit names by light: (green, yellow, red). Computed once: four sections
        of the 通报 read it."""
        out = []
        for k, _ in enumerate(self.indicators):
            names = {GREEN: [], YELLOW: [], RED: []}
            for u in self.units:
                r = u.indicators[k]
                if _lit(r):
                    names[r.light].append(u.name)
            out.append((names[GREEN], names[YELLOW], names[RED]))
        return out

    def lit_columns(self) -> list:
        """(position, Indicator) of indicators that carry lights for at least one unit."""
        return [(k, ind) for k, ind in enumerate(self.indicators) if any(self.lights[k])]

    def lights_of(self, k: int) -> tuple:
        """Unit names by light on indicator ``k``: (green, yellow, red)."""
        return self.lights[k]

    def aggregate(self, k: int, ind):
        """Σ完成 / Σ目标 over the units, for a forward 总量 indicator where that adds up; else None."""
        rows = [u.indicators[k] for u in self.units if u.indicators[k].applies]
        if ind.method != COMPLETION or ind.value_type != TOTAL or ind.direction != FORWARD or not rows:
            return None
        if not all(isinstance(r.actual, float) and r.target for r in rows):
            return None
        return sum(r.actual for r in rows), sum(r.target for r in rows)

    def on_schedule(self, k: int, ind, p: float) -> bool:
        """赶上序时进度 as a whole: the summed completion where totals add up, else every unit green."""
        summed = self.aggregate(k, ind)
        if summed is not None:
            return summed[0] / summed[1] >= (p if ind.prorate else 1.0) - 1e-12
        green, yellow, red = self.lights_of(k)
        return not yellow and not red

    @functools.cached_property
    def last_ranks(self) -> list:
        """Per indicator, the last place (ties share it); None when there are not two places.
        Computed once: a notice asks for it per indicator, and each look walks every unit."""
        out = []
        for k, _ in enumerate(self.indicators):
            ranks = [u.indicators[k].rank for u in self.units if u.indicators[k].rank is not None]
            out.append(max(ranks) if len(ranks) > 1 and min(ranks) != max(ranks) else None)
        return out

    @functools.cached_property
    def rank_counts(self) -> dict:
        """rank -> how many units hold it (more than one: 并列)."""
        counts = {}
        for u in self.units:
            counts[u.rank] = counts.get(u.rank, 0) + 1
        return counts

    def last_places(self) -> dict:
        """unit name -> indicators on which it ranks last among the category (where ranked)."""
        counts = {}
        for k, last in enumerate(self.last_ranks):
            for u in self.units:
                if last is not None and u.indicators[k].rank == last:
                    counts[u.name] = counts.get(u.name, 0) + 1
        return counts


def categories(result) -> list:
    out = []
    for name in result.categories:
        excluded = [ind_name for cat, _, ind_name in result.excluded if cat == name]
        out.append(Category(name, [u for u in result.units if u.category == name],
                            [i for i in result.indicators if i.category == name],
                            result.full_scores[name], excluded))
    return out


def _grade_order(result, scheme) -> list:
    order = [g.name for g in scheme.grades]
    return order + [g for g in dict.fromkeys(u.grade for u in result.units) if g and g not in order]


def low_grades(grade_order: list) -> list:
    """一般 and the grades below it (the lowest grade when a scheme has no 一般)."""
    if len(grade_order) < 2:
        return []
    threshold = grade_order.index("一般") if "一般" in grade_order else len(grade_order) - 1
    return grade_order[threshold:]


def needs_rectification(ur, grade_order: list) -> bool:
    """整改 for 一般 or worse, and for a 一票否决."""
    return ur.veto == VETO_LOWEST or ur.grade in low_grades(grade_order)


def issuer_mark_size(text: str, widest: float = 26, line_pt: float = 440) -> int:
    """Point size that keeps the 发文机关标志 on one line of the 156 mm type area (at most 26 pt)."""
    chars = max(1.0, display_width(text) / 2)
    return int(max(16, min(widest, line_pt // chars)))


def written_date(params) -> dt.date:
    """成文日期 (SPEC 4.2): 参数 成文日期 or ``--date`` (build puts it in ``params``), else the
    统计截止日期 — which build then names in an INFO line."""
    return params.written_date or params.as_of


def _common(result) -> dict:
    params = result.params
    issuer = params.issuer or "考核办"
    schedule = number_text(result.schedule_fraction * 100, 1, keep_zeros=True)
    written = written_date(params)
    cc = params.cc.strip()
    if cc and not cc.endswith(("。", ".")):       # 7.4.2: the last 抄送机关 ends with a 句号
        cc += "。"
    return {"issuer": issuer, "issuer_mark": f"{issuer}文件", "doc_number": params.doc_number,
            # each document its own 字号 (SPEC 4.2); blank = no 字号 under the red line
            "results_doc_number": params.results_doc_number, "notice_doc_number": params.notice_doc_number,
            "addressee": params.addressee or "各单位", "date": cn_date(written),
            # 版记 (7.4): blank 印发机关 = the 发文机关, blank 印发日期 = the 成文日期
            "cc": cc, "printer": params.printer or issuer, "print_date": cn_date(params.print_date or written),
            "as_of": cn_date(params.as_of), "year": params.year, "name": params.name,
            "period": period_text(params.as_of), "schedule": f"{schedule}%",
            "days_left": days_left(params.as_of)}


def gongwen_issues(params, file: str = "") -> list:
    """Problems of the 公文 elements in 参数 (SPEC 4.2), said once per build."""
    issues = []
    for value, item, fallback in ((params.issuer, "发文机关", "版头按“考核办文件”、落款按“考核办”编排"),
                                  (params.doc_number, "发文字号", "进展通报红线上方没有发文字号"),
                                  (params.addressee, "主送", "通报主送按“各单位”编排")):
        if not str(value or "").strip():
            issues.append(Issue(WARNING, file, "参数", "", f"参数表未填写“{item}”，{fallback}；请在参数表填写“{item}”"))
    if params.written_date is None:
        issues.append(Issue(INFO, file, "参数", "", f"成文日期未填写，按统计截止日期{cn_date(params.as_of)}落款；"
                            "可在参数表填写“成文日期”或用 --date 指定"))
    elif params.as_of and params.written_date < params.as_of:
        issues.append(Issue(WARNING, file, "参数", "", f"成文日期{cn_date(params.written_date)}早于统计截止日期"
                            f"{cn_date(params.as_of)}，请核对参数表“成文日期”或 --date"))
    return issues


# -- 进展通报 ---------------------------------------------------------------------------------------

def progress_context(result, scheme, charts: dict) -> dict:
    """Everything 进展通报.docx says. ``charts`` collects (key -> PNG bytes) for the caller."""
    ctx = _common(result)
    p = result.schedule_fraction
    cats = categories(result)
    many = len(cats) > 1
    ctx["title"] = f"关于{result.params.name}{ctx['period']}进展情况的通报"
    ctx["intro"] = [f"为及时掌握年度目标任务推进情况，考核办对截至{ctx['as_of']}各单位目标任务完成情况进行了"
                    f"统计，序时进度为{ctx['schedule']}。现将有关情况通报如下。"]
    overview, by_indicator, lagging, plans = [], [], [], []
    grade_order = _grade_order(result, scheme)
    for n, cat in enumerate(cats, 1):
        heading = f"（{cn_numeral(n)}）{cat.name}" if many else ""
        overview.append({"heading": heading, "paragraphs": _overview(cat, p),
                         "chart": _chart(charts, f"totals{n}", _totals_png, cat, grade_order)})
        lines, rows = _indicator_lines(cat, p)
        by_indicator.append({"heading": heading, "paragraphs": lines,
                             "chart": _chart(charts, f"lights{n}", _lights_png, cat, rows)})
        lagging.append({"heading": heading, "paragraphs": _lagging(cat), "chart": ""})
        plans.append({"heading": heading, "paragraphs": _plans(cat, result.params.as_of), "chart": ""})
    ctx.update(overview=overview, indicators=by_indicator, lagging=lagging, plans=plans)
    ctx["ranking"] = [{"caption": f"{cat.name}（{len(cat.units)}个单位）" if many else "",
                       "rows": [{"rank": u.rank, "name": u.name, "total": score_text(u.total),
                                 "base": score_text(u.base), "bonus": score_text(u.bonus),
                                 "deduction": score_text(u.deduction), "reds": u.reds}
                                for u in cat.units]} for cat in cats]
    ctx["lights"] = [{"caption": cat.name if many else "", "rows": [
        {"name": ind.name, "units": sum(len(x) for x in lights), "green": len(lights[0]),
         "yellow": len(lights[1]), "red": len(lights[2]), "red_units": prose.join_names(lights[2], 30) or "—"}
        for k, ind in cat.lit_columns() for lights in [cat.lights_of(k)]]} for cat in cats]
    return ctx


def _chart(charts: dict, key: str, draw, *args):
    """Draw a chart into ``charts`` (None there means charts are off) -> the key, or ""."""
    if charts is None:
        return ""
    png = draw(*args)
    if not png:
        return ""
    charts[key] = png
    return key


def _totals_png(cat, grade_order):
    return totals_chart(f"{cat.name}综合得分", [(u.name, u.total, u.grade) for u in cat.units], grade_order)


def _lights_png(cat, rows, most: int = 30):
    """Lights per indicator; past ``most`` indicators only those with the most red and yellow."""
    if not rows:
        return None
    title = f"{cat.name}各指标亮灯情况"
    if len(rows) > most:
        keep = set(sorted(range(len(rows)), key=lambda i: (-rows[i][3], -rows[i][2], i))[:most])
        rows = [row for i, row in enumerate(rows) if i in keep]
        title += f"（红灯、黄灯最多的{most}项）"
    return lights_chart(title, rows)


def _overview(cat, p: float) -> list:
    out = []
    left_out = f"（{prose.join_names(cat.excluded)}暂无评分数据，本次不计）" if cat.excluded else ""
    counted = len(cat.indicators) - len(cat.excluded)
    missing = [u.name for u in cat.units if not u.submitted]
    text = f"{cat.name}共{len(cat.units)}个单位参加考核，考核指标{counted}{prose.ITEM}{left_out}。"
    if missing:
        text += f"{prose.join_names(missing, 10)}{len(missing)}个单位未报送完成情况，按0分计。"
    out.append(text)
    green = yellow = red = 0
    on, behind, warning, crossed = [], [], [], []
    for k, ind in cat.lit_columns():
        g, y, r = cat.lights_of(k)
        green, yellow, red = green + len(g), yellow + len(y), red + len(r)
        if ind.method == CONTROL:
            (crossed if r else warning if y else []).append(ind.name)
        elif ind.method != QUALITATIVE:
            (on if cat.on_schedule(k, ind, p) else behind).append(ind.name)
    if green + yellow + red:
        out.append(f"按单位逐项统计，亮灯指标共{green + yellow + red}{prose.ITEM}次，"
                   f"{prose.lights_phrase(green, yellow, red)}。")
    sentence = prose.schedule_sentence("从指标看，", f"{cat.name}考核指标", on, behind)
    control = prose.control_sentence(warning, crossed)
    if sentence or control:
        out.append(sentence + control)
    ranking = prose.top_sentence(cat.ranked, 3, "综合得分") + prose.bottom_sentence(cat.ranked)
    reds = sorted((u for u in cat.units if u.reds >= 2), key=lambda u: (-u.reds, u.rank))[:3]
    if reds:
        ranking += "亮红灯较多的是" + "、".join(f"{u.name}（{u.reds}{prose.ITEM}）" for u in reds) + "。"
    if ranking:
        out.append(ranking)
    return out


def _indicator_lines(cat, p: float) -> tuple:
    """(paragraphs, chart rows): one numbered line per indicator that carries lights."""
    lines, rows = [], []
    for n, (k, ind) in enumerate(cat.lit_columns(), 1):
        g, y, r = cat.lights_of(k)
        rows.append((ind.name, len(g), len(y), len(r)))
        parts = []
        summed = cat.aggregate(k, ind)
        if summed is not None:
            actual, target = summed
            done = prose.total_progress(actual / target, p) if ind.prorate else \
                f"完成年度目标的{number_text(actual / target * 100, 1)}%"
            parts.append(f"合计完成{number_text(actual)}{ind.measure}，{done}")
        elif ind.value_type == GROWTH and ind.method == COMPLETION:
            rates = [(u.indicators[k].actual, u.name) for u in cat.units
                     if u.indicators[k].applies and isinstance(u.indicators[k].actual, float)]
            if len(rates) > 1:
                high, low = max(rates), min(rates)
                parts.append(f"增速最高的是{high[1]}（{number_text(high[0], 1)}%），"
                             f"最低的是{low[1]}（{number_text(low[0], 1)}%）")
        if ind.method == CONTROL:
            control = []
            if r:
                control.append(f"{prose.join_names(r, 10)}已突破控制线")
            if y:
                control.append(f"{prose.join_names(y, 10)}接近控制线")
            parts.append("，".join(control) if control else "各单位均未突破控制线")
        else:
            parts.append(prose.unit_lights_phrase(g, y, r))
        lines.append(f"{n}.{ind.name}：" + "；".join(x for x in parts if x) + "。")
    if not lines:
        lines.append("本期没有参与亮灯的指标。")
    return lines, rows


def _responsible(ind) -> str:
    parts = [f"牵头单位：{ind.lead}"] if ind.lead else []
    if ind.support:
        parts.append(f"配合单位：{ind.support}")
    return f"（{'；'.join(parts)}）" if parts else ""


def _lagging(cat) -> list:
    lines = []
    for k, ind in cat.lit_columns():
        red = cat.lights_of(k)[2]
        if red:
            lines.append(f"{len(lines) + 1}.{ind.name}{_responsible(ind)}：{prose.join_names(red, 10)}"
                         f"{len(red)}个单位亮红灯。")
    if not lines:
        lines.append("各项指标均未亮红灯。")
    last = sorted(((name, n) for name, n in cat.last_places().items() if n >= 2), key=lambda x: -x[1])
    if last:
        lines.append("从同类排名看，" + prose.last_place_sentence(last[:5]))
    return lines


def _plans(cat, as_of: dt.date) -> list:
    days = days_left(as_of)
    if days <= 0:
        return ["统计截止日已到年底，不再安排倒排计划。"]
    lines = []
    for k, ind in enumerate(cat.indicators):
        short = [u for u in cat.units if u.indicators[k].per_day is not None]
        if not short:
            continue
        remaining = sum(u.indicators[k].remaining for u in short)
        per_day = sum(u.indicators[k].per_day for u in short)
        per_month = sum(u.indicators[k].per_month for u in short)
        most = max(short, key=lambda u: (u.indicators[k].remaining, u.name))
        text = prose.pace_sentence(f"{ind.name}：{len(short)}个单位合计", remaining, ind.measure, days,
                                   per_day, per_month)
        if len(short) > 1:
            text += (f"其中缺口最大的是{most.name}（{number_text(most.indicators[k].remaining)}"
                     f"{ind.measure}）。")
        lines.append(f"{len(lines) + 1}.{text}")
    return lines or ["各单位总量指标均已完成年度目标。"]


# -- 考核结果通报 -----------------------------------------------------------------------------------

def results_context(result, scheme) -> dict:
    ctx = _common(result)
    cats = categories(result)
    many = len(cats) > 1
    order = _grade_order(result, scheme)
    codes = {i.code for i in result.indicators}
    ctx["title"] = f"关于{result.params.name}结果的通报"
    ctx["low_grades"] = "、".join(low_grades(order)) or "靠后"
    ctx["intro"] = [f"根据考核办法，考核办对各单位{ctx['year']}年度目标任务完成情况进行了考核。经数据审核、"
                    "综合评分、等次评定，现将考核结果通报如下。"]
    grades = []
    for n, cat in enumerate(cats, 1):
        heading = f"（{cn_numeral(n)}）{cat.name}（{len(cat.units)}个单位）" if many else ""
        used = [g for g in order if any(u.grade == g for u in cat.units)]
        grades.append({"heading": heading, "chart": "", "paragraphs": [
            prose.grade_sentence(g, [u.name for u in cat.units if u.grade == g]) for g in used]})
    ctx["grades"] = grades
    best = order[0] if order else ""
    top = [u.name for u in result.units if best and u.grade == best]
    ctx["praise"] = [f"对评为“{best}”等次的{prose.join_names(top)}{len(top)}个单位予以通报表扬。" if top
                     else "本年度没有单位评为“优秀”等次。"]
    vetoes = []
    for u in result.units:
        if u.veto != VETO_NONE:
            items = "、".join(_veto_item(item, codes) for _, item in u.veto_reasons)
            vetoes.append(f"{u.name}因{items}被{VETO_WORDS.get(u.veto, '一票否决')}，考核等次为“{u.grade}”。")
    ctx["vetoes"] = vetoes or ["本年度没有单位被一票否决。"]
    ctx["consequences"] = [f"{u.name}（{u.grade}）：{'；'.join(u.consequences)}。"
                           for u in result.units if u.consequences] or ["本年度没有需要运用考核结果的情形。"]
    ctx["tables"] = [{"caption": cat.name if many else "", "rows": [
        {"rank": u.rank, "name": u.name, "total": score_text(u.total), "grade": u.grade,
         "note": "；".join(x for x in (VETO_WORDS.get(u.veto, ""), "" if u.submitted else "未报送") if x)}
        for u in cat.units]} for cat in cats]
    return ctx


# -- 通知/<单位> ------------------------------------------------------------------------------------

def notice_context(result, cat: Category, ur, grade_order: list) -> dict:
    ctx = _common(result)
    final = is_year_end(result.params.as_of)
    ctx["addressee"] = ur.name
    ctx["unit"] = ur.name
    ctx["title"] = notice_title(ur.name, result.params.as_of, ctx["year"])
    ctx["intro"] = [f"现将你单位截至{ctx['as_of']}目标任务完成情况通知如下，请认真对照，查找差距，抓好落实。"]
    tied = cat.rank_counts[ur.rank] > 1
    grade = f"考核等次为“{ur.grade}”" if final else f"按当前进度测算，等次为“{ur.grade}”"
    parts = [f"基础得分{score_text(ur.base)}分"]
    if ur.bonus:
        parts.append(f"加分{score_text(ur.bonus)}分")
    if ur.deduction:
        parts.append(f"扣分{score_text(ur.deduction)}分")
    overview = [f"截至{ctx['as_of']}，序时进度为{ctx['schedule']}。你单位综合得分{score_text(ur.total)}分"
                f"（{'，'.join(parts)}），在{cat.name}{len(cat.units)}个单位中{'并列' if tied else '居'}"
                f"第{ur.rank}位，{grade}。"]
    if not ur.submitted:
        overview.append("你单位未报送完成情况，由单位填报的指标均按0分计。")
    lit = [r for r in ur.indicators if _lit(r)]
    counts = [sum(1 for r in lit if r.light == light) for light in (GREEN, YELLOW, RED)]
    if lit:
        overview.append(f"参与亮灯的指标{len(lit)}{prose.ITEM}，{prose.lights_phrase(*counts)}。")
    codes = {i.code for i in result.indicators}
    if ur.veto != VETO_NONE:
        items = "、".join(_veto_item(item, codes) for _, item in ur.veto_reasons)
        overview.append(f"你单位因{items}被{VETO_WORDS.get(ur.veto, '一票否决')}。")
    step = ur.advance.get("next_rank")
    if step and not final:
        overview.append(f"你单位距前一名（第{step['rank']}位{step['unit']}）还差{number_text(step['points_needed'])}分。")
    ctx["overview"] = overview
    rows = []
    for r, ind in zip(ur.indicators, cat.indicators):
        if not r.applies:
            continue
        rows.append({"name": ind.name, "target": _figure(r.target), "actual": _figure(r.actual),
                     "progress": _progress_cell(r, ind), "light": r.light or "—",
                     "fill": LIGHT_COLOURS[r.light][0] if r.light in LIGHT_COLOURS else "FFFFFF",
                     "score": f"{score_text(r.score * ur.scale)}/{number_text(r.weight * ur.scale)}",
                     "rank": r.rank if r.rank is not None else "—"})
    ctx["indicator_summary"] = [f"你单位参加考核的指标{len(rows)}{prose.ITEM}，完成情况见下表（得分已按满分"
                                f"{number_text(cat.full_score)}分折算；完成率为累计完成占年度目标的比例，"
                                f"增速和控制类指标为与目标的差距；排名为在{cat.name}中的位次）。"]
    ctx["indicator_tables"] = [{"caption": "", "rows": rows}]
    red = [ind.name for r, ind in zip(ur.indicators, cat.indicators) if r.applies and r.light == RED]
    weak = [prose.lost_sentence([(x["name"], x["lost"]) for x in ur.advance.get("lost_most", [])])]
    weak.append(f"亮红灯的指标：{prose.join_names(red)}。" if red else "没有亮红灯的指标。")
    last = [ind.name for k, (r, ind) in enumerate(zip(ur.indicators, cat.indicators))
            if r.rank is not None and r.rank == cat.last_ranks[k]]
    if last:
        weak.append(f"有{len(last)}{prose.ITEM}指标在{cat.name}中位居末位：{prose.join_names(last)}。")
    ctx["weak"] = weak
    ctx["plans"] = _unit_plans(ur, cat, result.params.as_of)
    history = "、".join(f"{year}年度“{g}”" if g else f"{year}年度无记录"
                        for year, g in sorted(ur.history.items()) if year != ctx["year"])
    current = f"{ctx['year']}年度{'' if final else '（按当前进度测算）'}“{ur.grade}”"
    ctx["history"] = [f"你单位{history + '，' if history else ''}{current}。"]
    if ur.consequences:
        lead = "根据考核结果，" if final else "如年底考核结果与当前测算一致，按照考核办法，"
        ctx["history"].append(f"{lead}{'；'.join(ur.consequences)}。")
    ctx["rectification"] = []
    if needs_rectification(ur, grade_order):
        ctx["grade_phrase"] = f"{ctx['year']}年度{grade}" if final else grade
        focus = red or [x["name"] for x in ur.advance.get("lost_most", [])[:3]]
        ctx["rectification"] = [f"整改重点：{prose.join_names(focus)}{'等' if len(focus) > 1 else ''}指标。"
                                if focus else "请对照各项指标逐项查找差距。"]
    else:
        ctx["grade_phrase"] = ""
    return ctx


def _progress_cell(r, ind) -> str:
    """完成率 for a forward 总量; otherwise the distance to the target or the control line."""
    forward_total = ind.value_type == TOTAL and ind.direction == FORWARD and ind.method != CONTROL
    if r.completion_rate is not None and forward_total:
        return f"{number_text(r.completion_rate * 100, 1)}%"
    if not isinstance(r.actual, float) or r.target is None:
        return "—"
    gap = r.actual - r.target
    size = number_text(abs(gap), 2)
    if float(size) == 0:
        return "达到控制线" if ind.method == CONTROL else "持平"
    if ind.method == CONTROL:
        return f"{'超出' if gap > 0 else '低于'}控制线{size}"
    return f"{'高于' if gap > 0 else '低于'}目标{size}"


def _unit_plans(ur, cat, as_of: dt.date) -> list:
    days = days_left(as_of)
    if days <= 0:
        return ["统计截止日已到年底，不再安排倒排计划。"]
    lines = []
    for r, ind in zip(ur.indicators, cat.indicators):
        if r.per_day is not None:
            lines.append(prose.pace_sentence(ind.name, r.remaining, ind.measure, days, r.per_day,
                                             r.per_month))
        elif r.remaining is not None and ind.value_type == GROWTH:
            lines.append(f"{ind.name}：{prose.growth_progress(r.actual, r.target)}，需加快进度。")
    return [f"{n}.{line}" for n, line in enumerate(lines, 1)] or ["你单位各项总量指标均已完成年度目标。"]


# -- rendering ------------------------------------------------------------------------------------

_CACHE_LIMIT = 64


@functools.lru_cache(maxsize=None)
def _environment():
    """The sandboxed, autoescaping, strict jinja2 environment every template renders in; it keeps
    compiled templates, since the same template source renders once per unit."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        compiled = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) >= _CACHE_LIMIT:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return Sandbox(autoescape=True, undefined=StrictUndefined)


@functools.lru_cache(maxsize=None)
def _template_class():
    """DocxTemplate that remembers its tag clean-up (patch_xml: regexes over the whole XML)."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        patched = {}

        def patch_xml(self, src_xml):
            if src_xml not in self.patched:
                if len(self.patched) >= _CACHE_LIMIT:
                    self.patched.clear()
                self.patched[src_xml] = super().patch_xml(src_xml)
            return self.patched[src_xml]

    return Template


def _tags_in(text: str) -> list:
    return re.findall(r"\{[{%#].*?(?:[}%#]\}|$)", text)


def _problem(template: Path, exc, tpl=None) -> str:
    """One line: the template, the tag, what is wrong with it."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError
    where = f"模板 {template.name}"
    if isinstance(exc, TemplateSyntaxError):
        lines = (exc.source or "").splitlines()     # docxtpl puts each paragraph on a line
        line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
        text = re.sub(r"<[^>]+>", "", line)
        tags = _tags_in(text) or ([text.strip()[:40]] if text.strip() else [])
        return f"{where} 的标签“{' '.join(tags) or '?'}”写法有误（{exc.message}），该文档未生成"
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
        word = next((g for g in name.groups() if g), str(exc)) if name else str(exc)
        tag = _find_tag(tpl, word) if tpl is not None else ""
        return f"{where} 的标签“{tag or word}”用到了没有的变量“{word}”，该文档未生成"
    if isinstance(exc, SecurityError):
        return f"{where} 的标签做了模板里不允许的操作（{exc}），该文档未生成"
    return f"{where} 无法使用（{type(exc).__name__}: {exc}），该文档未生成"


def _find_tag(tpl, word: str) -> str:
    try:
        xml = tpl.patch_xml(tpl.get_xml())
    except Exception:   # noqa: BLE001 — only a better message is at stake
        return ""
    text = re.sub(r"<[^>]+>", "", xml)
    return next((t for t in _tags_in(text) if re.search(rf"\b{re.escape(word)}\b", t)), "")


def render(template: Path, make_context, out_path: Path, when: dt.datetime, images: dict = None):
    """Fill ``template`` with ``make_context()`` and save it atomically; ``images`` maps the
    context's chart keys to PNG bytes. Raises TemplateProblem for a template that cannot render."""
    from docx.shared import Mm
    from docxtpl import InlineImage, Listing, RichText
    try:
        tpl = _template_class()(str(template))
        tpl.init_docx()
    except Exception as exc:   # noqa: BLE001 — not a Word file, damaged zip, …
        raise TemplateProblem(f"模板 {template.name} 不是可用的 Word 文件（{exc}），该文档未生成") from None
    context = make_context()
    if isinstance(context.get("title"), str):     # broken into lines where the words allow
        context["title"] = Listing("\n".join(prose.title_lines(context["title"])))
    if "issuer_mark" in context:                   # 发文机关标志 on one line: smaller when long
        mark = context["issuer_mark"]
        context["issuer_mark"] = RichText(mark, size=2 * issuer_mark_size(mark))
    inline = {key: InlineImage(tpl, io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
              for key, png in (images or {}).items()}
    _resolve_charts(context, inline)
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except Exception as exc:   # noqa: BLE001 — jinja errors, broken XML from a misplaced tag
        raise TemplateProblem(_problem(template, exc, tpl)) from None
    lay_out_signature(tpl.docx)       # 署名 and date indents from their text; kept with the text (7.3.5)
    save_docx(tpl, out_path, when)


def _resolve_charts(context: dict, inline: dict) -> None:
    """Sections name their chart by key; swap in its InlineImage ("" when charts are off)."""
    for value in context.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and "chart" in item:
                    item["chart"] = inline.get(item["chart"], "")


@dataclass
class NoticeJob:
    result: object
    cats: dict            # category name -> Category
    grade_order: list
    template: Path
    when: dt.datetime


def _notice_one(job: NoticeJob, task):
    # The unit travels pickled in the task: a forked worker that read it from the inherited
    # result instead would dirty (copy) the pages around every unit it touched, ending with a
    # private copy of most of the parent's results (3.6 GB PSS at 2000 × 150 before).
    path, ur = task
    cat = job.cats[ur.category]
    try:
        render(job.template, lambda: notice_context(job.result, cat, ur, job.grade_order), Path(path),
               job.when)
    except TemplateProblem as exc:
        return ur.code, path, str(exc)
    return ur.code, path, ""


def write_documents(result, scheme, out_dir, when, templates=None, charts: bool = True,
                    jobs: int = None, progress=None) -> list:
    """Write 进展通报.docx, 考核结果通报.docx (year end) and 通知/<单位>.docx into ``out_dir``.

    Problems (a broken template, no CJK font for charts) are appended to ``result.issues``;
    returns the paths written."""
    out = Path(out_dir)
    written = []

    def attempt(name, make_context, target, images=None):
        template = template_path(name, templates)
        try:
            render(template, make_context, target, when, images)
            written.append(target)
        except TemplateProblem as exc:
            result.issues.append(Issue(ERROR, str(template), "", "", str(exc)))

    images = {} if charts else None
    try:
        progress_ctx = progress_context(result, scheme, images)
    except ChartFontMissing as exc:
        result.issues.append(Issue(INFO, "", "", "", f"{exc}（进展通报）"))
        images = None
        progress_ctx = progress_context(result, scheme, None)
    attempt(PROGRESS, lambda: progress_ctx, out / PROGRESS, images)
    if is_year_end(result.params.as_of):
        attempt(RESULTS, lambda: results_context(result, scheme), out / RESULTS)
    written += write_notices(result, scheme, out, when, templates, jobs, progress)
    return written


def write_notices(result, scheme, out_dir, when, templates=None, jobs: int = None,
                  progress=None) -> list:
    """通知/<单位>.docx for every unit (also in ``result.files``); a broken template is reported
    once, not per unit."""
    folder = Path(out_dir) / NOTICE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    names = unique_names(result.units, lambda u: u.name, lambda u: u.code)
    template = template_path(NOTICE, templates)
    cats = {c.name: c for c in categories(result)}
    for cat in cats.values():     # before the workers fork: they then only read these small lists
        cat.last_ranks, cat.rank_counts
    job = NoticeJob(result, cats, _grade_order(result, scheme), template, when)
    if not result.units:
        return []
    tasks = [(str(folder / f"{names[u.code]}.docx"), u) for u in result.units]
    first = _notice_one(job, tasks[0])      # a broken template fails here, once
    if progress:
        progress(1)
    if first[2]:
        result.issues.append(Issue(ERROR, str(template), "", "", first[2]))
        return []
    paths, problems = [], {}
    rest = parallel_map(_notice_one, job, tasks[1:], len(tasks) - 1, jobs, progress)
    for code, path, problem in itertools.chain([first], rest):
        if problem:
            problems[problem] = problems.get(problem, 0) + 1
        else:
            result.files.setdefault(code, {})["notice"] = Path(path)
            paths.append(Path(path))
    for problem, count in problems.items():
        result.issues.append(Issue(ERROR, str(template), "", "", f"{problem}（{count}个单位）"))
    return paths


# -- PDF ------------------------------------------------------------------------------------------

class PdfUnavailable(Exception):
    """LibreOffice is not installed or could not convert."""


def find_soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles", r"C:\Program Files"),
                 os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")):
        candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
        if candidate.is_file():
            return str(candidate)
    return None


def to_pdf(paths, soffice: str = None, batch: int = 100) -> list:
    """Convert Word documents to PDF beside them through LibreOffice (headless, a private profile,
    written to a temporary folder then moved into place) -> the PDFs written."""
    exe = soffice or find_soffice()
    if not exe:
        raise PdfUnavailable("未找到 LibreOffice（soffice），未生成 PDF。安装 LibreOffice 后重新运行 --pdf 即可")
    env = dict(os.environ)
    if sys.platform.startswith("linux") and "FONTCONFIG_FILE" not in env:
        # 仿宋_GB2312 and friends → Noto CJK, so the PDF looks like Word's
        env["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))
    by_folder = {}
    for path in map(Path, paths):
        by_folder.setdefault(path.parent, []).append(path)
    written = []
    with tempfile.TemporaryDirectory(prefix="tzreport-lo-") as profile:
        for folder, files in by_folder.items():
            for start in range(0, len(files), batch):
                chunk = files[start:start + batch]
                with tempfile.TemporaryDirectory(dir=folder, prefix=".pdf-") as tmp:
                    command = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                               "--convert-to", "pdf", "--outdir", tmp, *map(str, chunk)]
                    try:
                        subprocess.run(command, env=env, capture_output=True, timeout=600 + 10 * len(chunk),
                                       check=False)
                    except (OSError, subprocess.TimeoutExpired) as exc:
                        raise PdfUnavailable(f"LibreOffice 转换 PDF 失败：{exc}") from None
                    for docx in chunk:
                        made = Path(tmp) / f"{docx.stem}.pdf"
                        if not made.is_file():
                            raise PdfUnavailable(f"LibreOffice 未能把 {docx.name} 转换为 PDF")
                        os.replace(made, docx.with_suffix(".pdf"))
                        written.append(docx.with_suffix(".pdf"))
    return written
