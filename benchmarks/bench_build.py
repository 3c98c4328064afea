"""Benchmark: `tzreport build` on N units × M indicators, next to the cost of merely reading the inputs.

    python benchmarks/bench_build.py                      # 2,000 units × 150 indicators
    python benchmarks/bench_build.py --units 200 --indicators 50
    python benchmarks/bench_build.py --units 200 --indicators 50 --periods 4   # SPEC 3.11

Synthetic inputs (a scheme and one submission per unit, as units send them) are generated once into
benchmarks/data/ and reused. Prints figures; it is not a test and asserts nothing.

Figures:
* read only   — python-calamine opening every workbook and reading every sheet, one process;
* build       — the whole `tzreport build` command (reading, validation, scoring, grading, writing
                results.json, 汇总.xlsx, one 批注 workbook and one 通知 per unit, 进展通报 and, at
                the year end, 考核结果通报), wall time, as a subprocess;
* peak memory — the largest summed RSS and summed PSS of the build's process tree (main process plus
                its reading and annotating workers), sampled every 500 ms from /proc; elsewhere the
                largest single process. Reading a process's PSS walks its page tables (~2 ms for
                each of the build's 400 MiB processes): sampled every 50 ms, that took about a
                quarter of one of the two cores from the build it measured. The sampler's own CPU
                time is printed.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import python_calamine as calamine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tzreport.samples import write_synthetic  # noqa: E402


def read_only(folder: Path) -> tuple:
    files = sorted(folder.rglob("*.xlsx"))
    start = time.perf_counter()
    cells = 0
    for path in files:
        book = calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return time.perf_counter() - start, len(files), cells


def _proc_kib(path: str, field: str) -> int:
    """The kiB figure of one field of a /proc file ("VmRSS:", "Pss:"); 0 when unreadable."""
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _tree_memory(pid: int, cpu: dict = None) -> tuple:
    """(summed RSS, summed PSS) in bytes of a process and all its descendants, from /proc; with
    ``cpu``, each process's CPU seconds so far are recorded in it by pid.

    RSS counts pages a forked worker still shares with its parent once per process; PSS splits
    shared pages between the processes sharing them, so its sum is the memory really used."""
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            rss += _proc_kib(f"/proc/{p}/status", "VmRSS:") * 1024
            pss += _proc_kib(f"/proc/{p}/smaps_rollup", "Pss:") * 1024
            if cpu is not None:
                cpu[p] = max(cpu.get(p, 0.0), _cpu_seconds(p))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def run_measured(cmd, samples: list = None) -> tuple:
    """Run ``cmd`` -> (wall seconds, peak summed RSS, peak summed PSS, largest process, exit code,
    stderr); memory sampled every SAMPLE_EVERY seconds from /proc where there is one (appended to ``samples`` as
    (time.time(), rss, pss, CPU seconds of the tree so far) when given)."""
    peak = [0, 0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    cpu = {}        # pid -> CPU seconds at its last sample (kept after a worker exits)

    def sample():
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid, cpu)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            if samples is not None:
                samples.append((time.time(), rss, pss, sum(cpu.values())))
            SAMPLER[0] = time.thread_time()
            done.wait(SAMPLE_EVERY)

    sampler = None
    if Path("/proc/self/status").exists():
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    if sampler:
        sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest = usage.ru_maxrss * 1024
    # CPU seconds of the whole tree (workers are waited for, so counted): on a shared machine the
    # wall time says more about the neighbours than about the build; this does not.
    CPU[0] = usage.ru_utime + usage.ru_stime - CPU[1]
    CPU[1] = usage.ru_utime + usage.ru_stime
    return elapsed, peak[0] or largest, peak[1], largest, proc.returncode, stderr.decode("utf-8", "replace")


CPU = [0.0, 0.0]     # (CPU seconds of the last command run, CPU seconds of all before it)
SAMPLE_EVERY = 0.5   # seconds between two samples of the build's memory
SAMPLER = [0.0]      # CPU seconds the sampling thread took from the machine (the last run's)


# The build through its Python API, printing when each stage of ``progress`` begins.
# Scoring and results.json have no progress stage of their own: their functions are wrapped to mark them.
STAGED = """
import sys, time
from pathlib import Path
import tzreport.pipeline, tzreport.render.results_json
from tzreport.pipeline import build
def mark(stage):
    print("STAGE", time.time(), stage, file=sys.stderr, flush=True)
def progress(stage, total):
    mark(stage)
def marked(fn, stage):
    def run(*args, **kwargs):
        mark(stage)
        return fn(*args, **kwargs)
    return run
