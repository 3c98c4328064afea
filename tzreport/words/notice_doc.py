"""What 通知/<单位>.docx says to one unit (SPEC 4, 4.1): its total and rank, its lights, a table of
every indicator (计量单位, 目标, 完成, 完成率 or the difference in words, 亮灯, 得分, 排名), what it
lost and where it is last, 倒排计划 (not at the year end), its grades and 整改.

Scores in the table are the indicator's own (as in 批注, 汇总 and results.json); lines 小计 (each
weighted 大类, and 按权重计 where its 权重 is not its 分值), 合计 and 按满分…分折算 add them up to the
base as the 批注 does (rule_forms.point_rows), and the unit's rescaling to the category's 满分
(SPEC 3.3, 3.7) is said once, on its own line, in the same figures.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools

from tzreport.model import FORWARD, GROWTH, LIGHT_COLOURS, RED, TOTAL, VETO_NONE, YELLOW
from tzreport.rules.indicator import counted_light
from tzreport.rules.planning import months_left
from tzreport.rules.schedule import is_year_end
from tzreport.words import prose, rule_forms
from tzreport.words.facts import (control_fact, control_words, needs_rectification, notice_title, reported,
                                  unit_lights, unreported, veto_sentence)
from tzreport.words.numbers import difference_text, figures_apart, number_text, score_text
from tzreport.words.progress_doc import numbered
from tzreport.words.width import display_width


def notice_context(result, cat, ur, grade_order: list) -> dict:
    from tzreport.words.letterhead import common_context
    ctx = common_context(result)
    final = is_year_end(result.schedule_fraction)
    ctx["final"] = final
    ctx["addressee"] = ur.name
    ctx["unit"] = ur.name
    ctx["title"] = notice_title(ur.name, result.params.as_of, ctx["year"], final)
    ctx["intro"] = [f"现将你单位{ctx['year']}年度目标任务完成情况和考核结果通知如下，请认真对照，查找差距，抓好整改。"
                    if final else
                    f"现将你单位截至{ctx['as_of']}目标任务完成情况通知如下，请认真对照，查找差距，抓好落实。"]
    tied = cat.rank_counts[ur.rank] > 1
    grade = f"考核等次为“{ur.grade}”" if final else f"按当前进度测算，等次为“{ur.grade}”"
    parts = [f"基础得分{score_text(ur.base)}分"]
    if ur.bonus:
        parts.append(f"加分{score_text(ur.bonus)}分")
    if ur.deduction:
        parts.append(f"扣分{score_text(ur.deduction)}分")
    lead = f"{ctx['year']}年度，" if final else f"截至{ctx['as_of']}，序时进度为{ctx['schedule']}。"
    overview = [f"{lead}你单位综合得分{score_text(ur.total)}分（{'，'.join(parts)}），在{cat.words}"
                f"{len(cat.units)}个单位中{'并列' if tied else '居'}第{ur.rank}位，{grade}。"]
    if not ur.submitted:
        overview.append("你单位未报送报表，各项指标按0分计。")
    green, yellow, red, blank = unit_lights(ur)
    if ur.submitted and green + yellow + red:
        overview.append(f"参与亮灯的指标{green + yellow + red}{prose.ITEM}，"
                        f"{prose.lights_phrase(green, yellow, red, blank, final)}。")
    if ur.rank_change:      # SPEC 3.10
        overview.append(f"你单位{rule_forms.rank_change_text(ur)}。")
    total_cut = rule_forms.total_cap_note(ur, result.params.total_bonus_cap)
    if ur.bonus > 1e-9 and not total_cut:     # SPEC 3.8: what the 加分 is made of (a cap note lists it)
        overview.append(f"你单位加分{score_text(ur.bonus)}分：{rule_forms.bonus_parts(ur)}。")
    if rule_forms.deduction_parts(ur, with_rank=False):     # SPEC 3.3 D: every item, the 退位 too
        overview.append(f"你单位扣分{score_text(ur.deduction)}分：{'；'.join(rule_forms.deduction_parts(ur))}。")
    cut = [f"{name}{text}" for (name, _, text) in rule_forms.bonus_class_lines(ur)
           if name in rule_forms.cut_classes(ur)]
    if cut or total_cut:    # SPEC 3.8: which cap cut the unit's bonus
        overview.append(f"你单位{'；'.join(cut + ([total_cut] if total_cut else []))}。")
    veto = None if ur.veto == VETO_NONE else veto_sentence(ur, {i.code for i in result.indicators},
                                                          subject="你单位", final=final)
    if veto:
        overview.append(veto + "。")
    step = ur.advance.get("next_rank")
    if step and not final:
        overview.append(f"你单位距前一名（第{step['rank']}位{step['unit']}）还差{number_text(step['points_needed'])}分。")
    from tzreport.words.trend import unit_trend_lines
    overview += unit_trend_lines(ur, "你单位", fold=False)     # the fold: scale_line
    ctx["overview"] = overview
    rows, counted, lines = [], 0, rule_forms.point_rows(ur, cat.full_score)
    for k in lines:
        if isinstance(k, rule_forms.SumRow):     # the lines that add the table up (SPEC 3.3, 3.7)
            if k.weight is not None:
                rows.append({"name": k.label, "measure": "", "target": "", "actual": "", "progress": "",
                             "light": "", "fill": "FFFFFF", "rank": "",
                             "score": f"{score_text(k.score)}/{number_text(k.weight)}"})
            continue
        r, ind = ur.indicators[k], cat.indicators[k]
        if not r.applies:
            continue
        counted += 1
        missing = unreported(r)
        target, actual = figure_cells(r)
        rows.append({"name": ind.name, "measure": ind.measure or "—", "target": target,
                     "actual": missing or actual, "progress": missing or progress_cell(r, ind),
                     "light": counted_light(r) or "—",      # SPEC 4.1: 未报送 lights nothing
                     "fill": LIGHT_COLOURS.get(counted_light(r), ("FFFFFF",))[0],
                     "score": f"{score_text(r.score)}/{number_text(r.weight)}",
                     "rank": rank_cell(cat, ur, k)})
    ctx["indicator_summary"] = [f"你单位参加考核的指标{counted}{prose.ITEM}，完成情况见下表（完成率为累计完成占"
                                f"年度目标的比例，增速、逆向和控制类指标为与目标或控制线的差距；排名为在"
                                f"{cat.words}中的位次）。", scale_line(ur, cat)
                                + rule_forms.rounding_note(lines)]
    ctx["indicator_tables"] = [{"caption": "", "widths": lay_out(rows), "rows": rows}]
    ctx["weak"] = _weak(ur, cat)
    ctx["plans"] = [] if final else _unit_plans(ur, cat, result.params.as_of)
    ctx["heads"] = numbered([("overview", "总体情况", True), ("indicators", "各项指标完成情况", True),
                             ("weak", "失分和滞后指标", True), ("plans", "倒排计划", not final),
                             ("history", "近三年考核等次", True),
                             ("rectification", "整改要求", needs_rectification(ur, grade_order))])
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
        red_names = [ind.name for r, ind in zip(ur.indicators, cat.indicators) if reported(r) and r.light == RED]
        focus = red_names or [x["name"] for x in ur.advance.get("lost_most", [])[:3]]
        ctx["rectification"] = [f"整改重点：{prose.join_names(focus)}{'等' if len(focus) > 1 else ''}指标。"
                                if focus else "请对照各项指标逐项查找差距。"]
    else:
        ctx["grade_phrase"] = ""
    return ctx


def _figure(x, digits: int = 2) -> str:
    return number_text(x, digits) if isinstance(x, (int, float)) else (x or "—")


def scale_line(ur, cat) -> str:
    """The unit's rescaling (SPEC 3.3, 3.7), said once: the table's scores are the indicators' own.
    With a base folded over periods (3.11) the table, the sum and its rescaling are the current
    period's, and the fold follows: each period's base × 权重, then the folded 基础得分."""
    period, base = rule_forms.current_period(ur), rule_forms.base_words(ur)
    own = rule_forms.current_base(ur)
    if ur.major_weights:    # SPEC 3.7: each part 权重_k·R_k
        parts = "、".join(f"{k}（权重{number_text(w)}）{score_text(ur.subtotals.get(k, 0.0))}分"
                          for k, w in ur.major_weights.items())
        rescaled = "" if abs(ur.scale - 1) < 1e-9 else \
            f"；{rule_forms.part_scale_note(ur, cat.full_score)}（折算系数{number_text(ur.scale, 4)}）"
        line = f"你单位{base}按大类权重计算：{parts}{rescaled}，{base}{score_text(own)}分"
    elif abs(ur.scale - 1) < 1e-9:
        line = f"{period}各项得分合计{score_text(ur.raw_score)}分，即{base}"
    else:     # the 折算系数 at 4 decimals, or more where 4 would not give the printed base
        digits = rule_forms.scale_digits(ur.raw_score, ur.scale, own)
        line = (f"{period}各项得分合计{score_text(ur.raw_score)}分，按{cat.words}满分{number_text(cat.full_score)}"
                f"分折算（折算系数{number_text(ur.scale, digits)}），{base}{score_text(own)}分")
    if not period:
        return line + "。"
    from tzreport.words.trend import fold_line
    return f"{line}；{fold_line(ur, place=False)}"


def figure_cells(r) -> tuple:
    """(目标, 完成) as the table prints them: the annual target or control line (the 序时控制数 is in
    the sentence beside the table) and the actual, with the decimals that keep two different
    figures apart (0.46 and 0.462, not 0.46 twice beside a yellow light)."""
    if isinstance(r.actual, float) and r.target is not None:
        actual, target, _ = figures_apart(r.actual, r.target)
        return target, actual
    return ("—" if r.target is None else _figure(r.target)), _figure(r.actual)


def progress_cell(r, ind) -> str:
    """完成率 only where higher is better (forward 总量); otherwise the difference in words: a 逆向
    indicator, a growth rate in 个百分点, a control line against L' and L (SPEC 4.1)."""
    fact = control_fact(r, ind)
    if fact is not None:     # short enough for the column; the sentence gives both figures
        return {"over_annual": "突破控制线", "over_prorated": "超序时控制数",
                "within": "未超序时控制数" if fact.prorates else "未突破控制线"}[fact.state]
    forward_total = ind.value_type == TOTAL and ind.direction == FORWARD
    if r.completion_rate is not None and forward_total:
        return f"{number_text(r.completion_rate * 100, 1, keep_zeros=True)}%"
    if not isinstance(r.actual, float) or r.target is None:
        return "—"
    # the difference of the two figures printed beside it, zero only when they are equal (the
    # light is decided on the exact figures): never "与目标持平" beside a yellow light
    _, _, gap = figures_apart(r.actual, r.target)
    unit = "个百分点" if ind.value_type == GROWTH else ""
    size = difference_text(gap)
    if gap == 0:
        return "与目标持平"
    if ind.direction != FORWARD:
        return f"{'超过' if gap > 0 else '低于'}目标值{size}{unit}"
    return f"{'高于' if gap > 0 else '低于'}目标{size}{unit}"


