"""Merge: rounds and allocated cases come across with their audits, each linked to the audit it has on both
copies, never to one that is not here (README, "Several auditors")."""

from __future__ import annotations

import sqlite3

from audit_tui.features import rounds
from audit_tui.features.backup import backup
from audit_tui.features.merge import merge
from audit_tui.storage.store import Store

from .factories import base, make_audit


def allocate(store, round_name, starts, case_ref, tmp_path):
    rounds.create_round(store, round_name, starts, starts)
    cases = tmp_path / f"{case_ref}.csv"
    cases.write_text(f"case ref,auditor,template\n{case_ref},Bob Auditor,test-audit\n")
    rounds.import_cases(store, round_name, cases, known_templates={"test-audit"})
    return rounds.allocations(store, round_name)[0]["id"]


def start_allocated(store, allocation_id, case_ref):
    """The audit of an allocated case, started outside the round's name: only the link says it is its audit."""
    audit_id = make_audit(store, case_ref, base(), round="", complete=False, auditor="Bob Auditor")
    rounds.link_audit(store, allocation_id, audit_id)
    return audit_id


def test_rounds_and_allocated_cases_arrive_with_their_audits(tmp_path):
    """Rounds and allocations the other copy added come across (their own ids here), each linked to its
    audit; and a case allocated on both copies and started on the other takes that audit here."""
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    allocate(here, "2026-03 week", "2026-03-02", "CL-9", tmp_path)
    backup(here, tmp_path / "there.db")
    allocate(here, "2026-04 here", "2026-04-06", "CL-20", tmp_path)  # made after the copy, on each side
    rounds.create_round(here, "2026-06 week", "2026-06-01", "2026-06-05")
    there = Store(tmp_path / "there.db", actor="Bob Auditor")
    started = start_allocated(there, rounds.allocations(there, "2026-03 week")[0]["id"], "CL-9")
    new_started = start_allocated(there, allocate(there, "2026-04 there", "2026-04-13", "CL-30", tmp_path), "CL-30")
    allocate(there, "2026-05 there", "2026-05-04", "CL-31", tmp_path)
    allocate(there, "2026-06 WEEK", "2026-06-01", "CL-40", tmp_path)  # the same round, spelt otherwise there
    history_rows = len(there.history(started)) + len(there.history(new_started))
    there.close()
    assert [r["progress"] for r in rounds.allocations(here, "2026-03 week")] == ["allocated"]
    result = merge(here, tmp_path / "there.db")
    assert (sorted(result.added), result.rounds_added, result.allocations_added) == (["CL-30", "CL-9"], 2, 3)
    assert result.history_added == history_rows  # both added audits' history
    progress = {name: [(r["case_ref"], r["audit_id"], r["progress"]) for r in rounds.allocations(here, name)]
                for name in ("2026-03 week", "2026-04 here", "2026-04 there", "2026-05 there", "2026-06 week")}
    assert progress == {"2026-03 week": [("CL-9", started, "in progress")],
                        "2026-04 here": [("CL-20", None, "allocated")],
                        "2026-04 there": [("CL-30", new_started, "in progress")],
                        "2026-05 there": [("CL-31", None, "allocated")],
                        "2026-06 week": [("CL-40", None, "allocated")]}  # under this copy's spelling
    here.close()


def test_a_case_started_on_both_copies_keeps_this_copys_audit_and_never_links_one_that_did_not_come(tmp_path):
    """A case allocated on both copies and started on each keeps this copy's audit (the other's arrives as an
    audit of its own); an allocated case whose audit the other copy cannot read (so it does not come across, a
    CONFLICT) arrives, or stays, not started, never linked to an audit this database lacks."""
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    both = allocate(here, "2026-03 week", "2026-03-02", "CL-9", tmp_path)
    unread = allocate(here, "2026-04 week", "2026-04-06", "CL-10", tmp_path)
    backup(here, tmp_path / "there.db")
    mine = start_allocated(here, both, "CL-9")
    there = Store(tmp_path / "there.db", actor="Bob Auditor")
    theirs = start_allocated(there, both, "CL-9")
    spoilt = [start_allocated(there, unread, "CL-10"),
              start_allocated(there, allocate(there, "2026-05 there", "2026-05-04", "CL-30", tmp_path), "CL-30")]
    there.close()
    conn = sqlite3.connect(tmp_path / "there.db")
    with conn:  # another program wrote audit dates that are no dates
        conn.executemany("UPDATE audits SET audited_on = 'last Tuesday' WHERE id = ?", [[i] for i in spoilt])
    conn.close()
    result = merge(here, tmp_path / "there.db")
    assert (result.added, result.rounds_added, result.allocations_added) == (["CL-9"], 1, 1)
    assert sorted(c.case_ref for c in result.conflicts) == ["CL-10", "CL-30"]
    progress = {name: [(r["case_ref"], r["audit_id"], r["progress"]) for r in rounds.allocations(here, name)]
                for name in ("2026-03 week", "2026-04 week", "2026-05 there")}
    assert progress == {"2026-03 week": [("CL-9", mine, "in progress")],
                        "2026-04 week": [("CL-10", None, "allocated")],
                        "2026-05 there": [("CL-30", None, "allocated")]}
    assert here.get_audit(theirs).case_ref == "CL-9"
    here.close()
