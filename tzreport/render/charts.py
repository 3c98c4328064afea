"""Charts for the Word documents (matplotlib, PNG bytes): where a picture reads faster than a table.

Drawn with matplotlib's object API (no pyplot state), in a CJK font; a chart that would show
tofu boxes raises ``ChartFontMissing`` instead, and the documents go without charts.
"""
from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from tzreport.model import GREEN, LIGHT_COLOURS, RED, YELLOW
from tzreport.words.width import display_width

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
                "PingFang SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP")
WIDTH_IN = 6.1          # the 156 mm type area
DPI = 150
MAX_BARS = 40           # more units than this: a distribution instead of one bar each
BAR = "#4472C4"


class ChartFontMissing(Exception):
    """No font with Chinese glyphs: a chart would print boxes instead of names."""


_family = None


def cjk_family() -> str:
    """The first CJK font matplotlib knows, looking at the system fonts again if its cache predates
    them (PITFALLS: the cache hides fonts installed after matplotlib first ran)."""
    global _family
    if _family:
        return _family
    from matplotlib import font_manager as fm
    known = {f.name for f in fm.fontManager.ttflist}
    if not any(name in known for name in CJK_FAMILIES):
        for path in fm.findSystemFonts():
            if re.search(r"cjk|wqy|simhei|msyh|pingfang|sourcehan", Path(path).name, re.I):
                try:
                    fm.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {f.name for f in fm.fontManager.ttflist}
    for name in CJK_FAMILIES:
        if name in known:
            _family = name
            return name
    raise ChartFontMissing("未找到中文字体（如 Noto Sans CJK SC、微软雅黑），图表从略")


def _figure(height_in: float):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig


def _png(draw, *args) -> bytes:
    """Run ``draw(*args) -> Figure`` in the CJK font and return the PNG; missing glyphs raise."""
    import matplotlib
    out = io.BytesIO()
    style = {"font.family": [cjk_family()], "axes.unicode_minus": False, "font.size": 8,
             "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(style), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw(*args)
        fig.savefig(out, format="png", metadata={"Software": None})
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise ChartFontMissing(f"图表字体缺字（{missing[0]}），图表从略")
    return out.getvalue()


def _hex(colour: str) -> str:
    return f"#{colour}"


def totals_chart(title: str, units: list, grade_order: list) -> bytes:
    """综合得分 by unit in rank order, bars coloured by 等次 (a histogram past MAX_BARS units).

    ``units``: (name, total, grade) in rank order."""
    return _png(_draw_totals, title, units, grade_order)


def _draw_totals(title, units, grade_order):
    palette = ["#2E75B6", "#70AD47", "#FFC000", "#ED7D31", "#C00000", "#7F7F7F"]
    colours = {g: palette[min(i, len(palette) - 1)] for i, g in enumerate(grade_order)}
    if len(units) > MAX_BARS:
        fig = _figure(3.0)
        ax = fig.subplots()
        ax.hist([t for _, t, _ in units], bins=20, color=BAR, edgecolor="white")
        ax.set_xlabel("综合得分")
        ax.set_ylabel("单位数")
    else:
        fig = _figure(max(2.2, 0.6 + 0.26 * len(units)))
        ax = fig.subplots()
        names = [n for n, _, _ in units][::-1]
        totals = [t for _, t, _ in units][::-1]
        grades = [g for _, _, g in units][::-1]
        bars = ax.barh(range(len(names)), totals, color=[colours.get(g, BAR) for g in grades],
                       height=0.65)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        for bar, total in zip(bars, totals):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {total:.2f}",
                    va="center", fontsize=7)
        low = min(totals) if totals else 0
        ax.set_xlim(max(0, low - 15), max(totals, default=100) * 1.08)
        seen = [g for g in grade_order if g in grades]
        if len(seen) > 1:
            from matplotlib.patches import Patch
            ax.legend(handles=[Patch(color=colours[g], label=g) for g in seen], fontsize=7,
                      loc="lower right", frameon=False)
    ax.set_title(title, fontsize=10)
    return fig


