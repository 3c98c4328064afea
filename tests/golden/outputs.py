"""What every command writes, as digests: the pinned outputs of tests/test_golden.py.

    python tests/golden/outputs.py            # compare with tests/golden/*.json, list what differs
    python tests/golden/outputs.py --update   # write them anew (say in the commit which and why)

Each case runs the command line exactly as a clerk types it (``python -m tzreport …``) into a fresh
folder and records, per file written, its sha256; the terminal's report is recorded too, as
``<stdout>`` and ``<stderr>``, with the case's folder written as ``{out}``. A file whose bytes are
allowed to move would be recorded through a normalised text (none so far: every output is
byte-reproducible, SPEC 6).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SAMPLES = ROOT / "sample_workbooks"
SYNTHETIC = dict(units=200, indicators=24, periods=2)


def _synthetic(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tzreport.samples import write_synthetic
    write_synthetic(folder, SYNTHETIC["units"], SYNTHETIC["indicators"], periods=SYNTHETIC["periods"])
    return folder


# case -> (the command's arguments after `tzreport`, with {out} and {synthetic}; the folder it writes)
CASES = {
    "build-input": ["build", "{samples}/input.xlsx", "-o", "{out}"],
    "build-input-year-end": ["build", "{samples}/input.xlsx", "--as-of", "2026-12-31", "-o", "{out}"],
    "build-shikao": ["build", "{samples}/市考", "-o", "{out}"],
    "check-shikao": ["check", "{samples}/市考", "-o", "{out}"],
    "check-input": ["check", "{samples}/input.xlsx", "-o", "{out}"],
    "template-shikao": ["template", "{samples}/市考/考核方案.xlsx", "-o", "{out}"],
    "template-input": ["template", "{samples}/input.xlsx", "-o", "{out}"],
    "word-templates": ["word-templates", "-o", "{out}"],
    "build-synthetic-200": ["build", "{synthetic}", "-o", "{out}", "-j", "2"],
    # 宁远县 sent nothing this period (its earlier quarters are there): 未报送 in every output
    "build-shikao-missing": ["build", "{missing}", "-o", "{out}"],
}


def _missing(folder: Path) -> Path:
    """市考 without 宁远县's current submission."""
    shutil.copytree(SAMPLES / "市考", folder)
    (folder / "报表" / "宁远县.xlsx").unlink()
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_case(name: str, work: Path, synthetic: Path = None) -> dict:
    """Run one case in ``work`` -> {relative path: sha256, "<stdout>": …, "<stderr>": …}."""
    out = work / name
    missing = work / "市考缺宁远县"
    words = {"out": str(out), "samples": str(SAMPLES), "synthetic": str(synthetic or ""),
             "missing": str(missing)}
    args = [a.format(**words) for a in CASES[name]]
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="100", PYTHONPATH=str(ROOT))
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, "-m", "tzreport", *args], cwd=work, env=env,
                          capture_output=True, timeout=600)
    record = {}
    for label, stream in (("<stdout>", done.stdout), ("<stderr>", done.stderr)):
        text = stream.decode("utf-8", "replace").replace(str(out), "{out}").replace(str(SAMPLES), "{samples}")
        if synthetic:
            text = text.replace(str(synthetic), "{synthetic}")
        text = text.replace(str(missing), "{missing}")
        record[label] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record["<exit>"] = str(done.returncode)
    if out.is_dir():
        for path in sorted(out.rglob("*")):
            if path.is_file():
                record[path.relative_to(out).as_posix()] = digest(path)
    return record


def run_all(names=None) -> dict:
    names = list(names or CASES)
    work = Path(tempfile.mkdtemp(prefix="tzgolden-"))
    try:
        synthetic = _synthetic(work / "合成200") if "build-synthetic-200" in names else None
        if "build-shikao-missing" in names:
            _missing(work / "市考缺宁远县")
        # two at a time: each case is one process, and most of them use one core
        with ThreadPoolExecutor(2) as pool:
            records = dict(zip(names, pool.map(lambda n: run_case(n, work, synthetic), names)))
        return records
    finally:
        shutil.rmtree(work, ignore_errors=True)


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def load(name: str) -> dict:
    return json.loads(golden_path(name).read_text("utf-8"))


def differences(name: str, record: dict) -> list:
    """The files of one case whose digest is not the pinned one (added, gone or changed)."""
    pinned = load(name) if golden_path(name).is_file() else {}
    lines = []
    for key in sorted(set(pinned) | set(record)):
        if key not in record:
            lines.append(f"{name}: {key} no longer written")
        elif key not in pinned:
            lines.append(f"{name}: {key} newly written")
        elif pinned[key] != record[key]:
            lines.append(f"{name}: {key} changed")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the digests anew")
    parser.add_argument("cases", nargs="*", help=f"some of: {', '.join(CASES)}")
    args = parser.parse_args()
    records = run_all(args.cases or None)
    changed = [line for name, record in records.items() for line in differences(name, record)]
    print("\n".join(changed) or "every output as pinned")
    if args.update:
        for name, record in records.items():
            golden_path(name).write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True)
                                         + "\n", "utf-8")
        print(f"wrote {len(records)} files under {GOLDEN.relative_to(ROOT)}")
        return 0
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
