"""Re-audit and follow-up (README "Re-audit and follow-up"): an inadequate audit's re-audit date, set by
the lead and shown on the round dashboard; a follow-up audit linked to the earlier audit of the case,
recording whether its actions made a difference (the impact scale), counted in `summary --json` and
the report; the case's audits side by side (`audit-tui case`); all carried by the interchange file and
merge. Through the store's public methods, the CLI as a subprocess and files read back (the app:
tests/tui/test_reaudit.py)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date

import pytest
from docx import Document

from audit_tui.domain.templates import builtin_templates
from audit_tui.storage.store import GatesNotMet, Store, StoreError

from .factories import base, make_audit, moderate, state_safeguarding
from .helpers.cli import invoke, run_script

ROUND = "2026-02 practice week"
POOR = base(**{"practice.quality": "inadequate", "practice.voice": "inadequate", "oversight.supervision": "inadequate"})
NOTE = "Sam now has a pathway plan written with her, and she says she knows who to call."


def run(*args: str, ok: bool = True, script: bool = False) -> subprocess.CompletedProcess:
    """The command in this process, or with `script` as a child process (the real entry point)."""
    done = run_script(*args) if script else invoke(*args)
    assert (done.returncode == 0) == ok, done.stderr
    assert "Traceback" not in done.stderr
    return done


def _follow_up(store: Store, earlier: str, case_ref: str = "CL-0009", impact: str = "some_improvement",
               on: date = date(2026, 4, 14)) -> str:
    """A completed follow-up audit of `earlier`, all good, judged `impact`."""
    later = make_audit(store, case_ref, base(), audited_on=on, round="2026-04 re-audits", complete=False)
    store.set_followup(later, follows=earlier, impact=impact, note=NOTE)
    state_safeguarding(store, later)
    store.complete(later, "good")
    return later


def test_only_an_inadequate_completed_audit_gets_a_reaudit_date(store):
    poor = make_audit(store, "CL-0009", POOR)
    fine = make_audit(store, "CL-0010", base())
    draft = make_audit(store, "CL-0011", POOR, complete=False)
    for audit_id in (fine, draft):
        with pytest.raises(StoreError, match="completed audit whose overall grade is inadequate"):
            store.schedule_reaudit(audit_id, "14/04/2026")
    with pytest.raises(StoreError, match="before the audit date"):
        store.schedule_reaudit(poor, "2026-02-01")
    with pytest.raises(StoreError, match="the re-audit date: 31 April 2026 doesn't exist"):
        store.schedule_reaudit(poor, "31/04/2026")
    store.schedule_reaudit(poor, "14/04/2026")
    store.schedule_reaudit(poor, None)
    assert [(h["field"], h["old"], h["new"]) for h in store.history(poor) if h["field"] == "reaudit_due"] == [
        ("reaudit_due", None, "2026-04-14"), ("reaudit_due", "2026-04-14", None)]
    moderate(store, fine, overall="inadequate")  # the moderator's overall grade is the final one
    store.schedule_reaudit(fine, date(2026, 5, 1))
    assert store.get_audit(fine).reaudit_due == date(2026, 5, 1)


def test_a_follow_up_links_an_earlier_audit_of_the_case_and_needs_its_judgement(store):
    earlier = make_audit(store, "CL-0009", POOR)
    other = make_audit(store, "CL-0010", base())
    later = make_audit(store, "CL-0009", base(), audited_on=date(2026, 4, 14), complete=False)
    with pytest.raises(StoreError, match="follows an earlier audit of CL-0009"):
        store.set_followup(later, follows=other)
    with pytest.raises(StoreError, match="one of: improved, some_improvement"):
        store.set_followup(later, impact="better")
    store.set_followup(later, follows=earlier[:8])  # the first characters, as lists show them
    state_safeguarding(store, later)
    with pytest.raises(GatesNotMet) as refused:
        store.complete(later, "good")
    assert [f.message for f in refused.value.findings] == [
        "Follow-up: this audit follows up an earlier one, so say whether its actions made a difference (F9)"]
    store.set_followup(later, impact="improved", note=NOTE)
    store.complete(later, "good")
    record = store.get_audit(later)
    assert (record.follows, record.followup.impact, record.followup.note) == (earlier, "improved", NOTE)
    assert ("followup:follows", None, earlier) in [(h["field"], h["old"], h["new"]) for h in store.history(later)]
    with pytest.raises(StoreError, match="follows a completed audit made on or before its own date"):
        store.set_followup(make_audit(store, "CL-0009", base(), audited_on=date(2026, 1, 5), complete=False),
                           follows=earlier)


@pytest.fixture
def followed(tmp_path):
    """CL-0009 inadequate (re-audit set, done by a follow-up judged some improvement); CL-0010 inadequate,
    re-audit due 1 March 2026 and not done; CL-0011 inadequate without a date; CL-0012 good."""
    db = tmp_path / "a.db"
    store = Store(db, actor="Quinn Lead")
    run_round = ["rounds", "create", ROUND, "--from", "2026-02-09", "--to", "2026-02-13", "--template", "care-leavers"]
    first = make_audit(store, "CL-0009", POOR)
    second = make_audit(store, "CL-0010", POOR)
    make_audit(store, "CL-0011", POOR)
    make_audit(store, "CL-0012", base())
    store.schedule_reaudit(first, "2026-04-14")
    store.schedule_reaudit(second, "2026-03-01")
    later = _follow_up(store, first)
    store.close()
    run(*run_round, "--db", str(db))
    return db, first, second, later


def test_the_round_dashboard_lists_the_reaudits(followed):
    db, first, second, _ = followed
    out = run("rounds", "show", ROUND, "--db", str(db)).stdout
    lines = out[out.index("Re-audits (audits graded inadequate):"):].splitlines()
    assert lines[1:4] == ["  CL-0011 (audited 2026-02-10): no date yet: the lead sets it",
                          "  CL-0010 (audited 2026-02-10): due 2026-03-01, overdue",
                          "  CL-0009 (audited 2026-02-10): due 2026-04-14, re-audited"]
    figures = json.loads(run("rounds", "show", ROUND, "--json", "--db", str(db)).stdout)
    assert [(r["case_ref"], r["done"], r["overdue"]) for r in figures["reaudits"]] == [
        ("CL-0011", False, False), ("CL-0010", False, True), ("CL-0009", True, False)]


def test_summary_and_report_count_reaudits_and_whether_the_actions_made_a_difference(followed, tmp_path):
    db = followed[0]
    figures = json.loads(run("summary", "--json", "--as-of", "2026-03-10", "--db", str(db)).stdout)
    assert figures["reaudits"] == {"inadequate": 3, "scheduled": 2, "done": 1, "overdue": 1, "unscheduled": 1}
    assert figures["followups"] == {"audits": 1, "impact": {"improved": 0, "some_improvement": 1, "no_change": 0,
                                                            "worse": 0, "too_early": 0, "not_recorded": 0},
                                    "made_a_difference": 1, "judged": 1}
    run("report", "-o", str(tmp_path / "r.docx"), "--as-of", "2026-03-10", "--db", str(db))
    text = "\n".join(p.text for p in Document(str(tmp_path / "r.docx")).paragraphs)
    assert ("Re-audits: of 3 audits graded inadequate, 2 have a re-audit date, 1 has been re-audited, 1 overdue "
            "and 1 without a date yet.") in text
    assert ("At follow-up, the earlier actions had made a difference in 1 of 1 follow-up audit judged (improved 0, "
            "some improvement 1, no change 0, worse 0; too early to say 0, not recorded 0).") in text


def test_the_case_command_shows_the_audits_side_by_side(followed):
    db, first, _, later = followed
    compared = json.loads(run("case", "cl-0009", "--json", "--db", str(db)).stdout)
    assert [a["id"] for a in compared["audits"]] == [first, later]
    assert [(a["overall"], a["follows"], a["followup_impact"], a["reaudit_due"]) for a in compared["audits"]] == [
        ("inadequate", None, None, "2026-04-14"), ("good", first, "some_improvement", None)]
    quality = next(q for q in compared["questions"] if q["question"] == "practice.quality")
    assert (quality["label"], quality["grades"]) == ("Practice Q1", ["Inadequate", "Good"])
    text = run("case", "CL-0009", "--db", str(db)).stdout.splitlines()
    assert text[0].split() == ["2026-02-10", "2026-04-14"]
    assert text[5].split() == ["Actions", "made", "a", "difference", "—", "Some", "improve…"]
    assert "No audit of CL-9999." in run("case", "CL-9999", "--db", str(db)).stdout


def test_the_case_command_keeps_each_questions_number_when_its_section_title_is_long(tmp_path):
    """README, Re-audit and follow-up: side by side, each question keeps its number, its section title cut."""
    template = next(t for t in builtin_templates() if t.id == "care-leavers")
    with Store(tmp_path / "a.db", actor="Alex Auditor") as store:
        audit_id = store.create_audit(template, case_ref="CL-0001", team="Leaving Care 1", auditor="Alex Auditor",
                                      audited_on=date(2026, 2, 10))
        for key, _, _ in template.questions():
            store.set_answer(audit_id, key, grade=template.scale_of(key).levels[0].id)
    rows = run("case", "CL-0001", "--db", str(tmp_path / "a.db")).stdout.splitlines()[8:]
    labels = [row[:30].rstrip() for row in rows]
    assert len(labels) == len(template.questions())
    assert "Accommodation, staying pu… Q1" in labels and "Accommodation, staying pu… Q2" in labels
    assert all(re.search(r" Q\d+$", label) and len(label) <= 29 for label in labels), labels
    assert len(set(labels)) == len(labels)


def test_reaudit_and_followup_commands_save_and_refuse_in_one_line(followed):
    db, first, second, later = followed
    assert run("reaudit", second[:8], "--on", "20/03/2026", "--db", str(db)).stdout.strip() == (
        f"Re-audit of {second[:8]}: due 2026-03-20 (logged).")
    refused = run("reaudit", later[:8], "--on", "20/03/2026", "--db", str(db), ok=False, script=True)
    assert refused.stderr.strip().splitlines() == [
        "audit-tui: error: a re-audit is scheduled for a completed audit whose overall grade is inadequate"]
    store = Store(db, actor="Ann Auditor")
    draft = make_audit(store, "CL-0010", base(), audited_on=date(2026, 3, 20), complete=False)
    store.close()
    out = run("followup", draft[:8], "--follows", second[:8], "--impact", "no_change", "--db", str(db)).stdout
    assert out.strip() == f"Follow-up of {draft[:8]}: follows {second[:8]}; the actions: no_change (logged)."


def test_interchange_and_merge_carry_links_judgements_and_dates(followed, tmp_path):
    db, first, _, later = followed
    run("export", str(tmp_path / "one.json"), "--db", str(db))
    by_id = {a["id"]: a for a in json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))["audits"]}
    assert (by_id[first]["reaudit_due"], by_id[first]["follows"], by_id[first]["followup"]) == ("2026-04-14", None, None)
    assert by_id[later]["follows"] == first
    assert by_id[later]["followup"] == {"impact": "some_improvement", "note": NOTE}
    run("import", str(tmp_path / "one.json"), "--db", str(tmp_path / "b.db"))
    run("export", str(tmp_path / "two.json"), "--db", str(tmp_path / "b.db"))
    assert (tmp_path / "two.json").read_bytes() == (tmp_path / "one.json").read_bytes()
    run("merge", str(db), "--db", str(tmp_path / "c.db"))
    run("export", str(tmp_path / "three.json"), "--db", str(tmp_path / "c.db"))
    assert json.loads((tmp_path / "three.json").read_text())["audits"] == list(by_id.values())
    bad = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    bad["audits"][-1]["followup"] = {"impact": "much_better"}
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    refused = run("import", str(tmp_path / "bad.json"), "--db", str(tmp_path / "d.db"), ok=False)
    assert "followup.impact" in refused.stderr


def test_the_dashboard_says_when_a_reaudit_is_started(tmp_path):
    """README: a re-audit whose follow-up is a draft reads "re-audit started" in `rounds show`, and its row in
    `--json` names that draft as `followup` (null until one is started)."""
    db = tmp_path / "a.db"
    with Store(db, actor="Quinn Lead") as store:
        poor = make_audit(store, "CL-0009", POOR)
        other = make_audit(store, "CL-0010", POOR)
        store.schedule_reaudit(poor, "2026-04-14")
        later = make_audit(store, "CL-0009", base(), audited_on=date(2026, 4, 10), round="2026-04 re-audits",
                           complete=False)
        store.set_followup(later, follows=poor)
    run("rounds", "create", ROUND, "--from", "2026-02-09", "--to", "2026-02-13", "--db", str(db))
    lines = run("rounds", "show", ROUND, "--db", str(db)).stdout.splitlines()
    assert "  CL-0009 (audited 2026-02-10): due 2026-04-14, overdue, re-audit started" in lines
    assert "  CL-0010 (audited 2026-02-10): no date yet: the lead sets it" in lines
    figures = json.loads(run("rounds", "show", ROUND, "--json", "--db", str(db)).stdout)
    assert {r["audit_id"]: (r["followup"], r["followup_on"], r["followup_impact"]) for r in figures["reaudits"]} \
        == {poor: (later, "2026-04-10", None), other: (None, None, None)}
