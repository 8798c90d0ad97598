"""Merge: two laptops' databases brought together by audit id, in one transaction, idempotently."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.domain.templates import parse_template
from audit_tui.features import rounds
from audit_tui.features.actions import ActionFilter, list_actions, mark_done
from audit_tui.features.backup import backup
from audit_tui.features.merge import MergeError, merge
from audit_tui.storage.store import Store
from audit_tui.storage.trail import is_prefix

from .factories import TEMPLATE_YAML, base, make_audit
from .helpers.cli import invoke
from .helpers.database import dump as dump_file


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
    # README: the merge builds the facts of what it brought in and publishes them with the audits
    brought = {here.db.execute("SELECT id FROM audits WHERE case_ref = ?", [ref]).fetchone()[0]
               for ref in ("CL-NEW", "CL-THERE")}
    assert {row[0] for row in here.db.execute("SELECT id FROM audit_facts")} == brought
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
    with pytest.raises(MergeError) as itself:
        merge(here, here.path)
    assert str(itself.value) == "that is this database: merge another copy"
    with pytest.raises(MergeError) as missing:
        merge(here, tmp_path / "nope.db")
    assert str(missing.value) == f"no database at {tmp_path / 'nope.db'}"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(MergeError, match="not an audit-tui database"):
        merge(here, junk)


def test_history_prefix_allows_an_extended_last_row():
    for ref in (None, "r1"):  # rows written before history.ref, and after
        row = ("2026-02-10T10:00:00+00:00", "Ann", "a1", "q:evidence", "", "The plan", ref)
        longer = ("2026-02-10T10:01:00+00:00", "Ann", "a1", "q:evidence", "", "The plan is old", ref)
        later = ("2026-02-10T11:00:00+00:00", "Ann", "a1", "q:grade", None, "good", ref and "r2")
        assert is_prefix([row], [longer, later])
        assert is_prefix([row, longer], [longer, later])  # both versions kept after a merge
        assert not is_prefix([later], [row])
    # The same person's second edit of the field on another copy is another edit, not an extension.
    assert not is_prefix([row], [longer[:6] + ("r3",)])


def test_merge_json_adds_new_and_lists_differences(laptops, tmp_path):
    from audit_tui.exchange.interchange import export_json

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
    # into a database that is not there yet (a combined copy, or a mistyped --db): made, and said so
    combined = here.path.parent / "combined.db"
    made = runner.invoke(main, ["--db", str(combined), "merge", str(there.path)])
    assert made.exit_code == 0 and "Added 5 audit(s)" in made.stdout
    assert made.stderr == f"There was no database at {combined}: a new one was made for this merge.\n"


# -- issue 17 items 3 and 4, through the command line ---------------------------------------------

def cli(*args, actor="ann"):
    """`audit-tui ARGS` as the login `actor` (no auditor name in settings), in this process (the real
    script merges as a child process in test_long_writes and test_merge_refusals)."""
    return invoke(*args, env={"LOGNAME": actor, "USER": actor})


def evidence_of(path, case_ref):
    store = Store(path, actor="reader")
    try:
        audit_id = store.db.execute("SELECT id FROM audits WHERE case_ref = ?", [case_ref]).fetchone()[0]
        return {a.question: a.evidence for a in store.get_audit(audit_id).answers}
    finally:
        store.close()


def edit_evidence(path, case_ref, text, actor="Ann Auditor"):
    """An edit in its own session (as the app on that machine would make it)."""
    store = Store(path, actor=actor)
    audit_id = store.db.execute("SELECT id FROM audits WHERE case_ref = ?", [case_ref]).fetchone()[0]
    store.set_answer(audit_id, "practice.quality", evidence=text)
    store.close()


def test_the_same_persons_edit_on_two_copies_is_a_conflict_both_ways(tmp_path):
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"
    store = Store(laptop, actor="Ann Auditor")
    make_audit(store, "CL-TWICE", base(), complete=False, evidence={"practice.quality": "Plan seen"})
    store.close()
    assert cli("--db", str(laptop), "backup", str(desktop)).returncode == 0
    # One auditor edits the same field on each copy: one history row each, the same old value.
    edit_evidence(laptop, "CL-TWICE", "Laptop: plan reviewed with the young person")
    edit_evidence(desktop, "CL-TWICE", "Desktop: plan not signed off by the manager")
    for here, there, kept in ((laptop, desktop, "Laptop: plan reviewed with the young person"),
                              (desktop, laptop, "Desktop: plan not signed off by the manager")):
        result = cli("--db", str(here), "merge", str(there))
        assert result.returncode == 2, result.stdout + result.stderr
        assert "updated 0; 0 the same on both sides; 0 newer here (kept); 1 conflict(s)" in result.stdout
        assert "CONFLICT CL-TWICE" in result.stdout and "answer practice.quality" in result.stdout
        assert evidence_of(here, "CL-TWICE")["practice.quality"] == kept  # this side's text is kept


def test_the_same_file_imported_into_two_databases_merges_as_a_no_op(tmp_path):
    source = Store(tmp_path / "source.db", actor="Quinn Lead")
    for ref in ("CL-A", "CL-B", "CL-C"):
        make_audit(source, ref, base(**{"practice.quality": "inadequate", "practice.voice": "requires_improvement"}),
                   complete=ref != "CL-B")
    source.raise_concern(source.list_audits()[0]["id"], description="Child at risk", team_manager="Pat Manager")
    source.close()
    exported = tmp_path / "from-elsewhere.json"
    assert cli("--db", str(tmp_path / "source.db"), "export", str(exported)).returncode == 0
    data = json.loads(exported.read_text())
    for audit in data["audits"]:  # a file from another system: actions and concerns without ids
        for item in audit["actions"] + audit["concerns"]:
            item.pop("id")
    # two below-good answers each, and the concern's urgent action
    assert sum(len(a["actions"]) for a in data["audits"]) == 7 and sum(len(a["concerns"]) for a in data["audits"]) == 1
    exported.write_text(json.dumps(data))
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert cli("--db", str(one), "import", str(exported), actor="ann").returncode == 0
    assert cli("--db", str(two), "import", str(exported), actor="bob").returncode == 0
    # The same audits in both, ids and all: their exports are the same bytes.
    assert cli("--db", str(one), "export", str(tmp_path / "one.json")).returncode == 0
    assert cli("--db", str(two), "export", str(tmp_path / "two.json")).returncode == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    for here, there in ((one, two), (two, one)):
        before = dump_file(here)
        result = cli("--db", str(here), "merge", str(there))
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[:2] == [
            "Added 0 audit(s), updated 0; 3 the same on both sides; 0 newer here (kept); 0 conflict(s)",
            "History rows added: 0; templates: 0; rounds: 0; allocated cases: 0"]
        assert dump_file(here) == before  # a no-op
    # Work then goes on in one copy: the other takes it as an update, not a conflict.
    edit_evidence(one, "CL-B", "Rechecked: the plan is now signed off")
    result = cli("--db", str(two), "merge", str(one), actor="bob")
    assert result.returncode == 0 and "updated 1; 2 the same on both sides" in result.stdout, result.stdout
    assert evidence_of(two, "CL-B")["practice.quality"] == "Rechecked: the plan is now signed off"


def test_a_json_merge_adds_logs_and_names_every_field_that_differs(tmp_path):
    """README: a .json file's new audits are added (logged as merged, their facts built with them), identical
    ones are left alone, and one that differs is a CONFLICT naming its case ref, id and every field that
    differs, including an answer only this side holds (actions the file gives no ids do not differ)."""
    here_path = tmp_path / "here.db"
    here = Store(here_path, actor="Ann Auditor")
    make_audit(here, "CL-SAME", base(**{"practice.quality": "requires_improvement"}))  # with an action
    changed = make_audit(here, "CL-CHANGED", base(**{"practice.quality": "requires_improvement",  # an action
                                                      "circumstances.in_custody": "yes",
                                                      "circumstances.custody_release": "yes"}))
    here.close()
    assert cli("--db", here_path, "backup", tmp_path / "there.db").returncode == 0
    there = Store(tmp_path / "there.db", actor="Bob Auditor")
    added = make_audit(there, "CL-NEW", base(), auditor="Bob Auditor")
    there.close()
    assert cli("--db", tmp_path / "there.db", "export", tmp_path / "there.json").returncode == 0
    data = json.loads((tmp_path / "there.json").read_text())
    for audit in data["audits"]:  # a file from another system: actions and concerns without ids
        for item in audit["actions"] + audit["concerns"]:
            item.pop("id")
    other = next(a for a in data["audits"] if a["case_ref"] == "CL-CHANGED")
    # there: not in custody, so the release question is not asked (and has no answer)
    other["answers"] = [a for a in other["answers"] if a["question"] != "circumstances.custody_release"]
    next(a for a in other["answers"] if a["question"] == "circumstances.in_custody")["grade"] = "no"
    (tmp_path / "there.json").write_text(json.dumps(data))

    result = cli("--db", here_path, "merge", tmp_path / "there.json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "Added 1 audit(s), updated 0; 1 the same on both sides; 0 newer here (kept); 1 conflict(s)",
        "History rows added: 1; templates: 0; rounds: 0; allocated cases: 0",
        f"CONFLICT CL-CHANGED (id {changed}): differs from this database's copy (a .json file has no history)"
        " — answer circumstances.custody_release, answer circumstances.in_custody"]
    here = Store(here_path, actor="reader")
    assert [(h["who"], h["field"]) for h in here.history(added)] == [("ann", "merged")]
    trail = here.db.execute("SELECT who, field, new FROM history WHERE audit_id IS NULL").fetchall()
    assert [tuple(row) for row in trail] == [("ann", "merge", "from there.json: 1 added, 1 conflict(s)")]
    # README: the merge builds the facts of what it brought in and publishes them with the audits
    assert [tuple(row) for row in here.db.execute("SELECT id FROM audit_facts").fetchall()] == [(added,)]
    here.close()


def as_before_history_ref(path) -> None:
    """Put `history` back as it was before migration 0006 (no `ref`: which edit a row records)."""
    conn = sqlite3.connect(path)
    with conn:
        trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'history_no_rewrite'").fetchone()[0]
        conn.execute("DROP TRIGGER history_no_rewrite")
        conn.execute("ALTER TABLE history DROP COLUMN ref")
        conn.execute(trigger.replace(" OR NEW.ref IS NOT OLD.ref", ""))
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_history_ref'")
    conn.close()


def test_a_database_older_than_history_refs_merges_with_its_history_once(tmp_path):
    """README: history travels with the audits and merging the same file twice changes nothing, from a
    copy made before history rows recorded which edit they are (its rows are matched whole)."""
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    make_audit(here, "CL-SAME", base())
    backup(here, tmp_path / "old.db")
    old = Store(tmp_path / "old.db", actor="Bob Auditor")
    added = make_audit(old, "CL-OLD", base(), auditor="Bob Auditor")
    trail = [(h["who"], h["field"], h["old"], h["new"]) for h in old.history(added)]
    old.close()
    as_before_history_ref(tmp_path / "old.db")
    untouched = (tmp_path / "old.db").read_bytes()
    result = merge(here, tmp_path / "old.db")
    assert (tmp_path / "old.db").read_bytes() == untouched  # only read: not brought up to date, nor written
    assert (result.added, result.unchanged, result.history_added, result.conflicts) == (
        ["CL-OLD"], 1, len(trail), [])
    assert [(h["who"], h["field"], h["old"], h["new"]) for h in here.history(added)] == trail
    before = dump(here)
    again = merge(here, tmp_path / "old.db")
    assert (again.added, again.unchanged, again.history_added, again.changed) == ([], 2, 0, False)
    assert dump(here) == before
    here.close()


def test_audits_whose_template_differs_here_are_conflicts_unless_the_same(tmp_path):
    """Module rule: an audit whose template version is stored differently on the two copies is never taken
    over: a CONFLICT naming the template, unless the audit is the same on both sides."""
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    here = Store(here_path, actor="Ann Auditor")
    for ref in ("CL-SAME", "CL-SAME-TOO"):
        make_audit(here, ref, base())
    changed = make_audit(here, "CL-CHANGED", base(), complete=False)
    here.close()
    assert cli("--db", here_path, "backup", there_path).returncode == 0
    there = Store(there_path, actor="Bob Auditor")
    only_there = make_audit(there, "CL-THERE", base(), auditor="Bob Auditor")
    there.set_answer(changed, "practice.quality", evidence="Rewritten on the other copy")
    there.close()
    conn = sqlite3.connect(there_path)
    with conn:  # the other copy's test-audit v1 is not this one's (edited in place by another program)
        body = json.loads(conn.execute("SELECT body FROM templates WHERE id = 'test-audit'").fetchone()[0])
        conn.execute("UPDATE templates SET body = ? WHERE id = 'test-audit'",
                     [json.dumps({**body, "title": "Another case audit"})])
    conn.close()
    result = cli("--db", here_path, "merge", there_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "Added 0 audit(s), updated 0; 2 the same on both sides; 0 newer here (kept); 2 conflict(s)",
        "History rows added: 0; templates: 0; rounds: 0; allocated cases: 0"]
    assert sorted(lines[2:]) == [  # (listed in the order of their ids)
        f"CONFLICT CL-CHANGED (id {changed}): its template test-audit v1 differs here — template",
        f"CONFLICT CL-THERE (id {only_there}): its template test-audit v1 differs here — template"]
    assert evidence_of(here_path, "CL-CHANGED")["practice.quality"] != "Rewritten on the other copy"


def test_an_audit_that_cannot_be_read_from_the_other_copy_is_listed_and_the_rest_merge(tmp_path):
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    Store(here_path, actor="Ann Auditor").close()
    there = Store(there_path, actor="Bob Auditor")
    good = make_audit(there, "CL-GOOD", base(), auditor="Bob Auditor",
                      tmpl=parse_template(TEMPLATE_YAML.replace("version: 1", "version: 2"), "v2.yaml"))
    bad = make_audit(there, "CL-BAD", base(), auditor="Bob Auditor")
    there.close()
    conn = sqlite3.connect(there_path)
    with conn:  # another program wrote an audit date that is no date
        conn.execute("UPDATE audits SET audited_on = 'last Tuesday' WHERE id = ?", [bad])
    conn.close()
    result = cli("--db", here_path, "merge", there_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Added 1 audit(s), updated 0; 0 the same on both sides; 0 newer here (kept); 1 conflict(s)"
    assert lines[1].endswith("; templates: 2; rounds: 0; allocated cases: 0")  # both versions come along
    conn = sqlite3.connect(here_path)
    assert conn.execute("SELECT DISTINCT source FROM templates").fetchall() == [("merged from there.db",)]
    conn.close()
    # what is wrong in words (the field another program spoilt), never the reader's own error text
    assert lines[2:] == [f"CONFLICT CL-BAD (id {bad}): cannot be read from the other database: its audit date "
                         "is not valid there — content"]
    assert list(evidence_of(here_path, "CL-GOOD")) and good


def test_history_arrives_for_unchanged_audits_and_every_count_and_the_trail_add_up(tmp_path):
    """Audits edited and put back on the other copy are the same, and their longer history comes across; an
    audit changed there by another program (no history) is a conflict, not an update; the counts are of
    audits and history rows; text stored there with control characters arrives without them (README:
    stored text is only text); the trail names the merge."""
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    here = Store(here_path, actor="Ann Auditor")
    ids = {ref: make_audit(here, ref, base(), complete=False)
           for ref in ("CL-A", "CL-B", "CL-C", "CL-D", "CL-E", "CL-F", "CL-G")}
    here.close()
    assert cli("--db", here_path, "backup", there_path).returncode == 0
    for ref in ("CL-C", "CL-D"):  # changed here only: kept
        edit_evidence(here_path, ref, "Checked again here")
    for ref in ("CL-A", "CL-F"):  # edited and put back there: the same, with two more history rows each
        edit_evidence(there_path, ref, "Changed on the other copy", actor="Bob Auditor")
        edit_evidence(there_path, ref, evidence_of(here_path, ref)["practice.quality"], actor="Cat Auditor")
    for ref in ("CL-B", "CL-G"):  # changed there only: updated, one history row each
        edit_evidence(there_path, ref, "Plan seen", actor="Bob Auditor")
    conn = sqlite3.connect(there_path)
    with conn:  # another program stores CL-B's text with a bell in it, and changes CL-E (no history row)
        for ref, text in (("CL-B", "Plan\a seen"), ("CL-E", "Changed outside audit-tui")):
            conn.execute("UPDATE answers SET evidence = ? WHERE audit_id = ? AND question = 'practice.quality'",
                         [text, ids[ref]])
    conn.close()
    result = cli("--db", here_path, "merge", there_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "Added 0 audit(s), updated 2; 2 the same on both sides; 2 newer here (kept); 1 conflict(s)",
        "History rows added: 6; templates: 0; rounds: 0; allocated cases: 0",
        f"CONFLICT CL-E (id {ids['CL-E']}): changed on both sides — answer practice.quality"]
    here = Store(here_path, actor="reader")
    for ref in ("CL-A", "CL-F"):
        assert [h["who"] for h in here.history(ids[ref])][-2:] == ["Bob Auditor", "Cat Auditor"]
    stored = here.db.execute("SELECT evidence FROM answers WHERE audit_id = ? AND question = 'practice.quality'",
                             [ids["CL-B"]]).fetchone()[0]
    assert stored == "Plan seen"  # as stored, not only as read
    trail = here.db.execute("SELECT who, field, new FROM history WHERE audit_id IS NULL").fetchall()
    assert [tuple(row) for row in trail] == [("ann", "merge", "from there.db: 0 added, 2 updated, 1 conflict(s)")]
    here.close()


def test_a_json_merge_counts_the_lead_conclusions_it_adds(tmp_path):
    """README (the quality lead's conclusions): the file carries a round's commentary and recommendations, and a
    .json merge adds those this database lacks, saying how many."""
    source = Store(tmp_path / "source.db", actor="Quinn Lead")
    make_audit(source, "CL-1", base())
    source.set_round_commentary("2026-02 practice week", "Plans are improving.")
    source.add_recommendation("2026-02 practice week", what="Managers sample two files a month", lead="Jo Head",
                              outcome="24 files sampled by March 2027", due="2027-03-31", rag="amber")
    source.close()
    assert cli("--db", tmp_path / "source.db", "export", tmp_path / "lead.json").returncode == 0
    result = cli("--db", tmp_path / "new.db", "merge", tmp_path / "lead.json")
    assert result.stdout.splitlines() == [
        "Added 1 audit(s), updated 0; 0 the same on both sides; 0 newer here (kept); 0 conflict(s)",
        "History rows added: 1; templates: 1; rounds: 0; allocated cases: 0; lead's conclusions and targets: 2"]
    assert result.returncode == 0