def lights_chart(title: str, rows: list) -> bytes:
    """Stacked bars of 绿/黄/红 units per indicator. ``rows``: (indicator, green, yellow, red)."""
    return _png(_draw_lights, title, rows)


def _draw_lights(title, rows):
    fig = _figure(max(2.2, 0.6 + 0.28 * len(rows)))
    ax = fig.subplots()
    names = [r[0] for r in rows][::-1]
    left = [0] * len(rows)
    for col, (light, label) in enumerate(((GREEN, "绿灯"), (YELLOW, "黄灯"), (RED, "红灯")), 1):
        counts = [r[col] for r in rows][::-1]
        fill, edge = LIGHT_COLOURS[light]
        ax.barh(range(len(rows)), counts, left=left, color=_hex(fill), edgecolor=_hex(edge),
                linewidth=0.6, height=0.65, label=label)
        for i, (start, count) in enumerate(zip(left, counts)):
            if count:
                ax.text(start + count / 2, i, str(count), ha="center", va="center", fontsize=7,
                        color=_hex(edge))
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(range(len(rows)), [_short(n) for n in names], fontsize=8)
    ax.set_xlabel("单位数", fontsize=8)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=10)
    fig.legend(fontsize=7, ncols=3, loc="outside lower center", frameon=False)
    return fig


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


MAX_LINES = 20      # past this many units a rank chart (here and in 汇总) shows the top and bottom ones


def ranks_chart(title: str, periods: list, units: list) -> bytes:
    """SPEC 3.11: each unit's rank over the periods, rank 1 at the top. ``periods``: labels;
    ``units``: (name, [rank or None per period]) in current rank order."""
    return _png(_draw_ranks, title, periods, units)


def best_and_worst(units: list) -> list:
    """A rank chart's lines: every unit up to MAX_LINES, past that the best and the worst ten now
    (a readable chart; its title says so). ``units`` in rank order."""
    return units if len(units) <= MAX_LINES else units[:MAX_LINES // 2] + units[-(MAX_LINES // 2):]


def _draw_ranks(title, periods, units):
    if len(units) > MAX_LINES:
        units = best_and_worst(units)
        title += f"（前{MAX_LINES // 2}名和后{MAX_LINES // 2}名）"
    fig = _figure(3.2)
    ax = fig.subplots()
    xs = list(range(len(periods)))
    worst = 1
    for n, (name, ranks) in enumerate(units):
        points = [(x, r) for x, r in zip(xs, ranks) if r is not None]
        if not points:
            continue
        worst = max(worst, max(r for _, r in points))
        ax.plot([x for x, _ in points], [r for _, r in points], marker="o", markersize=3,
                linewidth=1.2, label=name,
                linestyle="-" if n < 10 else "--")      # the colour cycle has ten colours
    ax.set_xticks(xs, periods, fontsize=8)
    ax.set_ylim(worst + 0.5, 0.5)      # rank 1 on top
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("名次", fontsize=8)
    ax.set_title(title, fontsize=10)
    _legend(fig, ax)
    return fig


LEGEND_PT = 7


def legend_columns(names, width_in: float = WIDTH_IN) -> int:
    """How many legend entries of ``names`` fit side by side across ``width_in`` inches: each as
    wide as the longest name (a CJK character 1 em of LEGEND_PT, a Latin one half) plus its line
    sample, its padding and the spacing to the next (2 + 0.8 + 2 em, and some room)."""
    widest = max((display_width(n) for n in names), default=0)
    entry_pt = (widest / 2 + 5.2) * LEGEND_PT
    return max(1, min(len(names), int(width_in * 72 // entry_pt)))


def _legend(fig, ax) -> None:
    """Every unit's full name below the chart, read across in rank order (matplotlib fills a
    legend column by column: the entries are put in that order so the rows read left to right)."""
    handles, labels = ax.get_legend_handles_labels()
    cols = legend_columns(labels)
    rows = -(-len(labels) // cols)
    order = [r * cols + c for c in range(cols) for r in range(rows) if r * cols + c < len(labels)]
    fig.legend([handles[i] for i in order], [labels[i] for i in order], fontsize=LEGEND_PT,
               ncols=cols, loc="outside lower center", frameon=False)
