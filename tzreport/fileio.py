"""Output files: atomic (written beside the target, then renamed), reproducible, safely named."""
from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; on success it replaces ``path``.

    The file gets the mode a plain open() would give it (0666 less the umask), not mkstemp's 0600:
    a shared office folder must be able to read the outputs. Made with one os.open (O_EXCL, so
    never another's file): mkstemp, chmod and reading the umask took three times as long, twice
    for each of 2,000 units."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name must fit where the final one fits (255 bytes on Linux, a Chinese
    # character is 3): a short, fixed-size prefix of the target's name.
    for _ in range(100):
        tmp = path.parent / f".{_prefix(path.name)}.{os.getpid()}-{next(_SERIAL)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))
            break
        except FileExistsError:     # left by a process of the same number that died: another
            continue
        except PermissionError:     # Windows: a name whose deletion is pending (as tempfile retries)
            if os.name == "nt" and path.parent.is_dir() and os.access(path.parent, os.W_OK):
                continue
            raise
    else:
        raise FileExistsError(f"no free temporary name beside {path}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_SERIAL = itertools.count(1)


def _prefix(name: str) -> str:
    return name.encode("utf-8")[:60].decode("utf-8", "ignore")



WRITE_PROBLEM = "无法写出此文件"


def write_problem(exc: OSError) -> str:
    """Why an output file could not be written, in a clerk's words (SPEC 5: the build goes on)."""
    return f"{WRITE_PROBLEM}（{write_reason(exc)}），该文件未生成"


def write_reason(exc: OSError) -> str:
    import errno
    if isinstance(exc, IsADirectoryError):
        return "同名的文件夹占着这个位置"
    reasons = {errno.ENOSPC: "磁盘已满", errno.ENAMETOOLONG: "文件名太长", errno.EACCES: "没有写入权限",
               errno.EPERM: "没有写入权限", errno.EROFS: "磁盘只读", errno.EDQUOT: "磁盘配额已满",
               errno.ENOENT: "文件夹不存在"}
    return reasons.get(exc.errno) or exc.strerror or type(exc).__name__


def output_label(out_dir, path) -> str:
    """An output file as issues name it: relative to the output folder (批注/清源县.xlsx)."""
    try:
        return Path(path).relative_to(out_dir).as_posix()
    except ValueError:
        return str(path)


# Windows forbids these in file names; control characters are never wanted.
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


# A file name is at most 255 bytes on Linux (UTF-8: a Chinese character is 3) and 255 UTF-16 units on
# Windows; a stem of 150 bytes leaves room for "_<unit code>", the extension and the temporary name.
MAX_STEM_BYTES = 150


def safe_filename(name: str, fallback: str = "未命名", limit: int = 80) -> str:
    """A unit name made safe as a file name on Windows and Linux (SPEC 5: names are sanitised)."""
    text = _FORBIDDEN.sub("_", str(name)).strip().strip(".").strip()
    text = text[:limit].encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore")
    text = text.rstrip(". ")
    if not text or text.upper().split(".")[0] in _RESERVED:
        text = f"{fallback}_{text}" if text else fallback
    return text


def unique_names(items, name_of, code_of) -> dict:
    """code -> file name stem; names shared by two units get the unit code appended."""
    counts = {}
    for item in items:
        stem = safe_filename(name_of(item))
        counts[stem.lower()] = counts.get(stem.lower(), 0) + 1
    names = {}
    for item in items:
        stem = safe_filename(name_of(item))
        if counts[stem.lower()] > 1:
            # the code must survive the length limit: two long names cut to one stem stay apart
            code = safe_filename(code_of(item))
            room = MAX_STEM_BYTES - len(code.encode("utf-8")) - 1
            stem = safe_filename(stem.encode("utf-8")[:max(room, 0)].decode("utf-8", "ignore")
                                 + f"_{code}")
        names[code_of(item)] = stem
    return names


def fixed_time(day) -> dt.datetime:
    """The timestamp stamped into every output: the 统计截止日期 (or SOURCE_DATE_EPOCH), never now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    if day is None:
        return dt.datetime(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time, whatever way openpyxl adds them."""

    def __init__(self, file, when: dt.datetime):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute,
                           when.second)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) \
            else zinfo_or_arcname
        entry = zipfile.ZipInfo(name, self._date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        super().writestr(entry, data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:       # openpyxl streams each sheet through a temp file
            self.writestr(arcname or Path(filename).name, fh.read())


def save_openpyxl(workbook, path, when: dt.datetime) -> None:
    """Save an openpyxl workbook atomically and byte-reproducibly.

    openpyxl's own save stamps "now" into docProps/core.xml and every zip entry; its ExcelWriter,
    given a zip that fixes entry times, writes the same bytes for the same workbook."""
    from openpyxl.writer.excel import ExcelWriter
    workbook.properties.modified = when
    with atomic_path(path) as tmp:
        archive = _FixedTimeZip(tmp, when)
        try:
            ExcelWriter(workbook, archive).save()     # closes the archive
        finally:
            if archive.fp is not None:
                archive.close()


def save_docx(document, path, when: dt.datetime) -> None:
    """Save a python-docx (or docxtpl) document atomically and byte-reproducibly.

    python-docx keeps the template's properties and stamps every zip entry with "now": fix the
    properties to ``when`` and copy the package into a zip whose entries all carry that time."""
    import io
    props = document.core_properties
    props.created = props.modified = when
    props.last_modified_by = "tzreport"
    props.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    raw.seek(0)
    with zipfile.ZipFile(raw) as source, atomic_path(path) as tmp:
        with _FixedTimeZip(tmp, when) as target:
            for entry in source.infolist():
                target.writestr(entry.filename, source.read(entry))
