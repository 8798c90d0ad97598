"""Measuring a command in a child process: wall time, peak memory, time until text reaches the terminal.

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
import re
import select
import signal
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


def _via_spawner(kind: str, *args, **kwargs):
    _spawner.stdin.write(json.dumps([kind, args, kwargs]) + "\n")
    _spawner.stdin.flush()
    answer = json.loads(_spawner.stdout.readline())
    return answer if kind == "on_screen" else Run(**answer)


def _serve() -> None:
    for line in sys.stdin:
        kind, args, kwargs = json.loads(line)
        if kind == "on_screen":
            found = on_screen(*args, **kwargs)
            print(json.dumps({name: dataclasses.asdict(r) for name, r in found.items()}), flush=True)
        else:
            print(json.dumps(dataclasses.asdict(run(*args, **kwargs))), flush=True)


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


_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78])")


def on_screen(cmd: list[str], env: dict[str, str], marks: dict[str, str], *, columns: int = 120,
              lines: int = 36, timeout: float = 60) -> dict[str, Run]:
    """Start a terminal app on a pseudo-terminal; for each name in `marks`, seconds from spawn until
    its text (a regular expression) has been written to the terminal, as a user would first see it.
    The app is killed once every mark has been seen. Nothing is asked of the app itself."""
    if _spawner is not None:
        found = _via_spawner("on_screen", cmd, env, marks, columns=columns, lines=lines, timeout=timeout)
        return {name: Run(**run) for name, run in found.items()}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}
    patterns = {name: re.compile(text.encode("utf-8")) for name, text in marks.items()}
    seen: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    output = bytearray()
    try:
        while len(seen) < len(patterns) and time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.perf_counter()
            output += chunk
            text = _ESCAPES.sub(b"", bytes(output))
            for name, pattern in patterns.items():
                if name not in seen and pattern.search(text):
                    seen[name] = now - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        code, rss, cpu = _wait(proc)
        os.close(master)
    tail = _ESCAPES.sub(b"", bytes(output[-4000:])).decode("utf-8", "replace")
    return {name: Run(seen.get(name, float("nan")), rss, 0 if name in seen else (code or 1),
                      "" if name in seen else f"not seen on the terminal: {marks[name]!r}; it showed: {tail[-500:]}",
                      cpu)
            for name in marks}


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