def rank_cell(cat, ur, k: int):
    r = ur.indicators[k]
    if r.rank is None or not reported(r):
        return "—"
    return r.rank


def _weak(ur, cat) -> list:
    # the 批注's list (SPEC 3.6): the points that count toward the base, the words say so
    words, lost = rule_forms.lost_items(ur)
    weak = [prose.lost_sentence(lost, len(lost), words)]
    red = [ind.name for r, ind in zip(ur.indicators, cat.indicators) if reported(r) and r.light == RED]
    yellow = [ind.name for r, ind in zip(ur.indicators, cat.indicators) if reported(r) and r.light == YELLOW]
    blank = [ind.name for r, ind in zip(ur.indicators, cat.indicators) if unreported(r)]
    if ur.submitted:
        weak.append(f"亮红灯的指标：{prose.join_names(red)}。" if red else "没有亮红灯的指标。")
        if yellow:
            weak.append(f"亮黄灯的指标：{prose.join_names(yellow)}。")
        if blank:
            weak.append(f"未填报的指标：{prose.join_names(blank)}，按0分计。")
    for r, ind in zip(ur.indicators, cat.indicators):
        fact = control_fact(r, ind)
        if fact is not None and (fact.prorates or fact.state != "within"):
            weak.append(f"{ind.name}：{control_words(fact, ind.measure)}。")
    last = [(ind.name, ur.indicators[k].rank, cat.last_counts[k])
            for k, ind in enumerate(cat.indicators) if cat.is_last(ur, k)]
    if last:     # the rank as printed in the table, and how many share the last place
        named = "、".join(f"{name}（第{rank}位{f'，{tied}个单位并列末位' if tied > 1 else ''}）"
                         for name, rank, tied in last)
        weak.append(f"有{len(last)}{prose.ITEM}指标在{cat.words}中位居末位：{named}。")
    return weak


