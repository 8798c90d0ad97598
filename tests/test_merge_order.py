"""Merge: the order in which a copy holds an answer's theme tags, an audit's actions or its concerns is
not a difference (README, "Several auditors": identical audits are left alone)."""

from __future__ import annotations

import json
import sqlite3

from audit_tui.storage.store import Store

from .conftest import copy_database
from .factories import base, make_audit
from .helpers.cli import invoke
from .helpers.database import dump

CONCERN = {"raised_at": "2026-02-10T09:00:00+00:00", "raised_by": "Ann Auditor", "team_manager": "Pat Manager",
           "told_who": "Pat Manager", "told_at": "2026-02-10T09:05:00+00:00", "told_how": "phone"}


def cli(*args):
    return invoke(*args, env={"LOGNAME": "ann", "USER": "ann"})


def listed_in_reverse(audit: dict) -> dict:
    """The same audit as another system might list it: its actions and its concerns the other way round."""
    return {**audit, "actions": audit["actions"][::-1], "concerns": audit["concerns"][::-1]}


def test_copies_holding_the_same_themes_actions_and_concerns_in_another_order_are_the_same(empty_built, tmp_path):
    """Two databases imported the same audits from two files listing actions and concerns in other orders (each
    copy reads them in the order it stored them), and another program rewrote one copy's theme tags in another
    order: the audits are the same on both sides, and merging changes nothing. A theme tag changed on one copy
    is a difference (a conflict naming the answer)."""
    source = Store(copy_database(empty_built, tmp_path / "source.db"), actor="Ann Auditor")
    ids = {ref: make_audit(source, ref, base(**{"practice.quality": "requires_improvement",
                                                "practice.voice": "requires_improvement"}), complete=False)
           for ref in ("CL-ORDER", "CL-THEMES")}
    for audit_id in ids.values():
        source.set_answer(audit_id, "practice.quality", themes=["plans", "voice", "housing"])
    source.close()
    assert cli("--db", tmp_path / "source.db", "export", tmp_path / "one.json").returncode == 0
    data = json.loads((tmp_path / "one.json").read_text())
    for audit in data["audits"]:  # two concerns raised at the same moment (files may say so), listed in an order
        audit["concerns"] = [{**CONCERN, "id": f"{audit['id']}-c{n}", "description": f"Concern {n}"} for n in (1, 2)]
        assert len(audit["actions"]) == 2
    (tmp_path / "one.json").write_text(json.dumps(data))
    (tmp_path / "two.json").write_text(json.dumps({**data, "audits": [listed_in_reverse(a) for a in data["audits"]]}))
    here, there = (copy_database(empty_built, tmp_path / name) for name in ("here.db", "there.db"))
    assert cli("--db", here, "import", tmp_path / "one.json").returncode == 0
    assert cli("--db", there, "import", tmp_path / "two.json").returncode == 0
    conn = sqlite3.connect(there)
    with conn:  # another program stores CL-ORDER's theme tags in another order, and changes one of CL-THEMES's
        for ref, tags in (("CL-ORDER", ["voice", "plans", "housing"]), ("CL-THEMES", ["plans", "voice"])):
            conn.execute("UPDATE answers SET themes = ? WHERE audit_id = ? AND question = 'practice.quality'",
                         [json.dumps(tags), ids[ref]])
    conn.close()
    before = dump(here)
    result = cli("--db", here, "merge", there)
    assert result.stdout.splitlines() == [
        "Added 0 audit(s), updated 0; 1 the same on both sides; 0 newer here (kept); 1 conflict(s)",
        "History rows added: 0; templates: 0; rounds: 0; allocated cases: 0",
        f"CONFLICT CL-THEMES (id {ids['CL-THEMES']}): changed on both sides — answer practice.quality"]
    assert result.returncode == 2
    assert dump(here) == before
    # the same from a .json file listing them in another order than this copy (it was refused as "different
    # content"), whether merged or imported again
    merged = cli("--db", here, "merge", tmp_path / "two.json")
    assert merged.stdout.splitlines() == [
        "Added 0 audit(s), updated 0; 2 the same on both sides; 0 newer here (kept); 0 conflict(s)",
        "History rows added: 0; templates: 0; rounds: 0; allocated cases: 0"] and merged.returncode == 0
    assert cli("--db", here, "import", tmp_path / "two.json").returncode == 0
    assert dump(here) == before
