"""A unit's total (SPEC 3.3 base and rescaling, 3.7 大类 weights, 3.8 bonus classes and caps). Pure functions only."""
from __future__ import annotations

from tzreport.model import (BONUS_HONOR, BONUS_INDICATOR, BONUS_PLACE, RED, ST_NO_DATA, ST_NOT_APPLICABLE,
                            VETO_LOWEST, VETO_NONE, VETO_NOT_FIRST, Params, UnitResult)
from tzreport.rules.indicator import counted_light


def claim_key(item: str) -> str:
    return "".join(item.split())


def honor_bonus(claims, levels: dict, cap):
    """表彰加分 (SPEC 3.3): each 事项 once at its highest 级别, the sum capped by 表彰加分上限."""
    best = {}
    for claim in claims:
        points = levels.get(claim.level)
        if points is None:
            continue
        key = claim_key(claim.item)
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
    if BONUS_PLACE in raw:       # 名次加分 (3.11, added by the fold) is listed after 3.10's 进位加分
        raw[BONUS_PLACE] = raw.pop(BONUS_PLACE)
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
    ur.reds = sum(1 for r in applicable if counted_light(r) == RED)      # SPEC 4.1: one count
    for r in applicable:
        if r.veto != VETO_NONE:
            ur.veto_reasons.append((r.veto, f"{r.code} {r.name}"))
    for d in deductions:
        if d.veto != VETO_NONE:
            ur.veto_reasons.append((d.veto, d.item))
    vetoes = {v for v, _ in ur.veto_reasons}
    ur.veto = VETO_LOWEST if VETO_LOWEST in vetoes else VETO_NOT_FIRST if vetoes else VETO_NONE
    return ur
