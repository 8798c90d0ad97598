"""Merge of copies audit-tui did not leave as it writes them: an older copy, one another program changed,
a damaged database here, and an audit changed here while the merge ran (README, "Several auditors")."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from audit_tui.domain.templates import parse_template
from audit_tui.features import merge as merging
from audit_tui.features.merge import merge
from audit_tui.storage.store import Store
from audit_tui.summary.facts import prepare_copy

from .conftest import copy_database
from .factories import TEMPLATE_YAML, base, make_audit
from .helpers.cli import invoke
from .helpers.database import dump


def cli(*args):
    return invoke(*args, env={"LOGNAME": "ann", "USER": "ann"})


def changed_by_another_program(path, *statements: str, params=()) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for sql in statements:
            conn.execute(sql, params)
    conn.close()


@pytest.fixture
def copies(empty_built, tmp_path):
    """`here` with one audit, and `there`: a copy of it with one more audit (each file closed)."""
    here, there = copy_database(empty_built, tmp_path / "here.db"), tmp_path / "there.db"
    store = Store(here, actor="Ann Auditor")
    make_audit(store, "CL-HERE", base())
    store.close()
    shutil.copyfile(here, there)
    store = Store(there, actor="Bob Auditor")
    make_audit(store, "CL-THERE", base(), auditor="Bob Auditor")
    store.close()
    return here, there


def test_a_copy_whose_table_another_program_made_a_view_of_a_dropped_table_is_refused_in_one_line(copies):
    """It opens (its check reads tables, not views), and reading its columns fails: refused as `--db` words an
    SQLite error met while opening, naming that file; nothing is written here."""
    here, there = copies
    changed_by_another_program(there, "ALTER TABLE templates RENAME TO old_templates",
                               "CREATE VIEW templates AS SELECT * FROM old_templates", "DROP TABLE old_templates")
    before = dump(here)
    result = cli("--db", here, "merge", there)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"audit-tui: error: {there} could not be read: another program may have "
                                          "changed it, or it is damaged (SQLite said: no such table: "
                                          "main.old_templates); it was left untouched"]
    assert dump(here) == before


def test_a_template_the_other_copy_holds_that_does_not_validate_stays_there_with_its_audits(copies):
    """A template another program spoilt in the other copy (one this copy lacks) is not brought in, and its
    audit is a CONFLICT; the templates after it, and their audits, still come across."""
    here, there = copies
    store = Store(there, actor="Bob Auditor")
    spoilt = make_audit(store, "CL-SPOILT", base(), auditor="Bob Auditor",
                        tmpl=parse_template(TEMPLATE_YAML.replace("id: test-audit", "id: other-audit"), "o.yaml"))
    make_audit(store, "CL-V2", base(), auditor="Bob Auditor",
               tmpl=parse_template(TEMPLATE_YAML.replace("version: 1", "version: 2"), "v2.yaml"))
    store.close()
    conn = sqlite3.connect(there)
    with conn:  # other-audit (stored before test-audit v2) loses its sections
        body = json.loads(conn.execute("SELECT body FROM templates WHERE id = 'other-audit'").fetchone()[0])
        conn.execute("UPDATE templates SET body = ? WHERE id = 'other-audit'", [json.dumps({**body, "sections": []})])
        rows = conn.execute("SELECT count(*) FROM history h JOIN audits a ON a.id = h.audit_id "
                            "WHERE a.case_ref IN ('CL-THERE', 'CL-V2')").fetchone()[0]  # the two added audits'
    conn.close()
    result = cli("--db", here, "merge", there)
    assert result.stdout.splitlines() == [
        "Added 2 audit(s), updated 0; 1 the same on both sides; 0 newer here (kept); 1 conflict(s)",
        f"History rows added: {rows}; templates: 1; rounds: 0; allocated cases: 0",
        f"CONFLICT CL-SPOILT (id {spoilt}): its template other-audit v1 cannot be read from the other database — template"], result.stderr
    assert result.returncode == 2
    conn = sqlite3.connect(here)
    assert conn.execute("SELECT id, version FROM templates ORDER BY id, version").fetchall() == [
        ("test-audit", 1), ("test-audit", 2)]
    conn.close()


def test_a_copy_made_before_rounds_merges_its_audits(copies):
    """A copy made by a version before rounds (no rounds or allocations tables) merges as any other: its audits
    come across, no rounds nor allocated cases (and the file is only read)."""
    here, there = copies
    changed_by_another_program(there, "DROP TABLE allocations", "DROP TABLE rounds",
                               "DELETE FROM _sqlite_migrations WHERE name = '0003_rounds'")
    untouched = there.read_bytes()
    result = cli("--db", here, "merge", there)
    assert result.stdout.splitlines()[0] == (
        "Added 1 audit(s), updated 0; 1 the same on both sides; 0 newer here (kept); 0 conflict(s)")
    assert result.stdout.splitlines()[1].endswith("; templates: 0; rounds: 0; allocated cases: 0")
    assert result.returncode == 0 and there.read_bytes() == untouched


def test_an_audit_of_the_other_copy_with_no_case_ref_is_named_by_a_question_mark(copies):
    """An audit another program left without a case ref cannot be read: its CONFLICT line shows "?" for it."""
    here, there = copies
    conn = sqlite3.connect(there)
    with conn:
        audit_id = conn.execute("SELECT id FROM audits WHERE case_ref = 'CL-THERE'").fetchone()[0]
        conn.execute("UPDATE audits SET case_ref = '' WHERE id = ?", [audit_id])
    conn.close()
    result = cli("--db", here, "merge", there)
    assert result.stdout.splitlines()[2:] == [
        f"CONFLICT ? (id {audit_id}): cannot be read from the other database: its case ref is not valid there — content"]
    assert result.returncode == 2


def test_a_merge_into_a_database_another_program_damaged_is_refused_naming_the_damage(copies):
    """PRAGMA integrity_check (with foreign keys) runs before a merge is committed: a database here that fails
    it (damage its opening check does not look for) is not merged into, and the refusal names the first
    problem. Here another program left an answer of an audit it deleted, then declared an index unique over
    rows that are not (by editing SQLite's schema table)."""
    here, there = copies
    conn = sqlite3.connect(here)
    with conn:  # (this connection does not enforce foreign keys)
        orphan = conn.execute("INSERT INTO answers (audit_id, question, grade) VALUES ('gone', 'practice.quality', "
                              "'good')").lastrowid
    conn.close()
    before = dump(here)
    result = cli("--db", here, "merge", there)
    assert result.stderr.splitlines() == [f"audit-tui: error: nothing was merged: with the other copy in, the database "
                                          f"failed SQLite's integrity check (answers row {orphan} refers to a missing "
                                          f"audits row), and the damage may be in this database already; keep a copy of "
                                          f"its file and ask your IT support"]
    assert result.returncode == 1 and dump(here) == before
    store = Store(here, actor="Ann Auditor")  # two audits of one team, and the other copy the same
    make_audit(store, "CL-HERE-TOO", base())
    store.close()
    changed_by_another_program(here, "DELETE FROM answers WHERE audit_id = 'gone'")
    shutil.copyfile(here, there)
    conn = sqlite3.connect(here)
    with conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'CREATE INDEX', 'CREATE UNIQUE INDEX') "
                     "WHERE name = 'idx_audits_team'")
    conn.close()
    before = dump(here)
    result = cli("--db", here, "merge", there)
    assert result.stderr.splitlines() == ["audit-tui: error: nothing was merged: with the other copy in, the database "
                                          "failed SQLite's integrity check (non-unique entry in index idx_audits_team), "
                                          "and the damage may be in this database already; keep a copy of its file "
                                          "and ask your IT support"]
    assert result.returncode == 1 and dump(here) == before


