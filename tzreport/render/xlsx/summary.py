"""汇总.xlsx (SPEC 4): what the clerk puts in front of the leadership, written with xlsxwriter.

Sheets 综合排名, 指标矩阵, 亮灯统计, 倒排计划, 结果运用, 数据问题; native charts; frozen headers,
filters, widths that fit Chinese text and an A4 landscape print set-up on every sheet.
"""
from __future__ import annotations

import math
from pathlib import Path

from tzreport.fileio import atomic_path
from tzreport.model import (COMPLETION, EFFICACY, GREEN, GROWTH, LIGHT_COLOURS, LIGHT_METHODS, QUALITATIVE,
                            RED, REVERSE, ST_NO_DATA, ST_NOT_APPLICABLE, TOTAL, YELLOW, cn_date)
from tzreport.read.workbook import cell_ref
from tzreport.render.charts import MAX_LINES, best_and_worst
from tzreport.render.common import (AMOUNT, PERCENT, POINTS, SEVERITY_CN, SIGNED_POINTS, TableBook,
                                    column_width, indicator_item, row_height, tie_counts, value_format,
                                    wrapped_lines)
from tzreport.rules.indicator import counted_light
from tzreport.rules.planning import days_remaining
from tzreport.words import rule_forms
from tzreport.words.facts import grade_notes, monthly_pace
from tzreport.words.numbers import score_text, veto_text
from tzreport.words.width import display_width

FILE_NAME = "汇总.xlsx"
LIGHT_CODES = {GREEN: "G", YELLOW: "Y", RED: "R"}   # hidden helper cells behind the matrix colours
MAX_CHART_UNITS = 60    # a chart with more bars than this is unreadable: the top ones are drawn
CHART_SHEET = "图表"     # the charts of 综合排名, 亮灯统计 and 历次排名, one to a page


# -- 综合排名 ------------------------------------------------------------------------------------
def _majors(result) -> list:
    return list(dict.fromkeys(ind.major for ind in result.indicators))   # first-seen order


GRADE_BEST = ("C6EFCE", "006100")      # the first 等次 (Excel's 好)
GRADE_LOW = ("FFC7CE", "9C0006")       # the lowest 等次 and 一票否决 (Excel's 差)
GRADE_MIDDLE = ("FFEB9C", "9C5700")    # 一票否优 (Excel's 中性)


def _grade_order(result, grade_order) -> list:
    """The scheme's 等次 best first; without it, as they first appear in rank order."""
    if grade_order:
        return list(grade_order)
    ranked = sorted((u for u in result.units if u.veto == "否"), key=lambda u: -u.total)
    return list(dict.fromkeys(u.grade for u in ranked if u.grade))


def _axis_min(totals) -> float:
    """The score chart's value axis starts a little below the lowest score (on a multiple of 5),
    so the differences between units show; 0 would flatten them."""
    low, high = min(totals), max(totals)
    margin = max(2.0, (high - low) * 0.15)
    return float(math.floor((low - margin) / 5) * 5) if low - margin > 0 else 0.0


