"""The Chinese words for the figures of SPEC 3.7–3.10 (大类 weights, capped bonuses, 进位), shared by
the 批注 workbook, 汇总.xlsx and the 通知 so that every output says the same thing."""
from __future__ import annotations

from dataclasses import dataclass

from tzreport.words.numbers import number_text, score_text


def part_note(ur, major: str) -> str:
    """A weighted 大类 subtotal read as 权重_k·R_k (SPEC 3.7); "" for an unweighted category."""
    weight = ur.major_weights.get(major)
    if weight is None:
        return ""
    factor = ur.major_factors.get(major)
    if not factor:
        return f"权重{number_text(weight)}，本单位该大类无适用指标"
    applied = weight / factor                  # Σ 分值 of the part's indicators that apply
    subtotal = ur.subtotals.get(major, 0.0)
    rate = subtotal / weight if weight else 0.0
    scored = rate * applied
    return (f"权重{number_text(weight)} × 得分率{number_text(rate * 100, 2)}%"
            f"（本大类适用指标得分{number_text(scored)}÷分值{number_text(applied)}）")


def part_scale_note(ur, full: float) -> str:
    """The unit's one rescaling line (SPEC 4.1): of 分值 (3.3) or of 大类 权重 (3.7)."""
    if ur.major_weights:
        return (f"本单位适用大类权重合计{number_text(full / ur.scale)}，按满分{number_text(full)}分折算"
                "（有大类全部指标不适用）")
    return f"本单位适用指标分值合计{number_text(full / ur.scale)}分，按满分{number_text(full)}分折算"


def digits_that_hold(compute, result: str, start: int = 2, most: int = 8) -> int:
    """The fewest decimals, from ``start``, at which a printed equation holds: ``compute(digits)``
    is its value (a Decimal) from the operands as printed at that many decimals, and it must round
    half-up to the printed ``result`` (SPEC 4.1: a reader checks 90.94 × 1.0638 = 96.74)."""
    from decimal import ROUND_HALF_UP, Decimal
    for digits in range(start, most):
        if compute(digits).quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(result):
            return digits
    return most


def scale_digits(raw: float, scale: float, base: float) -> int:
    """Decimals of a 折算系数 in "raw × 系数 = base": 4, or more where 4 would not give the printed
    base (the 通知's sentence and the 批注's 计算过程 print the same factor)."""
    return digits_that_hold(lambda d: printed(raw, 2) * printed(scale, d), score_text(base), 4)


def printed(x, digits: int):
    """A figure as an equation prints it, for ``digits_that_hold``."""
    from decimal import Decimal
    return Decimal(number_text(x, digits, keep_zeros=True))


def current_period(ur) -> str:
    """The 期别 of the current period when the base is folded over periods (SPEC 3.11), else "".
    ``raw_score``, ``scale`` and ``subtotals`` are that period's own: they add up to
    ``fold["current_base"]``, not to the folded base."""
    return (ur.fold.get("current") or "本期") if ur.fold else ""


def current_base(ur) -> float:
    """What the indicators' scores add up to, rescaled (SPEC 3.3 / 3.7): the base itself, or with a
    folded base (3.11) the current period's."""
    return ur.fold["current_base"] if ur.fold else ur.base


def deduction_parts(ur, with_rank: bool = True) -> list:
    """Each deduction (SPEC 3.3 D) as "事项（依据），扣N分", in the order of 扣分与否决, the 退位 of
    3.10 last; ``with_rank`` False leaves the 退位 out, for an output whose 进位 line says it."""
    items = list(ur.deduction_items)
    if not with_rank and ur.rank_change and ur.rank_change.get("points", 0.0) < 0:
        items = items[:-1]      # apply_rank_changes put it last (as periods._undo_rank_change reads)
    return [f"{deduction_item(ur, item)}，扣{number_text(points)}分" for item, points in items]


def deduction_item(ur, item: str) -> str:
    """A deduction's 事项 with its 依据 / 说明 from 扣分与否决, where the scheme gives one."""
    basis = ur.deduction_bases.get(item)
    return f"{item}（{basis}）" if basis else item


