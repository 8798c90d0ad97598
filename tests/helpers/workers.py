"""Driving tests/helpers/store_worker.py (a fork server of Store-writing processes) from a test."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

SCRIPT = Path(__file__).with_name("store_worker.py")


class WorkerServer:
    """One store_worker.py process; `start` forks a job, `lines` reads what the children print."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next_line(timeout=30) == "ready"

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def next_line(self, timeout: float = 20) -> str:
        line = self.queue.get(timeout=timeout)
        if line is None:
            raise RuntimeError("the worker server exited")
        return line

    def send(self, job: dict) -> None:
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    def start(self, job: dict) -> tuple[int, list[str]]:
        """Fork a child for `job`; returns its pid and any lines it printed before 'started'."""
        self.send(job)
        before = []
        while True:
            line = self.next_line()
            if line.startswith("started "):
                return int(line.split()[1]), before
            before.append(line)

    def wait(self, pid: int, timeout: float = 30) -> tuple[int, list[str]]:
        """Reap a child; returns its exit status (negative: killed by that signal) and the lines before."""
        self.send({"job": "wait", "pid": pid})
        lines = []
        while True:
            line = self.next_line(timeout)
            if line.startswith(f"dead {pid} "):
                return int(line.split()[2]), lines
            lines.append(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
