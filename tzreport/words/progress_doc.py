"""What 进展通报.docx says (SPEC 4, 4.1): 总体情况 with a 总体评价, each indicator, 存在问题,
一票否决 / 否优, 倒排计划 (not at the year end) and 下步要求 — every fact from ``facts``.

At p = 1 the 通报 reports the year's completion: its title, headings and sentences speak of the
annual target, and nothing mentions 序时 or 倒排计划.
"""
from __future__ import annotations

import datetime as dt

from tzreport.model import COMPLETION, CONTROL, GROWTH, QUALITATIVE, VETO_NONE
from tzreport.rules.planning import months_left
from tzreport.rules.schedule import is_year_end
from tzreport.words import prose
from tzreport.words.facts import (amount, categories, cn_numeral, grade_order, method_citation, reported,
                                  unit_lights, veto_sentence, wrap_names)
from tzreport.words.numbers import number_text, score_text


def is_final(result) -> bool:
    """The year end: p = 1 (SPEC 4.1)."""
    return is_year_end(result.schedule_fraction)


def numbered(keys: list) -> dict:
    """{key: "一、总体情况"} for the sections present, numbered in order; absent ones ""."""
    out, n = {}, 0
    for key, title, present in keys:
        if present:
            n += 1
            out[key] = f"{cn_numeral(n)}、{title}"
        else:
            out[key] = ""
    return out


def progress_context(result, scheme, charts) -> dict:
    """Everything 进展通报.docx says. Its charts are said as data, ``(kind, title, rows…)``, and
    handed to ``charts.draw(key, *chart)`` (render.charts draws them), which returns whether one
    was drawn; ``charts`` None: none."""
    from tzreport.words.letterhead import common_context
    ctx = common_context(result)
    p = result.schedule_fraction
    final = is_final(result)
    cats = categories(result)
    many = len(cats) > 1
    cite = method_citation(result.params)
    ctx["final"] = final
    if final:
        ctx["title"] = f"关于{result.params.name}全年目标任务完成情况的通报"
        ctx["intro"] = [f"{cite}，考核办对各单位{ctx['year']}年度目标任务完成情况进行了统计。"
                        "现将有关情况通报如下。"]
    else:
        ctx["title"] = f"关于{result.params.name}{ctx['period']}进展情况的通报"
        ctx["intro"] = [f"{cite}，考核办对截至{ctx['as_of']}各单位目标任务完成情况进行了统计，"
                        f"序时进度为{ctx['schedule']}。现将有关情况通报如下。"]
    overview, by_indicator, problems, plans = [], [], [], []
    order = grade_order(result, scheme)
    codes = {i.code for i in result.indicators}
    for n, cat in enumerate(cats, 1):
        heading = f"（{cn_numeral(n)}）{cat.words}" if many else ""
        overview.append({"heading": heading, "paragraphs": _overview(cat, p, final),
                         "chart": _chart(charts, f"totals{n}", _totals_png, cat, order)})
        overview += trend_section(result, cat, charts, f"ranks{n}")      # SPEC 3.11
        lines, rows = _indicator_lines(cat, p, final)
        by_indicator.append({"heading": heading, "paragraphs": lines,
                             "chart": _chart(charts, f"lights{n}", _lights_png, cat, rows)})
        problems.append({"heading": heading, "paragraphs": _problems(cat, final), "chart": ""})
        if not final:
            plans.append({"heading": heading, "paragraphs": _plans(cat, result.params.as_of), "chart": ""})
    vetoes = [("" if final else "按当前完成情况，") + s + "。"
              for u in result.units for s in [veto_sentence(u, codes, final=final)] if s]
    ctx.update(summary=_summary(cats, final, len(vetoes)), overview=overview, indicators=by_indicator,
               problems=problems, vetoes=vetoes, plans=plans)
    ctx["heads"] = numbered([("overview", "总体情况", True),
                             ("indicators", "年度目标完成情况" if final else "分指标完成情况", True),
                             ("problems", "存在问题", True),
                             ("vetoes", "一票否决和一票否优情况", bool(vetoes)),
                             ("plans", "倒排计划", not final),
                             ("requirements", "下步工作要求", True)])
    ctx["ranking"] = [{"caption": f"{cat.words}（{len(cat.units)}个单位）" if many else "",
                       "rows": [{"rank": u.rank, "name": u.name, "total": score_text(u.total),
                                 "base": score_text(u.base), "bonus": score_text(u.bonus),
                                 "deduction": score_text(u.deduction), "reds": unit_lights(u)[2]}
                                for u in cat.units]} for cat in cats]
    ctx["lights"] = [{"caption": cat.words if many else "", "rows": [
        {"name": ind.name, "units": sum(len(x) for x in lights), "green": len(lights[0]),
         "yellow": len(lights[1]), "red": len(lights[2]),
         "red_units": (wrap_names(lights[2][:30], 13) + ("等" if len(lights[2]) > 30 else "")) or "—"}
        for k, ind in cat.lit_columns() for lights in [cat.lights_of(k)]]} for cat in cats]
    return ctx


