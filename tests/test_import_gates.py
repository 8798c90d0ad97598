"""Import and merge of an interchange file (issue 17, items 8 and 9), through the CLI:

- an audit counts as completed or moderated only if it meets what the app requires of it; else the
  import is refused naming the audit and the gate, or with `--as-draft` it comes in as a draft;
- import and merge read the file with one parser (byte-order mark, "format" anywhere, a key given
  twice refused);
- the built-in templates are always known: the sample cases' reference audits import into a new
  database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audit_tui.domain import gates
from audit_tui.features.samples import list_sample_cases, load_reference
from audit_tui.storage.store import Store

from .helpers.cli import invoke

ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_cases"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ENTRY, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          stdin=subprocess.DEVNULL, env={**os.environ, "AUDIT_TUI_DEBUG": ""})


def reference(ref: str = "CL-0101") -> dict:
    return json.loads((SAMPLES / ref / "reference.json").read_text(encoding="utf-8"))


def write(path: Path, data: dict | str, prefix: bytes = b"") -> Path:
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_bytes(prefix + text.encode("utf-8"))
    return path


def audits(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT case_ref, status FROM audits ORDER BY case_ref").fetchall()
    finally:
        conn.close()


def figures(db: Path, cwd: Path) -> dict:
    result = invoke("summary", "--json", "--db", str(db), cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["audits"]


def test_every_reference_audit_imports_into_a_new_database(tmp_path):
    """`audit-tui import` of each case's reference.json (which carries no templates) into a database that
    has never been opened: the audit comes back whole, with the built-in template version it names. The
    first case is imported (and merged) by the real script in a fresh process; the others in this process,
    each into its own new database (a second Python start-up for each proved nothing more)."""
    folders = sorted(p for p in SAMPLES.iterdir() if (p / "reference.json").exists())
    assert {folder.name for folder in folders} == {case.case_ref for case in list_sample_cases()}
    for n, folder in enumerate(folders):
        db = tmp_path / f"new-{n}.db"
        run = cli if n == 0 else invoke
        result = run("import", str(folder / "reference.json"), "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, f"{folder.name}: {result.stderr}"
        assert audits(db) == [(folder.name, "completed")]
        reference = load_reference(folder.name)
        store = Store(db)
        try:
            back = store.get_audit(reference.id)
            template = store.template(reference.template_id, reference.template_version)
        finally:
            store.close()
        assert back.overall_grade == reference.overall_grade, folder.name
        assert [(a.question, a.grade) for a in back.answers] == [(a.question, a.grade) for a in reference.answers]
        assert gates.gate_failures(template, back) == [], folder.name
    assert figures(tmp_path / "new-0.db", tmp_path)["completed"] == 1
    merged = cli("merge", str(folders[0] / "reference.json"), "--db", str(tmp_path / "merged.db"), cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert audits(tmp_path / "merged.db") == [(folders[0].name, "completed")]


def hollow(tmp_path: Path) -> Path:
    """A completed audit with empty narratives and no actions, and a moderated one with no moderation."""
    data = reference()
    empty = data["audits"][0] | {"id": "hollow-1", "case_ref": "CL-9001", "lived_experience": "", "impact": "",
                                 "actions": []}
    unmoderated = data["audits"][0] | {"id": "hollow-2", "case_ref": "CL-9002", "status": "moderated",
                                       "moderation": None}
    return write(tmp_path / "hollow.json", {**data, "audits": [empty, unmoderated]})


def test_an_audit_that_fails_its_gates_is_refused_naming_it_and_the_gate(tmp_path):
    db = tmp_path / "audits.db"
    path = hollow(tmp_path)
    result = cli("import", str(path), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1
    assert "audit 0 (CL-9001), field status: completed, but Lived experience:" in result.stderr
    assert "audit 0 (CL-9001), field status: completed, but Impact:" in result.stderr
    assert "Q1: graded below good, so it needs at least one action" in result.stderr
    assert "audit 1 (CL-9002), field status: moderated, but a moderated audit needs its moderation" in result.stderr
    assert "--as-draft" in result.stderr and "Traceback" not in result.stderr
    assert audits(db) == []
    merged = cli("merge", str(path), "--db", str(db), cwd=tmp_path)  # merge reads it the same way
    assert merged.returncode == 1 and "CL-9001), field status: completed, but Impact:" in merged.stderr
    assert audits(db) == []


def test_as_draft_keeps_them_as_drafts_that_do_not_count(tmp_path):
    db = tmp_path / "audits.db"
    result = cli("import", str(hollow(tmp_path)), "--as-draft", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 audit(s) imported as drafts, as they do not meet the completion gates: CL-9001, CL-9002" in result.stdout
    assert audits(db) == [("CL-9001", "draft"), ("CL-9002", "draft")]
    assert figures(db, tmp_path) == {"total": 2, "completed": 0, "draft": 2, "moderated": 0}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM moderations").fetchone()[0] == 0
    conn.close()


def test_a_moderation_must_be_complete(tmp_path):
    data = reference()
    audit = data["audits"][0]
    question = audit["answers"][0]["question"]
    moderated = audit | {"status": "moderated", "moderation": {
        "moderator": "", "moderated_on": "2026-02-20", "overall_grade": "outstanding", "comment": "",
        "answers": [{"question": question, "grade": "outstanding", "comment": ""}]}}
    path = write(tmp_path / "mod.json", {**data, "audits": [moderated]})
    result = cli("import", str(path), "--db", str(tmp_path / "a.db"), cwd=tmp_path)
    assert result.returncode == 1
    for gate in ("the moderator's name is needed",
                 "the moderated overall grade differs from the auditor's: give a comment",
                 f"{question}: say why the grade differs"):
        assert f"audit 0 (CL-0101), field status: moderated, but {gate}" in result.stderr


@pytest.mark.parametrize("command", ["import", "merge"])
def test_one_reading_of_the_file_for_import_and_merge(tmp_path, command):
    data = reference()
    db = tmp_path / f"{command}.db"
    # the files it accepts are read in this process; the one it refuses, by the real script
    with_bom = write(tmp_path / "bom.json", data, prefix=b"\xef\xbb\xbf")
    result = invoke(command, str(with_bom), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    format_last = write(tmp_path / "last.json", '{"templates": [], "audits": %s, "format": "audit-tui/1"}'
                        % json.dumps(reference("CL-0102")["audits"]))
    result = invoke(command, str(format_last), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert audits(db) == [("CL-0101", "completed"), ("CL-0102", "completed")]
    twice = write(tmp_path / "twice.json", '{"format": "audit-tui/1", "templates": [], "audits": %s, "audits": []}'
                  % json.dumps(reference("CL-0103")["audits"]))
    result = cli(command, str(twice), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1 and 'the key "audits" appears twice' in result.stderr
    assert len(audits(db)) == 2
