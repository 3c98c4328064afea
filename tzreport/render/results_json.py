"""results.json: the serialisation of a BuildResult (SPEC 4), with stable keys and full precision."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tzreport.fileio import atomic_path
from tzreport.model import VETO_NONE, BuildResult
from tzreport.words.explain import explain_text

SCHEMA_VERSION = 1


def _veto(value: str):
    return None if value == VETO_NONE else value


def indicator_dict(r, ind) -> dict:
    return {
        "code": r.code, "name": r.name, "major": r.major, "method": r.method, "weight": r.weight,
        "status": r.status, "actual": r.actual, "target": r.target, "stretch_target": r.stretch,
        "target_prorated": r.target_prorated, "completion_rate": r.completion_rate,
        "delta": r.delta, "schedule_gap": r.schedule_gap, "light": r.light, "score": r.score,
        "bonus": r.bonus, "veto": _veto(r.veto), "rank": r.rank, "explain": explain_text(r.explain),
        "previous": r.previous, "note": r.note,
        "lead": ind.lead, "support": ind.support, "remaining": r.remaining,
        "per_day": r.per_day, "per_week": r.per_week, "per_dekad": r.per_dekad,
        "per_month": r.per_month,
    }


def period_dict(p: dict) -> dict:
    """One period of a unit's trend (SPEC 3.11)."""
    return {"period": p["period"], "as_of": p["as_of"].isoformat(), "submitted": p["submitted"],
            "base": p["base"], "total": p["total"], "rank": p["rank"], "grade": p["grade"],
            "reds": p["reds"]}


def add_periods(out: dict, ur) -> dict:
    """SPEC 3.11, with two periods or more: units[].periods[] (and the fold, when folded) and each
    indicator's previous light and completion. One period: ``out`` as it always was."""
    if len(ur.periods) < 2 and not ur.fold:
        return out
    out["periods"] = [period_dict(p) for p in ur.periods]
    if ur.fold:
        out["fold"] = {"current_base": ur.fold["current_base"],
                       "periods": [dict(p) for p in ur.fold["periods"]]}
    for d, r in zip(out["indicators"], ur.indicators):
        d["previous_light"], d["previous_completion_rate"] = r.previous_light, r.previous_completion
    return out


def unit_dict(ur, indicators, files: dict = None) -> dict:
    """``files``: the unit's outputs ("annotated", "notice") as paths relative to results.json."""
    return add_periods({
        "code": ur.code, "name": ur.name, "category": ur.category, "group": ur.group,
        "email": ur.email, "contact": ur.contact, "files": files or {},
        "submitted": ur.submitted, "base": ur.base, "bonus": ur.bonus,
        "deduction": ur.deduction, "total": ur.total, "rank": ur.rank, "grade": ur.grade,
        "grade_note": ur.grade_note, "veto": _veto(ur.veto),
        "veto_reasons": [{"veto": v, "item": item} for v, item in ur.veto_reasons],
        "consequences": list(ur.consequences),
        "history": {str(y): g for y, g in sorted(ur.history.items())},
        "subtotals": ur.subtotals, "scale": ur.scale, "raw_score": ur.raw_score,
        "indicator_bonus": ur.indicator_bonus, "honor_bonus": ur.honor_bonus,
        "honor_items": [{"item": i, "level": lv, "points": p} for i, lv, p in ur.honor_items],
        "deduction_items": [{"item": i, "points": p, **({"basis": ur.deduction_bases[i]}
                                                         if i in ur.deduction_bases else {})}
                            for i, p in ur.deduction_items],
        "reds": ur.reds, "advance": ur.advance,
        # SPEC 3.7: 权重_k of the weighted parts ({} = unweighted); 3.8: every 加分类别 with its 上限
        # and what it granted, then the sum before 加分总上限; 3.10: the 进位 figures ({} = no rule).
        "major_weights": ur.major_weights,
        "bonus_classes": [dict(c) for c in ur.bonus_classes],
        "bonus_before_total_cap": ur.bonus_before_total_cap,
        "rank_change": dict(ur.rank_change),
        "indicators": [indicator_dict(r, indicators[(ur.category, r.code)])
                       for r in ur.indicators],
    }, ur)


def header_dict(result: BuildResult) -> dict:
    params = result.params
    out = {
        "schema": SCHEMA_VERSION,
        "assessment": {
            "name": params.name, "year": params.year,
            "as_of": params.as_of.isoformat() if params.as_of else None,
            "schedule": result.schedule_fraction, "schedule_method": params.schedule_method,
            "issuer": params.issuer, "doc_number": params.doc_number,
            "addressee": params.addressee, "results_doc_number": params.results_doc_number,
            "notice_doc_number": params.notice_doc_number,
            "written_date": params.written_date.isoformat() if params.written_date else None,
            "method_doc": params.method_doc,
        },
        "categories": [{"name": c, "full_score": result.full_scores[c],
                        "units": sum(1 for u in result.units if u.category == c)}
                       for c in result.categories],
        "excluded_indicators": [{"category": c, "code": code, "name": name, "reason": "暂无数据"}
                                for c, code, name in result.excluded],
    }
    if result.periods:      # SPEC 3.11: which periods there are, which were folded, which not reached
        out["periods"] = [{"period": p["period"], "as_of": p["as_of"].isoformat(),
                           "weight": p["weight"], "folded": p["folded"]} for p in result.periods]
        out["periods_not_reached"] = list(result.not_reached)
    return out


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def relative_path(p, folder: Path) -> str:
    """A path as results.json names it: relative to the folder results.json is in."""
    try:
        return Path(p).resolve().relative_to(folder).as_posix()
    except ValueError:        # written outside the output folder: keep it absolute
        return Path(p).resolve().as_posix()


