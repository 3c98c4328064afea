"""Scoring (SPEC 3.1–3.3, 3.7–3.9): one indicator for one unit, then one unit. Pure functions only."""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from .model import (BONUS_HONOR, BONUS_INDICATOR, BANDS, BEST, COMPLETION, CONTROL, EFFICACY, GREEN, LIGHT_METHODS, QUALITATIVE,
                    QUALITATIVE_RATIO, RANKING, RED, REVERSE, ST_NO_DATA, ST_NOT_APPLICABLE, ST_OK,
                    TARGETED_METHODS, TOTAL, VETO_LOWEST, VETO_NONE, VETO_NOT_FIRST, YELLOW,
                    IndicatorResult, Indicator, Params, Target, UnitResult)


def schedule_fraction(day: dt.date, method: str = "按月") -> float:
    """序时进度 p (SPEC 3.1): month/12, or day-of-year/days-in-year; 31 December gives 1."""
    if method == "按日":
        days = 366 if calendar.isleap(day.year) else 365
        return day.timetuple().tm_yday / days
    return day.month / 12


def fmt(x, digits: int = 2) -> str:
    """A number for an explanation: no trailing zeros, no float noise; small values keep 4 places."""
    if x is None:
        return "-"
    if -1 < x < 1 and digits < 4:
        digits = 4
    text = _FORMATS[digits] % x
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_FORMATS = {d: f"%.{d}f" for d in range(8)}


def factor_text(x: float, times: float) -> str:
    """``x`` in a worked product "x × times = fmt(x·times)": with the fewest decimals (2 or more) at
    which the printed x times ``times`` still gives the printed result, so a reader's pencil agrees
    (超额1.153% × 0.1 = 0.1153, not 1.15% × 0.1 = 0.1153)."""
    result = fmt(x * times)
    for digits in range(2, 7):
        text = fmt(x, digits)
        if fmt(float(text) * times) == result:
            return text
    return fmt(x, 6)


def pct(x, digits: int = 1) -> str:
    return f"{fmt(x * 100, digits)}%"


class Outcome:
    """What a scoring rule returns; folded into an IndicatorResult."""
    __slots__ = ("score", "bonus", "light", "delta", "completion", "gap", "veto", "explain",
                 "prorated")

    def __init__(self, score, explain="", bonus=0.0, light=None, delta=None, completion=None,
                 gap=None, veto=VETO_NONE, prorated=None):
        self.score, self.bonus, self.light, self.delta = score, bonus, light, delta
        self.completion, self.gap, self.veto, self.explain = completion, gap, veto, explain
        self.prorated = prorated


def _light(d: float, band: float) -> str:
    d = round(d, 9)  # 0.55/0.5 is 1.1000000000000001: a value on the band edge stays 黄
    if d >= 0:
        return GREEN
    return YELLOW if d >= -band else RED


def _excess_bonus(ind: Indicator, delta: float, actual: float, tp: float, sp, explain: list) -> float:
    """SPEC 3.2 bonus for δ > 0: toward the 力争目标 when there is one and a cap, else 超额加分·δ."""
    if delta <= 0:
        return 0.0
    if sp is not None and ind.bonus_cap is not None and sp != tp:
        share = min(1.0, (actual - tp) / (sp - tp))
        explain.append(f"加分 = 加分上限{fmt(ind.bonus_cap)} × 超确保目标部分占力争空间的{pct(share)}"
                       f" = {fmt(ind.bonus_cap * share)}")
        return ind.bonus_cap * share
    if ind.excess_bonus is None:
        return 0.0
    per = delta * 100 if ind.value_type == TOTAL else delta
    bonus = ind.excess_bonus * per
    unit = "%" if ind.value_type == TOTAL else "个百分点"
    text = f"加分 = 超额{factor_text(per, ind.excess_bonus)}{unit} × {fmt(ind.excess_bonus)}"
    if ind.bonus_cap is not None and bonus > ind.bonus_cap:
        bonus = ind.bonus_cap
        text += f"，封顶{fmt(ind.bonus_cap)}"
    explain.append(f"{text} = {fmt(bonus)}")
    return bonus


