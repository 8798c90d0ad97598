"""Whole audits read a batch at a time (core.records), and the export written from them."""

from __future__ import annotations

import json

import pytest

from audit_tui.core.errors import StoreError
from audit_tui.core.interchange import export_json
from audit_tui.core.records import audit_records
from audit_tui.core.store import Store
from audit_tui.core.summary import Filters

from .factories import known_dataset


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    path = tmp_path_factory.mktemp("records") / "known.db"
    store = known_dataset(path)
    audit_id = store.list_audits(search="CL-0003")[0]["id"]
    store.raise_concern(audit_id, "Adult visiting the flat is a risk to Sam", "Tess Manager")
    store.raise_concern(audit_id, "A second concern, raised the same day", "Tess Manager")
    store.close()
    return path


def test_batches_give_what_one_audit_at_a_time_gives_in_the_order_asked(known):
    store = Store(known, create=False)
    ids = [row[0] for row in store.db.execute("SELECT id FROM audits ORDER BY case_ref DESC")]
    one_by_one = [next(audit_records(store, [audit_id])).model_dump() for audit_id in ids]
    assert [r["id"] for r in one_by_one] == ids
    for batch in (1, 2, 4, len(ids)):
        assert [r.model_dump() for r in audit_records(store, ids, batch=batch)] == one_by_one
    record = next(r for r in one_by_one if r["case_ref"] == "CL-0003")
    assert [c["description"] for c in record["concerns"]][0] == "Adult visiting the flat is a risk to Sam"
    assert any(r["moderation"] for r in one_by_one) and any(r["actions"] for r in one_by_one)
    with pytest.raises(StoreError, match="no audit with id nope"):
        list(audit_records(store, [ids[0], "nope"], batch=1))
    store.close()


def test_the_export_has_one_audit_a_line(known, tmp_path):
    store = Store(known, create=False)
    out = tmp_path / "export.json"
    assert export_json(store, out) == 6
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    lines = text.splitlines()
    start = lines.index('  "audits": [')
    audit_lines = lines[start + 1:start + 1 + len(data["audits"])]
    assert [json.loads(line.strip().rstrip(",")) for line in audit_lines] == data["audits"]
    assert lines[start + 1 + len(data["audits"]):] == ["  ]", "}"]
    assert [a["id"] for a in data["audits"]] == sorted(a["id"] for a in data["audits"])
    empty = tmp_path / "empty.json"
    assert export_json(store, empty, Filters(team="No such team")) == 0
    assert json.loads(empty.read_text(encoding="utf-8")) == {"format": "audit-tui/1", "templates": [], "audits": []}
    store.close()
