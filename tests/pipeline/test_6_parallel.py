"""SPEC 6 Scale and speed: the output pool writes what one process writes, byte for byte.

With worker processes — 汇总 and the 通报 in a worker of their own, unit workers replaced every
few tasks — a build writes the same files, byte for byte, as one process writing everything in turn."""
from __future__ import annotations

from pathlib import Path

import pytest

from tzreport import parallel
from tzreport.pipeline import build
from tzreport.samples import write_synthetic

UNITS = parallel.PARALLEL_THRESHOLD + 6        # enough for the pool


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("syn") / "data", units=UNITS, indicators=12)


def _files(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.skipif(parallel.multiprocessing.get_start_method() != "fork",
                    reason="workers are replaced only where they are forked")
def test_pool_with_recycled_workers_writes_what_one_process_writes(synthetic, tmp_path, monkeypatch):
    serial = build([synthetic], tmp_path / "serial", jobs=1)
    monkeypatch.setattr(parallel, "RECYCLE_AFTER", 4)          # 12 sets of workers for 46 units
    pools = []
    real = parallel.ProcessPoolExecutor

    def counted(*args, **kwargs):
        pools.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", counted)
    pooled = build([synthetic], tmp_path / "pooled", jobs=2)
    # two readers (47 workbooks); one worker for 汇总 and the 通报; a pair of unit workers for
    # every 8 units after the first (written in this process)
    assert pools == [2, 1] + [2] * -(-(UNITS - 1) // 8)
    assert [u.code for u in pooled.units] == [u.code for u in serial.units]
    first, second = _files(tmp_path / "serial"), _files(tmp_path / "pooled")
    assert len(first) == 2 * UNITS + 3            # 批注 and 通知 per unit, 汇总, 进展通报, results.json
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
