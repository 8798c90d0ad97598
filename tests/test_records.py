"""Whole audits read a batch at a time (core.records), and the export written from them."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date

import pytest

from audit_tui.domain.models import clean_text
from audit_tui.domain.templates import parse_template
from audit_tui.exchange.interchange import export_json
from audit_tui.storage import records
from audit_tui.storage.errors import StoreError
from audit_tui.storage.records import audit_records
from audit_tui.storage.store import Store
from audit_tui.summary import Filters

from .conftest import copy_database
from .factories import known_dataset
from .test_hostile_text import ESCAPES, HOSTILE_TEMPLATE, fill_hostile

CONTROLS = "\x1b\u202e\x00\x85\x7f\u2066"  # characters clean_text removes
DIRTY = f"{CONTROLS[0]}[2J{CONTROLS}"  # written straight into the file (by something else than the store)


@pytest.fixture(scope="module")
def varied(tmp_path_factory, demo_of_23_november_2026):
    """The demo (reference cases with rationales, moderations, concerns, training audits), the known
    data set (moderated, done and vague actions, a draft) and hostile text, through the store and
    written straight into the file by something else."""
    path = copy_database(demo_of_23_november_2026, tmp_path_factory.mktemp("records") / "varied.db")
    store = known_dataset(path)
    audit_id = store.list_audits(search="CL-0003")[0]["id"]
    store.raise_concern(audit_id, "Adult visiting the flat is a risk to Sam", "Tess Manager")
    store.raise_concern(audit_id, "A second concern, raised the same day", "Tess Manager")
    hostile = fill_hostile(store, parse_template(HOSTILE_TEMPLATE, "hostile.yaml"))
    moderated = store.db.execute("SELECT audit_id FROM moderated_answers LIMIT 1").fetchone()[0]
    with store.transaction():
        store.db.execute("UPDATE audits SET team = team || ?, impact = ? WHERE id = ?", [DIRTY, DIRTY, hostile])
        store.db.execute("UPDATE answers SET themes = '[\"' || ? || 'plans\"]' WHERE audit_id = ?",
                         [CONTROLS, hostile])
        for table, column in (("answers", "evidence"), ("actions", "note"), ("concerns", "description"),
                              ("moderations", "comment"), ("moderated_answers", "comment")):
            store.db.execute(f"UPDATE {table} SET {column} = ? || {column} WHERE rowid = "
                             f"(SELECT min(rowid) FROM {table} WHERE audit_id IN (?, ?))", [DIRTY, hostile, moderated])
    store.close()
    return path


def strings(value) -> list[str]:
    """Every text in a model_dump."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def audit_by_queries(store: Store, audit_id: str) -> dict:
    """One audit as `Store.get_audit` read it before batches: its rows of each table in their
    order, by `Store.rows` (text cleaned), as `model_dump` gives it."""
    def rows(sql: str) -> list[dict]:
        return list(store.rows(sql, [audit_id]))

    audit = rows("SELECT * FROM audits WHERE id = ?")[0]
    moderation = rows("SELECT * FROM moderations WHERE audit_id = ?")
    return {
        **{k: audit[k] for k in ("id", "case_ref", "template_id", "template_version", "round", "service_area",
                                 "team", "worker", "auditor", "status", "overall_grade")},
        "audited_on": date.fromisoformat(audit["audited_on"]),
        **{k: audit[k] or "" for k in ("overall_reason", "lived_experience", "impact")},
        "answers": [{"question": r["question"], "grade": r["grade"], "na_reason": r["na_reason"],
                     "evidence": r["evidence"] or "", "themes": json.loads(r["themes"] or "[]")}
                    | ({"rationale": r["rationale"]} if r["rationale"] else {})
                    | ({"no_action": r["no_action"]} if r["no_action"] else {})
                    for r in rows("SELECT * FROM answers WHERE audit_id = ? ORDER BY rowid")],
        "actions": [{"id": r["id"], "description": r["description"] or "", "owner": r["owner"] or "",
                     "due": r["due"] and date.fromisoformat(r["due"]), "status": r["status"] or "open",
                     "question": r["question"], "done_on": r["done_on"] and date.fromisoformat(r["done_on"]),
                     "note": r["note"] or "", "kind": r["kind"]}
                    | ({"questions": json.loads(r["questions"])} if r["questions"] else {})
                    for r in rows("SELECT * FROM actions WHERE audit_id = ? ORDER BY created_at, rowid")],
        "concerns": [{k: r[k] for k in ("id", "raised_at", "raised_by", "description", "handled_at", "handled_by",
                                        "action_id")}
                     | {k: r[k] or "" for k in ("told_who", "told_at", "told_how", "team_manager", "service_manager",
                                                "route", "outcome")}
                     for r in rows("SELECT * FROM concerns WHERE audit_id = ? ORDER BY raised_at, rowid")],
        "moderation": {
            "moderator": moderation[0]["moderator"],
            "moderated_on": date.fromisoformat(moderation[0]["moderated_on"]),
            "overall_grade": moderation[0]["overall_grade"], "comment": moderation[0]["comment"] or "",
            "answers": [{k: r[k] for k in ("question", "grade", "comment")}
                        for r in rows("SELECT * FROM moderated_answers WHERE audit_id = ? ORDER BY rowid")],
        } if moderation else None,
        "safeguarding": audit["safeguarding"],
        **_practice_parts(rows),
        "follows": audit["follows"], "reaudit_due": audit["reaudit_due"] and date.fromisoformat(audit["reaudit_due"]),
        "followup": {"impact": audit["followup_impact"], "note": audit["followup_note"] or ""}
        if audit["followup_impact"] else None,
    }


