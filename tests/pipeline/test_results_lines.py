"""SPEC 4 results.json: unit lines made in the output workers are the bytes made at the end.

And a line is used only for the files it was made with."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tzreport.pipeline import build
from tzreport.render.results_json import EncodedUnits, relative_path, unit_line, write_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, build([ROOT / "sample_workbooks" / "input.xlsx"], out)


def test_lines_made_by_the_workers_are_the_lines_made_at_the_end(built):
    out, result = built
    write_results(result, out / "again.json")          # every unit encoded here, as before
    assert (out / "results.json").read_bytes() == (out / "again.json").read_bytes()


def test_a_line_is_used_only_with_the_files_it_was_made_with(built):
    out, result = built
    indicators = {i.key: i for i in result.indicators}
    folder = out.resolve()
    encoded = EncodedUnits()
    for n, unit in enumerate(result.units):
        files = {k: relative_path(v, folder) for k, v in sorted(result.files[unit.code].items())}
        line = json.loads(unit_line(unit, indicators, files))
        line["contact"] = f"made in a worker {n}"          # marks a line taken as it was made
        if n == 1:
            files = {"annotated": "elsewhere.xlsx"}        # not the files written: made again
        encoded.add(unit.code, files, json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    write_results(result, out / "mixed.json", encoded)
    encoded.close()
    units = json.loads((out / "mixed.json").read_text("utf-8"))["units"]
    assert units[0]["contact"] == "made in a worker 0" and units[2]["contact"] == "made in a worker 2"
    assert units[1]["contact"] == result.units[1].contact        # encoded again from the result
    assert units[1]["files"] == {k: relative_path(v, folder) for k, v in
                                 sorted(result.files[result.units[1].code].items())}


def test_lines_that_cannot_be_kept_are_made_at_the_end(built, tmp_path):
    """The temporary file of lines cannot be written (here: its folder is gone; in life a full
    disk): nothing is kept, no error, and results.json comes out the same, every unit encoded at
    the end as before."""
    out, result = built
    folder = out.resolve()
    encoded = EncodedUnits(tmp_path / "gone")
    unit = result.units[0]
    files = {k: relative_path(v, folder) for k, v in sorted(result.files[unit.code].items())}
    encoded.add(unit.code, files, "not json: must never be written")
    assert encoded.failed and not encoded.usable(len(result.units))
    write_results(result, out / "fallback.json", encoded)
    encoded.close()
    assert (out / "fallback.json").read_bytes() == (out / "results.json").read_bytes()