@pytest.mark.parametrize("suffix", [".db", ".json"])
def test_a_merge_that_a_colleague_made_meanwhile_overtakes_writes_nothing(copies, monkeypatch, suffix):
    """README: if someone changes one of the audits being merged while the merge runs, nothing is merged and
    you are asked to run it again. A colleague merges the same copy (or file) into this database while ours
    runs: their merge, done first, adds CL-THERE; ours then publishes nothing. (Their merge runs as ours builds
    the summary's facts, its last step before publishing.)"""
    here, there = copies
    other = there.with_suffix(suffix)
    if suffix == ".json":
        assert cli("--db", there, "export", other).returncode == 0
    after_theirs = []

    def colleague_merges_then_build_facts(conn):
        if not after_theirs:
            after_theirs.append(None)
            colleague = Store(here, actor="Cat Auditor")
            assert merge(colleague, other).added == ["CL-THERE"]
            colleague.close()
            after_theirs[0] = dump(here)
        prepare_copy(conn)

    monkeypatch.setattr(merging, "prepare_copy", colleague_merges_then_build_facts)
    result = cli("--db", here, "merge", other)
    assert result.stderr.splitlines() == ["audit-tui: error: the audit of CL-THERE was changed here by someone else "
                                          "while this ran; nothing was merged — run it again"]
    assert result.returncode == 1 and dump(here) == after_theirs[0]
