"""Work per file or per unit (reading submissions, 批注表, 通知), in worker processes when there are many."""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

PARALLEL_THRESHOLD = 40   # below this many tasks, workers cost more than they save
COLLECT_EVERY = 20        # tasks between full garbage collections in a worker
_WORKER = {}


@contextlib.contextmanager
def gc_paused():
    """No automatic garbage collection inside: for stages that allocate millions of objects and
    free none (reading the inputs, scoring). Each full collection scans the whole heap; at 2,000
    units reading and scoring ran 15 of them, 2.4 s of the main process. Cycles made meanwhile
    (none in these stages but an error's traceback) are collected once it is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _init_worker(ctx):
    gc.enable()        # a worker forked inside gc_paused() collects as usual
    _WORKER["ctx"] = ctx
    _WORKER["done"] = 0


def _call(job):
    fn, task = job
    try:
        return fn(_WORKER["ctx"], task)
    finally:
        # A python-docx or openpyxl document is a web of reference cycles. Left to the generational
        # collector, which runs a full collection only after the long-lived heap grows by a
        # quarter, hundreds of dead documents (and their lxml trees) piled up in each worker:
        # 582 MiB per notice worker at 2,000 units. The inherited heap is frozen, so this is cheap.
        _WORKER["done"] += 1
        if _WORKER["done"] % COLLECT_EVERY == 0:
            gc.collect()


def parallel_map(fn, ctx, tasks, count: int, jobs: int = None, progress=None):
    """Yield ``fn(ctx, task)`` for each task, in order; ``ctx`` is shared by every call (sent to each
    worker once). ``fn`` must be a module-level function; ``count`` is the number of tasks."""
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1, 8)
    if count >= PARALLEL_THRESHOLD and workers > 1:
        # Forked workers share the main process's memory (every result, hundreds of MiB at
        # province scale) until something writes to it; frozen, the garbage collector does not.
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(ctx,)) as pool:
                for value in bounded_map(lambda t: pool.submit(_call, (fn, t)), tasks, window=8 * workers):
                    if progress:
                        progress(1)
                    yield value
        finally:
            gc.unfreeze()
        return
    for task in tasks:
        value = fn(ctx, task)
        if progress:
            progress(1)
        yield value


def bounded_map(submit, items, window: int):
    """Executor.map in order, with at most ``window`` items in flight (Executor.map queues them
    all, which at province scale holds every unit's pickled result in memory at once);
    ``submit(item)`` -> a future."""
    pending = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


RECYCLE_AFTER = 250       # tasks a forked output worker runs before a fresh one takes over


def pool_run(ctx, heads, fn, tasks, count: int, jobs: int = None, progress=None, on_result=None) -> list:
    """One pool for a build's outputs: ``heads`` ((fn, task) pairs, the long whole-build work) run
    one after another in a worker of their own, while other workers run ``fn(ctx, task)`` for each
    of ``tasks``, ``on_result(value)`` called in task order, so no core waits. -> the heads' values.

    Memory (SPEC 6): a process that reads a unit's results touches their reference counts, which
    copies the pages they sit on out of the memory a forked worker shares with this process
    (0.15 MiB a unit at 150 indicators); a worker that wrote 1,000 units held 170 MiB of copies.
    So a forked unit worker is replaced after RECYCLE_AFTER tasks, the next ones forked, and their
    tasks submitted, before the last ones finish. 汇总 and the 通报 read every unit: their one
    worker holds a copy of all results until they are written, then ends."""
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1, 8)
    if count >= PARALLEL_THRESHOLD and workers > 1:
        # A spawned worker (Windows) is sent ``ctx`` when it starts: there, one set of workers.
        batch = RECYCLE_AFTER * workers if multiprocessing.get_start_method() == "fork" else None
        gc.freeze()
        pools = []
        since = 0

        def executor(count):
            pools.append(ProcessPoolExecutor(count, initializer=_init_worker, initargs=(ctx,)))
            return pools[-1]

        def submit(item):
            nonlocal since
            if batch and since >= batch:
                pools[-1].shutdown(wait=False)     # its workers end once their tasks are done
                executor(workers)
                since = 0
            since += 1
            return pools[-1].submit(_call, item)

        try:
            head_pool = executor(1)
            started = [head_pool.submit(_call, job) for job in heads]
            head_pool.shutdown(wait=False)
            executor(workers)
            for value in bounded_map(submit, ((fn, t) for t in tasks), window=8 * workers):
                if on_result:
                    on_result(value)
                if progress:
                    progress(1)
            return [future.result() for future in started]
        finally:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
    values = [head(ctx, task) for head, task in heads]
    for task in tasks:
        value = fn(ctx, task)
        if on_result:
            on_result(value)
        if progress:
            progress(1)
    return values
