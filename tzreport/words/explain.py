"""An indicator's arithmetic in words (SPEC 3.2, 3.8, 3.9): the 批注's comment, its 考核结果 sheet and
results.json's "explain" say the terms rules.indicator returns, ``(form, numbers…)``, one clause
each, joined by "；"."""
from __future__ import annotations

import functools

from tzreport.model import VETO_LOWEST
from tzreport.rules.rounding import factor_text, fmt, pct


def _target(target) -> str:
    """(T·p_i, T, p_i) of a prorated target, or (None, T, None)."""
    prorated, annual, share = target
    return f"序时目标{fmt(prorated)}（{fmt(annual)}×{pct(share)}）" if share is not None else f"目标{fmt(annual)}"


def _capped(cap) -> str:
    return f"，封顶{fmt(cap)}" if cap is not None else ""


FORMS = {
    # 完成率 / 功效系数 (SPEC 3.2)
    "met": lambda actual, target, w: f"实际{fmt(actual)}，{_target(target)}，已完成，得满分{fmt(w)}",
    "met_growth": lambda actual, t, w: f"实际{fmt(actual)}%，目标{fmt(t)}%，已完成，得满分{fmt(w)}",
    "below_floor": lambda actual, target, share, floor: (
        f"实际{fmt(actual)}，{_target(target)}，完成{'序时目标的' if target[2] is not None else ''}"
        f"{pct(share)}，低于得分下限{pct(floor)}，得0分"),
    "rate": lambda actual, target, rate, annual, w, score: (
        f"实际{fmt(actual)}，{_target(target)}，"
        + (f"完成序时目标的{pct(rate)}（年度目标的{pct(annual)}）" if target[2] is not None else f"完成率{pct(rate)}")
        + f" × 分值{fmt(w)} = {fmt(score)}"),
    "short": lambda actual, target, gap, rate, w, lost, score: (
        f"实际{fmt(actual)}，{_target(target)}，差{factor_text(gap, rate)}% × 每1%扣{fmt(rate, 3)}分，"
        f"{fmt(w)} − {fmt(lost)} = {fmt(score)}"),
    "short_growth": lambda actual, t, gap, rate, w, lost, score: (
        f"实际{fmt(actual)}%，目标{fmt(t)}%，差{factor_text(gap, rate)}个百分点 × 每个百分点扣{fmt(rate, 3)}分，"
        f"{fmt(w)} − {fmt(lost)} = {fmt(score)}"),
    "stretch_bonus": lambda cap, share: (
        f"加分 = 加分上限{fmt(cap)} × 超确保目标部分占力争空间的{pct(share)} = {fmt(cap * share)}"),
    "excess_bonus": lambda per, excess, total, cap, bonus: (
        f"加分 = 超额{factor_text(per, excess)}{'%' if total else '个百分点'} × {fmt(excess)}{_capped(cap)}"
        f" = {fmt(bonus)}"),
    "efficacy": lambda actual, up, tp, coefficient, w, score: (
        f"功效系数 = 0.6 + 0.4×(实际{fmt(actual)} − 不允许值{fmt(up)})/(目标{fmt(tp)} − 不允许值{fmt(up)})"
        f"，取{fmt(coefficient, 4)}；{fmt(coefficient, 4)} × 分值{fmt(w)} = {fmt(score)}"),
    # 控制
    "control_within": lambda actual, line, w: f"实际{fmt(actual)}，控制线{fmt(line)}，未突破，得满分{fmt(w)}",
    "control_over": lambda actual, line, over, rate, score: (
        f"实际{fmt(actual)}，突破控制线{fmt(line)}达{fmt(over)}% × 每1%扣{fmt(rate, 3)}分，得{fmt(score)}"),
    "control_crossed": lambda actual, line: f"实际{fmt(actual)}，突破控制线{fmt(line)}，得0分",
    "control_bonus": lambda margin, excess, cap, bonus: (
        f"加分 = 低于控制线{factor_text(margin, excess)}% × {fmt(excess)}{_capped(cap)} = {fmt(bonus)}"),
    "veto": lambda veto: "触发一票否决" if veto == VETO_LOWEST else "触发一票否优",
    # 排名, 比最优, 分档
    "rank_step": lambda rank, n, w, step, score: (      # alone and 名次递减 0: no result written, as before
        f"第{rank}名（共{n}个），{fmt(w)} × (1 − {rank - 1}×{fmt(step, 4)})"
        + (f" = {fmt(score)}" if n > 1 or step else "")),
    "rank_last": lambda rank, n, last, w, score: (
        f"第{rank}名（共{n}个），末位系数{fmt(last)}，{fmt(w)} × (1 − {rank - 1}×{fmt(1 - last)}/{n - 1})"
        f" = {fmt(score)}"),
    "rank_alone": lambda: "仅1个单位报送，得满分",
    "best": lambda actual, best, w, score: f"实际{fmt(actual)} ÷ 最优值{fmt(best)} × 分值{fmt(w)} = {fmt(score)}",
    "best_reverse": lambda actual, best, w, score: (
        f"最优值{fmt(best)} ÷ 实际{fmt(actual)} × 分值{fmt(w)} = {fmt(score)}"),
    "below_bands": lambda actual: f"实际{fmt(actual)}，低于最低档，得0分",
    "band": lambda actual, lower, ratio, w, score: (
        f"实际{fmt(actual)}，达到“≥{fmt(lower)}”档，{pct(ratio)} × 分值{fmt(w)} = {fmt(score)}"),
    # 定性, 测评 (SPEC 3.9)
    "qualitative": lambda level, ratio, w, score: f"{level}，{fmt(ratio)} × 分值{fmt(w)} = {fmt(score)}",
    "appraisal": lambda actual, w, score: f"测评{fmt(actual)}分 ÷ 100 × 分值{fmt(w)} = {fmt(score)}",
    # a value not given; SPEC 3.8 扣分上限
    "unreported": lambda status: f"{status}，得0分",
    "deduction_cap": lambda cap, score: f"扣分以{fmt(cap)}分为限，得{fmt(score)}",
}


@functools.lru_cache(maxsize=4096)
def explain_text(terms) -> str:
    """The arithmetic of one indicator's result (``IndicatorResult.explain``) as one sentence.
    Cached: a unit's task says each one three times (the 批注's comment, its 考核结果 sheet,
    results.json), some 12 µs each."""
    return "；".join(FORMS[form](*values) for form, *values in terms)