def _chart(charts, key: str, describe, *args):
    """The chart ``describe(*args)`` says, drawn by ``charts`` under ``key`` -> the key, or "" when
    there is none (charts off, or nothing to draw)."""
    if charts is None:
        return ""
    chart = describe(*args)
    if not chart or not charts.draw(key, *chart):
        return ""
    return key


def _totals_png(cat, order):
    return "totals_chart", f"{cat.words}综合得分", [(u.name, u.total, u.grade) for u in cat.units], order


def _lights_png(cat, rows, most: int = 30):
    """Lights per indicator; past ``most`` indicators only those with the most red and yellow."""
    if not rows:
        return None
    title = f"{cat.words}各指标亮灯情况"
    if len(rows) > most:
        keep = set(sorted(range(len(rows)), key=lambda i: (-rows[i][3], -rows[i][2], i))[:most])
        rows = [row for i, row in enumerate(rows) if i in keep]
        title += f"（红灯、黄灯最多的{most}项）"
    return "lights_chart", title, rows


def _summary(cats, final: bool, vetoed: int) -> list:
    """总体评价: one sentence over every category, from the lights the units reported."""
    green = yellow = red = blank = 0
    for cat in cats:
        for u in cat.units:
            g, y, r, b = unit_lights(u)
            green, yellow, red, blank = green + g, yellow + y, red + r, blank + b
    units = sum(len(c.units) for c in cats)
    total = green + yellow + red
    if not total:
        return []
    reached = "完成年度目标" if final else "达到序时进度"
    share = green / total
    # The words say only what the shares show: 过半 = more than half the lights not green (黄 is
    # "接近", not "滞后": SPEC 4.1), never "多数…滞后" from yellow lights.
    if share >= 0.8:
        verdict = "年度目标任务完成情况总体较好" if final else "目标任务推进总体较好"
    elif share >= 0.5:
        verdict = "年度目标任务完成情况总体平稳，但部分指标未完成年度目标" if final else \
            "目标任务推进总体平稳，但部分指标未达到序时进度"
    else:
        verdict = "年度目标任务完成情况不够理想，过半指标未完成年度目标" if final else \
            "目标任务推进不够平衡，过半指标未达到序时进度"
    text = (f"总体看，全部{units}个参加考核单位{verdict}：按单位逐项统计，{reached}（绿灯）的占"
            f"{prose.share(green, total)}，亮黄灯{yellow}{prose.ITEM}、亮红灯{red}{prose.ITEM}")
    if blank:
        text += f"（其中未填报{blank}{prose.ITEM}）"
    if vetoed:
        text += f"；{vetoed}个单位触发一票否决或一票否优"
    return [text + "。"]