def unit_line(ur, indicators: dict, files: dict) -> str:
    """One unit's line of results.json; ``files`` as ``relative_path`` gives them, sorted by key."""
    return _dumps(unit_dict(ur, indicators, files))


class EncodedUnits:
    """Units' lines of results.json, encoded where each unit's files were written (the output
    workers, both cores) and kept in a temporary file, in unit order, until results.json is written:
    at province scale the encoding (4.5 million numbers) is most of the file's cost, and the main
    process would otherwise do it alone after every other stage."""

    def __init__(self, folder=None):
        self.folder = folder      # where the temporary file goes (the output folder: known writable)
        self.fh = None
        self.keys = []            # per line (unit code, its files)
        self.failed = False       # the file could not be written: write_results encodes every unit

    def add(self, code: str, files: dict, line: str) -> None:
        if self.failed:
            return
        try:
            if self.fh is None:
                self.fh = tempfile.TemporaryFile("w+b", dir=self.folder)
            self.fh.write(line.encode("utf-8") + b"\n")    # json.dumps escapes every line break in it
        except OSError:           # disk full …: results.json is then encoded at the end, as before
            self.failed = True
            self.close()
            return
        self.keys.append((code, files))

    def usable(self, count: int) -> bool:
        return not self.failed and self.fh is not None and len(self.keys) == count

    def lines(self):
        """-> ((code, files), the line as UTF-8 bytes with its line break) in the order added: copied
        into results.json as bytes (decoding 167 MiB and encoding it again took half a second)."""
        self.fh.seek(0)
        yield from zip(self.keys, self.fh)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def write_results(result: BuildResult, path, encoded: EncodedUnits = None) -> None:
    """Streams the JSON one unit per line: flat in memory at province scale, and diff-friendly.
    ``encoded``: the units' lines made already (write_outputs); a unit whose files differ from
    those its line was made with is encoded again here."""
    indicators = {i.key: i for i in result.indicators}
    folder = Path(path).resolve().parent
    own_files = {p for files in result.files.values() for p in files.values()}
    made = encoded.lines() if encoded is not None and encoded.usable(len(result.units)) else None
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        def write(text: str) -> None:
            fh.write(text.encode("utf-8"))
        write("{\n")
        for key, value in header_dict(result).items():
            write(f"{_dumps(key)}:{_dumps(value)},\n")
        # The documents beside the units' files: the next build removes those it no longer writes.
        documents = [relative_path(p, folder) for p in result.documents if p not in own_files]
        write(f'"documents":{_dumps(documents)},\n')
        write('"units":[\n')
        for n, unit in enumerate(result.units):
            files = {k: relative_path(v, folder) for k, v in sorted(result.files.get(unit.code, {}).items())}
            key, line = next(made) if made is not None else (None, None)
            if n:
                fh.write(b",")
            if key == (unit.code, files):
                fh.write(line)
            else:
                write(unit_line(unit, indicators, files) + "\n")
        write('],\n"issues":[\n')
        write(",\n".join(_dumps(i.to_dict()) for i in result.issues))
        write("\n]}\n")


class ResultsUnreadable(Exception):
    """results.json missing, damaged or from another program."""


def read_results(path, drop=("indicators",)) -> tuple:
    """results.json -> (header dict, [unit dict]) without the ``drop`` keys of each unit.

    Reads the file line by line in the layout ``write_results`` gives it (one unit a line), so a
    province's file is never held whole; a file someone reformatted is read in one piece."""
    path = Path(path)

    def trim(unit: dict) -> dict:
        return {k: v for k, v in unit.items() if k not in drop}

    try:
        with open(path, encoding="utf-8") as fh:
            try:
                header, units = _read_lines(fh, trim)
            except ValueError:       # not our line layout (pretty-printed, say)
                fh.seek(0)
                header = json.load(fh)
                units = [trim(u) for u in header.pop("units")]
    except FileNotFoundError:
        raise ResultsUnreadable(f"{path} 不存在：请先运行 tzreport build") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, AttributeError) as exc:
        raise ResultsUnreadable(f"{path} 无法读取（{exc}）：请重新运行 tzreport build") from None
    if header.get("schema") != SCHEMA_VERSION:
        raise ResultsUnreadable(f"{path} 不是本版本 tzreport 写出的（schema {header.get('schema')}），"
                                "请重新运行 tzreport build")
    return header, units


def _read_lines(fh, trim) -> tuple:
    """The layout of ``write_results``: "{", a header key a line, "units":[, a unit a line, "]…"."""
    if fh.readline().strip() != "{":
        raise ValueError("not one item a line")
    header, units = {}, []
    for line in fh:
        if line.startswith('"units":['):
            break
        header.update(json.loads("{" + line.rstrip().rstrip(",") + "}"))
    else:
        raise ValueError("no units")
    for line in fh:
        if line.startswith("]"):
            return header, units
        units.append(trim(json.loads(line.lstrip(","))))
    raise ValueError("units not closed")
