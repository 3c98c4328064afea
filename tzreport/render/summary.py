"""汇总.xlsx (SPEC 4): what the clerk puts in front of the leadership, written with xlsxwriter.

Sheets 综合排名, 指标矩阵, 亮灯统计, 倒排计划, 结果运用, 数据问题; native charts; frozen headers,
filters, widths that fit Chinese text and an A4 landscape print set-up on every sheet.
"""
from __future__ import annotations

from pathlib import Path

from ..fileio import atomic_path
from ..model import (COMPLETION, EFFICACY, GREEN, GROWTH, LIGHT_METHODS, QUALITATIVE, RED,
                     ST_NO_DATA, ST_NOT_APPLICABLE, TOTAL, YELLOW)
from ..planning import days_left
from ..read.values import cn_date
from .common import (AMOUNT, LIGHT_COLOURS, PERCENT, POINTS, SEVERITY_CN, TableBook, score_text,
                     tie_counts, value_format, veto_text)

FILE_NAME = "汇总.xlsx"
LIGHT_CODES = {GREEN: "G", YELLOW: "Y", RED: "R"}   # hidden helper cells behind the matrix colours
MAX_CHART_UNITS = 60    # a chart with more bars than this is unreadable: the top ones are drawn


# -- 综合排名 ------------------------------------------------------------------------------------
def _majors(result) -> list:
    return list(dict.fromkeys(ind.major for ind in result.indicators))   # first-seen order


def _ranking(book: TableBook, result):
    majors = _majors(result)
    header = (["考核类别", "分组", "排名", "单位"] + majors
              + ["基础得分", "指标加分", "表彰加分", "加分合计", "扣分", "综合得分", "等次", "一票否决",
                 "红灯数", "说明"])
    ties = tie_counts(result.units)
    rows = []
    for u in result.units:
        notes = []
        if not u.submitted:
            notes.append("未报送")
        if ties[(u.category, u.rank)] > 1:
            notes.append("并列")
        if u.grade_note:
            notes.append(u.grade_note)
        notes += [f"{item}（{veto_text(v)}）" for v, item in u.veto_reasons]
        rows.append([u.category, u.group, u.rank, u.name]
                    + [_published(u.subtotals[m]) if m in u.subtotals else None for m in majors]
                    + [_published(u.base), _published(u.indicator_bonus), _published(u.honor_bonus),
                       _published(u.bonus), _published(u.deduction), _published(u.total), u.grade,
                       veto_text(u.veto) if u.veto != "否" else "", u.reds, "；".join(notes)])
    formats = [None, None, "0", None] + [POINTS] * (len(majors) + 6) + [None, None, "0", None]
    excluded = "；".join(f"{c}“{name}”（{code}）暂无评分数据，本次不计，其余指标按满分折算"
                        for c, code, name in result.excluded)
    ws, head = book.sheet("综合排名", f"{book.title}综合排名", header, rows, formats,
                          note=f"说明：{excluded}" if excluded else "",
                          min_widths={3: 10, len(header) - 1: 12}, max_width=36)
    ws.freeze_panes(head + 1, 4)
    # One column chart of 综合得分 per 考核类别, below the table (inside the print area), on a new page.
    top = head + len(rows) + 2
    ws.set_h_pagebreaks([top])
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
            "categories": ["综合排名", first, 3, last, 3],
            "values": ["综合排名", first, total_col, last, total_col],
            "fill": {"color": "#2E75B6"}, "gap": 60,
            "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 8}},
        })
        shown = "" if len(members) <= MAX_CHART_UNITS else f"（前{MAX_CHART_UNITS}名）"
        chart.set_title({"name": f"{category}综合得分{shown}", "name_font": {"size": 12}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"rotation": -45, "size": 9}})
        chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        count = last - first + 1
        # As wide as the table, so the printed page shows it at the table's scale.
        chart.set_size({"width": max(520, min(book.pixels["综合排名"], 60 * count)), "height": 340})
        ws.insert_chart(top, 0, chart)
        top += 19
    book.print_setup(ws, head, f"{book.title}综合排名", len(header) - 1, top)


def _published(x):
    return float(score_text(x))


# -- 指标矩阵 ------------------------------------------------------------------------------------
def _matrix_value(r, ind):
    """-> (value, number format or None) for one cell of the matrix; the rank goes in brackets."""
    rank = f"（{r.rank}）" if r.rank else ""
    if r.status == ST_NOT_APPLICABLE:
        return "—", None
    if r.status == ST_NO_DATA:
        return "暂无数据", None
    if r.actual is None:
        return r.status, None
    if ind.method == QUALITATIVE:
        return f"{r.actual}{rank}", None
    if ind.method in (COMPLETION, EFFICACY) and ind.value_type == TOTAL and r.completion_rate is not None:
        return r.completion_rate, f'0.0%"{rank}"'
    if ind.value_type == GROWTH:
        return r.actual, f'0.0"%{rank}"'
    digits = "#,##0" if float(r.actual).is_integer() else "#,##0.0#"
    return r.actual, f'{digits}"{rank}"'


