"""Measuring a command in a child process: wall time, peak memory, time to first paint.

A child's peak memory (ru_maxrss) counts the memory of the process it was forked from, so
after `use_spawner()` the commands are started by a small helper process (a bare Python with
this module) instead of by the benchmark, which holds generated data and the app's modules.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
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


_spawner: subprocess.Popen | None = None


def use_spawner() -> None:
    """Start the helper process that will start every measured command (call it early)."""
    global _spawner
    if _spawner is None:
        root = Path(__file__).resolve().parent.parent
        _spawner = subprocess.Popen([sys.executable, "-m", "benchmarks.measure", "--serve"], cwd=root,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _via_spawner(kind: str, *args, **kwargs) -> Run:
    _spawner.stdin.write(json.dumps([kind, args, kwargs]) + "\n")
    _spawner.stdin.flush()
    return Run(**json.loads(_spawner.stdout.readline()))


def _serve() -> None:
    for line in sys.stdin:
        kind, args, kwargs = json.loads(line)
        result = {"run": run, "first_paint": first_paint}[kind](*args, **kwargs)
        print(json.dumps(dataclasses.asdict(result)), flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None, *, stdout_path: str | None = None,
        timeout: float = 1800) -> Run:
    """Run a command to completion (its output to `stdout_path`, else discarded): wall time, peak RSS."""
    if _spawner is not None:
        return _via_spawner("run", cmd, env, stdout_path=stdout_path, timeout=timeout)
    with tempfile.TemporaryFile() as err, open(stdout_path or os.devnull, "wb") as stdout:
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
    if _spawner is not None:
        return _via_spawner("first_paint", cmd, env, columns=columns, lines=lines, timeout=timeout)
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


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
