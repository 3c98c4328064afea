"""Ranks within a 考核类别 (SPEC 3.3 order: 综合得分 to 2 decimals, then base, fewer 红, 单位编码)."""
from __future__ import annotations

from tzreport.rules.rounding import round2


def _rounded(units) -> dict:
    """Published (2-decimal) totals, computed once: Decimal rounding is not free."""
    return {u.code: round2(u.total) for u in units}


def quota_order(units, rounded: dict) -> list:
    """SPEC 3.3 order for quotas: 综合得分 (2 decimals), then base, then fewer 红, then 单位编码."""
    return sorted(units, key=lambda u: (-rounded[u.code], -u.base, u.reds, u.code))


def assign_ranks(units: list) -> None:
    """Rank within one category on 综合得分 rounded to 2 decimals; equal totals share a rank."""
    rounded = _rounded(units)
    ordered = quota_order(units, rounded)
    previous, rank = None, 0
    for i, ur in enumerate(ordered, 1):
        total = rounded[ur.code]
        if total != previous:
            rank, previous = i, total
        ur.rank = rank