def score_completion(ind: Indicator, target: Target, actual: float, p: float,
                     params: Params) -> Outcome:
    """SPEC 3.2 完成率 (and the δ, light and bonus that 功效系数 shares)."""
    w, pi = ind.weight, p if ind.prorate else 1.0
    t = target.target
    tp = t * pi
    sp = target.stretch * pi if target.stretch is not None else None
    explain = []
    if ind.value_type == TOTAL:
        delta = (actual - tp) / tp if ind.direction != REVERSE else (tp - actual) / tp
        completion = actual / t
        d = (completion - pi) * 100 * (-1 if ind.direction == REVERSE else 1)
        band = params.yellow_band
    else:
        delta = actual - t if ind.direction != REVERSE else t - actual
        completion = None
        d = delta
        band = params.growth_yellow_band
    target_text = f"序时目标{fmt(tp)}（{fmt(t)}×{pct(pi)}）" if ind.prorate else f"目标{fmt(t)}"
    if delta >= 0:
        score = w
        if ind.value_type == TOTAL:
            explain.append(f"实际{fmt(actual)}，{target_text}，已完成，得满分{fmt(w)}")
        else:
            explain.append(f"实际{fmt(actual)}%，目标{fmt(t)}%，已完成，得满分{fmt(w)}")
    elif ind.value_type == TOTAL:
        rate = ind.deduction_rate if ind.deduction_rate is not None else w / 100
        if ind.floor is not None and 1 + delta < ind.floor:
            score = 0.0
            explain.append(f"实际{fmt(actual)}，{target_text}，完成{'序时目标的' if ind.prorate else ''}"
                           f"{pct(1 + delta)}，低于得分下限"
                           f"{pct(ind.floor)}，得0分")
        else:
            score = max(0.0, w + rate * delta * 100)
            if ind.deduction_rate is None and ind.direction != REVERSE:
                # which 完成率: against the prorated target it scores on, and the annual one every
                # table prints (SPEC 4.1 one number everywhere)
                rate_text = (f"完成序时目标的{pct(actual / tp)}（年度目标的{pct(completion)}）"
                             if ind.prorate else f"完成率{pct(actual / tp)}")
                explain.append(f"实际{fmt(actual)}，{target_text}，{rate_text} × 分值{fmt(w)}"
                               f" = {fmt(score)}")
            else:
                explain.append(f"实际{fmt(actual)}，{target_text}，差{factor_text(-delta * 100, rate)}% × 每1%扣"
                               f"{fmt(rate, 3)}分，{fmt(w)} − {fmt(-rate * delta * 100)} = {fmt(score)}")
    else:
        rate = ind.deduction_rate if ind.deduction_rate is not None else w / 10
        score = max(0.0, w + rate * delta)
        explain.append(f"实际{fmt(actual)}%，目标{fmt(t)}%，差{factor_text(-delta, rate)}个百分点 × 每个百分点扣"
                       f"{fmt(rate, 3)}分，{fmt(w)} − {fmt(-rate * delta)} = {fmt(score)}")
    bonus = _excess_bonus(ind, delta, actual, tp, sp, explain)
    if ind.direction == REVERSE:   # A/T of a less-is-better figure is no 完成率 (SPEC 4.1)
        completion = None
    return Outcome(score, "；".join(explain), bonus, _light(d, band), delta, completion, d,
                   prorated=tp)


def score_control(ind: Indicator, target: Target, actual: float, p: float,
                  params: Params) -> Outcome:
    """SPEC 3.2 控制: a line L' that must not be crossed (信访, 安全生产 …)."""
    w = ind.weight
    line = target.target * (p if ind.prorate else 1.0)
    explain = []
    veto = VETO_NONE
    crossed = round(actual - line, 9) > 0
    if not crossed:
        score = w
        explain.append(f"实际{fmt(actual)}，控制线{fmt(line)}，未突破，得满分{fmt(w)}")
    else:
        if ind.deduction_rate is not None and line > 0:
            over = (actual - line) / line * 100
            score = max(0.0, w - ind.deduction_rate * over)
            explain.append(f"实际{fmt(actual)}，突破控制线{fmt(line)}达{fmt(over)}% × 每1%扣"
                           f"{fmt(ind.deduction_rate, 3)}分，得{fmt(score)}")
        else:
            score = 0.0
            explain.append(f"实际{fmt(actual)}，突破控制线{fmt(line)}，得0分")
        veto = ind.veto
        if veto != VETO_NONE:
            explain.append("触发一票否决" if veto == VETO_LOWEST else "触发一票否优")
    bonus = 0.0
    if ind.excess_bonus is not None and line > 0 and actual < line:
        margin = (line - actual) / line * 100
        bonus = ind.excess_bonus * margin
        text = f"加分 = 低于控制线{factor_text(margin, ind.excess_bonus)}% × {fmt(ind.excess_bonus)}"
        if ind.bonus_cap is not None and bonus > ind.bonus_cap:
            bonus = ind.bonus_cap
            text += f"，封顶{fmt(ind.bonus_cap)}"
        explain.append(f"{text} = {fmt(bonus)}")
    band = params.yellow_band
    if round(actual - line * (1 - band / 100), 9) <= 0:
        light = GREEN
    elif not crossed:
        light = YELLOW
    else:
        light = RED
    delta = (line - actual) / line if line > 0 else None
    return Outcome(score, "；".join(explain), bonus, light, delta, None, None, veto, prorated=line)


