"""One indicator's score and light (SPEC 3.2, 3.8 超额加分, 3.9). Pure functions only."""
from __future__ import annotations

import bisect

from tzreport.model import (BANDS, BEST, COMPLETION, CONTROL, EFFICACY, GREEN, LIGHT_METHODS, QUALITATIVE,
                            QUALITATIVE_RATIO, RANKING, RED, REVERSE, ST_BLANK, ST_NO_DATA,
                            ST_NOT_APPLICABLE, ST_OK, TARGETED_METHODS, TOTAL, VETO_NONE, YELLOW, Indicator,
                            IndicatorResult, Params, Target)
from tzreport.rules.schedule import prorate


class Outcome:
    """What a scoring rule returns; folded into an IndicatorResult."""
    __slots__ = ("score", "bonus", "light", "delta", "completion", "gap", "veto", "explain",
                 "prorated")

    def __init__(self, score, explain=(), bonus=0.0, light=None, delta=None, completion=None,
                 gap=None, veto=VETO_NONE, prorated=None):
        self.score, self.bonus, self.light, self.delta = score, bonus, light, delta
        self.completion, self.gap, self.veto, self.explain = completion, gap, veto, explain
        self.prorated = prorated



def counted_light(r) -> str:
    """The light a count of lights counts (SPEC 4.1: one count of red lights serves every output):
    the light of a value the unit reported, or 红 for one it left blank (未填报, said as "其中未填报");
    "" for a unit that sent nothing (未报送, said as such, never as red lights), an indicator that
    does not apply, or one without data."""
    return (r.light or "") if r.status in (ST_OK, ST_BLANK) else ""


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
        explain.append(("stretch_bonus", ind.bonus_cap, share))
        return ind.bonus_cap * share
    if ind.excess_bonus is None:
        return 0.0
    per = delta * 100 if ind.value_type == TOTAL else delta
    bonus = ind.excess_bonus * per
    capped = ind.bonus_cap is not None and bonus > ind.bonus_cap
    if capped:
        bonus = ind.bonus_cap
    explain.append(("excess_bonus", per, ind.excess_bonus, ind.value_type == TOTAL,
                    ind.bonus_cap if capped else None, bonus))
    return bonus


def score_completion(ind: Indicator, target: Target, actual: float, p: float,
                     params: Params) -> Outcome:
    """SPEC 3.2 完成率 (and the δ, light and bonus that 功效系数 shares)."""
    w, pi = ind.weight, prorate(ind, p)
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
    target = (tp, t, pi) if ind.prorate else (None, t, None)      # how the target is said
    if delta >= 0:
        score = w
        if ind.value_type == TOTAL:
            explain.append(("met", actual, target, w))
        else:
            explain.append(("met_growth", actual, t, w))
    elif ind.value_type == TOTAL:
        rate = ind.deduction_rate if ind.deduction_rate is not None else w / 100
        if ind.floor is not None and 1 + delta < ind.floor:
            score = 0.0
            explain.append(("below_floor", actual, target, 1 + delta, ind.floor))
        else:
            score = max(0.0, w + rate * delta * 100)
            if ind.deduction_rate is None and ind.direction != REVERSE:
                # which 完成率: against the prorated target it scores on, and the annual one every
                # table prints (SPEC 4.1 one number everywhere)
                explain.append(("rate", actual, target, actual / tp, completion, w, score))
            else:
                explain.append(("short", actual, target, -delta * 100, rate, w, -rate * delta * 100, score))
    else:
        rate = ind.deduction_rate if ind.deduction_rate is not None else w / 10
        score = max(0.0, w + rate * delta)
        explain.append(("short_growth", actual, t, -delta, rate, w, -rate * delta, score))
    bonus = _excess_bonus(ind, delta, actual, tp, sp, explain)
    if ind.direction == REVERSE:   # A/T of a less-is-better figure is no 完成率 (SPEC 4.1)
        completion = None
    return Outcome(score, tuple(explain), bonus, _light(d, band), delta, completion, d,
                   prorated=tp)


def score_control(ind: Indicator, target: Target, actual: float, p: float,
                  params: Params) -> Outcome:
    """SPEC 3.2 控制: a line L' that must not be crossed (信访, 安全生产 …)."""
    w = ind.weight
    line = prorate(ind, p, target.target)
    explain = []
    veto = VETO_NONE
    crossed = round(actual - line, 9) > 0
    if not crossed:
        score = w
        explain.append(("control_within", actual, line, w))
    else:
        if ind.deduction_rate is not None and line > 0:
            over = (actual - line) / line * 100
            score = max(0.0, w - ind.deduction_rate * over)
            explain.append(("control_over", actual, line, over, ind.deduction_rate, score))
        else:
            score = 0.0
            explain.append(("control_crossed", actual, line))
        veto = ind.veto
        if veto != VETO_NONE:
            explain.append(("veto", veto))
    bonus = 0.0
    if ind.excess_bonus is not None and line > 0 and actual < line:
        margin = (line - actual) / line * 100
        bonus = ind.excess_bonus * margin
        capped = ind.bonus_cap is not None and bonus > ind.bonus_cap
        if capped:
            bonus = ind.bonus_cap
        explain.append(("control_bonus", margin, ind.excess_bonus, ind.bonus_cap if capped else None, bonus))
    band = params.yellow_band
    if round(actual - line * (1 - band / 100), 9) <= 0:
        light = GREEN
    elif not crossed:
        light = YELLOW
    else:
        light = RED
    delta = (line - actual) / line if line > 0 else None
    return Outcome(score, tuple(explain), bonus, light, delta, None, None, veto, prorated=line)


