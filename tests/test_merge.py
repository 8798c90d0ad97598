"""Merge: two laptops' databases brought together by audit id, in one transaction, idempotently."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli import main
from audit_tui.core import rounds
from audit_tui.core.actions import ActionFilter, list_actions, mark_done
from audit_tui.core.backup import backup
from audit_tui.core.merge import MergeError, _is_prefix, merge
from audit_tui.core.store import Store

from .factories import base, make_audit


def action_of(store, case_ref):
    return next(r["action_id"] for r in list_actions(store, ActionFilter()) if r["case_ref"] == case_ref)


def dump(store) -> list[str]:
    return list(store.db.conn.iterdump())


@pytest.fixture
def laptops(tmp_path):
    """`here` and `there` share four audits, then each works on its own copy."""
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    below_good = {"practice.quality": "requires_improvement"}
    for ref in ("CL-SAME", "CL-THERE", "CL-BOTH", "CL-HERE"):
        make_audit(here, ref, base(**below_good))
    backup(here, tmp_path / "there.db")
    there = Store(tmp_path / "there.db", actor="Bob Auditor")
    # there: a new audit, and changes to CL-THERE and CL-BOTH
    make_audit(there, "CL-NEW", base(), auditor="Bob Auditor")
    mark_done(there, action_of(there, "CL-THERE"), "Plan rewritten", date(2026, 3, 1))
    mark_done(there, action_of(there, "CL-BOTH"), "Done there", date(2026, 3, 2))
    rounds.create_round(there, "2026-03 week", "2026-03-02", "2026-03-06")
    cases = tmp_path / "cases.csv"
    cases.write_text("case ref,auditor,template\nCL-NEW,Bob Auditor,test-audit\nCL-9,Bob Auditor,test-audit\n")
    rounds.import_cases(there, "2026-03 week", cases, known_templates={"test-audit"})
    # here: changes to CL-BOTH (differently) and CL-HERE
    mark_done(here, action_of(here, "CL-BOTH"), "Done here", date(2026, 3, 3))
    mark_done(here, action_of(here, "CL-HERE"), "Only here", date(2026, 3, 4))
    yield here, there
    here.close()
    there.close()


def test_merge_adds_updates_keeps_and_reports_conflicts_and_is_idempotent(laptops):
    here, there = laptops
    result = merge(here, there.path)
    assert result.added == ["CL-NEW"]
    assert result.updated == ["CL-THERE"]
    assert result.unchanged == 1 and result.kept_local == 1
    assert [(c.case_ref, c.fields) for c in result.conflicts] == [("CL-BOTH", ["actions"])]
    # the conflict was not overwritten; the update and the new audit arrived with their history
    notes = {r["case_ref"]: r["note"] for r in list_actions(here, ActionFilter(status="done"))}
    assert notes == {"CL-BOTH": "Done here", "CL-HERE": "Only here", "CL-THERE": "Plan rewritten"}
    for ref in ("CL-NEW", "CL-THERE"):
        audit_id = here.db.execute("SELECT id FROM audits WHERE case_ref = ?", [ref]).fetchone()[0]
        assert here.history(audit_id) == there.history(audit_id)
        assert here.get_audit(audit_id) == there.get_audit(audit_id)
    assert (result.rounds_added, result.allocations_added) == (1, 2)
    assert [r["case_ref"] for r in rounds.allocations(here, "2026-03 week")] == ["CL-9", "CL-NEW"]
    before = dump(here)
    again = merge(here, there.path)
    assert not again.changed and again.added == [] and again.updated == [] and again.history_added == 0
    assert [c.case_ref for c in again.conflicts] == ["CL-BOTH"]
    assert dump(here) == before  # merging the same file twice changes nothing
    # the other way round: there gets CL-HERE's change, CL-BOTH is still a conflict
    back = merge(there, here.path)
    assert back.updated == ["CL-HERE"] and back.added == [] and [c.case_ref for c in back.conflicts] == ["CL-BOTH"]


def test_dry_run_changes_nothing(laptops):
    here, there = laptops
    before = dump(here)
    result = merge(here, there.path, dry_run=True)
    assert result.added == ["CL-NEW"] and result.dry_run
    assert dump(here) == before


def test_merge_refuses_itself_and_other_files(laptops, tmp_path):
    here, _ = laptops
    with pytest.raises(MergeError, match="this database"):
        merge(here, here.path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(MergeError, match="not an audit-tui database"):
        merge(here, junk)


def test_history_prefix_allows_an_extended_last_row():
    for ref in (None, "r1"):  # rows written before history.ref, and after
        row = ("2026-02-10T10:00:00+00:00", "Ann", "a1", "q:evidence", "", "The plan", ref)
        longer = ("2026-02-10T10:01:00+00:00", "Ann", "a1", "q:evidence", "", "The plan is old", ref)
        later = ("2026-02-10T11:00:00+00:00", "Ann", "a1", "q:grade", None, "good", ref and "r2")
        assert _is_prefix([row], [longer, later])
        assert _is_prefix([row, longer], [longer, later])  # both versions kept after a merge
        assert not _is_prefix([later], [row])
    # The same person's second edit of the field on another copy is another edit, not an extension.
    assert not _is_prefix([row], [longer[:6] + ("r3",)])


def test_merge_json_adds_new_and_lists_differences(laptops, tmp_path):
    from audit_tui.core.interchange import export_json

    here, there = laptops
    export_json(there, tmp_path / "there.json")
    fresh = Store(tmp_path / "fresh.db", actor="Quinn Lead")
    first = merge(fresh, tmp_path / "there.json")
    assert sorted(first.added) == ["CL-BOTH", "CL-HERE", "CL-NEW", "CL-SAME", "CL-THERE"]
    again = merge(fresh, tmp_path / "there.json")
    assert again.added == [] and again.unchanged == 5 and not again.conflicts
    result = merge(here, tmp_path / "there.json")
    assert result.added == ["CL-NEW"]
    assert sorted(c.case_ref for c in result.conflicts) == ["CL-BOTH", "CL-HERE", "CL-THERE"]
    fresh.close()


def test_cli_merge_reports_conflicts_with_exit_code_2(laptops):
    here, there = laptops
    here.close()
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(here.path), "merge", str(there.path)])
    assert result.exit_code == 2, result.output
    assert "Added 1 audit(s), updated 1" in result.output
    assert "CONFLICT CL-BOTH" in result.output and "actions" in result.output
    missing = runner.invoke(main, ["--db", str(here.path), "merge", str(there.path) + ".nope"])
    assert missing.exit_code == 1 and "no file at" in missing.stderr
