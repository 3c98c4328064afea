"""results.json: the serialisation of a BuildResult (SPEC 4), with stable keys and full precision."""
from __future__ import annotations

import json

from .fileio import atomic_path
from .model import VETO_NONE, BuildResult

SCHEMA_VERSION = 1


def _veto(value: str):
    return None if value == VETO_NONE else value


def indicator_dict(r, ind) -> dict:
    return {
        "code": r.code, "name": r.name, "major": r.major, "method": r.method, "weight": r.weight,
        "status": r.status, "actual": r.actual, "target": r.target, "stretch_target": r.stretch,
        "target_prorated": r.target_prorated, "completion_rate": r.completion_rate,
        "delta": r.delta, "schedule_gap": r.schedule_gap, "light": r.light, "score": r.score,
        "bonus": r.bonus, "veto": _veto(r.veto), "rank": r.rank, "explain": r.explain,
        "previous": r.previous, "note": r.note,
        "lead": ind.lead, "support": ind.support, "remaining": r.remaining,
        "per_day": r.per_day, "per_week": r.per_week, "per_dekad": r.per_dekad,
        "per_month": r.per_month,
    }


def unit_dict(ur, indicators) -> dict:
    return {
        "code": ur.code, "name": ur.name, "category": ur.category, "group": ur.group,
        "submitted": ur.submitted, "base": ur.base, "bonus": ur.bonus,
        "deduction": ur.deduction, "total": ur.total, "rank": ur.rank, "grade": ur.grade,
        "grade_note": ur.grade_note, "veto": _veto(ur.veto),
        "veto_reasons": [{"veto": v, "item": item} for v, item in ur.veto_reasons],
        "consequences": list(ur.consequences),
        "history": {str(y): g for y, g in sorted(ur.history.items())},
        "subtotals": ur.subtotals, "scale": ur.scale, "raw_score": ur.raw_score,
        "indicator_bonus": ur.indicator_bonus, "honor_bonus": ur.honor_bonus,
        "honor_items": [{"item": i, "level": lv, "points": p} for i, lv, p in ur.honor_items],
        "deduction_items": [{"item": i, "points": p} for i, p in ur.deduction_items],
        "reds": ur.reds, "advance": ur.advance,
        "indicators": [indicator_dict(r, indicators[(ur.category, r.code)])
                       for r in ur.indicators],
    }


def header_dict(result: BuildResult) -> dict:
    params = result.params
    return {
        "schema": SCHEMA_VERSION,
        "assessment": {
            "name": params.name, "year": params.year,
            "as_of": params.as_of.isoformat() if params.as_of else None,
            "schedule": result.schedule_fraction, "schedule_method": params.schedule_method,
            "issuer": params.issuer, "doc_number": params.doc_number,
            "addressee": params.addressee,
        },
        "categories": [{"name": c, "full_score": result.full_scores[c],
                        "units": sum(1 for u in result.units if u.category == c)}
                       for c in result.categories],
        "excluded_indicators": [{"category": c, "code": code, "name": name, "reason": "暂无数据"}
                                for c, code, name in result.excluded],
    }


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_results(result: BuildResult, path) -> None:
    """Streams the JSON one unit per line: flat in memory at province scale, and diff-friendly."""
    indicators = {i.key: i for i in result.indicators}
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        for key, value in header_dict(result).items():
            fh.write(f"{_dumps(key)}:{_dumps(value)},\n")
        fh.write('"units":[\n')
        for n, unit in enumerate(result.units):
            fh.write(("," if n else "") + _dumps(unit_dict(unit, indicators)) + "\n")
        fh.write('],\n"issues":[\n')
        fh.write(",\n".join(_dumps(i.to_dict()) for i in result.issues))
        fh.write("\n]}\n")