def bonus_class_lines(ur) -> list:
    """[(类别, granted, sentence)] for every 加分类别 with points (SPEC 3.8), saying which cap cut it."""
    lines = []
    for c in ur.bonus_classes:
        raw, cap, granted = c["raw"], c["cap"], c["granted"]
        if raw <= 1e-9:
            continue
        if cap is not None and raw > cap + 1e-9:
            text = f"应得{number_text(raw)}分，超过{c['name']}上限{number_text(cap)}分，按{number_text(cap)}分计"
        elif cap is not None:
            text = f"{number_text(raw)}分，未超过{c['name']}上限{number_text(cap)}分"
        else:
            text = f"{number_text(raw)}分，不设上限"
        lines.append((c["name"], granted, text))
    return lines


def bonus_parts(ur, earned: bool = True) -> str:
    """"指标加分2.29分（地区生产总值增速、…）、表彰加分2分、名次加分0.2分": what B is made of (SPEC
    3.8), each 加分类别 as counted after its own cap; with ``earned`` the indicators that earned
    指标加分 named (their points are in the 批注)."""
    from tzreport.model import BONUS_INDICATOR
    out = []
    for c in ur.bonus_classes:
        if c["granted"] <= 1e-9:
            continue
        text = f"{c['name']}{number_text(c['granted'])}分"
        if earned and c["name"] == BONUS_INDICATOR:
            names = [r.name for r in ur.indicators if r.bonus and r.bonus > 1e-9]
            text += f"（{'、'.join(names)}）" if names else ""
        out.append(text)
    return "、".join(out)


def total_cap_note(ur, total_cap) -> str:
    """"各类加分合计X分，超过加分总上限Y分，按Y分计" when 加分总上限 cut B; else ""."""
    if total_cap is not None and ur.bonus_before_total_cap > ur.bonus + 1e-9:
        # every class that adds to the sum, as counted after its own cap: the figures add up
        return (f"各类加分合计{number_text(ur.bonus_before_total_cap)}分"
                f"（{bonus_parts(ur, earned=False)}），超过加分总上限"
                f"{number_text(total_cap)}分，按{number_text(total_cap)}分计")
    return ""


def cut_classes(ur) -> list:
    """Names of the 加分类别 whose 上限 cut the unit's points."""
    return [c["name"] for c in ur.bonus_classes
            if c["cap"] is not None and c["raw"] > c["cap"] + 1e-9]


def rank_change_text(ur) -> str:
    """The 进位 line (SPEC 3.10): "较上年前进2位，加0.6分", or why nothing ("上年无名次…")."""
    change = ur.rank_change
    if not change:
        return ""
    text = change["text"]
    if change["kind"] in ("进位", "退位"):     # 保位 and 持平 already name the ranks
        text += f"（上年第{change['last_rank']}名，本年不计进位加减分时第{change['rank_before']}名）"
    return text


def rank_change_points(ur):
    """The signed 进位 points as published (+ 进位/保位 加分, − 退位 扣分), or None without a rule."""
    if not ur.rank_change:
        return None
    return float(score_text(ur.rank_change["points"]))


# -- points as they count (SPEC 3.3, 3.7): the 失分 list and the indicator table's sums ----------------

def base_words(ur) -> str:
    """"基础得分", or with periods folded (SPEC 3.11) "全年基础得分": the current period's, which the
    fold line weighs with the others."""
    return f"{current_period(ur)}基础得分"


def lost_items(ur) -> tuple:
    """SPEC 3.6, one list for the 批注 and the 通知: -> (words, [(name, points)]). The points are
    those that count toward the base (分值 − 得分, times the 大类 weight and the 折算 of SPEC 3.3 /
    3.7, grading.advancement); ``words`` says so ("按计入基础得分的分值计") when one of them is not
    the table's 分值 − 得分, else ""."""
    lost = ur.advance.get("lost_most", [])
    majors = {r.code: r.major for r in ur.indicators}
    rescaled = any(abs(ur.factor(majors.get(x["code"], "")) - 1) > 1e-9 for x in lost)
    words = f"按计入{base_words(ur)}的分值计" if rescaled else ""
    return words, [(x["name"], x["lost"]) for x in lost]


@dataclass(frozen=True)
class SumRow:
    """A line of the indicator table that adds up the lines above it (SPEC 3.3, 3.7, 4.1)."""
    label: str          # "社会评价小计", "社会评价按权重计", "合计", "按满分100分折算"
    weight: float       # the 分值 column; None: the part does not count for the unit (不计)
    score: float        # the 得分 column
    how: str            # the arithmetic, for the 批注's 计算过程
    apart: bool = False  # the printed figures it is made of give 0.01 more or less (rounding)