def _ranking(book: TableBook, result, grade_order=None):
    majors = _majors(result)
    # SPEC 3.8 / 3.10: a column for the classes granted after scoring (进位加分, 3.11's 名次加分;
    # the others are within 指标加分 / 表彰加分) and one for the signed 进位 points.
    extra = [name for name in ("进位加分", "名次加分")
             if any(c["name"] == name and c["raw"] > 1e-9 for u in result.units for c in u.bonus_classes)]
    advance = any(u.rank_change for u in result.units)
    # SPEC 3.11: with a folded base the 大类 columns are the current period's, and add up to its
    # own base (a column of its own), not to the folded 基础得分 beside them.
    period = next((rule_forms.current_period(u) for u in result.units if u.fold), "")
    own = [f"{period}基础得分"] if period else []
    grouped = any(u.group for u in result.units)     # no unit in a 分组: no empty column for it
    header = (["考核类别"] + (["分组"] if grouped else []) + ["排名", "单位"]
              + [f"{m}（{period}）" if period else m for m in majors] + own
              + ["基础得分", "指标加分", "表彰加分"] + extra + ["加分合计", "扣分"]
              + (["进位"] if advance else [])
              + ["综合得分", "等次", "一票否决", "红灯数", "说明"])
    ties = tie_counts(result.units)
    codes = {i.code for i in result.indicators}
    rows = []
    for u in result.units:
        notes = grade_notes(u)
        if ties[(u.category, u.rank)] > 1:
            notes.insert(0 if u.submitted else 1, "并列")     # after 未报送, before the grade's reason
        notes += [f"{indicator_item(item, codes)}（{veto_text(v)}）" for v, item in u.veto_reasons]
        notes += [f"{name}{text}" for name, _, text in rule_forms.bonus_class_lines(u)
                  if name in rule_forms.cut_classes(u)]
        cut = rule_forms.total_cap_note(u, result.params.total_bonus_cap)
        notes += [cut] if cut else []
        notes += [u.rank_change["text"]] if u.rank_change else []
        notes += rule_forms.deduction_parts(u, with_rank=False)     # the 退位: the line above
        granted = {c["name"]: c["granted"] for c in u.bonus_classes}
        # A unit granted nothing of a class has a real 0.00 there, as in the other point columns.
        rows.append([u.category] + ([u.group] if grouped else []) + [u.rank, u.name]
                    + [_published(u.subtotals[m]) if m in u.subtotals else None for m in majors]
                    + ([_published(rule_forms.current_base(u))] if period else [])
                    + [_published(u.base), _published(u.indicator_bonus), _published(u.honor_bonus)]
                    + [_published(granted.get(n, 0.0)) for n in extra]
                    + [_published(u.bonus), _published(u.deduction)]
                    + ([rule_forms.rank_change_points(u)] if advance else [])
                    + [_published(u.total), u.grade,
                       veto_text(u.veto) if u.veto != "否" else "", u.reds, "；".join(notes)])
    formats = ([None] * (2 if grouped else 1) + ["0", None]
               + [POINTS] * (len(majors) + len(own) + 5 + len(extra))
               + ([SIGNED_POINTS] if advance else []) + [POINTS, None, None, "0", None])
    weighted = {}    # SPEC 3.7: categories whose parts are weighted, with their 权重
    for u in result.units:
        if u.major_weights:
            weighted.setdefault(u.category, u.major_weights)
    excluded = "；".join(f"{c}“{name}”暂无评分数据，本次不计，"
                        + ("本大类其余指标折算" if c in weighted else "其余指标按满分折算")
                        for c, code, name in result.excluded)
    parts = "；".join(f"{c}各大类得分为权重×得分率（" + "、".join(f"{k}{w:g}" for k, w in ws_.items()) + "）"
                     for c, ws_ in weighted.items())
    folded = [p for p in result.periods if p.get("folded")]
    fold = (f"各大类得分和{period}基础得分为本期（{period}）得分，未按考核期折算；基础得分按考核期折算（"
            + "、".join(f"{p['period']}{p['weight']:g}" for p in folded) + "）") if period and folded else ""
    excluded = "；".join(x for x in (parts, fold, excluded) if x)
    # What a leader reads fits one landscape page: scores in narrow columns under wrapped
    # headers, the 说明 wrapped in a column of its own (as wide as its longest line, up to 36).
    n, name_col = len(header), header.index("单位")
    notes = [row[-1] for row in rows[:400]]
    widths = {name_col - 1: 5, n - 4: 6, n - 3: 9, n - 2: 5,
              n - 1: column_width(notes, minimum=16, maximum=36)}
    widths.update({c: 7.5 for c in range(name_col + 1, n - 4)})
    ws, head = book.sheet("综合排名", f"{book.title}综合排名", header, rows, formats,
                          note=f"说明：{excluded}" if excluded else "",
                          min_widths={name_col: 10}, max_width=16, widths=widths)
    header_lines = max(wrapped_lines(h, book.widths["综合排名"][c]) for c, h in enumerate(header))
    ws.set_row(head, max(32, row_height(header_lines)))
    ws.freeze_panes(head + 1, name_col + 1)
    if rows:
        _highlight_grades(book, ws, head + 1, head + len(rows), header, _grade_order(result, grade_order))
    book.print_setup(ws, head, f"{book.title}综合排名", len(header) - 1, head + len(rows),
                     repeat_cols=name_col + 1)
    # One column chart of 综合得分 per 考核类别 (on the sheet 图表).
    for category in result.categories:
        members = [n for n, u in enumerate(result.units) if u.category == category]
        if not members:
            continue
        first = head + 1 + members[0]
        last = head + 1 + members[min(len(members), MAX_CHART_UNITS) - 1]
        total_col = header.index("综合得分")
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({
            "name": f"{category}综合得分",
            "categories": ["综合排名", first, name_col, last, name_col],
            "values": ["综合排名", first, total_col, last, total_col],
            "fill": {"color": "#2E75B6"}, "gap": 60,
            "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 8}},
        })
        shown = "" if len(members) <= MAX_CHART_UNITS else f"（前{MAX_CHART_UNITS}名）"
        chart.set_title({"name": f"{category}综合得分{shown}", "name_font": {"size": 12}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"rotation": -45, "size": 9}})
        totals = [_published(result.units[m].total) for m in members[:MAX_CHART_UNITS]]
        chart.set_y_axis({"min": _axis_min(totals), "num_format": "0",
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        book.charts.append((chart, 480))


def _highlight_grades(book: TableBook, ws, first: int, last: int, header: list, order: list) -> None:
    """等次: the first green, the lowest red; 一票否决 red, 一票否优 yellow (conditional formats, so
    they follow a row when the clerk sorts)."""
    def fmt(colours):
        fill, font = colours
        return book.wb.add_format({"bg_color": f"#{fill}", "font_color": f"#{font}", "bold": True})
    grade_col, veto_col = header.index("等次"), header.index("一票否决")
    marks = [(order[0], GRADE_BEST)] if order else []
    if len(order) > 1:
        marks.append((order[-1], GRADE_LOW))
    for grade, colours in marks:
        ws.conditional_format(first, grade_col, last, grade_col, {
            "type": "cell", "criteria": "==", "value": f'"{grade}"', "format": fmt(colours)})
    for text, colours in (("一票否决", GRADE_LOW), ("一票否优", GRADE_MIDDLE)):
        ws.conditional_format(first, veto_col, last, veto_col, {
            "type": "cell", "criteria": "==", "value": f'"{text}"', "format": fmt(colours)})


def _published(x):
    return float(score_text(x))


# -- 指标矩阵 ------------------------------------------------------------------------------------
MATRIX_NOTE = ("说明：总量指标为完成率（本期累计完成÷年度确保目标；逆向指标为实际值），增速指标为增速(%)，其他为实际值；"
               "“名次”为同类排名；底色为亮灯（绿：达到序时进度，黄：落后序时进度，红：严重落后或突破控制线）。")
MATRIX_TREND_NOTE = "“较上期”为亮灯与上期相比的变化（如“红→绿”），空白为未变。"   # SPEC 3.11


def _light_change(r) -> str:
    """SPEC 3.11: the light's change since the previous period ("红→绿"); "" when unchanged, or
    when either period has no light (no value then, or the indicator does not apply)."""
    if not r.applies or not r.light or not r.previous_light or r.light == r.previous_light:
        return ""
    return f"{r.previous_light}→{r.light}"


def _matrix_value(r, ind):
    """-> (value, number format or None) for one cell of the matrix. The rank has a column of its
    own: baked into the number format it made one format per rank and value kind (7,710 at a
    province's 2,000 units, more than Excel keeps), and a text "65.9%（3）" would not sort."""
    if r.status == ST_NOT_APPLICABLE:
        return "—", None
    if r.status == ST_NO_DATA:
        return "暂无数据", None
    if r.actual is None:
        return r.status, None
    if ind.method == QUALITATIVE:
        return r.actual, None
    if ind.method in (COMPLETION, EFFICACY) and ind.value_type == TOTAL and r.completion_rate is not None \
            and ind.direction != REVERSE:     # SPEC 4.1: no 完成率 where less is better
        return r.completion_rate, PERCENT
    if ind.value_type == GROWTH:
        return r.actual, '0.0"%"'
    return r.actual, AMOUNT_FORMAT


AMOUNT_FORMAT = "amount"     # placeholder: one format per column, with the column's decimals


def _decimals(values) -> int:
    """Decimals a column of reported figures needs (0–2), so 85 and 122.6 line up as 85.0, 122.6."""
    digits = 0
    for x in values:
        if isinstance(x, float) and not x.is_integer():
            digits = max(digits, 1 if round(x, 1) == round(x, 9) else 2)
    return digits


def _matrix(book: TableBook, result):
    by_category = {}
    for ind in result.indicators:
        by_category.setdefault(ind.category, []).append(ind)
    excluded = {(c, code) for c, code, _ in result.excluded}
    many = len(result.categories) > 1
    majors = {m: n for n, m in enumerate(_majors(result))}
    for category in result.categories:
        inds = [i for i in by_category.get(category, []) if (category, i.code) not in excluded]
        inds.sort(key=lambda i: majors[i.major])      # stable: scheme order within a 大类
        units = [u for u in result.units if u.category == category]
        name = f"指标矩阵-{_sheet_safe(category)}" if many else "指标矩阵"
        name = name[:31]
        # Per indicator its value and its rank side by side (and, with periods, the light's change
        # since the last one); behind them (hidden, same offset) the light codes the conditional
        # formats read.
        trend = any(r.previous_light for u in units for r in u.indicators)      # SPEC 3.11
        step = 3 if trend else 2
        header = ["排名", "单位"]
        for i in inds:
            header += [i.name, "名次"] + (["较上期"] if trend else [])
        lights_from = len(header)
        for i in inds:
            header += [f"{i.code}灯", f"{i.code}名次灯"] + ([f"{i.code}变化灯"] if trend else [])
        rows, formats_by_row = [], []
        for u in units:
            by_code = {r.code: r for r in u.indicators}
            values, fmts, lights = [u.rank, u.name], ["0", None], []
            for ind in inds:
                r = by_code[ind.code]
                value, num_format = _matrix_value(r, ind)
                values += [value, r.rank or None]
                fmts += [num_format, "0"]
                light = LIGHT_CODES.get(counted_light(r), "")      # SPEC 4.1: 未报送 lights nothing
                lights += [light, ""]       # the rank is not coloured: it reads apart from the value
                if trend:
                    values.append(_light_change(r))
                    fmts.append(None)
                    lights.append("")
            rows.append(values + lights)
            formats_by_row.append(fmts)
        for n in range(len(inds)):
            c = 2 + step * n
            digits = _decimals(row[c] for row, fmts in zip(rows, formats_by_row) if fmts[c] == AMOUNT_FORMAT)
            amount = "#,##0" + ("." + "0" * digits if digits else "")
            for fmts in formats_by_row:
                if fmts[c] == AMOUNT_FORMAT:
                    fmts[c] = amount
        widths = {0: 5, 1: column_width([u.name for u in units[:400]], minimum=10, maximum=20)}
        for n, ind in enumerate(inds):
            c = 2 + step * n
            shown = [_matrix_text(row[c], fmts[c]) for row, fmts in zip(rows[:400], formats_by_row)]
            widths[c] = column_width(shown, minimum=9, maximum=14)
            widths[c + 1] = 5
            if trend:
                widths[c + 2] = 7
        ws, head = book.sheet(name, f"{book.title}指标完成情况", header, [], note="",
                              min_widths={1: 10}, max_width=16, hidden_from=lights_from, widths=widths)
        # The hot loop at province scale (2,000 units × 150 indicators × value and rank) as XML
        # text; the hidden light codes bare and only where there is one.
        text, centred = book.fmt(text_wrap=True), book.fmt(align="center")
        texts = [centred if trend and c > 1 and c % step == 1 else text for c in range(lights_from)]
        book.bulk(ws, head + 1, rows, texts, book.fmt(), row_formats=formats_by_row, bare_from=lights_from)
        last = head + len(rows)
        column_widths = book.widths[name]
        lines = max([wrapped_lines(header[c], column_widths[c])
                     for c in range(2, lights_from, step)], default=1)
        ws.set_row(head, max(32, row_height(lines)))
        ws.freeze_panes(head + 1, 2)
        if rows:
            ws.autofilter(head, 0, last, lights_from - 1)
            # Lights as conditional formats: each cell looks at its hidden twin to the right.
            twin = cell_ref(head + 1, lights_from)     # relative: for a conditional format
            for light, code in LIGHT_CODES.items():
                fill, font = LIGHT_COLOURS[light]
                ws.conditional_format(head + 1, 2, last, lights_from - 1, {
                    "type": "formula", "criteria": f'={twin}="{code}"',
                    "format": book.wb.add_format({"bg_color": f"#{fill}", "font_color": f"#{font}"})})
        groups = {}
        for n, ind in enumerate(inds):
            groups.setdefault(ind.major, []).append((2 + step * n, 1 + step * (n + 1)))
        breaks = book.print_setup(ws, head, f"{book.title}指标完成情况", lights_from - 1, last,
                                  repeat_cols=2, groups=list(groups.values()))
        # The note wraps within the first printed page instead of running off its edge.
        note_end = (breaks[0] if breaks else lights_from) - 1
        note_width = sum(column_widths[:note_end + 1])
        note = MATRIX_NOTE + (MATRIX_TREND_NOTE if trend else "")
        ws.merge_range(1, 0, 1, note_end, note, book.wb.add_format(
            {"font_color": "#595959", "valign": "vcenter", "text_wrap": True}))
        ws.set_row(1, row_height(wrapped_lines(note, note_width)))


def _matrix_text(value, num_format) -> str:
    """Roughly what a matrix cell shows, to size its column."""
    if isinstance(value, str) or value is None:
        return value or ""
    if num_format == PERCENT:
        return f"{value:.1%}"
    return f"{value:,.1f}"


def _sheet_safe(text: str) -> str:
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)


# -- 亮灯统计 ------------------------------------------------------------------------------------
def _lights(book: TableBook, result):
    counts = {}
    for u in result.units:
        for r in u.indicators:
            light = counted_light(r)          # SPEC 4.1: the count every output gives
            if light in LIGHT_CODES:
                counts.setdefault((u.category, r.code), {GREEN: 0, YELLOW: 0, RED: 0})[light] += 1
    rows = []
    for ind in result.indicators:
        c = counts.get(ind.key)
        if ind.method not in LIGHT_METHODS or c is None:
            continue
        total = sum(c.values())
        rows.append([ind.category, ind.code, ind.name, ind.lead, c[GREEN], c[YELLOW], c[RED], total,
                     c[GREEN] / total if total else None])
    header = ["考核类别", "指标编码", "指标名称", "牵头单位", "绿灯", "黄灯", "红灯", "合计", "绿灯占比"]
    _, head = book.sheet("亮灯统计", f"{book.title}亮灯统计", header, rows,
                         [None, None, None, None, "0", "0", "0", "0", PERCENT], min_widths={2: 16})
    if not rows:
        return
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = head + 1, head + min(len(rows), MAX_CHART_UNITS)
    for col, light in ((4, GREEN), (5, YELLOW), (6, RED)):
        colour = {GREEN: "#70AD47", YELLOW: "#FFC000", RED: "#C00000"}[light]
        chart.add_series({"name": ["亮灯统计", head, col], "categories": ["亮灯统计", first, 2, last, 2],
                          "values": ["亮灯统计", first, col, last, col], "fill": {"color": colour},
                          "gap": 50})
    chart.set_title({"name": "各指标亮灯情况（单位个数）", "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})   # bar charts: y is the category axis
    chart.set_legend({"position": "bottom"})
    book.charts.append((chart, max(300, 22 * (last - first + 1) + 90)))


# -- 历次排名 (SPEC 3.11) --------------------------------------------------------------------------
def _periods(book: TableBook, result):
    """Units × periods: 综合得分 and 排名 of each, then the change since the previous period as
    arrow text (↑3 ↓2 — 新) a printed page keeps; a line chart of the ranks per 考核类别."""
    from tzreport.words.trend import arrow, move, total_change
    if len(result.periods) < 2:
        return
    labels = [p["period"] for p in result.periods]
    dates = [p["as_of"] for p in result.periods]
    # 综合得分 of every period, then 排名 of every period: the ranks side by side feed the chart
    header = ["考核类别", "单位"] + [f"{lab}综合得分" for lab in labels] + [f"{lab}排名" for lab in labels] + \
        ["名次变化", "综合得分变化"]
    rows = []
    for u in result.units:
        by_date = {p["as_of"]: p for p in u.periods}
        shown = [by_date[d] if d in by_date and by_date[d].get("submitted", True) else None
                 for d in dates]
        row = [u.category, u.name] + [_published(p["total"]) if p else None for p in shown] + \
            [p["rank"] if p else "未报送" for p in shown]
        m = move(u)
        if m is None:
            row += ["", None]
        else:
            kind, n = m
            row.append(arrow(None if kind == "新参加" else n if kind == "前进" else -n))
            row.append(total_change(u))
        rows.append(row)
    folded = [p for p in result.periods if p["folded"]]
    note = ("说明：名次变化为本期与上期相比（↑前进、↓后退、—持平、新为本期新参加排名）。"
            + ("本期基础得分按考核期折算（" + "、".join(f"{p['period']}{p['weight']:g}" for p in folded) + "）。"
               if folded else ""))
    formats = [None, None] + [POINTS] * len(dates) + ["0"] * len(dates) + [None, SIGNED_POINTS]
    _, head = book.sheet("历次排名", f"{book.title}历次排名", header, rows, formats, note=note,
                         min_widths={1: 10})
    for category in result.categories:
        members = [n for n, u in enumerate(result.units) if u.category == category]
        if not members:
            continue
        title = f"{category}历次排名"
        if len(members) > MAX_LINES:      # the best and the worst: a readable chart, and it says so
            title += f"（前{MAX_LINES // 2}名和后{MAX_LINES // 2}名，共{len(members)}个单位）"
            members = best_and_worst(members)
        chart = book.wb.add_chart({"type": "line"})
        for n in members:
            row = head + 1 + n
            first = 2 + len(dates)
            chart.add_series({
                "name": ["历次排名", row, 1],
                "categories": ["历次排名", head, first, head, first + len(dates) - 1],
                "values": ["历次排名", row, first, row, first + len(dates) - 1],
                "marker": {"type": "circle", "size": 4}})
        chart.set_title({"name": title, "name_font": {"size": 12}})
        size = sum(1 for u in result.units if u.category == category)
        chart.set_y_axis({"reverse": True, "min": 1, "max": max(2, size), "major_unit": 1, "name": "名次"})
        chart.set_legend({"position": "bottom"})
        book.charts.append((chart, 500))


# -- 倒排计划, 结果运用, 数据问题 -----------------------------------------------------------------------
def _plan(book: TableBook, result):
    indicators = {i.key: i for i in result.indicators}
    days = days_remaining(result.params.as_of, result.schedule_fraction)
    rows = []
    for u in result.units:
        for r in u.indicators:
            if r.remaining is None:
                continue
            ind = indicators[(u.category, r.code)]
            measure = "百分点" if ind.value_type == GROWTH else ind.measure
            rows.append([u.category, u.name, r.code, r.name, measure, r.target, r.actual,
                         r.completion_rate, r.remaining, days if ind.value_type == TOTAL else None,
                         r.per_day, r.per_week, r.per_dekad, monthly_pace(r.per_month, ind.measure),
                         ind.lead, ind.support])
    header = ["考核类别", "单位", "指标编码", "指标名称", "计量单位", "年度目标", "本期完成", "完成率", "缺口",
              "剩余天数", "日均需完成", "周均需完成", "旬均需完成", "月均需完成", "牵头单位", "配合单位"]
    formats = [None, None, None, None, None, value_format, value_format, PERCENT, AMOUNT, "0",
               AMOUNT, AMOUNT, AMOUNT, value_format, None, None]
    caps = {1: 16, 3: 20, 4: 8, 14: 16, 15: 16}
    if days:
        name = "倒排计划"
        note = f"说明：距年底还有{days}天；缺口=年度确保目标−本期累计完成，增速指标的缺口为百分点。"
    else:    # SPEC 4.1: at the year end nothing speaks of 倒排计划: what was not reached, and who leads it
        keep = [c for c in range(len(header)) if not 9 <= c <= 13]
        header, formats = [header[c] for c in keep], [formats[c] for c in keep]
        header[header.index("本期完成")] = "全年完成"
        rows = [[row[c] for c in keep] for row in rows]
        caps = {keep.index(c): w for c, w in caps.items()}
        name = "未完成目标"
        note = "说明：已到年底，以下为未完成年度确保目标的指标；缺口=年度确保目标−全年完成，增速指标的缺口为百分点。"
    # Sixteen columns fitted to the page width (at some 80 % in Excel), its header repeated on every
    # page: each column as wide as its figures, its header wrapped on two lines; names wrap past 16.
    book.sheet(name, f"{book.title}{'倒排计划' if days else '未完成年度目标的指标'}", header, rows, formats,
               note=note, bulk=True, widths=_snug_widths(header, rows, caps))


def _snug_widths(header, rows, caps: dict) -> dict:
    """Column -> width: the widest figure (with thousands separators, two decimals unless whole)
    or text, or half the header (it wraps on two lines), whichever is wider; at most
    ``caps[column]``."""
    widths = {}
    for c, title in enumerate(header):
        shown = [(f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}") if isinstance(v, (int, float))
                 else str(v) for v in (row[c] for row in rows[:400]) if v is not None and v != ""]
        width = max(6, -(-display_width(title) // 2) + 2, *(display_width(t) + 2 for t in shown))
        widths[c] = min(width, caps.get(c, width))
    return widths


def _consequences(book: TableBook, result):
    year = result.params.year
    years = [year - 2, year - 1, year]
    rows = [[u.category, u.name, _published(u.total), u.rank, u.grade]
            + [u.history.get(y, "") for y in years]
            + [veto_text(u.veto) if u.veto != "否" else "", "；".join(u.consequences)]
            for u in result.units]
    header = ["考核类别", "单位", "综合得分", "排名", "等次"] + [f"{y}年等次" for y in years] + ["一票否决", "结果运用"]
    book.sheet("结果运用", f"{book.title}结果运用", header, rows, [None, None, POINTS, "0"],
               min_widths={len(header) - 1: 30})


def _issues(book: TableBook, result):
    names = {u.code: u.name for u in result.units}
    rows = [[SEVERITY_CN[i.severity], names.get(i.unit, ""), i.file, i.sheet, i.cell, i.message]
            for i in result.issues]
    header = ["级别", "单位", "文件", "工作表", "单元格", "问题"]
    note = "说明：错误须改正后重新报送；提示请核对；说明是本次计算的口径。" if rows else "本次没有发现数据问题。"
    book.sheet("数据问题", f"{book.title}数据问题", header, rows, note=note,
               min_widths={len(header) - 1: 40})


def write_summary(result, path, when, grade_order=None) -> Path:
    """Write 汇总.xlsx atomically. ``grade_order``: the scheme's 等次 names, best first (the
    table marks the first and the lowest)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        params = result.params
        book = TableBook(str(tmp), f"{params.name}（统计截止{cn_date(params.as_of)}）", when)
        _ranking(book, result, grade_order)
        _matrix(book, result)
        _lights(book, result)
        _periods(book, result)       # SPEC 3.11: only with two periods or more
        book.chart_sheet(CHART_SHEET, f"{book.title}图表")
        _plan(book, result)
        _consequences(book, result)
        _issues(book, result)
        book.wb.close()
    return path
