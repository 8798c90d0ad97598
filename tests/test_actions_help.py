"""Actions that help rather than drown (README "Actions that help"): one action answering several
questions, "no action because …" with a reason on a grade below good, the kind of each action, the
warning when the owner is the child or young person, shorter due dates after an inadequate grade, and
the counts by kind in `summary --json`, the report and `actions`. Through the store's public methods,
the CLI as a subprocess and files read back (the app: tests/tui/test_actions_help.py)."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta

import pytest
from docx import Document

from audit_tui.domain import gates
from audit_tui.storage.store import GatesNotMet, Store

from .factories import base, make_audit, state_safeguarding
from .helpers.cli import invoke, run_script

DAY = date(2026, 2, 10)
REASON = "Already in hand: the plan review was booked on 2 February with the IRO"


def run(*args: str, ok: bool = True, script: bool = False) -> subprocess.CompletedProcess:
    """The command in this process, or with `script` as a child process (the real entry point)."""
    done = run_script(*args) if script else invoke(*args)
    assert (done.returncode == 0) == ok, done.stderr
    return done


def _draft(store: Store, **grades: str) -> str:
    """A draft of the test template graded `grades` (others good), narratives written, no actions."""
    return make_audit(store, "CL-0001", base(**grades), actions=[], complete=False)


def _complete(store: Store, audit_id: str) -> None:
    state_safeguarding(store, audit_id)
    record = store.get_audit(audit_id)
    store.complete(audit_id, gates.suggested_overall_grade(store.template_of(record), record) or "good")


def _unmet(store: Store, audit_id: str) -> list[str]:
    with pytest.raises(GatesNotMet) as refused:
        _complete(store, audit_id)
    return [finding.message for finding in refused.value.findings]


def test_a_reason_for_no_action_meets_the_gate_an_action_would(store):
    audit_id = _draft(store, **{"practice.quality": "requires_improvement"})
    assert _unmet(store, audit_id) == ["Practice Q1: graded below good, so it needs at least one action"]
    store.set_no_action(audit_id, "practice.quality", "tbc")  # a placeholder is no reason
    assert _unmet(store, audit_id)[0].startswith("Practice Q1: say why no action is needed")
    store.set_no_action(audit_id, "practice.quality", "Already in hand since March")  # 5 words: too short
    assert "at least 6 words" in _unmet(store, audit_id)[0]
    store.set_no_action(audit_id, "practice.quality", REASON)
    _complete(store, audit_id)
    assert store.get_audit(audit_id).status == "completed"
    assert ("practice.quality:no_action", "Already in hand since March", REASON) in [
        (h["field"], h["old"], h["new"]) for h in store.history(audit_id)]


def test_one_action_answers_several_questions(store):
    audit_id = _draft(store, **{"practice.quality": "requires_improvement", "practice.voice": "inadequate",
                                "practice.compliance": "partly"})
    store.add_action(audit_id, description="Rewrite the pathway plan with Sam in her own words by 1 March",
                     owner="Dan Okafor", due=DAY + timedelta(days=14), kind="case",
                     questions=["practice.voice", "practice.quality", "practice.compliance"])
    _complete(store, audit_id)
    action = store.get_audit(audit_id).actions[0]
    assert (action.question, action.questions, action.kind) == (
        "practice.voice", ["practice.voice", "practice.quality", "practice.compliance"], "case")


def test_the_owner_warning_names_the_child_or_young_person_only(store):
    audit_id = _draft(store, **{"practice.quality": "requires_improvement"})
    for owner in ("Young person", "the child", "YP (Sam)", "Child Protection Chair", "Dan Okafor"):
        store.add_action(audit_id, description=f"Agree the budget plan for the flat by 1 March ({owner})",
                         owner=owner, due=DAY + timedelta(days=20), question="practice.quality")
    record = store.get_audit(audit_id)
    warned = [w.message for w in gates.warnings(store.template_of(record), record) if "child or young person" in w.message]
    assert [m.split(" is owned")[0] for m in warned] == ["Action 1", "Action 2", "Action 3"]


def test_a_new_action_is_due_sooner_after_an_inadequate_grade(store):
    audit_id = _draft(store, **{"practice.quality": "requires_improvement", "practice.voice": "inadequate"})
    record = store.get_audit(audit_id)
    template = store.template_of(record)
    assert gates.default_due(template, record, ["practice.voice"]) == DAY + timedelta(days=14)
    assert gates.default_due(template, record, ["practice.quality"]) == DAY + timedelta(days=28)
    assert gates.default_due(template, record, ["practice.quality", "practice.voice"]) == DAY + timedelta(days=14)


@pytest.fixture
def kinds_db(tmp_path):
    """Two completed audits: CL-0001 with a case action answering two questions and a learning action;
    CL-0002 with a service recommendation and a reason for no action on its one grade below good; a
    draft with a learning action (drafts are not counted)."""
    db = tmp_path / "a.db"
    store = Store(db, actor="Ann Auditor")
    one = make_audit(store, "CL-0001", base(**{"practice.quality": "requires_improvement",
                                                "practice.voice": "requires_improvement"}), actions=[
        {"description": "Rewrite the pathway plan with Sam in her own words by 1 March", "owner": "Dan Okafor",
         "due": DAY + timedelta(days=20), "questions": ["practice.quality", "practice.voice"]},
        {"description": "Reflect in supervision on recording Sam's words by 10 March", "owner": "Tess Manager",
         "due": DAY + timedelta(days=28), "kind": "learning"}])
    two = _draft(store, **{"oversight.supervision": "requires_improvement"})
    store.update_audit(two, case_ref="CL-0002")
    store.set_no_action(two, "oversight.supervision", REASON)
    store.add_action(two, description="Report supervision frequency across the service to the board by April",
                     owner="Head of service", due=DAY + timedelta(days=50), kind="service")
    _complete(store, two)
    draft = make_audit(store, "CL-0003", base(), complete=False, actions=[
        {"description": "Reflect in supervision on the chronology by 1 March", "owner": "Tess Manager",
         "due": DAY + timedelta(days=20), "kind": "learning"}])
    store.close()
    return db, one, two, draft


def test_summary_json_counts_actions_by_kind_and_answers_needing_none(kinds_db):
    db = kinds_db[0]
    figures = json.loads(run("summary", "--json", "--db", str(db)).stdout)
    assert figures["actions_by_kind"] == {"case": 1, "learning": 1, "service": 1}
    assert figures["answers_no_action"] == 1
    assert figures["actions"]["total"] == 3


def test_the_report_says_the_actions_by_kind(kinds_db, tmp_path):
    db = kinds_db[0]
    run("report", "-o", str(tmp_path / "r.docx"), "--db", str(db))
    text = "\n".join(p.text for p in Document(str(tmp_path / "r.docx")).paragraphs)
    assert ("By kind: 1 case action, 1 learning for the worker and 1 service recommendation. 1 answer graded "
            "below good needed no new action, with the reason on file (for example, already in hand).") in text


def test_actions_command_filters_and_counts_by_kind(kinds_db, tmp_path):
    db = kinds_db[0]
    out = run("actions", "--db", str(db), "--as-of", "2026-02-11").stdout
    assert out.splitlines()[-1] == ("4 action(s); 0 overdue (as of 2026-02-11); case action 1; learning for the "
                                    "worker 2; service recommendation 1")
    learning = run("actions", "--kind", "learning", "--db", str(db)).stdout.splitlines()
    assert len(learning) == 3 and all("learning" in line for line in learning[:2])
    run("actions", "--kind", "service", "--csv", str(tmp_path / "s.csv"), "--db", str(db))
    rows = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",kind,questions") and len(rows) == 2 and rows[1].endswith(",service,")


def test_interchange_carries_kinds_questions_and_reasons_losslessly(kinds_db, tmp_path):
    db = kinds_db[0]
    run("export", str(tmp_path / "one.json"), "--db", str(db))
    data = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    by_ref = {a["case_ref"]: a for a in data["audits"]}
    first = by_ref["CL-0001"]["actions"]
    assert first[0]["kind"] == "case" and first[0]["question"] == "practice.quality"
    assert first[0]["questions"] == ["practice.quality", "practice.voice"]
    assert first[1]["kind"] == "learning" and "questions" not in first[1]  # written only for several
    answers = {a["question"]: a for a in by_ref["CL-0002"]["answers"]}
    assert answers["oversight.supervision"]["no_action"] == REASON
    assert "no_action" not in answers["practice.quality"]
    run("import", str(tmp_path / "one.json"), "--db", str(tmp_path / "b.db"))
    run("export", str(tmp_path / "two.json"), "--db", str(tmp_path / "b.db"))
    assert (tmp_path / "two.json").read_bytes() == (tmp_path / "one.json").read_bytes()
    # merging the other database brings them, and merging the same file again changes nothing
    run("merge", str(db), "--db", str(tmp_path / "c.db"))
    run("export", str(tmp_path / "three.json"), "--db", str(tmp_path / "c.db"))
    assert json.loads((tmp_path / "three.json").read_text())["audits"] == data["audits"]
    assert "Added 0 audit(s)" in run("merge", str(tmp_path / "one.json"), "--db", str(tmp_path / "c.db")).stdout


def test_import_names_an_action_question_the_template_lacks(kinds_db, tmp_path):
    db = kinds_db[0]
    run("export", str(tmp_path / "one.json"), "--db", str(db))
    data = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    data["audits"][0]["actions"][0]["questions"] = ["practice.quality", "practice.nothing"]
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    done = run("import", str(tmp_path / "bad.json"), "--db", str(tmp_path / "b.db"), ok=False, script=True)
    assert "actions[0].questions" in done.stderr and "'practice.nothing' is not a question" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_feedback_document_names_the_kind_and_the_reason_for_no_action(kinds_db, tmp_path):
    db, _, two, _ = kinds_db
    run("report", "-o", str(tmp_path / "f.docx"), "--audit", two[:8], "--db", str(db))
    doc = Document(str(tmp_path / "f.docx"))
    assert f"No new action for Oversight Q1: {REASON}" in [p.text for p in doc.paragraphs]
    cells = {row.cells[0].text for table in doc.tables for row in table.rows}
    assert "Service recommendation: Report supervision frequency across the service to the board by April" in cells


def test_the_xlsx_export_lists_each_action_with_its_kind_and_questions(kinds_db, tmp_path):
    from openpyxl import load_workbook

    run("export", str(tmp_path / "all.xlsx"), "--db", str(kinds_db[0]))
    sheet = load_workbook(tmp_path / "all.xlsx")["actions"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-2:] == ["kind", "questions"]
    assert sorted(tuple(r[-2:]) for r in rows[1:]) == [
        ("case", "practice.quality practice.voice"), ("learning", None), ("learning", None), ("service", None)]


def test_the_demo_loses_nothing_that_matters(demo_copy):
    """Fewer actions in the demo, but every grade below good (four-point or yes/partly/no: "no" is also a
    fact question's answer, so partly stands for them) still has an action answering it or a reason
    why none is needed, and every inadequate grade has an action."""
    import sqlite3

    conn = sqlite3.connect(demo_copy)
    answered = conn.execute(
        """SELECT n.audit_id, n.question, n.grade, n.no_action,
                  EXISTS (SELECT 1 FROM actions x WHERE x.audit_id = n.audit_id AND (x.question = n.question
                          OR n.question IN (SELECT value FROM json_each(COALESCE(x.questions, '[]')))))
           FROM answers n JOIN audits a ON a.id = n.audit_id
           WHERE a.status != 'draft' AND n.grade IN ('requires_improvement', 'inadequate', 'partly')
             AND NOT EXISTS (SELECT 1 FROM training_audits t WHERE t.audit_id = a.id)""").fetchall()
    assert answered and all(acted or (reason and grade != "inadequate") for _, _, grade, reason, acted in answered)
    conn.close()
