"""Import reads a file of any size a window of audits at a time (core.jsonstream), all or nothing."""

from __future__ import annotations

import json

import pytest

from audit_tui.exchange import interchange, jsonstream
from audit_tui.exchange.interchange import InterchangeError, export_json, import_json
from audit_tui.exchange.jsonstream import Items, JSONStreamError, Member, read_members
from audit_tui.storage.store import Store

from .factories import known_dataset

TABLES = ("audits", "answers", "answer_themes", "actions", "concerns", "moderations", "moderated_answers")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The known data set, with text that is not ASCII (cut across blocks below), and its export."""
    folder = tmp_path_factory.mktemp("stream")
    store = known_dataset(folder / "source.db")
    audit_id = store.list_audits(search="CL-0002")[0]["id"]
    store.raise_concern(audit_id, "Zoë’s mother’s partner — not known to the team 🚩", "Tess Manager")
    export_json(store, folder / "export.json")
    store.close()
    return folder


def contents(store: Store) -> dict[str, list]:
    """Every row an import writes, but its time stamps (columns and fields named *_at: two imports a
    second apart differ there) and generated history ids."""
    def untimed(table: str) -> list[str]:
        cursor = store.db.execute(f"SELECT * FROM {table}")
        keep = [i for i, d in enumerate(cursor.description) if not d[0].endswith("_at")]
        return sorted(repr([row[i] for i in keep]) for row in cursor.fetchall())

    def untimed_value(value):
        if isinstance(value, dict):
            return {k: untimed_value(v) for k, v in value.items() if not k.endswith("_at")}
        return [untimed_value(v) for v in value] if isinstance(value, list) else value

    def record(audit_id: str) -> str:
        return json.dumps(untimed_value(json.loads(store.get_audit(audit_id).model_dump_json())), sort_keys=True)

    return {table: untimed(table) for table in TABLES[:3]} | {
        "records": sorted(record(r[0]) for r in store.db.execute("SELECT id FROM audits"))}


@pytest.fixture
def tiny(monkeypatch):
    """Blocks of a few characters and windows of two audits: every value is cut across blocks."""
    monkeypatch.setattr(jsonstream, "BLOCK_CHARS", 7)
    monkeypatch.setattr(interchange, "WINDOW", 2)


def test_tiny_blocks_and_windows_import_what_one_read_does(source, tmp_path, monkeypatch):
    whole = Store(tmp_path / "whole.db")
    import_json(whole, source / "export.json")  # one block, one window
    tiny.__wrapped__(monkeypatch)
    streamed = Store(tmp_path / "streamed.db")
    result = import_json(streamed, source / "export.json")
    assert (result.imported, result.unchanged, result.templates_added) == (6, 0, 1)
    assert contents(streamed) == contents(whole)
    assert import_json(streamed, source / "export.json").unchanged == 6


def test_members_come_in_file_order_with_the_array_in_batches(tmp_path, tiny):
    path = tmp_path / "f.json"
    path.write_text('{"a": [1, {"b": "x\\u00e9"}], "list": [10, 20.5, "thirty", null, [4]], "z": -12345}',
                    encoding="utf-8")
    found = list(read_members(path, stream="list", batch=2))
    assert found == [Member("a", [1, {"b": "xé"}]), Items("list", 0, [10, 20.5]), Items("list", 2, ["thirty", None]),
                     Items("list", 4, [[4]]), Member("z", -12345)]


@pytest.mark.parametrize("text, line, words", [
    ('{"a": 1,\n "b": [1, 2,\n 3 oops]}', 3, "expected ',' or ']'"),
    ('{"a": 1\n "b": 2}', 2, "expected ',' or '}'"),
    ('{"a": 1}\n{"b": 2}', 2, "extra data"),
    ('{"a": 1,\n"b": "never closed', 2, "Unterminated string"),
    ('{a: 1}', 1, "key in double quotes"),
])
def test_bad_json_is_named_with_its_line(tmp_path, tiny, text, line, words):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(JSONStreamError, match=words) as caught:
        list(read_members(path, stream="b", batch=2))
    assert caught.value.line == line


def test_audits_before_templates_still_import(source, tmp_path):
    data = json.loads((source / "export.json").read_text(encoding="utf-8"))
    path = tmp_path / "reordered.json"
    path.write_text(json.dumps({"audits": data["audits"], "templates": data["templates"], "format": "audit-tui/1"}),
                    encoding="utf-8")
    target = Store(tmp_path / "t.db")
    assert import_json(target, path).imported == 6


def test_a_problem_in_the_last_window_leaves_nothing_imported(source, tmp_path, tiny):
    data = json.loads((source / "export.json").read_text(encoding="utf-8"))
    data["audits"][5]["answers"][0]["grade"] = "brilliant"
    data["audits"][3]["id"] = data["audits"][0]["id"]  # the same id a window apart
    with_actions = [n for n, audit in enumerate(data["audits"]) if audit["actions"] and n != 3]
    first, later = next((i, j) for i in with_actions for j in with_actions if i // 2 < j // 2)  # windows apart
    data["audits"][later]["actions"][0]["id"] = data["audits"][first]["actions"][0]["id"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    target = Store(tmp_path / "t.db")
    with pytest.raises(InterchangeError) as caught:
        import_json(target, path)
    problems = "\n".join(caught.value.problems)
    assert f"audit 3 ({data['audits'][3]['case_ref']}), field id: the same id as audit 0" in problems
    assert f"audit {later} ({data['audits'][later]['case_ref']}), field actions[0].id: " in problems
    assert "is used twice" in problems
    assert "audit 5" in problems and "'brilliant' is not a grade" in problems
    assert {t: target.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES} == dict.fromkeys(TABLES, 0)
    assert target.db.execute("SELECT count(*) FROM templates").fetchone()[0] == 0


def test_an_action_id_already_in_the_database_is_named(source, tmp_path, tiny):
    target = Store(tmp_path / "t.db")
    import_json(target, source / "export.json")
    data = json.loads((source / "export.json").read_text(encoding="utf-8"))
    action = next(audit["actions"][0] for audit in data["audits"] if audit["actions"])
    taken = action["id"]
    clone = data["audits"][5] | {"id": "a-new-audit", "actions": [action], "status": "draft", "moderation": None}
    path = tmp_path / "clone.json"
    path.write_text(json.dumps({"format": "audit-tui/1", "templates": data["templates"], "audits": [clone]}))
    with pytest.raises(InterchangeError, match=f"{taken} already exists in this database"):
        import_json(target, path)


def test_one_value_over_the_limit_is_refused(source, tmp_path, monkeypatch):
    monkeypatch.setattr(jsonstream, "BLOCK_CHARS", 64)
    monkeypatch.setattr(jsonstream, "MAX_VALUE_CHARS", 200)
    with pytest.raises(InterchangeError, match=r"export\.json:\d+: not valid JSON \(a value larger than"):
        import_json(Store(tmp_path / "t.db"), source / "export.json")


def test_memory_holds_one_window(source, tmp_path, tiny, monkeypatch):
    """Each window is checked and inserted before the next is read."""
    sizes = []
    real = Store.insert_audit_records
    monkeypatch.setattr(Store, "insert_audit_records",
                        lambda self, records, **kw: sizes.append(len(records)) or real(self, records, **kw))
    import_json(Store(tmp_path / "t.db"), source / "export.json")
    assert sizes == [2, 2, 2]


def test_a_byte_order_mark_is_allowed(source, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (source / "export.json").read_bytes())
    assert import_json(Store(tmp_path / "t.db"), path).imported == 6
