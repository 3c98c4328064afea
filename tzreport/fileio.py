"""Atomic output files: written beside the target under a temporary name, then renamed into place."""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(name: str, default: str = "未命名") -> str:
    """A unit name as a file name on Windows and POSIX alike: no separators, no reserved names."""
    text = _UNSAFE.sub("_", str(name)).strip().strip(".")
    if not text or text.lower() in _RESERVED:
        text = f"_{text}" if text else default
    return text[:120]


@contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