def _matrix(book: TableBook, result):
    by_category = {}
    for ind in result.indicators:
        by_category.setdefault(ind.category, []).append(ind)
    excluded = {(c, code) for c, code, _ in result.excluded}
    many = len(result.categories) > 1
    for category in result.categories:
        inds = [i for i in by_category.get(category, []) if (category, i.code) not in excluded]
        units = [u for u in result.units if u.category == category]
        name = f"指标矩阵-{_sheet_safe(category)}" if many else "指标矩阵"
        name = name[:31]
        header = ["排名", "单位"] + [f"{i.code}\n{i.name}" for i in inds]
        lights_from = len(header)
        header += [f"{i.code}灯" for i in inds]
        rows, formats_by_row = [], []
        for u in units:
            by_code = {r.code: r for r in u.indicators}
            values, fmts, lights = [u.rank, u.name], ["0", None], []
            for ind in inds:
                r = by_code[ind.code]
                value, num_format = _matrix_value(r, ind)
                values.append(value)
                fmts.append(num_format)
                lights.append(LIGHT_CODES.get(r.light, "") if r.applies else "")
            rows.append(values + lights)
            formats_by_row.append(fmts)
        note = ("说明：总量指标为完成率（本期累计完成÷年度确保目标），增速指标为增速(%)，其他为实际值；括号内为同类排名；"
                "底色为亮灯（绿：达到序时进度，黄：落后序时进度，红：严重落后或突破控制线）。")
        ws, head = book.sheet(name, f"{book.title}指标完成情况", header, [], note=note,
                              min_widths={1: 10}, hidden_from=lights_from)
        for r, (values, fmts) in enumerate(zip(rows, formats_by_row), head + 1):
            for c, value in enumerate(values):
                book.write(ws, r, c, value, fmts[c] if c < len(fmts) else None)
        last = head + len(rows)
        for c in range(2, lights_from):
            ws.set_column(c, c, 13)
        ws.set_row(head, 60)
        ws.freeze_panes(head + 1, 2)
        if rows:
            ws.autofilter(head, 0, last, lights_from - 1)
            # Lights as conditional formats: each cell looks at its hidden twin to the right.
            twin = _cell_name(head + 1, lights_from)
            for light, code in LIGHT_CODES.items():
                fill, font = LIGHT_COLOURS[light]
                ws.conditional_format(head + 1, 2, last, lights_from - 1, {
                    "type": "formula", "criteria": f'={twin}="{code}"',
                    "format": book.wb.add_format({"bg_color": f"#{fill}", "font_color": f"#{font}"})})
        book.print_setup(ws, head, f"{book.title}指标完成情况", lights_from - 1, last)


def _cell_name(row: int, col: int) -> str:
    """A relative A1 reference (row and column not anchored), for conditional formats."""
    letters, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _sheet_safe(text: str) -> str:
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)


# -- 亮灯统计 ------------------------------------------------------------------------------------
def _lights(book: TableBook, result):
    counts = {}
    for u in result.units:
        for r in u.indicators:
            if r.light and r.applies:
                counts.setdefault((u.category, r.code), {GREEN: 0, YELLOW: 0, RED: 0})[r.light] += 1
    rows = []
    for ind in result.indicators:
        c = counts.get(ind.key)
        if ind.method not in LIGHT_METHODS or c is None:
            continue
        total = sum(c.values())
        rows.append([ind.category, ind.code, ind.name, ind.lead, c[GREEN], c[YELLOW], c[RED], total,
                     c[GREEN] / total if total else None])
    header = ["考核类别", "指标编码", "指标名称", "牵头单位", "绿灯", "黄灯", "红灯", "合计", "绿灯占比"]
    ws, head = book.sheet("亮灯统计", f"{book.title}亮灯统计", header, rows,
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
    height = max(300, 22 * (last - first + 1) + 90)
    chart.set_size({"width": max(600, book.pixels["亮灯统计"]), "height": height})
    top = head + len(rows) + 2
    ws.set_h_pagebreaks([top])
    ws.insert_chart(top, 0, chart)
    book.print_setup(ws, head, f"{book.title}亮灯统计", len(header) - 1, top + height // 20 + 1)


# -- 倒排计划, 结果运用, 数据问题 -----------------------------------------------------------------------
def _plan(book: TableBook, result):
    indicators = {i.key: i for i in result.indicators}
    days = days_left(result.params.as_of)
    rows = []
    for u in result.units:
        for r in u.indicators:
            if r.remaining is None:
                continue
            ind = indicators[(u.category, r.code)]
            measure = "百分点" if ind.value_type == GROWTH else ind.measure
            rows.append([u.category, u.name, r.code, r.name, measure, r.target, r.actual,
                         r.completion_rate, r.remaining, days if ind.value_type == TOTAL else None,
                         r.per_day, r.per_week, r.per_dekad, r.per_month, ind.lead, ind.support])
    header = ["考核类别", "单位", "指标编码", "指标名称", "计量单位", "年度目标", "本期完成", "完成率", "缺口",
              "剩余天数", "日均需完成", "周均需完成", "旬均需完成", "月均需完成", "牵头单位", "配合单位"]
    note = (f"说明：距年底还有{days}天；缺口=年度确保目标−本期累计完成，增速指标的缺口为百分点。" if days else
            "说明：已到年底，以下为未完成年度确保目标的指标。")
    book.sheet("倒排计划", f"{book.title}倒排计划", header, rows,
               [None, None, None, None, None, value_format, value_format, PERCENT, AMOUNT, "0",
                AMOUNT, AMOUNT, AMOUNT, AMOUNT], note=note, min_widths={3: 16}, bulk=True)


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


def write_summary(result, path, when) -> Path:
    """Write 汇总.xlsx atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        params = result.params
        book = TableBook(str(tmp), f"{params.name}（统计截止{cn_date(params.as_of)}）", when)
        _ranking(book, result)
        _matrix(book, result)
        _lights(book, result)
        _plan(book, result)
        _consequences(book, result)
        _issues(book, result)
        book.wb.close()
    return path
