"""Benchmark: `tzreport mail` for N units, as a dry run and sending to a local SMTP server.

    python benchmarks/bench_mail.py                       # 2,000 units × 20 indicators
    python benchmarks/bench_mail.py --units 200

Builds synthetic inputs once (benchmarks/data/mail-<N>x<M>, with an 邮箱 per unit, and its build in
…-out/), then runs, each as a subprocess:
* read only — reading every attachment a send must read (通知 .docx, 批注 .xlsx), one process;
* dry run   — `tzreport mail --dry-run`: results.json, the template, every .eml written;
* send      — `tzreport mail` to aiosmtpd's Sink handler (accepts and discards) in another process
              on 127.0.0.1, the send log written and fsynced twice per message;
* again     — the same command once more: every unit already sent, nothing goes out.
Prints figures; it is not a test and asserts nothing. The SMTP server is a separate process on the
same cores, so the send figure includes the server's share of them.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import run_build, run_measured, synthetic  # noqa: E402

SENDER = "kaohe@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_attachments(out: Path) -> tuple:
    files = sorted((out / "通知").glob("*.docx")) + sorted((out / "批注").glob("*.xlsx"))
    start = time.perf_counter()
    size = sum(len(p.read_bytes()) for p in files)
    return time.perf_counter() - start, len(files), size


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the SMTP server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=20)
    args = parser.parse_args()
    folder = synthetic(args.units, args.indicators,
                       ROOT / "benchmarks" / "data" / f"mail-{args.units}x{args.indicators}")
    out = folder.parent / f"{folder.name}-out"
    if not (out / "results.json").exists():
        build_s = run_build(folder, None, out)[0]
        print(f"built {out} in {build_s:.1f} s")
    for leftover in (out / "发送记录.csv", out / "邮件"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    read_s, files, size = read_attachments(out)
    mail = [sys.executable, "-m", "tzreport", "mail", str(out), "--sender", SENDER]
    dry = run_measured(mail + ["--dry-run"])
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"])
    try:
        wait_for(port)
        sent = run_measured(mail + ["--host", "127.0.0.1", "--port", str(port)])
        again = run_measured(mail + ["--host", "127.0.0.1", "--port", str(port)])
    finally:
        server.terminate()
        server.wait()
    mib = 1024 * 1024
    emls = list((out / "邮件").glob("*.eml"))
    print(f"units:        {args.units} (× {args.indicators} indicators), {files} attachments, "
          f"{size / mib:.1f} MiB; results.json {(out / 'results.json').stat().st_size / mib:.1f} MiB")
    print(f"read only:    {read_s:7.2f} s   (reading every attachment)")
    for label, (seconds, rss, pss, largest, code, stderr) in (("dry run", dry), ("send", sent),
                                                                ("again", again)):
        print(f"{label + ':':13s} {seconds:7.2f} s   ({seconds / args.units * 1000:.1f} ms a unit, "
              f"{seconds / read_s:.1f} × read only, exit code {code}, peak {rss / mib:.0f} MiB RSS)")
        if code not in (0, 1):
            print(stderr[-2000:])
    print(f"dry run wrote {len(emls)} .eml, {sum(p.stat().st_size for p in emls) / mib:.1f} MiB; "
          f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
