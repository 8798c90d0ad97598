"""The summary's stored facts: built when missing, dropped on any change, the same figures either way."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from audit_tui.exchange.interchange import export_json
from audit_tui.storage.dbfile import DatabaseError
from audit_tui.storage.migrations import stale_facts_triggers
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, compute_summary, facts

from .factories import base, known_dataset, make_audit, moderate, template
from .helpers.cli import invoke

AS_OF = Filters(as_of=date(2026, 3, 20))


def fact_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in facts.FACT_TABLES}


def figures(store) -> dict:
    return compute_summary(store, AS_OF).model_dump(mode="json")


@pytest.fixture
def store(tmp_path):
    store = known_dataset(tmp_path / "audits.db")
    yield store
    store.close()


def test_built_for_counted_audits_only_when_a_summary_needs_them(store):
    assert fact_counts(store.path)["audit_facts"] == 0
    summary = compute_summary(store, AS_OF)
    counts = fact_counts(store.path)
    assert counts["audit_facts"] == summary.audits.completed  # drafts have none
    assert counts["answer_facts"] > 0 and counts["theme_facts"] > 0
    assert counts["action_facts"] == sum(1 for row in compute_summary(store, AS_OF).action_plan)


def test_any_change_drops_the_audits_facts_and_the_figures_follow(store):
    before = figures(store)
    audit_id = store.list_audits(search="CL-0001")[0]["id"]
    store.reopen(audit_id, "A grade was wrong")
    assert fact_counts(store.path)["audit_facts"] == before["audits"]["completed"] - 1
    store.set_answer(audit_id, "practice.quality", grade="inadequate", evidence="The plan is out of date.")
    store.add_action(audit_id, description="Rewrite the pathway plan with Sam by the next review",
                     owner="Team manager", due=date(2026, 4, 30), question="practice.quality")
    store.complete(audit_id, "requires_improvement", "Auditor's judgement of the whole file")
    after = figures(store)
    quality = next(q for q in after["questions"] if q["question"] == "practice.quality")
    old_quality = next(q for q in before["questions"] if q["question"] == "practice.quality")
    assert quality["grades"]["inadequate"] == old_quality["grades"]["inadequate"] + 1
    assert after["actions"]["total"] == before["actions"]["total"] + 1


def test_a_change_by_another_program_drops_the_facts(store):
    figures(store)
    with sqlite3.connect(store.path) as conn:  # a BI tool or the sqlite3 shell, knowing nothing of facts
        conn.execute("UPDATE answers SET grade = 'inadequate' WHERE question = 'oversight.supervision'")
    supervision = next(q for q in figures(store)["questions"] if q["question"] == "oversight.supervision")
    assert supervision["grades"]["inadequate"] == supervision["answered"]


def test_moderation_and_training_marks_drop_the_facts(store):
    figures(store)
    audit_id = make_audit(store, "CL-0100", base(), tmpl=template())
    assert figures(store)["audits"]["completed"] == fact_counts(store.path)["audit_facts"]
    moderate(store, audit_id, overall="requires_improvement", changes={"practice.quality": "requires_improvement"})
    assert figures(store)["moderation"]["moderated_audits"] == 2
    store.db.execute("INSERT INTO training_audits (audit_id, sample_case) VALUES (?, 'sample')", [audit_id])
    assert figures(store)["moderation"]["moderated_audits"] == 1


def test_bulk_build_gives_the_same_figures_and_keeps_the_indexes(store, tmp_path, monkeypatch):
    one_by_one = figures(store)
    with sqlite3.connect(store.path) as conn:
        indexes = sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                      "AND tbl_name LIKE '%facts'").fetchall())
        conn.execute("DELETE FROM audit_facts")
    monkeypatch.setattr(facts, "BULK_BUILD", 1)
    assert figures(store) == one_by_one
    with sqlite3.connect(store.path) as conn:
        assert sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name LIKE '%facts'").fetchall()) == indexes


def test_facts_dropped_while_summarising_are_built_again(store, monkeypatch):
    expected = figures(store)
    real_ensure = facts.ensure_facts
    calls = []

    def ensure_then_lose_one(conn, before_writing=None):  # another session changes an audit meanwhile
        built = real_ensure(conn, before_writing)
        if not calls:
            conn.execute("DELETE FROM audit_facts WHERE no = (SELECT min(no) FROM audit_facts)")
        calls.append(built)
        return built

    monkeypatch.setattr("audit_tui.summary.compute.ensure_facts", ensure_then_lose_one)
    assert figures(store) == expected
    assert calls == [0, 1]


def test_reopened_database_keeps_facts(tmp_path):
    path = tmp_path / "audits.db"
    known_dataset(path).close()
    first = Store(path, actor="lead")
    expected = figures(first)
    first.close()
    second = Store(path, actor="lead")
    assert fact_counts(path)["audit_facts"] == expected["audits"]["completed"]
    assert figures(second) == expected
    second.close()


def test_a_large_files_deferred_check_runs_before_facts_are_written(store):
    class DamagedFile:
        def wait(self):
            raise DatabaseError("damaged")

    store.db.deferred_check = DamagedFile()
    with pytest.raises(DatabaseError):
        compute_summary(store, AS_OF)
    assert fact_counts(store.path)["audit_facts"] == 0
    store.db.deferred_check = None
    assert compute_summary(store, AS_OF).audits.completed == fact_counts(store.path)["audit_facts"]


def test_audits_whose_template_is_not_stored_are_named_in_one_line(tmp_path):
    """Bad input is one sentence the user understands: which template the counted audits need."""
    path = tmp_path / "audits.db"
    known_dataset(path).close()
    conn = sqlite3.connect(path)
    with conn:  # another program removed the template the audits were made with
        conn.execute("DELETE FROM templates")
    conn.close()
    result = invoke("summary", "--json", "--db", path, "--as-of", "2026-03-20")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "audit-tui: error: template test-audit version 1 is used by audits but not stored\n"
    assert fact_counts(path)["audit_facts"] == 0  # nothing half-built


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_tui", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_an_import_builds_the_facts_so_the_first_summary_finds_them(tmp_path):
    source = known_dataset(tmp_path / "source.db")
    export_json(source, tmp_path / "audits.json")
    source.close()
    expected = cli("--db", tmp_path / "source.db", "summary", "--json", "--as-of", "2026-03-20")
    assert expected.returncode == 0, expected.stderr
    imported = tmp_path / "imported.db"
    done = cli("--db", imported, "import", tmp_path / "audits.json")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(imported) as conn:  # counted: completed or moderated, training audits aside
        counted = {row[0] for row in conn.execute(
            "SELECT id FROM audits WHERE status IN ('completed', 'moderated') "
            "AND id NOT IN (SELECT audit_id FROM training_audits)")}
        with_facts = {row[0] for row in conn.execute("SELECT id FROM audit_facts")}
        answers = conn.execute("SELECT count(*) FROM answer_facts").fetchone()[0]
    assert counted and with_facts == counted and answers > 0
    summary = cli("--db", imported, "summary", "--json", "--as-of", "2026-03-20")
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout) == json.loads(expected.stdout)


def as_schema_4(path) -> None:
    """Put `answer_themes` back as migration 0001 made it (a rowid table with an index on theme)."""
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("BEGIN")
        rows = conn.execute("SELECT audit_id, question, theme, source FROM answer_themes").fetchall()
        conn.execute("DROP TABLE answer_themes")
        conn.execute("""CREATE TABLE "answer_themes" ("audit_id" TEXT REFERENCES "audits"("id"), "question" TEXT,
                        "theme" TEXT, "source" TEXT, PRIMARY KEY ("audit_id", "question", "theme"))""")
        conn.execute('CREATE INDEX "idx_answer_themes_theme" ON "answer_themes" ("theme")')
        conn.executemany("INSERT INTO answer_themes VALUES (?, ?, ?, ?)", rows)
        stale_facts_triggers(conn, "answer_themes")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_answer_themes_one_tree'")
        conn.execute("PRAGMA user_version = 4")
        conn.execute("COMMIT")


def test_answer_themes_move_to_one_tree_keeping_rows_views_facts_and_triggers(tmp_path):
    path = tmp_path / "audits.db"
    store = known_dataset(path)
    before = figures(store)
    store.close()
    as_schema_4(path)
    with sqlite3.connect(path) as conn:
        themes = conn.execute("SELECT * FROM answer_themes ORDER BY 1, 2, 3").fetchall()
        view = conn.execute("SELECT audit_id, question, themes FROM answers_view ORDER BY 1, 2").fetchall()
    counts = fact_counts(path)
    store = Store(path, actor="migrating")  # migration 0005
    try:
        schema = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'answer_themes'").fetchone()[0]
        assert "WITHOUT ROWID" in schema
        assert store.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_answer_themes_theme'"
                                ).fetchone()[0] == 0
        assert store.db.execute("SELECT * FROM answer_themes ORDER BY 1, 2, 3").fetchall() == themes
        assert store.db.execute("SELECT audit_id, question, themes FROM answers_view ORDER BY 1, 2").fetchall() == view
        assert fact_counts(path) == counts and figures(store) == before
        audit_id, question = store.db.execute(
            "SELECT t.audit_id, t.question FROM answer_themes t JOIN audit_facts f ON f.id = t.audit_id").fetchone()
        store.db.execute("DELETE FROM answer_themes WHERE audit_id = ? AND question = ?", [audit_id, question])
        assert store.db.execute("SELECT count(*) FROM audit_facts WHERE id = ?", [audit_id]).fetchone()[0] == 0
    finally:
        store.close()