tzreport.pipeline.evaluate = marked(tzreport.pipeline.evaluate, "评分")
tzreport.render.results_json.write_results = marked(tzreport.render.results_json.write_results, "results.json")
mark("启动")
build([sys.argv[1]], Path(sys.argv[2]), progress=progress, jobs=int(sys.argv[3]) or None)
mark("结束")
"""


def run_build(folder: Path, jobs, out: Path = None, stages: bool = False) -> tuple:
    out = out or Path(tempfile.mkdtemp(prefix="tzbench-"))
    cmd = [sys.executable, "-m", "tzreport", "build", str(folder), "-o", str(out), "-q"]
    if jobs:
        cmd += ["-j", str(jobs)]
    if stages:
        cmd = [sys.executable, "-c", STAGED, str(folder), str(out), str(jobs or 0)]
    samples = []
    elapsed, peak, pss, largest, code, stderr = run_measured(cmd, samples)
    if code not in (0, 1):
        sys.exit(f"build failed ({code}):\n{stderr}")
    if stages:
        print_stages(stderr, samples)
    size = (out / "results.json").stat().st_size
    return elapsed, peak, pss, largest, code, size, out


def print_stages(stderr: str, samples: list) -> None:
    """Peak memory between one stage mark and the next (the build calls ``progress`` as it enters
    reading and the one pool that writes 汇总.xlsx, the 通报 and every unit's 批注 and 通知)."""
    marks = [(float(t), name) for _, t, name in
             (line.split(None, 2) for line in stderr.splitlines() if line.startswith("STAGE "))]
    mib = 1024 * 1024
    for (t0, name), (t1, _) in zip(marks, marks[1:] + [(float("inf"), "")]):
        inside = [(rss, pss, cpu) for t, rss, pss, cpu in samples if t0 <= t < t1]
        before = [cpu for t, _, _, cpu in samples if t < t0]
        if inside:
            cpu = inside[-1][2] - (before[-1] if before else 0.0)
            print(f"  stage {name:12s} {min(t1, samples[-1][0]) - t0:7.1f} s  {cpu:7.1f} CPU-s   peak "
                  f"{max(r for r, _, _ in inside) / mib:6.0f} MiB RSS summed, "
                  f"{max(p for _, p, _ in inside) / mib:6.0f} MiB PSS")
        elif samples and t0 < samples[-1][0]:     # shorter than one sampling interval
            print(f"  stage {name:12s} {min(t1, samples[-1][0]) - t0:7.1f} s  (no sample inside: its CPU and "
                  f"memory count with the stage before)")


def synthetic(units: int, indicators: int, data: Path = None, periods: int = 1) -> Path:
    """The synthetic inputs for units × indicators (× periods, SPEC 3.11), generated once."""
    name = f"{units}x{indicators}" + (f"x{periods}p" if periods > 1 else "")
    folder = data or ROOT / "benchmarks" / "data" / name
    if not (folder / "考核方案.xlsx").exists():
        start = time.perf_counter()
        write_synthetic(folder, units, indicators, periods=periods)
        print(f"generated {folder} in {time.perf_counter() - start:.1f} s")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=None, help="reading processes (default: all cores)")
    parser.add_argument("--data", type=Path, default=None, help="where the synthetic inputs live")
    parser.add_argument("--periods", type=int, default=1,
                        help="periods of data (SPEC 3.11): the months before September beside it")
    parser.add_argument("--stages", action="store_true",
                        help="run the build through its Python API and print peak memory per stage")
    args = parser.parse_args()
    folder = synthetic(args.units, args.indicators, args.data, args.periods)
    read_s, files, cells = read_only(folder)
    build_s, peak, pss, largest, code, size, out = run_build(folder, args.jobs, stages=args.stages)
    mib = 1024 * 1024
    print(f"inputs:       {args.units} units × {args.indicators} indicators, {files} workbooks, "
          f"{cells:,} cells, {sum(p.stat().st_size for p in folder.rglob('*.xlsx')) / mib:.1f} MiB")
    print(f"read only:    {read_s:7.2f} s   (python-calamine, one process)")
    print(f"build:        {build_s:7.2f} s   (tzreport build, exit code {code}, "
          f"cores: {os.cpu_count()}, results.json {size / mib:.1f} MiB)")
    print(f"ratio:        {build_s / read_s:7.2f} × read only")
    print(f"CPU:          {CPU[0]:7.1f} s   user + system over the build's process tree "
          f"({CPU[0] / build_s:.2f} cores busy on average)")
    print(f"peak memory:  {peak / mib:7.0f} MiB RSS summed over the process tree, "
          f"{pss / mib:.0f} MiB PSS (shared pages counted once); largest process {largest / mib:.0f} MiB")
    print(f"sampler:      {SAMPLER[0]:7.1f} s   CPU taken by this script's memory sampling while the "
          f"build ran (every {SAMPLE_EVERY * 1000:.0f} ms; not in the figures above)")
    outputs = sorted(out.rglob("*.xlsx"))
    documents = sorted(out.rglob("*.docx"))
    print(f"outputs:      {len(outputs)} workbooks, {sum(p.stat().st_size for p in outputs) / mib:.1f} MiB "
          f"(汇总.xlsx {(out / '汇总.xlsx').stat().st_size / mib:.1f} MiB); {len(documents)} Word documents, "
          f"{sum(p.stat().st_size for p in documents) / mib:.1f} MiB "
          f"(进展通报.docx {(out / '进展通报.docx').stat().st_size / mib:.1f} MiB)")


if __name__ == "__main__":
    main()