def _unit_plans(ur, cat, as_of: dt.date) -> list:
    months = months_left(as_of)
    lines = []
    for r, ind in zip(ur.indicators, cat.indicators):
        if not reported(r):
            continue
        if r.per_day is not None:
            lines.append(prose.pace_sentence(ind.name, r.remaining, ind.measure, months, r.per_month))
        elif r.remaining is not None and ind.value_type == GROWTH:
            lines.append(f"{ind.name}：{prose.growth_progress(r.actual, r.target)}，需加快进度。")
    return [f"{n}.{line}" for n, line in enumerate(lines, 1)] or ["你单位各项总量指标均已完成年度目标。"]




# -- the table's columns, from its text ---------------------------------------------------------------

TABLE_PT = 10            # 表格文字 / 表头 size (doc_templates STYLES)
AREA_PT = 156 / 25.4 * 72   # the 156 mm type area
CELL_PAD_PT = 12         # Word's default cell margins (2 × 0.19 cm) and a little air
HEADERS = ("指标", "计量\n单位", "目标", "完成", "完成率/\n差距", "亮灯", "得分/\n分值", "排名")
KEYS = ("name", "measure", "target", "actual", "progress", "light", "score", "rank")
# words an indicator name may be broken after or before ("农村居民人均可支配收入" | "增速")
NAME_WORDS = ("增速", "增加值", "总额", "总值", "收入", "能耗", "投资", "资金", "外资", "人数", "批次",
              "任务", "责任", "建设", "开工率", "满意度", "完成数", "测评", "评价", "事故", "上访", "项目")


