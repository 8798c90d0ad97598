"""Known data sets for the output tests (summary, report, exports, interchange)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from audit_tui.domain import gates
from audit_tui.domain.templates import parse_template
from audit_tui.storage.store import Store

TEMPLATE_YAML = """\
id: test-audit
version: 1
title: Test case audit
service_areas: [care leavers]
scales:
  - id: circumstance
    graded: false
    levels:
      - {id: "yes", label: "Yes", good_or_better: true}
      - {id: "no", label: "No", good_or_better: true}
themes:
  - {id: plans, label: Pathway plans, keywords: [pathway plan]}
  - {id: voice, label: Voice of the child, keywords: [wishes and feelings]}
  - {id: supervision, label: Supervision, keywords: [supervision]}
  - {id: housing, label: Accommodation, keywords: [accommodation]}
sections:
  - id: practice
    title: Practice
    questions:
      - {id: quality, text: "How good is the plan?", scale: ilacs, themes: [plans]}
      - {id: voice, text: "Is the child's voice heard?", scale: ilacs, themes: [voice]}
      - {id: compliance, text: "Is the plan up to date?", scale: yes_partly_no}
  - id: circumstances
    title: Circumstances
    questions:
      - {id: in_custody, text: "Is the young person in custody?", scale: circumstance}
      - id: custody_release
        text: "Is release planned?"
        scale: yes_partly_no
        only_if: {question: circumstances.in_custody, answer_in: ["yes"]}
  - id: oversight
    title: Oversight
    questions:
      - {id: supervision, text: "Is supervision reflective?", scale: ilacs, themes: [supervision]}
