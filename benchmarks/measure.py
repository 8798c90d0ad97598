"""Measuring a command in a child process: wall time, peak memory, time to first paint."""

from __future__ import annotations

import fcntl
import os
import pty
import statistics
import struct
import subprocess
import tempfile
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCHMARK_EXIT = "AUDIT_TUI_BENCHMARK_EXIT"


@dataclass
class Run:
    seconds: float          # wall time (or time to first paint)
    max_rss_mib: float      # peak resident memory of the child
    returncode: int
    stderr: str = ""
    cpu_seconds: float = float("nan")  # user + system time of the child


def _wait(proc: subprocess.Popen) -> tuple[int, float, float]:
    """Wait for the child with wait4, so its own rusage (peak memory, CPU time) comes back with it."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # Linux: KiB


def run(cmd: list[str], env: dict[str, str] | None = None, *, stdout=subprocess.DEVNULL,
        timeout: float = 1800) -> Run:
    """Run a command to completion: wall time and peak RSS."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            code, rss, cpu = _wait(proc)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        err.seek(0)
        return Run(seconds, rss, code, err.read().decode("utf-8", "replace")[-2000:], cpu)


def first_paint(cmd: list[str], env: dict[str, str], *, columns: int = 120, lines: int = 36,
                timeout: float = 60) -> Run:
    """Start a Textual app on a pseudo-terminal; seconds from spawn until it reports its first paint."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        mark = Path(tmp) / "painted"
        env = {**env, BENCHMARK_EXIT: str(mark), "TERM": "xterm-256color",
               "COLUMNS": str(columns), "LINES": str(lines)}

        def drain() -> None:
            while True:
                try:
                    if not os.read(master, 65536):
                        return
                except OSError:
                    return

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        t0 = time.time()
        proc = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                start_new_session=True)
        os.close(slave)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            code, rss, cpu = _wait(proc)
        finally:
            timer.cancel()
            os.close(master)
        if not mark.exists():
            return Run(float("nan"), rss, code or 1, "no first paint recorded", cpu)
        return Run(float(mark.read_text()) - t0, rss, code, "", cpu)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)
