"""结果运用 (SPEC 3.5): 等次 held for 连续年数 years, 末位, 否决."""
from __future__ import annotations

from tzreport.model import VETO_LOWEST


def apply_consequences(units: list, rules: list, history: dict, year: int) -> None:
    """SPEC 3.5 within one category: 等次 held for 连续年数 years, 末位, 否决."""
    if not units:
        return
    last_rank = max(u.rank for u in units)
    for ur in units:
        past = history.get(ur.code, {})
        ur.history = {y: past.get(y, "") for y in (year - 2, year - 1)}
        ur.history[year] = ur.grade
        for rule in rules:
            if rule.trigger == "等次":
                fires = ur.grade == rule.grade and all(
                    past.get(year - k) == rule.grade for k in range(1, rule.years))
            elif rule.trigger == "末位":
                fires = len(units) > 1 and ur.rank == last_rank
            else:
                fires = ur.veto == VETO_LOWEST
            if fires and rule.measure not in ur.consequences:
                ur.consequences.append(rule.measure)
