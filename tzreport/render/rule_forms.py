"""The Chinese words for the figures of SPEC 3.7–3.10 (大类 weights, capped bonuses, 进位), shared by
the 批注 workbook, 汇总.xlsx and the 通知 so that every output says the same thing."""
from __future__ import annotations

from .common import number_text, score_text


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


def total_cap_note(ur, total_cap) -> str:
    """"各类加分合计X分，超过加分总上限Y分，按Y分计" when 加分总上限 cut B; else ""."""
    if total_cap is not None and ur.bonus_before_total_cap > ur.bonus + 1e-9:
        return (f"各类加分合计{number_text(ur.bonus_before_total_cap)}分，超过加分总上限"
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
