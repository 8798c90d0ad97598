"""Merge refuses what `--db` refuses (issue 17, item 6): a damaged file, a newer schema, another
program's SQLite file with look-alike tables. One line naming the other file; nothing written here."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audit_tui.storage.db import schema_version
from audit_tui.storage.store import Store

from .factories import base, make_audit
from .helpers.database import dump

ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ENTRY, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          stdin=subprocess.DEVNULL, env={**os.environ, "AUDIT_TUI_DEBUG": ""})


@pytest.fixture
def here_and_other(tmp_path):
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    make_audit(here, "CL-HERE", base())
    here.close()
    other = Store(tmp_path / "other.db", actor="Bob Auditor")
    for n in range(30):
        make_audit(other, f"CL-{n}", base())
    other.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()
    return tmp_path / "here.db", tmp_path / "other.db"


def refused(here: Path, other: Path, *words: str) -> str:
    before = dump(here)
    result = cli("merge", str(other), "--db", str(here), cwd=here.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: "), result.stderr
    assert "Traceback" not in result.stderr and str(other) in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert dump(here) == before  # nothing written here: no history rows, no audits, no commit
    return lines[0]


def test_a_damaged_database_is_refused_as_opening_it_would_be(here_and_other):
    here, other = here_and_other
    conn = sqlite3.connect(other)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answers'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(other.read_bytes())
    start = (root - 1) * page
    data[start + 8: start + page - 8] = b"\xff" * (page - 16)  # the answers table's page scribbled over
    other.write_bytes(bytes(data))
    opened = cli("--db", str(other), "summary", "--json", cwd=here.parent)
    assert opened.returncode == 1 and "damaged" in opened.stderr  # what `--db` says
    refused(here, other, "damaged", "restore a backup")


def test_a_newer_database_is_refused(here_and_other):
    here, other = here_and_other
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA user_version = {schema_version() + 3}")
    conn.commit()
    conn.close()
    refused(here, other, "newer version of audit-tui")


def test_another_programs_file_with_look_alike_tables_is_refused(here_and_other, tmp_path):
    here, _ = here_and_other
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE audits (id TEXT PRIMARY KEY, case_ref TEXT, template_id TEXT)")
    conn.execute("CREATE TABLE history (id INTEGER PRIMARY KEY, audit_id TEXT)")
    conn.execute("CREATE TABLE templates (id TEXT, version INTEGER, body TEXT)")
    conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
    conn.execute("INSERT INTO audits VALUES ('a1', 'CL-X', 'care-leavers')")
    conn.commit()
    conn.close()
    line = refused(here, foreign, "another program")
    assert str(here) not in line  # the error names the other file, never this database


def test_an_audit_tui_file_without_the_columns_merge_reads_is_refused(here_and_other):
    """Module rule: a file that opens as audit-tui's but lacks what a merge reads is refused, naming the first
    column missing (tables, then columns, in order), in one line; nothing is written here."""
    here, other = here_and_other
    conn = sqlite3.connect(other)
    with conn:  # another program took columns out of the history table
        for column in ("new", "at"):
            conn.execute(f"ALTER TABLE history DROP COLUMN {column}")
    conn.close()
    line = refused(here, other)
    assert line == f"audit-tui: error: {other} is not an audit-tui database (it has no history.at); it was left untouched"