def score_efficacy(ind: Indicator, target: Target, actual: float, p: float,
                   params: Params) -> Outcome:
    """SPEC 3.2 功效系数: w·clamp(0.6 + 0.4·(A−U')/(T'−U'), 0, 1); light and bonus as 完成率."""
    base = score_completion(ind, target, actual, p, params)
    pi = p if ind.prorate else 1.0
    tp, up = target.target * pi, target.disallowed * pi
    coefficient = min(1.0, max(0.0, 0.6 + 0.4 * (actual - up) / (tp - up)))
    base.score = ind.weight * coefficient
    text = (f"功效系数 = 0.6 + 0.4×(实际{fmt(actual)} − 不允许值{fmt(up)})/(目标{fmt(tp)} − 不允许值{fmt(up)})"
            f"，取{fmt(coefficient, 4)}；{fmt(coefficient, 4)} × 分值{fmt(ind.weight)} = {fmt(base.score)}")
    bonus_text = base.explain.split("；", 1)[1] if "；" in base.explain else ""
    base.explain = text + (f"；{bonus_text}" if bonus_text else "")
    return base


def score_ranking(ind: Indicator, actual: float, peers: list) -> Outcome:
    """SPEC 3.2 排名 among the category's units that reported (ties share the better rank).

    ``peers``: every reported value of the category, sorted ascending."""
    if ind.direction == REVERSE:
        better = bisect.bisect_left(peers, actual)
    else:
        better = len(peers) - bisect.bisect_right(peers, actual)
    rank, n, w = better + 1, len(peers), ind.weight
    if ind.rank_step is not None:
        score = w * (1 - (rank - 1) * ind.rank_step)
        text = f"第{rank}名（共{n}个），{fmt(w)} × (1 − {rank - 1}×{fmt(ind.rank_step, 4)})"
    elif n > 1:
        score = w * (1 - (rank - 1) * (1 - ind.last_factor) / (n - 1))
        text = f"第{rank}名（共{n}个），末位系数{fmt(ind.last_factor)}，{fmt(w)} × (1 − {rank - 1}×" \
               f"{fmt(1 - ind.last_factor)}/{n - 1})"
    else:
        score = w
        text = "仅1个单位报送，得满分"
    score = max(0.0, score)
    return Outcome(score, f"{text} = {fmt(score)}" if n > 1 or ind.rank_step else text)


def score_best(ind: Indicator, actual: float, peers: list) -> Outcome:
    """SPEC 3.2 比最优: w·A/max(A) (逆向 w·min(A)/A); ``peers`` sorted ascending."""
    w = ind.weight
    if ind.direction == REVERSE:
        best = peers[0]
        ratio = 1.0 if actual == best else (best / actual if actual > 0 and best >= 0 else 0.0)
        text = f"最优值{fmt(best)} ÷ 实际{fmt(actual)}"
    else:
        best = peers[-1]
        ratio = 1.0 if actual == best else (actual / best if best > 0 else 0.0)
        text = f"实际{fmt(actual)} ÷ 最优值{fmt(best)}"
    score = w * min(1.0, max(0.0, ratio))
    return Outcome(score, f"{text} × 分值{fmt(w)} = {fmt(score)}")


