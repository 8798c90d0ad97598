"""Promise 6: no tracebacks. Every command, given bad arguments, a missing file or a bad
database, prints one clear line and exits non-zero — through the real `audit-tui` entry point.

The cases run in parallel (each is a fresh process) to keep the test quick.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from audit_tui.storage.db import schema_version
from audit_tui.storage.store import Store

from .conftest import DATA

ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ENTRY, *args], capture_output=True, text=True, timeout=60, cwd=cwd,
                          stdin=subprocess.DEVNULL, env={**os.environ, "AUDIT_TUI_DEBUG": ""})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"


@pytest.fixture
def bad_dbs(tmp_path, mini_template) -> dict[str, Path]:
    good = tmp_path / "good.db"
    store = Store(good, actor="t")
    for n in range(20):
        audit_id = store.create_audit(mini_template, case_ref=f"CL-{n}")
        store.set_answer(audit_id, "plan.quality", grade="good", evidence="Evidence text. " * 30)
    store.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {schema_version() + 5}")
    conn.commit()
    conn.close()
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (n INTEGER)")
    conn.commit()
    conn.close()
    return {"good": good, "text": text, "folder": folder, "truncated": truncated, "newer": newer,
            "foreign": foreign, "missing": tmp_path / "missing.db"}


def check(cases, results) -> list[str]:
    failures = []
    for (what, _args, phrase), (code, stdout, stderr) in zip(cases, results):
        lines = stderr.strip().splitlines()
        problems = []
        if code == 0:
            problems.append("exit status 0")
        if "Traceback" in stderr + stdout:
            problems.append("a traceback")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr")
        if phrase and phrase not in stderr:
            problems.append(f"no '{phrase}'")
        if problems:
            failures.append(f"{what}: {', '.join(problems)}\n    stderr: {stderr.strip()[:400]!r}")
    return failures


def test_entry_point_fails_in_one_line(tmp_path, bad_dbs):
    """Through the installed `audit-tui` script, as a user runs it."""
    db = {k: str(v) for k, v in bad_dbs.items()}
    bad_template = tmp_path / "bad.yaml"
    bad_template.write_text("id: x\nversion: one\ntitle: T\nsections:\n  - id: s\n    title: S\n"
                            "    questions: [{id: q, text: Q}]\n")
    cases = [
        ("text file as --db", ["--db", db["text"]], "not an audit-tui database"),
        ("folder as --db", ["--db", db["folder"]], "is a directory"),
        ("truncated --db", ["--db", db["truncated"]], "damaged"),
        ("newer --db", ["--db", db["newer"]], "newer version"),
        ("foreign --db", ["--db", db["foreign"]], "another program"),
        ("unknown command", ["frobnicate"], "No such command"),
        ("validate a missing template", ["templates", "validate", str(tmp_path / "absent.yaml")], "cannot read"),
        ("validate a bad template", ["templates", "validate", str(bad_template)], f"{bad_template}:2:"),
    ]
    before = {name: digest(path) for name, path in bad_dbs.items() if path.exists()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda case: run(case[1], tmp_path), cases))
    failures = check(cases, [(r.returncode, r.stdout, r.stderr) for r in done])
    assert not failures, "\n".join(failures)
    assert {name: digest(path) for name, path in bad_dbs.items() if path.exists()} == before


def test_every_command_fails_in_one_line(tmp_path, bad_dbs):
    """Each command with a bad database or bad arguments (in-process, through the same click group)."""
    from click.testing import CliRunner

    from audit_tui.cli.main import main

    db = {k: str(v) for k, v in bad_dbs.items()}
    existing = tmp_path / "existing.docx"
    existing.write_text("keep me")
    cases: list[tuple[str, list[str], str]] = [
        # (what is wrong, arguments, a phrase the one line must contain)
        ("text file, summary", ["summary", "--json", "--db", db["text"]], "not an audit-tui database"),
        ("truncated, report", ["report", "-o", str(tmp_path / "r.docx"), "--db", db["truncated"]], "damaged"),
        ("newer, export", ["export", str(tmp_path / "e.json"), "--db", db["newer"]], "newer version"),
        ("foreign, import", ["import", str(DATA / "mini.yaml"), "--db", db["foreign"]], ""),
        ("missing, summary", ["summary", "--db", db["missing"]], "no database"),
        ("truncated, actions", ["actions", "--db", db["truncated"]], "damaged"),
        ("newer, rounds list", ["rounds", "list", "--db", db["newer"]], "newer version"),
        ("text, backup", ["backup", str(tmp_path / "b.db"), "--db", db["text"]], "not an audit-tui database"),
        ("merge from a text file", ["merge", db["text"], "--db", db["good"]], ""),
        ("foreign, calibration", ["calibration", "--db", db["foreign"]], "another program"),
        ("unknown option", ["summary", "--colour"], "No such option"),
        ("bad date", ["summary", "--from", "yesterday", "--db", db["good"]], ""),
        ("report over an existing file", ["report", "-o", str(existing), "--db", db["good"]], "exists"),
        ("import a missing file", ["import", str(tmp_path / "nope.json"), "--db", db["good"]], ""),
        ("moderate an unknown audit", ["moderate", "no-such-id", "--db", db["good"]], ""),
        ("demo over an existing database", ["demo", "--no-open", "--db", db["good"]], "already exists"),
    ]
    before = {name: digest(path) for name, path in bad_dbs.items() if path.exists()}
    results = []
    for _, args, _ in cases:
        result = CliRunner().invoke(main, args, catch_exceptions=True)
        trace = "Traceback" if result.exception and not isinstance(result.exception, SystemExit) else ""
        results.append((result.exit_code, result.stdout, result.stderr + trace))
    failures = check(cases, results)
    assert not failures, "\n".join(failures)
    after = {name: digest(path) for name, path in bad_dbs.items() if path.exists()}
    assert after == before, "a database file was changed"
    assert not bad_dbs["missing"].exists()
    assert existing.read_text() == "keep me"


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path, bad_dbs):
    """`audit-tui summary --json | head`: no error line and no traceback when the pipe closes."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written
    try:
        result = subprocess.run([ENTRY, "summary", "--json", "--db", str(bad_dbs["good"])], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""