def score_efficacy(ind: Indicator, target: Target, actual: float, p: float,
                   params: Params) -> Outcome:
    """SPEC 3.2 功效系数: w·clamp(0.6 + 0.4·(A−U')/(T'−U'), 0, 1); light and bonus as 完成率."""
    base = score_completion(ind, target, actual, p, params)
    pi = prorate(ind, p)
    tp, up = target.target * pi, target.disallowed * pi
    coefficient = min(1.0, max(0.0, 0.6 + 0.4 * (actual - up) / (tp - up)))
    base.score = ind.weight * coefficient
    # the coefficient's arithmetic, then 完成率's bonus (its first term is 完成率's own score)
    base.explain = (("efficacy", actual, up, tp, coefficient, ind.weight, base.score),) + base.explain[1:]
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
        score = max(0.0, w * (1 - (rank - 1) * ind.rank_step))
        term = ("rank_step", rank, n, w, ind.rank_step, score)
    elif n > 1:
        score = max(0.0, w * (1 - (rank - 1) * (1 - ind.last_factor) / (n - 1)))
        term = ("rank_last", rank, n, ind.last_factor, w, score)
    else:
        score = w
        term = ("rank_alone",)
    return Outcome(score, (term,))


def score_best(ind: Indicator, actual: float, peers: list) -> Outcome:
    """SPEC 3.2 比最优: w·A/max(A) (逆向 w·min(A)/A); ``peers`` sorted ascending."""
    w = ind.weight
    if ind.direction == REVERSE:
        best = peers[0]
        ratio = 1.0 if actual == best else (best / actual if actual > 0 and best >= 0 else 0.0)
        kind = "best_reverse"
    else:
        best = peers[-1]
        ratio = 1.0 if actual == best else (actual / best if best > 0 else 0.0)
        kind = "best"
    score = w * min(1.0, max(0.0, ratio))
    return Outcome(score, ((kind, actual, best, w, score),))


def score_bands(ind: Indicator, actual: float, bands: list) -> Outcome:
    """SPEC 3.2 分档: w·得分比例 of the highest 下限 ≤ A; below every band 0."""
    hit = [(lower, ratio) for lower, ratio in bands if lower <= actual]
    if not hit:
        return Outcome(0.0, (("below_bands", actual),))
    lower, ratio = hit[-1]
    score = ind.weight * ratio
    return Outcome(score, (("band", actual, lower, ratio, ind.weight, score),))


def score_qualitative(ind: Indicator, actual: str, levels: dict = None) -> Outcome:
    """SPEC 3.2 定性 with the scheme's 定性等级 (3.9): the highest level lights 绿, the lowest 红 and
    is the one that triggers a 一票否决, any other 黄. Default 完成 1 / 基本完成 0.6 / 未完成 0."""
    levels = levels or QUALITATIVE_RATIO
    ratio = levels[actual]
    top, bottom = max(levels.values()), min(levels.values())
    score = ind.weight * ratio
    light = GREEN if ratio == top else RED if ratio == bottom else YELLOW
    veto = ind.veto if ratio == bottom and top != bottom else VETO_NONE
    terms = (("qualitative", actual, ratio, ind.weight, score),)
    if veto != VETO_NONE:
        terms += (("veto", veto),)
    return Outcome(score, terms, light=light, veto=veto)


def appraisal_score(votes: dict, values: dict):
    """A 测评 score from vote counts (SPEC 3.9): Σ 票数_k·分值_k / Σ 票数_k over the 票别 of 测评票值
    (``values``, 票别 -> 分值); None when no vote was cast."""
    total = sum(votes.values())
    return sum(values[k] * votes[k] for k in values) / total if total else None


def score_appraisal(ind: Indicator, actual: float) -> Outcome:
    score = ind.weight * actual / 100
    return Outcome(score, (("appraisal", actual, ind.weight, score),))


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
        result.explain = (("unreported", status),)
        if ind.method in TARGETED_METHODS and target is not None:
            result.target_prorated = prorate(ind, p, target.target)
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
        out.explain += (("deduction_cap", ind.deduction_cap, result.score),)
    result.bonus = max(0.0, out.bonus)
    result.light, result.delta, result.completion_rate = out.light, out.delta, out.completion
    result.schedule_gap, result.veto, result.explain = out.gap, out.veto, out.explain
    result.target_prorated = out.prorated
    result.status = ST_OK
    return result