def score_bands(ind: Indicator, actual: float, bands: list) -> Outcome:
    """SPEC 3.2 分档: w·得分比例 of the highest 下限 ≤ A; below every band 0."""
    hit = [(lower, ratio) for lower, ratio in bands if lower <= actual]
    if not hit:
        return Outcome(0.0, f"实际{fmt(actual)}，低于最低档，得0分")
    lower, ratio = hit[-1]
    score = ind.weight * ratio
    return Outcome(score, f"实际{fmt(actual)}，达到“≥{fmt(lower)}”档，{pct(ratio)} × 分值{fmt(ind.weight)}"
                          f" = {fmt(score)}")


def score_qualitative(ind: Indicator, actual: str, levels: dict = None) -> Outcome:
    """SPEC 3.2 定性 with the scheme's 定性等级 (3.9): the highest level lights 绿, the lowest 红 and
    is the one that triggers a 一票否决, any other 黄. Default 完成 1 / 基本完成 0.6 / 未完成 0."""
    levels = levels or QUALITATIVE_RATIO
    ratio = levels[actual]
    top, bottom = max(levels.values()), min(levels.values())
    score = ind.weight * ratio
    light = GREEN if ratio == top else RED if ratio == bottom else YELLOW
    veto = ind.veto if ratio == bottom and top != bottom else VETO_NONE
    text = f"{actual}，{fmt(ratio)} × 分值{fmt(ind.weight)} = {fmt(score)}"
    if veto != VETO_NONE:
        text += "；触发一票否决" if veto == VETO_LOWEST else "；触发一票否优"
    return Outcome(score, text, light=light, veto=veto)


def score_appraisal(ind: Indicator, actual: float) -> Outcome:
    score = ind.weight * actual / 100
    return Outcome(score, f"测评{fmt(actual)}分 ÷ 100 × 分值{fmt(ind.weight)} = {fmt(score)}")


def score_indicator(ind: Indicator, target, actual, status: str, p: float, params: Params,
                    peers: list = (), bands: list = (), levels: dict = None) -> IndicatorResult:
    """One indicator for one unit. ``status`` says whether it applies and was reported;
    ``levels`` the scheme's 定性等级 (SPEC 3.9, default 完成/基本完成/未完成)."""
    result = IndicatorResult(ind.code, ind.name, ind.major, ind.method, ind.weight, status=status,
                             actual=actual, bonus_class=ind.bonus_class)
    if target is not None:
        result.target, result.stretch = target.target, target.stretch
    if status in (ST_NOT_APPLICABLE, ST_NO_DATA):
        return result
    if actual is None:
        result.light = RED if ind.method in LIGHT_METHODS else None
        result.explain = f"{status}，得0分"
        if ind.method in TARGETED_METHODS and target is not None:
            result.target_prorated = target.target * (p if ind.prorate else 1.0)
        return result
    method = ind.method
    if method == COMPLETION:
        out = score_completion(ind, target, actual, p, params)
    elif method == CONTROL:
        out = score_control(ind, target, actual, p, params)
    elif method == EFFICACY:
        out = score_efficacy(ind, target, actual, p, params)
    elif method == RANKING:
        out = score_ranking(ind, actual, peers)
    elif method == BEST:
        out = score_best(ind, actual, peers)
    elif method == BANDS:
        out = score_bands(ind, actual, bands)
    elif method == QUALITATIVE:
        out = score_qualitative(ind, actual, levels)
    else:
        out = score_appraisal(ind, actual)
    result.score = min(ind.weight, max(0.0, out.score))
    if ind.deduction_cap is not None and method in TARGETED_METHODS and \
            result.score < ind.weight - ind.deduction_cap:
        # SPEC 3.8 扣分上限: a reported shortfall loses at most this many points.
        result.score = max(0.0, ind.weight - ind.deduction_cap)
        out.explain += f"；扣分以{fmt(ind.deduction_cap)}分为限，得{fmt(result.score)}"
    result.bonus = max(0.0, out.bonus)
    result.light, result.delta, result.completion_rate = out.light, out.delta, out.completion
    result.schedule_gap, result.veto, result.explain = out.gap, out.veto, out.explain
    result.target_prorated = out.prorated
    result.status = ST_OK
    return result


def _claim_key(item: str) -> str:
    return "".join(item.split())


