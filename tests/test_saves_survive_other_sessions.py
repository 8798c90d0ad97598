"""A save stays saved after the app builds documents and other sessions run commands on the file.

Closing any file handle on a database drops every POSIX lock the process holds on it; another
session may then think the app's connection gone, checkpoint and delete its WAL, and the app's
later saves would go to an unlinked file. This drives the real app (tests/helpers/app_session.py)
and the real CLI in other processes, then kills the app with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .factories import known_dataset

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "audit_tui"]


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True, timeout=120,
                          cwd=db.parent)


def deleted_files(pid: int) -> list[str]:
    """The files the process holds open that have been unlinked under it."""
    fds = Path(f"/proc/{pid}/fd")
    targets = []
    for fd in fds.iterdir():
        try:
            targets.append(os.readlink(fd))
        except OSError:
            continue
    return [t for t in targets if t.endswith("(deleted)")]


def read_lived_experience(db: Path, audit_id: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT lived_experience FROM audits WHERE id = ?", [audit_id]).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the app's open files")
def test_saves_after_documents_and_other_sessions_survive_sigkill(tmp_path):
    """A report and a feedback document (of a small data set: what matters is that the app wrote them
    while the database was open, not their length), then another session's commands, then SIGKILL."""
    db = tmp_path / "audits.db"
    known_dataset(db).close()
    conn = sqlite3.connect(db)
    audit_id = conn.execute("SELECT id FROM audits WHERE status = 'draft' ORDER BY case_ref LIMIT 1").fetchone()[0]
    conn.close()

    app = subprocess.Popen([sys.executable, "-m", "tests.helpers.app_session", str(db), str(tmp_path / "r.docx"),
                            str(tmp_path / "f.docx"), audit_id],
                           cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = app.stdout.readline()
        assert line.startswith("built"), line + app.stderr.read()
        saved = []
        # another session's commands, each after a save of the app
        for n, command in enumerate([("backup", str(tmp_path / "b1.db")), ("summary", "--json"),
                                     ("merge", str(tmp_path / "b1.db")), ("backup", str(tmp_path / "b2.db"))]):
            text = f"Saved by the app, number {n}, in her own words"
            app.stdin.write(f"save {text}\n")
            app.stdin.flush()
            assert app.stdout.readline().strip() == f"saved {text}"
            saved.append(text)
            result = cli(*command, db=db)
            assert result.returncode == 0, (command, result.stderr)
            assert deleted_files(app.pid) == [], f"after {command[0]} the app writes to unlinked files"
        last = "The last save before the terminal closed"
        app.stdin.write(f"save {last}\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == f"saved {last}"
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert read_lived_experience(db, audit_id) == last
    assert Path(f"{db}-wal").exists() or read_lived_experience(db, audit_id) == last