def _practice_parts(rows) -> dict:
    """The feedback conversation, family feedback and names to redact, from their own tables' rows (a part
    whose columns are all empty was never given)."""
    talk = rows("SELECT * FROM conversations WHERE audit_id = ?")
    talk = talk[0] if talk else {}
    fields = ("held_on", "present", "reflection", "agrees", "challenge", "response")
    conversation = None
    if any(talk.get(k) is not None for k in fields):
        conversation = {k: talk[k] if k == "agrees" else talk[k] or "" for k in fields}
        conversation["held_on"] = talk["held_on"] and date.fromisoformat(talk["held_on"])
    family = None
    if talk.get("family_how") is not None or talk.get("family_said") is not None:
        family = {"how": talk["family_how"] or "", "said": talk["family_said"] or ""}
    privacy = rows("SELECT redact_names FROM audit_privacy WHERE audit_id = ?")
    return {"conversation": conversation, "family_feedback": family,
            "redact_names": json.loads(privacy[0]["redact_names"]) if privacy else []}


def test_every_audit_read_in_batches_is_what_its_own_queries_give_in_the_order_asked(varied):
    store = Store(varied, create=False)
    ids = [row[0] for row in store.db.execute("SELECT id FROM audits")]
    random.Random(7).shuffle(ids)
    expected = [audit_by_queries(store, audit_id) for audit_id in ids]
    assert len(ids) > 70
    assert [store.get_audit(audit_id).model_dump() for audit_id in ids] == expected
    for batch in (1, 3, 16, len(ids) - 1, 500):
        assert [r.model_dump() for r in audit_records(store, ids, batch=batch)] == expected
    store.close()


def test_the_data_set_has_what_the_reader_must_get_right(varied):
    store = Store(varied, create=False)
    audits = [r.model_dump() for r in audit_records(store, [row[0] for row in store.db.execute("SELECT id FROM audits")])]
    assert sum(bool(a["moderation"] and a["moderation"]["answers"]) for a in audits) >= 2
    assert any(len(a["concerns"]) >= 2 for a in audits)
    assert any(a["status"] == "draft" for a in audits) and any(a["status"] == "completed" for a in audits)
    assert any(answer.get("rationale") for a in audits for answer in a["answers"])
    assert any(action["status"] == "done" for a in audits for action in a["actions"])
    texts = strings(audits)
    assert [t for t in texts if clean_text(t) != t] == []
    assert any(t.startswith("[2J") for t in texts) and any(clean_text(ESCAPES) in t for t in texts)
    assert any(a["case_ref"] == "CL-666" and a["answers"][0]["themes"] == ["plans"] for a in audits)
    raw = sqlite3.connect(varied)
    for table, column in (("answers", "evidence"), ("actions", "note"), ("concerns", "description"),
                          ("moderations", "comment"), ("moderated_answers", "comment"), ("audits", "impact")):
        assert raw.execute(f"SELECT count(*) FROM {table} WHERE instr({column}, ?)", [DIRTY]).fetchone()[0] >= 1
    raw.close()
    store.close()


def test_an_id_with_no_audit_is_an_error_and_none_is_nothing(varied):
    store = Store(varied, create=False)
    some = store.db.execute("SELECT id FROM audits LIMIT 1").fetchone()[0]
    with pytest.raises(StoreError, match="no audit with id nope"):
        list(audit_records(store, [some, "nope"], batch=1))
    with pytest.raises(StoreError, match="no audit with id nope"):
        store.get_audit("nope")
    assert list(audit_records(store, [])) == []
    store.close()


def test_the_reader_reads_one_batch_at_a_time(varied):
    """Memory is bounded by the batch: the rows of the next batch are read only when it is reached,
    with one query a table (at most `BATCH` ids in each)."""
    store = Store(varied, create=False)
    ids = [row[0] for row in store.db.execute("SELECT id FROM audits ORDER BY id")]
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    reader = audit_records(store, ids, batch=10)
    tables = 8  # audits, answers, actions, concerns, moderations, moderated_answers, conversations, audit_privacy
    for n in range(25):
        next(reader)
        assert len(statements) == tables * (n // 10 + 1)
    assert max(sum(audit_id in s for audit_id in ids) for s in statements) == 10  # (the trace shows values)
    store.db.conn.set_trace_callback(None)
    store.close()


def test_the_export_has_one_audit_a_line(varied, tmp_path):
    store = Store(varied, create=False)
    out = tmp_path / "export.json"
    count = export_json(store, out)
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    lines = text.splitlines()
    start = lines.index('  "audits": [')
    training = store.db.execute("SELECT count(*) FROM training_audits").fetchone()[0]
    assert len(data["audits"]) == count == store.count_audits() - training > 0  # (training audits are kept apart)
    assert [json.loads(line.strip().rstrip(",")) for line in lines[start + 1:start + 1 + count]] == data["audits"]
    assert lines[start + 1 + count:] == ["  ]", "}"]
    assert [a["id"] for a in data["audits"]] == sorted(a["id"] for a in data["audits"])
    empty = tmp_path / "empty.json"
    assert export_json(store, empty, Filters(team="No such team")) == 0
    assert empty.read_text(encoding="utf-8").endswith('  "audits": []\n}\n')
    nothing = json.loads(empty.read_text(encoding="utf-8"))  # (the demo's conclusions and targets travel too)
    assert (nothing["format"], nothing["templates"], nothing["audits"]) == ("audit-tui/1", [], [])
    store.close()


def test_the_export_is_the_same_whatever_the_batch(varied, tmp_path, monkeypatch):
    store = Store(varied, create=False)
    export_json(store, tmp_path / "whole.json")
    monkeypatch.setattr(records, "BATCH", 7)
    export_json(store, tmp_path / "sevens.json")
    assert (tmp_path / "sevens.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
    store.close()