def honor_bonus(claims, levels: dict, cap):
    """表彰加分 (SPEC 3.3): each 事项 once at its highest 级别, the sum capped by 表彰加分上限."""
    best = {}
    for claim in claims:
        points = levels.get(claim.level)
        if points is None:
            continue
        key = _claim_key(claim.item)
        if key not in best or points > best[key][2]:
            best[key] = (claim.item, claim.level, points)
    items = [best[k] for k in sorted(best)]
    total = sum(p for _, _, p in items)
    if cap is not None:
        total = min(total, cap)
    return total, items


def weighted_base(results: list, weights: dict):
    """SPEC 3.7: each 大类 k on its own scale R_k = Σ score / Σ w over the indicators of k that
    apply, weighted: Base = Σ_{K_u} 权重_k·R_k × (Σ_K 权重_k / Σ_{K_u} 权重_k). A 大类 without a row
    in ``weights`` weighs Σ w of its indicators.

    -> (raw Σ_{K_u} 权重_k·R_k, scale, subtotals {k: 权重_k·R_k}, factors {k: 权重_k/Σ w applicable},
    used weights {k: 权重_k}, base)."""
    all_w, applied_w, scored = {}, {}, {}
    for r in results:
        all_w[r.major] = all_w.get(r.major, 0.0) + r.weight
        applied_w.setdefault(r.major, 0.0)
        scored.setdefault(r.major, 0.0)
        if r.applies:
            applied_w[r.major] += r.weight
            scored[r.major] += r.score
    used = {k: float(weights[k]) if k in weights else all_w[k] for k in all_w}
    subtotals, factors, raw, weight_u = {}, {}, 0.0, 0.0
    for k in all_w:
        if applied_w[k] > 0:
            factors[k] = used[k] / applied_w[k]
            subtotals[k] = used[k] * (scored[k] / applied_w[k])
            raw += subtotals[k]
            weight_u += used[k]
        else:
            subtotals[k] = 0.0
    full = sum(used.values())
    if weight_u <= 0:
        return raw, 0.0, subtotals, factors, used, 0.0
    # full × (raw / weight_u), not raw × (full / weight_u): the mean rate stays within [0, 1], where
    # a tiny 权重 would make full / weight_u overflow to inf (and 0 × inf is nan)
    return raw, full / weight_u, subtotals, factors, used, full * min(1.0, raw / weight_u)


def full_score(indicators: list, weights: dict = None) -> float:
    """The category's 满分: Σ 分值 (SPEC 3.3), or Σ_K 权重_k with 大类 rows (3.7)."""
    if not weights:
        return sum(i.weight for i in indicators)
    all_w = {}
    for ind in indicators:
        all_w[ind.major] = all_w.get(ind.major, 0.0) + ind.weight
    return sum(float(weights[k]) if k in weights else w for k, w in all_w.items())


def bonus_cap_of(name: str, caps: dict, params: Params):
    """上限 of a 加分类别 (SPEC 3.8): its row in 加分类别; 表彰加分 defaults to 参数 表彰加分上限."""
    cap = caps.get(name) if caps else None
    if cap is None and name == BONUS_HONOR:
        cap = params.honor_bonus_cap
    return cap


def settle_bonus(ur: UnitResult, raw: dict, caps: dict, params: Params) -> None:
    """SPEC 3.8: B = min(加分总上限, Σ_类别 min(上限_类别, Σ its items)); then 综合得分 (3.3)."""
    classes, before = [], 0.0
    for name, points in raw.items():
        cap = bonus_cap_of(name, caps, params)
        granted = min(cap, points) if cap is not None else points
        before += granted
        classes.append({"name": name, "raw": points, "cap": cap, "granted": granted})
    ur.bonus_classes = classes
    ur.bonus_before_total_cap = before
    ur.bonus = min(before, params.total_bonus_cap) if params.total_bonus_cap is not None else before
    ur.total = ur.base + ur.bonus - ur.deduction


def add_bonus(ur: UnitResult, name: str, points: float, caps: dict, params: Params) -> None:
    """Points that come after the unit's own scoring (3.10 进位加分, 3.11 名次加分) into their 加分类别;
    3.8's caps and 综合得分 are settled again."""
    raw = {c["name"]: c["raw"] for c in ur.bonus_classes}
    raw[name] = raw.get(name, 0.0) + points
    settle_bonus(ur, raw, caps, params)


