"""Importing many audits at once: the rows of one at a time, all or nothing, every setting put back."""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import threading

import pytest

from audit_tui.domain.models import AuditRecord
from audit_tui.exchange.interchange import InterchangeError, export_json, import_json
from audit_tui.storage import bulk
from audit_tui.storage.store import Store, StoreError

from .factories import known_dataset, template

STAMPS = {"created_at", "updated_at", "completed_at", "at", "added_at"}
TABLES = ("audits", "answers", "answer_themes", "actions", "concerns", "moderations", "moderated_answers", "history")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk")
    store = known_dataset(folder / "source.db")
    store.raise_concern(store.list_audits(search="CL-0003")[0]["id"], "Adult visiting the flat", "Tess Manager")
    export_json(store, folder / "export.json")
    store.close()
    return folder / "export.json"


def records_of(path) -> list[AuditRecord]:
    return [AuditRecord.model_validate(a) for a in json.loads(path.read_text(encoding="utf-8"))["audits"]]


def contents(store: Store) -> dict[str, list[tuple]]:
    """Every row of the audit tables in insertion order, without the time stamps."""
    found = {}
    for table in TABLES:
        columns = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})") if r[1] not in STAMPS]
        order = "audit_id, question, theme" if table == "answer_themes" else "rowid"  # (WITHOUT ROWID)
        found[table] = store.db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
    return found


def fresh(path) -> Store:
    store = Store(path, actor="importer")
    store.save_template(template())
    return store


@pytest.mark.parametrize("per_statement", [1, 3, 1000])
def test_many_at_once_gives_the_rows_of_one_at_a_time(exported, tmp_path, monkeypatch, per_statement):
    records = records_of(exported)
    one_by_one = fresh(tmp_path / "one.db")
    for record in records:
        one_by_one.insert_audit_record(record, note="imported")
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", per_statement)
    together = fresh(tmp_path / "many.db")
    together.insert_audit_records(records, note="imported")
    assert contents(together) == contents(one_by_one)
    assert [together.get_audit(r.id).answers for r in records] == [r.answers for r in records]
    history = together.db.execute("SELECT who, audit_id, field, old, new FROM history ORDER BY id").fetchall()
    assert history == [("importer", r.id, "imported", None, f"{r.case_ref} (test-audit v1)") for r in records]



def test_an_sqlite_that_allows_fewer_values_gets_fewer_rows_a_statement(exported, tmp_path):
    """SQLite before 3.32 allows 999 values a statement (some servers' system SQLite is that old); lower
    still here, so that the small data set needs many statements."""
    records = records_of(exported)
    one_by_one = fresh(tmp_path / "one.db")
    for record in records:
        one_by_one.insert_audit_record(record, note="imported")
    together = fresh(tmp_path / "many.db")
    together.db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)
    together.insert_audit_records(records, note="imported")
    assert contents(together) == contents(one_by_one)

def test_a_row_that_breaks_a_constraint_leaves_nothing_and_checks_back_on(exported, tmp_path):
    records = records_of(exported)
    store = fresh(tmp_path / "t.db")
    store.insert_audit_record(records[0])
    before = contents(store)
    with pytest.raises(StoreError):
        store.insert_audit_records(records[1:] + records[:1])  # the last is there already
    assert contents(store) == before
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store.db.execute("INSERT INTO answers (audit_id, question) VALUES ('no-such-audit', 'practice.quality')")


@pytest.fixture
def in_chunks(monkeypatch):
    """Two audits to a chunk, three rows to a statement: every audit list of these tests is pipelined.
    Gives the names of the threads each chunk was built on and inserted on."""
    monkeypatch.setattr(bulk, "CHUNK", 2)
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 3)
    threads = {"built": [], "inserted": []}
    for name, kind in (("audit_rows", "built"), ("insert_rows", "inserted")):
        def logged(*args, real=getattr(bulk, name), kind=kind, **kwargs):  # noqa: B008 - bound per loop
            threads[kind].append(threading.current_thread().name)
            return real(*args, **kwargs)
        monkeypatch.setattr(bulk, name, logged)
    return threads