"""

LIVED = ("Sam said she feels safe in her flat and wants to stay near her sister; she told the worker "
         "that college is going well.")
LIVED_NO_VOICE = ("The young person lives in a one bedroom flat near the town centre and attends college "
                  "three days each week at present.")
IMPACT = ("Because of the work Sam is now settled in her flat, her rent arrears have reduced and she "
          "is attending college every week.")
IMPACT_ACTIVITY = ("The worker visited monthly, attended the review meeting, completed the assessment "
                   "and referred the young person to the housing team.")
NEUTRAL = "Record reviewed; the details are noted in the case file for this period."


def template():
    return parse_template(TEMPLATE_YAML, "test-audit.yaml")


def make_audit(store: Store, case_ref: str, grades: dict[str, str], *, team: str = "Team A",
               round: str = "2026-02 practice week", audited_on: date = date(2026, 2, 10),
               evidence: dict[str, str] | None = None, lived: str = LIVED, impact: str = IMPACT,
               actions: list[dict] | None = None, extra_actions: list[dict] = (), complete: bool = True, overall: str | None = None,
               worker: str = "Dan Okafor", auditor: str = "Ann Auditor", service_area: str = "care leavers",
               tmpl=None) -> str:
    """An audit graded as `grades` (short keys like 'practice.quality'); below-good answers get an action."""
    tmpl = tmpl or template()
    audit_id = store.create_audit(tmpl, case_ref=case_ref, audited_on=audited_on, team=team, round=round,
                                  worker=worker, auditor=auditor, service_area=service_area)
    evidence = evidence or {}
    for question, grade in grades.items():
        if grade == "n/a":
            store.set_answer(audit_id, question, grade=grade, na_reason="Not applicable to this case")
        else:
            store.set_answer(audit_id, question, grade=grade, evidence=evidence.get(question, NEUTRAL))
    store.update_audit(audit_id, lived_experience=lived, impact=impact)
    if actions is None:
        actions = [{"description": f"Update the record for {q} by the next review", "owner": "Team manager",
                    "due": audited_on + timedelta(days=30), "question": q}
                   for q, g in grades.items() if g not in ("n/a",)
                   and gates.below_good(tmpl, _answer(q, g))]
    for action in [*actions, *extra_actions]:
        store.add_action(audit_id, **action)
    if complete:
        state_safeguarding(store, audit_id)
        record = store.get_audit(audit_id)
        suggested = gates.suggested_overall_grade(tmpl, record)
        chosen = overall or suggested
        store.complete(audit_id, chosen, "" if chosen == suggested else "Auditor's judgement of the whole file")
    return audit_id


def state_safeguarding(store: Store, audit_id: str) -> None:
    """The statement completing needs: 'a concern was raised' when the audit has one, else 'no unaddressed risk'."""
    store.set_safeguarding(audit_id, "concern_raised" if store.get_audit(audit_id).concerns else "no_risk")


def _answer(question, grade):
    from audit_tui.domain.models import Answer

    return Answer(question=question, grade=grade)


def moderate(store: Store, audit_id: str, *, overall: str | None = None, changes: dict[str, str] | None = None,
             moderator: str = "Quinn Lead", on: str = "2026-02-20") -> None:
    """Record a moderation directly (the moderation API comes with a later issue)."""
    with store.transaction():
        store.db.execute("INSERT INTO moderations (audit_id, moderator, moderated_on, overall_grade, comment) "
                         "VALUES (?, ?, ?, ?, ?)", [audit_id, moderator, on, overall, "Moderated"])
        for question, grade in (changes or {}).items():
            store.db.execute("INSERT INTO moderated_answers (audit_id, question, grade, comment) VALUES (?, ?, ?, ?)",
                             [audit_id, question, grade, "Changed at moderation"])
        store.db.execute("UPDATE audits SET status = 'moderated' WHERE id = ?", [audit_id])


def base(**extra) -> dict[str, str]:
    grades = {"practice.quality": "good", "practice.voice": "good", "practice.compliance": "yes",
              "circumstances.in_custody": "no", "oversight.supervision": "good"}
    grades.update(extra)
    return grades


def known_dataset(path: Path) -> Store:
    """The data set whose figures the tests assert exactly (see EXPECTED in test_summary)."""
    store = Store(path, actor="tester")
    tmpl = template()
    # A1: all good; plan evidence mentions supervision (keyword theme)
    make_audit(store, "CL-0001", base(**{"oversight.supervision": "outstanding"}),
               evidence={"practice.quality": "The pathway plan is current and Sam's wishes and feelings shape it."},
               tmpl=tmpl)
    # A2: in custody, plan requires improvement, release planned 'partly'; an overdue action
    make_audit(store, "CL-0002", base(**{"practice.quality": "requires_improvement", "circumstances.in_custody": "yes",
                                         "circumstances.custody_release": "partly"}),
               evidence={"practice.quality": "The pathway plan was not updated after the remand."},
               lived=LIVED_NO_VOICE, tmpl=tmpl)
    # A3: Team B, inadequate supervision, voice RI; impact lists activity only; one vague action too
    make_audit(store, "CL-0003", base(**{"practice.voice": "requires_improvement", "oversight.supervision": "inadequate",
                                         "practice.compliance": "no"}),
               team="Team B", impact=IMPACT_ACTIVITY,
               evidence={"oversight.supervision": "No supervision recorded since October; drift in the plan."},
               extra_actions=[{"description": "Continue to support Sam", "owner": "Dan Okafor",
                               "due": date(2026, 4, 1)}],
               tmpl=tmpl)
    done = store.db.execute("SELECT x.id FROM actions x JOIN audits a ON a.id = x.audit_id "
                            "WHERE a.case_ref = 'CL-0003' AND x.question = 'practice.compliance'").fetchone()[0]
    store.update_action(done, status="done", done_on=date(2026, 3, 1))
    # A4: Team B, compliance n/a, moderated: the moderator lowers quality to RI and overall to RI
    a4 = make_audit(store, "CL-0004", base(**{"practice.compliance": "n/a", "practice.quality": "outstanding"}),
                    team="Team B", audited_on=date(2026, 2, 12), tmpl=tmpl)
    # A5: a draft (counted only in `audits`)
    make_audit(store, "CL-0005", base(**{"practice.quality": "inadequate"}), complete=False, tmpl=tmpl)
    # A6: earlier round (for change since previous round)
    make_audit(store, "CL-0006", base(**{"practice.quality": "requires_improvement"}),
               round="2025-11 practice week", audited_on=date(2025, 11, 5), tmpl=tmpl)
    moderate(store, a4, overall="requires_improvement", changes={"practice.quality": "requires_improvement"})
    return store