def score_unit(unit, results: list, full_score: float, params: Params, claims, honor_levels,
               deductions, submitted: bool, major_weights: dict = None, bonus_caps: dict = None,
               honor_classes: dict = None) -> UnitResult:
    """SPEC 3.3: rescaled base, capped bonus, deductions, vetoes. With ``major_weights`` (the 大类
    rows of the unit's category) the base is 3.7's; ``bonus_caps`` and ``honor_classes`` are the
    加分类别 上限 and the 类别 of each 加分标准 级别 (3.8)."""
    ur = UnitResult(unit.code, unit.name, unit.category, unit.group, submitted, indicators=results,
                    email=unit.email, contact=unit.contact)
    skip = (ST_NOT_APPLICABLE, ST_NO_DATA)      # r.applies, without a property call per result
    applicable = [r for r in results if r.status not in skip]
    if major_weights:
        ur.raw_score, ur.scale, ur.subtotals, ur.major_factors, ur.major_weights, ur.base = \
            weighted_base(results, major_weights)
    else:
        weight = sum(r.weight for r in applicable)
        ur.raw_score = sum(r.score for r in applicable)
        ur.scale = full_score / weight if weight > 0 else 0.0
        ur.base = ur.raw_score * ur.scale
        for r in results:
            ur.subtotals.setdefault(r.major, 0.0)
            if r.status not in skip:
                ur.subtotals[r.major] += r.score * ur.scale
    # SPEC 3.8: every bonus in its 加分类别. Indicator bonuses first (指标加分 unless the 指标 says),
    # then 表彰加分 items by their 加分标准 类别.
    raw, from_indicators = {}, set()
    for r in applicable:
        name = r.bonus_class or BONUS_INDICATOR
        raw[name] = raw.get(name, 0.0) + r.bonus
        from_indicators.add(name)
    if BONUS_INDICATOR not in raw:
        raw[BONUS_INDICATOR] = 0.0
        from_indicators.add(BONUS_INDICATOR)
    _, ur.honor_items = honor_bonus(claims, honor_levels, None)
    for item, level, points in ur.honor_items:
        name = (honor_classes or {}).get(level) or BONUS_HONOR
        raw[name] = raw.get(name, 0.0) + points
    ur.deduction_items = [(d.item, d.points) for d in deductions]
    ur.deduction_bases = {d.item: d.basis for d in deductions if d.basis}
    ur.deduction = sum(d.points for d in deductions)
    settle_bonus(ur, raw, bonus_caps or {}, params)
    ur.indicator_bonus = sum(c["granted"] for c in ur.bonus_classes if c["name"] in from_indicators)
    ur.honor_bonus = sum((c["granted"] for c in ur.bonus_classes if c["name"] not in from_indicators),
                         0.0)
    ur.reds = sum(1 for r in applicable if r.light == RED)
    for r in applicable:
        if r.veto != VETO_NONE:
            ur.veto_reasons.append((r.veto, f"{r.code} {r.name}"))
    for d in deductions:
        if d.veto != VETO_NONE:
            ur.veto_reasons.append((d.veto, d.item))
    vetoes = {v for v, _ in ur.veto_reasons}
    ur.veto = VETO_LOWEST if VETO_LOWEST in vetoes else VETO_NOT_FIRST if vetoes else VETO_NONE
    return ur


def round2(x: float) -> float:
    """综合得分 rounded half-up to 2 decimals, as published (SPEC 3.3 ranks on this): the figure as
    written (repr), so 2.675 is 2.68 though the float is 2.67499999…

    Away from a half (x·100 not within 1e-6 of one) Python's correctly rounded round() gives the
    same float in under half of Decimal's time: a 通知 rounds some 500 figures."""
    if clear_of_half(x * 100):
        return round(float(x), 2)
    return float(Decimal(repr(x)).quantize(_CENT, rounding=ROUND_HALF_UP))


_CENT = Decimal("0.01")


def clear_of_half(scaled: float) -> bool:
    """Whether a figure times 10^digits is clear of a rounding tie (more than 1e-6 from ·5, and
    below 1e9): there a correctly rounded round() or %-format gives what half-up on the figure as
    written gives, and Decimal is not needed (round2, common.number_text). Below 1e9 the written
    figure, the float and its product by 10^digits differ by less than 2.5e-7 at that scale; at
    1e10 they may differ by more than the 1e-6 margin (167760436.325 to 2 places is .33 as
    written, .32 as the float is)."""
    return -1e9 < scaled < 1e9 and abs(scaled - math.floor(scaled) - 0.5) > 1e-6