def nothing_left_running(store: Store, switch: float) -> None:
    assert not [t for t in threading.enumerate() if t.name == "audit-rows"]
    assert sys.getswitchinterval() == switch
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_rows_built_in_a_thread_chunk_by_chunk_are_those_of_one_at_a_time(exported, tmp_path, in_chunks):
    records = records_of(exported)
    assert len(records) > 2 * bulk.CHUNK  # three chunks at least
    one_by_one = fresh(tmp_path / "one.db")
    for record in records:
        one_by_one.insert_audit_record(record, note="imported")
    chunks = -(-len(records) // bulk.CHUNK)
    in_chunks["built"].clear()
    in_chunks["inserted"].clear()
    switch = sys.getswitchinterval()
    together = fresh(tmp_path / "many.db")
    together.insert_audit_records(records, note="imported")
    assert in_chunks == {"built": ["audit-rows"] * chunks, "inserted": ["MainThread"] * chunks}
    assert contents(together) == contents(one_by_one)
    nothing_left_running(together, switch)


def test_a_failure_building_a_middle_chunk_leaves_nothing(exported, tmp_path, monkeypatch, in_chunks):
    real = bulk.audit_rows

    def audit_rows(records, **kwargs):
        if in_chunks["built"]:
            raise RuntimeError("the second chunk cannot be built")
        return real(records, **kwargs)

    monkeypatch.setattr(bulk, "audit_rows", audit_rows)
    switch = sys.getswitchinterval()
    target = Store(tmp_path / "t.db")
    before = contents(target)
    with pytest.raises(RuntimeError, match="second chunk"):
        import_json(target, exported)
    assert in_chunks == {"built": ["audit-rows"], "inserted": ["MainThread"]}  # the first, then rolled back
    assert contents(target) == before
    assert target.db.execute("SELECT count(*) FROM templates").fetchone()[0] == 0
    nothing_left_running(target, switch)
    monkeypatch.setattr(bulk, "audit_rows", real)
    import_json(target, exported)  # and the same store imports the file once the failure is gone
    assert target.count_audits() == len(records_of(exported))


def test_a_row_that_breaks_a_constraint_in_a_middle_chunk_leaves_nothing(exported, tmp_path, in_chunks):
    records = records_of(exported)
    store = fresh(tmp_path / "t.db")
    store.insert_audit_record(records[0])
    before = contents(store)
    switch = sys.getswitchinterval()
    with pytest.raises(StoreError):
        store.insert_audit_records(records[1:3] + records[:1] + records[3:])  # the first audit of the second chunk
    assert contents(store) == before
    nothing_left_running(store, switch)


def test_import_puts_collections_and_foreign_keys_back(exported, tmp_path):
    target = Store(tmp_path / "t.db")
    import_json(target, exported)
    broken = tmp_path / "broken.json"
    broken.write_text(exported.read_text(encoding="utf-8").replace('"good"', '"superb"', 1), encoding="utf-8")
    with pytest.raises(InterchangeError):
        import_json(Store(tmp_path / "u.db"), broken)
    assert gc.isenabled()
    assert target.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_grade_moderated_twice_is_named(exported, tmp_path):
    data = json.loads(exported.read_text(encoding="utf-8"))
    index = next(i for i, a in enumerate(data["audits"]) if a["moderation"])
    changed = data["audits"][index]["moderation"]["answers"]
    changed.append(dict(changed[0], grade="good"))
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    target = Store(tmp_path / "t.db")
    with pytest.raises(InterchangeError) as caught:
        import_json(target, path)
    field = f"moderation.answers[{len(changed) - 1}].question"
    assert str(caught.value).startswith(f"audit {index} ({data['audits'][index]['case_ref']}), field {field}")
    assert "moderated twice" in str(caught.value)
    assert target.count_audits() == 0


@pytest.mark.parametrize("unsafe", [
    "\\u001b", "\\u007F", "\\b", "\\f", "\\u2066", "\\ud800",  # escaped: ESC, DEL, BS, FF, bidi isolate, lone surrogate
    "\u202e", "\u0085", "\x7f",  # raw: bidi override, C1 control, DEL
])
def test_unsafe_characters_are_removed_however_the_file_writes_them(exported, tmp_path, unsafe):
    text = exported.read_text(encoding="utf-8")
    data = json.loads(text)
    path = tmp_path / "in.json"
    path.write_text(text.replace('"practice.quality"', f'"practice{unsafe}.quality"'), encoding="utf-8")
    target = Store(tmp_path / "t.db")
    import_json(target, path)  # each question is known once the character is removed
    assert target.get_audit(data["audits"][0]["id"]).answers == records_of(exported)[0].answers


def test_text_with_nothing_to_remove_is_kept_as_written(exported, tmp_path):
    text = exported.read_text(encoding="utf-8")
    data = json.loads(text)
    evidence = json.dumps(data["audits"][0]["answers"][0]["evidence"], ensure_ascii=False)
    written = '"Caf\\u00e9 \u00e9t\u00e9 \\ud83d\\ude00 \\"quoted\\" \\\\b \u2026"'
    path = tmp_path / "in.json"
    path.write_text(text.replace(evidence, written, 1), encoding="utf-8")
    target = Store(tmp_path / "t.db")
    import_json(target, path)
    assert target.get_audit(data["audits"][0]["id"]).answers[0].evidence == 'Café été 😀 "quoted" \\b …'