def _printed(x: float) -> float:
    return float(score_text(x))


def _sum_apart(parts, value: float) -> bool:
    """Do the 2-decimal figures ``parts`` add up to a printed ``value`` other than its own?"""
    return _printed(sum(_printed(x) for x in parts)) != _printed(value)


ROUNDING_NOTE = ("表中得分四舍五入保留两位小数，小计、合计按未经舍入的得分计算，与按表中数字计算的结果略有出入，"
                 "系舍入所致。")
ROUNDING_HOW = "（按未经舍入的得分计算，与按表中数字计算的结果略有出入，系舍入所致）"


def point_rows(ur, full: float) -> list:
    """The indicator table in the order a reader adds it up: indices into ``ur.indicators`` and
    SumRows, so that the 分值 and 得分 columns sum to what the unit's base is made of.

    Weighted 大类 (SPEC 3.7): each part's indicators, its 小计 (Σ 分值 and Σ 得分 of those that
    apply), and where 权重_k is not that Σ 分值 a line "按权重计" (权重_k · Σ得分/Σ分值); then 合计 of the
    parts as counted. Otherwise every indicator in scheme order, then 合计. Either way a line
    "按满分…分折算" when the unit's 折算系数 is not 1 (3.3). An indicator that does not count keeps its
    line (the 批注 says 不计 in its 分值)."""
    rows, counted = [], []
    if ur.major_weights:
        order = {}
        for k, r in enumerate(ur.indicators):
            order.setdefault(r.major, []).append(k)
        for major, ks in order.items():
            rows += ks
            weight = ur.major_weights.get(major, 0.0)
            factor = ur.major_factors.get(major)
            if not factor:
                rows.append(SumRow(f"{major}小计", None, None,
                                   f"权重{number_text(weight)}，本单位该大类无适用指标，不计"))
                continue
            applied = [ur.indicators[k] for k in ks if ur.indicators[k].applies]
            points = sum(r.weight for r in applied)
            scored = sum(r.score for r in applied)
            subtotal = ur.subtotals.get(major, 0.0)
            apart = _sum_apart((r.score for r in applied), scored)
            if abs(factor - 1) < 1e-9:
                rows.append(SumRow(f"{major}小计", points, scored,
                                   f"本大类适用指标得分之和，权重{number_text(weight)}，全额计入", apart))
            else:
                rows.append(SumRow(f"{major}小计", points, scored, "本大类适用指标得分之和", apart))
                rows.append(SumRow(f"{major}按权重计", weight, subtotal,
                                   f"得分{score_text(scored)} ÷ 分值{number_text(points)} × 权重"
                                   f"{number_text(weight)} = {score_text(subtotal)}",
                                   _printed(_printed(scored) / points * weight) != _printed(subtotal)))
            counted.append((major, weight, subtotal))
        raw = sum(s for _, _, s in counted)
        how = " + ".join(f"{m}{score_text(s)}" for m, _, s in counted) + f" = {score_text(raw)}"
        total = SumRow("合计", sum(w for _, w, _ in counted), raw, how,
                       _sum_apart((s for _, _, s in counted), raw))
    else:
        rows += range(len(ur.indicators))
        applied = [r for r in ur.indicators if r.applies]
        raw = ur.raw_score
        total = SumRow("合计", sum(r.weight for r in applied), raw, "适用指标得分之和",
                       _sum_apart((r.score for r in applied), raw))
    base = current_base(ur)
    if abs(ur.scale - 1) > 1e-9:
        rows.append(total)
        digits = scale_digits(raw, ur.scale, base)
        rows.append(SumRow(f"按满分{number_text(full)}分折算", full, base,
                           f"{score_text(raw)} × 折算系数{number_text(ur.scale, digits)} = "
                           f"{score_text(base)}，即{base_words(ur)}",
                           _printed(_printed(raw) * ur.scale) != _printed(base)))    # as the table reads
    else:
        rows.append(SumRow(total.label, total.weight, total.score, f"{total.how}，即{base_words(ur)}",
                           total.apart))
    return rows


def rounding_note(rows: list) -> str:
    """ROUNDING_NOTE where a line of ``point_rows`` is 0.01 off the printed figures it is made of."""
    return ROUNDING_NOTE if any(isinstance(k, SumRow) and k.apart for k in rows) else ""