FIGURE_KEYS = ("target", "actual", "score", "rank")      # never broken: _least is _width


def _widths(texts: list) -> list:
    """_width of each text; a line of ASCII (a figure: "98000", "9.01/10") by its length, which
    is its display_width, without going through _width's cache for figures seen once."""
    return [len(t) * TABLE_PT / 2 if t.isascii() and "\n" not in t else _width(t) for t in texts]


@functools.lru_cache(maxsize=1 << 16)
def _width(text: str) -> float:
    """Points a line of ``text`` takes at TABLE_PT (CJK one em, digits and Latin half). Cached: the
    same names, measures and figures come back in every unit's table."""
    return max((display_width(line) for line in str(text).split("\n")), default=0) * TABLE_PT / 2


def _name_splits(name: str) -> list:
    """Places an indicator name can be broken between words."""
    cuts = set()
    for word in NAME_WORDS:
        start = name.find(word)
        while start >= 0:
            for cut in (start, start + len(word)):
                if 0 < cut < len(name):
                    cuts.add(cut)
            start = name.find(word, start + 1)
    return sorted(cuts)


def _break_name(name: str, room: float) -> str:
    if _width(name) <= room:
        return name
    fits = [c for c in _name_splits(name) if _width(name[:c]) <= room and _width(name[c:]) <= room]
    if fits:
        cut = max(fits)
        return name[:cut] + "\n" + name[cut:]
    return name


def _break_phrase(text: str) -> str:
    """"高于目标0.5个百分点" → "高于目标" / "0.5个百分点"; "吨标准煤/万元" → "吨标准煤/" / "万元"."""
    import re
    found = re.match(r"^(\D+?)(\d.*)$", text)
    if found:
        return found.group(1) + "\n" + found.group(2)
    if "/" in text:
        head, _, tail = text.partition("/")
        return head + "/\n" + tail
    return text


@functools.lru_cache(maxsize=1 << 16)
def _least(key: str, text: str) -> float:
    """The narrowest a cell can be without breaking a word."""
    if key == "name":
        cuts = _name_splits(text)
        return min([_width(text)] + [max(_width(text[:c]), _width(text[c:])) for c in cuts])
    if key in ("progress", "measure"):
        return _width(_break_phrase(text))
    return _width(text)


def lay_out(rows: list) -> list:
    """Column widths (twips) for the 通知 table from its text, and line breaks put between words
    where a cell must take two lines: no word is broken by Word across lines (issue 11)."""
    # column by column: a 通知 has some 1,200 cells, most of them figures seen in no other unit
    cols = [list(map(str, [r[k] for r in rows])) for k in KEYS]
    want = [max([_width(h), *_widths(col)]) for h, col in zip(HEADERS, cols)]
    least = [want[i] if k in FIGURE_KEYS else max([_width(h), *map(_least, itertools.repeat(k), col)])
             for i, (k, h, col) in enumerate(zip(KEYS, HEADERS, cols))]
    room = AREA_PT - CELL_PAD_PT * len(KEYS)
    widths = list(want)
    for k in (KEYS.index("progress"), KEYS.index("measure"), KEYS.index("name")):
        over = sum(widths) - room
        if over > 0:
            widths[k] = max(least[k], widths[k] - over)
    spare = room - sum(widths)
    if spare > 0:      # what is left goes to the names, which read best on one line
        widths[0] += spare
    for k, key in enumerate(KEYS):
        if want[k] <= widths[k] + 0.01:     # the widest text of the column fits: nothing breaks
            continue
        for r, text in zip(rows, cols[k]):
            if _width(text) > widths[k] + 0.01:
                r[key] = _break_name(text, widths[k]) if key == "name" else _break_phrase(text)
    return [round((w + CELL_PAD_PT) * 20) for w in widths]