def _overview(cat, p: float, final: bool) -> list:
    out = []
    left_out = f"（{prose.join_names(cat.excluded)}暂无评分数据，本次不计）" if cat.excluded else ""
    counted = len(cat.indicators) - len(cat.excluded)
    missing = cat.missing
    text = f"{cat.words}共{len(cat.units)}个单位参加考核，考核指标{counted}{prose.ITEM}{left_out}。"
    if missing:
        text += (f"{prose.join_names(missing, 10)}{len(missing)}个单位未报送报表，各项指标按0分计，"
                 "不参与亮灯和排名统计。")
    out.append(text)
    green = yellow = red = blank = 0
    on, behind, partly, warning, crossed = [], [], [], [], []
    others = {}     # units that went the other way from their category's total (schedule_sentence)
    for k, ind in cat.lit_columns():
        g, y, r = cat.lights_of(k)
        b = len(cat.unreported(k)[0])
        green, yellow, red, blank = green + len(g), yellow + len(y), red + len(r) + b, blank + b
        if ind.method == CONTROL:
            # a control line is crossed by units, not by the category: name them (SPEC 4.1)
            over, over_p, near = cat.control_counts(k, ind)
            crossed += _crossed(over, over_p, ind.name)
            if near and not over and not over_p:
                warning.append(ind.name)
        elif ind.method != QUALITATIVE and (g or y or r):
            if cat.aggregate(k, ind) is not None or not (y or r):
                reached = cat.on_schedule(k, ind, p)
                (on if reached else behind).append(ind.name)
                others[ind.name] = len(y) + len(r) if reached else len(g)
            else:     # rates and the like do not add up: only some units are short, not the whole
                partly.append(ind.name)
    if green + yellow + red:
        out.append(f"按单位逐项统计，亮灯指标共{green + yellow + red}{prose.ITEM}，"
                   f"{prose.lights_phrase(green, yellow, red, blank, final)}。")
    sentence = prose.schedule_sentence("从指标看，", f"{cat.words}考核指标", on, behind, final, others)
    if partly:
        miss = "未完成年度目标" if final else "未达到序时进度"
        sentence += (f"{'' if sentence else '从指标看，'}{prose.join_names(partly, 5)}"
                     f"{'等' if len(partly) > 5 else ''}{len(partly)}{prose.ITEM}指标有部分单位{miss}。")
    control = "；".join(crossed) + ("。" if crossed and not warning else "；" if crossed else "")
    control += prose.control_sentence(warning, [])
    if sentence or control:
        out.append(sentence + control)
    ranking = prose.top_sentence(cat.ranked, 3, "综合得分") + prose.bottom_sentence(cat.ranked)
    out_reds = _most(((u.name, red - blank) for u in cat.units if u.submitted
                      for _, _, red, blank in [unit_lights(u)]), 2)
    if out_reds:
        ranking += "亮红灯较多的是" + "、".join(f"{name}（{n}{prose.ITEM}）" for name, n in out_reds) + "。"
    if ranking:
        out.append(ranking)
    return out


def _crossed(over: list, over_prorated: list, what: str = "") -> list:
    """"柳河镇生产安全事故死亡人数已突破年度控制线", "…超过序时控制数，但未突破年度控制线": a line is
    crossed by the units named (SPEC 4.1: 序时控制数 L' vs 年度控制线 L)."""
    out = []
    if over:
        out.append(f"{prose.join_names(over, 10)}{what}已突破年度控制线")
    if over_prorated:
        out.append(f"{prose.join_names(over_prorated, 10)}{what}超过序时控制数，但未突破年度控制线")
    return out


def _most(counts, least: int, k: int = 3) -> list:
    """The ``k`` highest counts of at least ``least``, keeping every unit tied with the k-th."""
    rows = sorted(((name, n) for name, n in counts if n >= least), key=lambda x: -x[1])
    if len(rows) <= k:
        return rows
    cut = rows[k - 1][1]
    return [row for row in rows if row[1] >= cut]


def _indicator_lines(cat, p: float, final: bool) -> tuple:
    """(paragraphs, chart rows): one numbered line per indicator that carries lights."""
    lines, rows = [], []
    for n, (k, ind) in enumerate(cat.lit_columns(), 1):
        g, y, r = cat.lights_of(k)
        blank, _ = cat.unreported(k)
        rows.append((ind.name, len(g), len(y), len(r) + len(blank)))
        parts = []
        summed = cat.aggregate(k, ind)
        if summed is not None:
            actual, target = summed
            done = prose.total_progress(actual / target, p) if ind.prorate and not final else \
                f"完成年度目标的{number_text(actual / target * 100, 1, keep_zeros=True)}%"
            parts.append(f"合计完成{amount(actual, ind.measure)}，{done}")
        elif ind.value_type == GROWTH and ind.method == COMPLETION:
            rates = [(u.indicators[k].actual, u.name) for u in cat.units
                     if reported(u.indicators[k]) and isinstance(u.indicators[k].actual, float)]
            if len(rates) > 1:
                high, low = max(rates), min(rates)
                parts.append(f"增速最高的是{high[1]}（{number_text(high[0], 1, keep_zeros=True)}%），"
                             f"最低的是{low[1]}（{number_text(low[0], 1, keep_zeros=True)}%）")
        # Counts here; the units behind the yellow and red lights are named once, in 存在问题.
        if ind.method == CONTROL:
            over, over_p, near = cat.control_counts(k, ind)
            control = [f"{len(names)}个单位{what}" for names, what in (
                (over, "已突破年度控制线"), (over_p, "超过序时控制数、未突破年度控制线"), (near, "接近控制线"))
                if names]
            parts.append("，".join(control) if control else "各单位均未突破控制线")
        else:
            parts.append(prose.unit_lights_phrase(g, y, r, named=False))
        if blank:
            parts.append(f"{len(blank)}个单位未填报")
        lines.append(f"{n}.{ind.name}：" + "；".join(x for x in parts if x) + "。")
    if not lines:
        lines.append("本期没有参与亮灯的指标。")
    return lines, rows


