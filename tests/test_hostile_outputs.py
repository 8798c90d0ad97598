"""Hostile surroundings for what audit-tui writes (issue 18, items 4, 5 and 8): team names that
matplotlib would read as maths, characters XML forbids, and a disk that is full, too small, locked
or out of memory. Through the installed `audit-tui`, in child processes (see test_hostile_files); the
commands that only carry text to a file are run in the test's process (`tests/helpers/cli.py`). A
database of a few audits stands in for the demo: what is proved does not depend on its size.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from audit_tui.storage.store import Store

from .conftest import copy_database
from .factories import base, make_audit, template
from .helpers.cli import invoke
from .test_hostile_files import cli, one_line

MATHS_TEAMS = ["Team $\\frac{$ end", "cost $5 and $6", "_Underscore team"]
# U+FFFE and U+FFFF (XML forbids them), the line and paragraph separators (kept as line breaks), and
# the invisible direction marks (dropped); U+202E and a C1 control were already dropped.
HOSTILE = "\ufffe\uffff\u2028\u2029\u200e\u200f\u061c\u202e\x85"
DROPPED = "\ufffe\uffff\u2028\u2029\u200e\u200f\u061c\u202e\x85"
SAFE = "Your database is safe: every change saved before this is kept."


def saved(path: Path) -> str:
    """A digest of everything saved in the database (not the summary's cache, which a report may fill)."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                         "'%_facts' ORDER BY name")]
    rows = [(t, sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"')))) for t in tables]
    conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def audits_db(path: Path, count: int) -> Path:
    """A database of `count` completed audits in two teams, each with evidence, narratives and an action."""
    store = Store(path, actor="Ann Auditor")
    tmpl = template()
    for n in range(count):
        make_audit(store, f"CL-{n:04d}", base(**{"practice.voice": "requires_improvement"}),
                   team=f"Team {'AB'[n % 2]}", tmpl=tmpl)
    store.close()
    return path


@pytest.fixture(scope="module")
def three_audits(tmp_path_factory) -> Path:
    """Three audits, built once for the module; never written to (tests take a copy: `small_db`)."""
    return audits_db(tmp_path_factory.mktemp("three-audits") / "audits.db", 3)


@pytest.fixture
def small_db(three_audits, tmp_path) -> Path:
    """A copy of `three_audits` for this test alone."""
    return copy_database(three_audits, tmp_path / "audits.db")


@pytest.fixture
def maths_db(tmp_path) -> Path:
    path = tmp_path / "maths.db"
    store = Store(path, actor="Ann Auditor")
    for n, team in enumerate(MATHS_TEAMS):
        make_audit(store, f"CL-{n}", base(**{"practice.voice": "requires_improvement"}), team=team)
    store.close()
    return path


def test_team_names_with_dollars_and_backslashes_are_drawn_as_typed(tmp_path, maths_db):
    """In this process; the next test runs the real script, with a matplotlibrc of its own."""
    result = invoke("--db", str(maths_db), "report", "-o", "r.docx", "--as-of", "2026-03-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cells = {cell.text for table in Document(str(tmp_path / "r.docx")).tables for row in table.rows
             for cell in row.cells}
    assert set(MATHS_TEAMS) <= cells


def test_chart_labels_are_plain_text_even_when_a_matplotlibrc_asks_for_latex(tmp_path, maths_db):
    (tmp_path / "mpl").mkdir()
    (tmp_path / "mpl" / "matplotlibrc").write_text("text.usetex: True\n")
    env_prefix = ["env", f"MPLCONFIGDIR={tmp_path / 'mpl'}"]
    result = cli(["--db", str(maths_db), "report", "-o", "r.docx"], tmp_path, prefix=env_prefix)
    assert result.returncode == 0, result.stderr


# -- characters XML forbids, separators and direction marks ------------------------------------


def hostile_interchange(tmp_path: Path, db: str) -> Path:
    """The database's interchange file with HOSTILE characters in teams, evidence and action descriptions."""
    assert invoke("--db", db, "export", "plain.json", cwd=tmp_path).returncode == 0
    out = []
    for line in (tmp_path / "plain.json").read_text(encoding="utf-8").splitlines():
        stripped = line.strip().rstrip(",")
        if stripped.startswith('{"id"'):
            audit = json.loads(stripped)
            audit["team"] = f"Leaving\u2028Care{HOSTILE} B"
            for answer in audit["answers"]:
                if answer.get("evidence"):
                    answer["evidence"] = f"{HOSTILE}{answer['evidence']}"
            for action in audit.get("actions", []):
                action["description"] += HOSTILE
            line = line.replace(stripped, json.dumps(audit))
        out.append(line)
    path = tmp_path / "hostile.json"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def xlsx_text(path: Path) -> str:
    workbook = load_workbook(path, read_only=True)
    return "\n".join(str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)


def test_imported_text_keeps_no_xml_forbidden_character_or_direction_mark(tmp_path, small_db):
    """Imported by the real script; what it saved is then read back and written out in this process."""
    source = hostile_interchange(tmp_path, str(small_db))
    db = str(tmp_path / "clean.db")
    result = cli(["--db", db, "import", str(source)], tmp_path)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)  # cleaned as it was saved, not only as it is read
    saved_text = conn.execute("SELECT group_concat(team) || group_concat(evidence) FROM audits JOIN answers "
                              "ON answers.audit_id = audits.id").fetchone()[0]
    conn.close()
    assert saved_text and not set(DROPPED) & set(saved_text)
    summary = invoke("--db", db, "summary", "--json", "--rows", cwd=tmp_path)
    assert summary.returncode == 0, summary.stderr
    figures = json.loads(summary.stdout)
    assert not set(DROPPED) & set(json.dumps(figures, ensure_ascii=False))
    # Each separator became an ordinary line break; the other characters were dropped.
    assert {row["team"] for row in figures["appendix"]} == {"Leaving\nCare\n\n B"}
    for args in (["export", "all.xlsx"], ["actions", "--xlsx", "actions.xlsx"]):
        result = invoke("--db", db, *args, cwd=tmp_path)
        assert result.returncode == 0 and not result.stderr, result.stderr
        assert not set(DROPPED) & set(xlsx_text(tmp_path / args[-1]))


def test_text_another_program_wrote_into_the_file_is_cleaned_on_the_way_out(tmp_path, small_db):
    """Rows written straight into the database (another tool, an older version) never reach a file. The
    spreadsheets are written by the real script (nothing on its stderr either); the rest in this process."""
    db = small_db
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audits SET team = team || ?, lived_experience = ? || lived_experience", [HOSTILE, HOSTILE])
    conn.execute("UPDATE answers SET evidence = ? || evidence WHERE evidence != ''", [HOSTILE])
    conn.execute("UPDATE actions SET description = description || ?, owner = ? || owner", [HOSTILE, HOSTILE])
    conn.commit()
    conn.close()
    for args in (["export", "all.xlsx"], ["actions", "--xlsx", "actions.xlsx"]):
        result = cli(["--db", str(db), *args], tmp_path)
        assert result.returncode == 0 and not result.stderr, result.stderr
        assert not set(DROPPED) & set(xlsx_text(tmp_path / args[-1]))
    assert invoke("--db", str(db), "export", "all.csv", cwd=tmp_path).returncode == 0
    assert not set(DROPPED) & set((tmp_path / "all.csv").read_text(encoding="utf-8-sig"))
    summary = invoke("--db", str(db), "summary", "--json", "--rows", cwd=tmp_path)
    figures = json.loads(summary.stdout)
    assert not set(DROPPED) & set(json.dumps(figures, ensure_ascii=False))
    assert all(row["team"].endswith("\n\n") for row in figures["appendix"]), figures["appendix"][0]
    result = invoke("--db", str(db), "report", "-o", "r.docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# -- raw Python messages ------------------------------------------------------------------------


def assert_plain(line: str, *phrases: str) -> None:
    assert line.startswith("audit-tui: error: ") and line.endswith(SAFE), line
    for raw in ("Errno", "MemoryError", "set_int_max_str_digits", "Exceeds the limit", "Operation not permitted"):
        assert raw not in line, line
    for phrase in phrases:
        assert phrase in line, line


def _tmpfs_prefix(folder: Path) -> list[str]:
    """Run a command in its own mount namespace, with a 4 kB disk at `folder` (skip where not allowed): each
    file the tests write there is larger (the smallest, three audits' actions as XLSX, is over 5 kB)."""
    prefix = ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=4k tmpfs "$0" && exec "$@"', str(folder)]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("no unshare here")
    if probe.returncode:
        pytest.skip("cannot mount a small disk here (needs user namespaces)")
    return prefix


def test_a_full_disk_is_a_sentence(tmp_path, small_db):
    full = tmp_path / "full"
    full.mkdir()
    prefix = _tmpfs_prefix(full)
    before = saved(small_db)
    cases = [(["export", str(full / "all.xlsx")], "so the export was not written"),
             (["export", str(full / "all.csv")], "so the export was not written"),
             (["report", "-o", str(full / "r.docx")], "so the document was not written"),
             (["actions", "--xlsx", str(full / "a.xlsx")], "so the actions were not changed or written")]
    for args, phrase in cases:
        line = one_line(cli(["--db", str(small_db), *args], tmp_path, prefix=prefix))
        assert_plain(line, "The disk is full", phrase)
    assert saved(small_db) == before


def test_a_file_size_limit_is_a_sentence(tmp_path):
    """RLIMIT_FSIZE: first the report's cache, in the database file, cannot grow; then its document. 48 kB
    lets SQLite make its 32 kB shared-memory file; thirty audits' CSV export (80 kB) and report are larger."""
    db = audits_db(tmp_path / "audits.db", 30)
    limit = 48 * 1024
    line = one_line(cli(["--db", str(db), "report", "-o", "r.docx"], tmp_path, file_size=limit))
    assert_plain(line, "The disk reported an error while reading or writing the database file, so the document "
                       "was not written")
    assert invoke("--db", str(db), "summary", "--json", cwd=tmp_path).returncode == 0  # fills the cache
    for args, phrase in ((["export", "all.csv"], "the export was not written"),
                         (["report", "-o", "r.docx"], "the document was not written")):
        line = one_line(cli(["--db", str(db), *args], tmp_path, file_size=limit))
        assert_plain(line, "The file would be larger than this computer allows", phrase)
        assert not (tmp_path / args[-1]).exists()


def test_a_locked_file_is_a_sentence(tmp_path, small_db):
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"keep")
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    try:
        line = one_line(cli(["--db", str(small_db), "report", "-o", str(locked), "--force"], tmp_path))
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert_plain(line, "That file or folder is locked, or belongs to someone else", str(locked),
                 "so the document was not written")
    assert locked.read_bytes() == b"keep"


def test_a_name_too_long_is_a_sentence(tmp_path, small_db):
    name = "x" * 300 + ".json"
    line = one_line(cli(["--db", str(small_db), "import", name], tmp_path))
    assert_plain(line, "The file name is too long", "so nothing was imported")


def test_a_number_of_thousands_of_digits_is_a_sentence(tmp_path, small_db):
    digits = "9" * 5000
    big = tmp_path / "big.json"
    big.write_text('{"format": "audit-tui/1", "templates": [], "audits": [{"template_version": %s}]}' % digits)
    for command in ("import", "merge"):
        line = one_line(cli(["--db", str(small_db), command, str(big)], tmp_path))
        assert line.endswith("not valid JSON (a number has more than 4,300 digits)"), line
    template = tmp_path / "t.yaml"
    template.write_text(f"id: t\nversion: {digits}\ntitle: T\nsections: []\n")
    result = cli(["templates", "validate", str(template)], tmp_path)
    assert result.returncode == 1 and result.stderr.strip() == f"{template}:2: a number longer than 100 digits"


def test_running_out_of_memory_is_a_sentence(tmp_path, small_db):
    """A 190 MB file with 350 MB of address space: refused in one plain line, memory or not."""
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text('{"format": "audit-tui/1", "templates": [], "audits": []}')
    with big.open("wb") as handle:
        handle.truncate(190 * 1024 * 1024)  # sparse: no disk used
    limit = 350 * 1024 * 1024
    if cli(["--db", str(small_db), "merge", str(small), "--dry-run"], tmp_path, memory=limit).returncode:
        pytest.skip("audit-tui needs more than 350 MB of address space to start here")
    # merge now reads the file as a stream, so it no longer runs out of memory: it refuses the file in one
    # plain line naming it (were it to run out, the line would be the memory sentence, never MemoryError)
    line = one_line(cli(["--db", str(small_db), "merge", str(big), "--dry-run"], tmp_path, memory=limit))
    assert line.startswith("audit-tui: error: ") and "big.json" in line, line
    assert not any(raw in line for raw in ("MemoryError", "Errno", "Traceback")), line
    assert "There was not enough memory" in line or "not valid JSON (a value larger than 64 MB)" in line, line