def _responsible(ind) -> str:
    parts = [f"牵头单位：{ind.lead}"] if ind.lead else []
    if ind.support:
        parts.append(f"配合单位：{ind.support}")
    return f"（{'；'.join(parts)}）" if parts else ""


def _problems(cat, final: bool) -> list:
    """存在问题: indicators with red or yellow lights (who, and who is responsible), values not
    reported, and who ranks last most often."""
    lines = []
    for k, ind in cat.lit_columns():
        g, yellow, red = cat.lights_of(k)
        blank, _ = cat.unreported(k)
        if not (red or yellow or blank):
            continue
        parts = []
        if ind.method == CONTROL:       # a control line is crossed or neared, not lit (SPEC 4.1)
            over, over_p, near = cat.control_counts(k, ind)
            parts += _crossed(over, over_p)
            if near:
                parts.append(f"{prose.join_names(near, 10)}接近控制线")
        else:
            if red:
                parts.append(f"{prose.join_names(red, 10)}{len(red)}个单位亮红灯")
            if yellow:
                parts.append(f"{prose.join_names(yellow, 10)}{len(yellow)}个单位亮黄灯")
        if blank:
            parts.append(f"{prose.join_names(blank, 10)}未填报")
        lines.append(f"{len(lines) + 1}.{ind.name}{_responsible(ind)}：{'，'.join(parts)}。")
    if not lines:
        lines.append("各项指标均" + ("完成年度目标。" if final else "达到序时进度。"))
    if cat.missing:
        lines.append(f"{prose.join_names(cat.missing, 10)}未报送报表，请抓紧报送。")
    last = _most(cat.last_places().items(), 2, 5)
    if last:
        lines.append("从同类排名看，" + prose.last_place_sentence(last))
    return lines


def _plans(cat, as_of: dt.date) -> list:
    months = months_left(as_of)
    lines = []
    for k, ind in enumerate(cat.indicators):
        short = [u for u in cat.units if reported(u.indicators[k]) and u.indicators[k].per_day is not None]
        if not short:
            continue
        remaining = sum(u.indicators[k].remaining for u in short)
        per_month = sum(u.indicators[k].per_month for u in short)
        most = max(short, key=lambda u: (u.indicators[k].remaining, u.name))
        text = prose.pace_sentence(f"{ind.name}：{len(short)}个单位合计", remaining, ind.measure,
                                   months, per_month)
        if len(short) > 1:
            text += f"其中缺口最大的是{most.name}（{amount(most.indicators[k].remaining, ind.measure)}）。"
        lines.append(f"{len(lines) + 1}.{text}")
    return lines or ["各单位总量指标均已完成年度目标。"]


def vetoed(units) -> list:
    return [u for u in units if u.veto != VETO_NONE]


def trend_section(result, cat, charts: dict, key: str) -> list:
    """SPEC 3.11, with two periods or more: who moved up and down since the previous period, the
    lights that turned, and the ranks over the periods as a line chart. One period: nothing."""
    from tzreport.words.trend import has_periods, lights_sentences, rank_change_sentence
    if not has_periods(result):
        return []
    labels = [p["period"] for p in result.periods]
    lines = [s for s in [rank_change_sentence(cat.units, labels[-2])] if s]
    lines += lights_sentences(cat.units)
    folded = [p["period"] for p in result.periods if p["folded"]]
    if folded:
        lines.append("本次基础得分按考核期折算：" + "、".join(
            f"{p['period']}权重{number_text(p['weight'])}" for p in result.periods if p["folded"])
            + (f"；{'、'.join(result.not_reached)}尚未到期。" if result.not_reached else "。"))
    return [{"heading": "", "paragraphs": lines,
             "chart": _chart(charts, key, _ranks_png, cat, result.periods)}]


def _ranks_png(cat, periods):
    dates = [p["as_of"] for p in periods]
    units = []
    for u in cat.units:
        if not u.submitted:
            continue
        by_date = {p["as_of"]: p["rank"] for p in u.periods if p.get("submitted", True)}
        units.append((u.name, [by_date.get(d) for d in dates]))
    return "ranks_chart", f"{cat.words}历次排名", [p["period"] for p in periods], units
