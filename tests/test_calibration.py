"""Calibration: agreement figures checked against hand arithmetic, training audits, the CLI and the demo."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.domain import gates
from audit_tui.domain.agreement import adjacent_agreement, exact_agreement, weighted_kappa
from audit_tui.domain.models import Action, Answer, AuditRecord, Concern
from audit_tui.domain.templates import parse_template
from audit_tui.features.calibration import calibration_report, compare
from audit_tui.features.samples import load_reference
from audit_tui.features.training import start_training, training_case, training_rows
from audit_tui.storage.store import Store

from .conftest import copy_database

# Five four-point (ILACS) questions; ranks 0 = outstanding … 3 = inadequate.
#   trainee:   0 1 1 2 3
#   reference: 0 1 2 2 1
PAIRS = [(0, 0), (1, 1), (1, 2), (2, 2), (3, 1)]
# exact:    3 of 5 the same                                   = 0.6
# adjacent: gaps 0,0,1,0,2 → 4 of 5 at most one apart         = 0.8
# linear weighted kappa, disagreement weight |i-j|/3:
#   observed = (0 + 0 + 1/3 + 0 + 2/3) / 5                    = 0.2
#   trainee ranks: 0×1, 1×2, 2×1, 3×1; reference ranks: 0×1, 1×2, 2×2
#   expected = Σ n_i·m_j·|i-j|/3 / 25
#     i=0: 1·2·1/3 + 1·2·2/3                                  = 2
#     i=1: 2·1·1/3 + 2·2·1/3                                  = 2
#     i=2: 1·1·2/3 + 1·2·1/3                                  = 4/3
#     i=3: 1·1·1   + 1·2·2/3 + 1·2·1/3                         = 3
#     sum 25/3, so expected = (25/3)/25                       = 1/3
#   kappa = 1 − 0.2 / (1/3)                                   = 0.4


def test_agreement_matches_hand_arithmetic():
    assert exact_agreement(PAIRS) == pytest.approx(0.6)
    assert adjacent_agreement(PAIRS) == pytest.approx(0.8)
    assert weighted_kappa(PAIRS, 4) == pytest.approx(0.4)
    assert weighted_kappa([(1, 1), (1, 1)], 4) is None  # one level used by both: undefined
    assert exact_agreement([]) is None


SMALL = """\
id: small
version: 1
title: Small
themes:
  - {id: plans, label: Plans, keywords: [pathway plan]}
  - {id: health, label: Health, keywords: [dentist]}
scales:
  - id: fact
    graded: false
    levels: [{id: "yes", label: "Yes", good_or_better: true}, {id: "no", label: "No", good_or_better: true}]
sections:
  - id: s
    title: S
    questions:
      - {id: q1, text: One, themes: [plans]}
      - {id: q2, text: Two}
      - {id: q3, text: Three}
      - {id: q4, text: Four}
      - {id: q5, text: Five}
      - {id: yn, text: "Checked?", scale: yes_partly_no}
      - {id: fact, text: "In custody?", scale: fact}
"""
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]


def _record(ranks, *, evidence=None, actions=(), concerns=(), overall="requires_improvement") -> AuditRecord:
    answers = [Answer(question=f"s.q{i + 1}", grade=GRADES[r], evidence=(evidence or {}).get(i, "Seen in the file."))
               for i, r in enumerate(ranks)]
    answers += [Answer(question="s.yn", grade="yes", evidence="Yes."), Answer(question="s.fact", grade="no")]
    return AuditRecord(id="x", case_ref="T-1", template_id="small", template_version=1, audited_on=date(2026, 3, 2),
                       status="completed", overall_grade=overall, answers=answers, actions=list(actions),
                       concerns=list(concerns), lived_experience="Sam said \"I like my flat\" and ...",
                       impact="The worker visited, attended the meeting and completed the plan.")


def test_compare_question_by_question():
    template = parse_template(SMALL, "small.yaml")
    trainee = _record([p[0] for p in PAIRS], actions=[
        Action(description="Continue to monitor the plan", owner="SW", due=date(2026, 4, 1), question="s.q3")])
    reference = _record([p[1] for p in PAIRS], evidence={1: "The dentist has not been seen."},
                        concerns=[Concern(raised_at="2026-03-02T10:00", raised_by="R", description="x")],
                        actions=[Action(description="Book the dentist by 9 March", owner="SW", due=date(2026, 3, 9),
                                        question="s.q2")])
    reference.answers[0].rationale = "Because the plan is exceptional."
    result = compare(template, trainee, reference)
    by_key = {q.key: q for q in result.questions}
    assert [by_key[f"s.q{i}"].agreement for i in range(1, 6)] == ["exact", "exact", "adjacent", "exact", "different"]
    assert by_key["s.q1"].rationale == "Because the plan is exceptional."
    assert by_key["s.q2"].missed_themes == ["Health"] and by_key["s.q2"].added_themes == []
    assert by_key["s.fact"].pair is None and by_key["s.yn"].pair == (0, 0)
    # The yes/partly/no answer counts in exact and adjacent (4 of 6, 5 of 6) but not in the kappa,
    # which is over the four-point questions only, so it is the 0.4 computed above.
    assert result.exact == pytest.approx(4 / 6) and result.adjacent == pytest.approx(5 / 6)
    assert result.kappa == pytest.approx(0.4)
    text = "\n".join(c.text for c in result.comments)
    assert "Impact: " in text and "not what changed" in text
    assert "Action 1 (Continue to monitor the plan) is vague" in text
    assert "The reference set actions on questions you did not: 1.2" in text
    assert "raised a safeguarding concern at once" in text


def _complete_training(store: Store, ref: str, trainee: str, changes: dict[str, str]) -> str:
    """A trainee's completed audit: the reference's answers with `changes` to some grades."""
    reference = load_reference(ref)
    audit_id = start_training(store, ref, trainee, today=date(2026, 3, 2))
    template = store.template(reference.template_id, reference.template_version)
    for answer in reference.answers:
        grade = changes.get(answer.question, answer.grade)
        store.set_answer(audit_id, answer.question, grade=grade, evidence=answer.evidence, na_reason=answer.na_reason)
        if gates.below_good(template, Answer(question=answer.question, grade=grade)):
            store.add_action(audit_id, description="Update the plan with the family by 30 March", owner="SW",
                             due=date(2026, 3, 30), question=answer.question)
    store.update_audit(audit_id, lived_experience=reference.lived_experience, impact=reference.impact)
    store.set_safeguarding(audit_id, "no_risk")
    record = store.get_audit(audit_id)
    store.complete(audit_id, gates.suggested_overall_grade(template, record))
    return audit_id


@pytest.fixture
def trained(tmp_path):
    store = Store(tmp_path / "t.db", actor="Trainer")
    # CIN-0401 reference: referral.threshold good, assessment.quality outstanding, drift.progress good.
    first = _complete_training(store, "CIN-0401", "Tess", {"referral.threshold": "requires_improvement",
                                                            "assessment.quality": "good"})
    _complete_training(store, "CIN-0401", "Uma", {"drift.progress": "inadequate"})
    start_training(store, "CP-0301", "Uma")  # still a draft: not counted
    yield store, first
    store.close()


def test_training_audits_and_report(trained):
    store, first = trained
    assert training_case(store, first) == "CIN-0401"
    assert store.get_audit(first).round == "Training" and store.get_audit(first).auditor == "Tess"
    assert len(training_rows(store)) == 3 and len(training_rows(store, completed_only=True)) == 2
    report = calibration_report(store, today=date(2026, 3, 3))
    assert report.in_progress == 1
    tess, uma = report.trainees
    # 19 graded questions each (template v2 adds the impact judgement, v3 identity and equality); Tess
    # differs on 2 (each one level): exact 17/19, adjacent 19/19.
    assert (tess["trainee"], tess["compared"], tess["exact_pct"], tess["adjacent_pct"]) == ("Tess", 19, 89.5, 100.0)
    # Uma differs on 1 by two levels (good → inadequate): exact 18/19, adjacent 18/19.
    assert (uma["exact_pct"], uma["adjacent_pct"]) == (94.7, 94.7)
    questions = {q["question"]: q for q in report.questions}
    assert questions["referral.threshold"]["compared"] == 2 and questions["referral.threshold"]["exact_pct"] == 50.0
    assert [q["question"] for q in report.most_different()][:1] in (["assessment.quality"], ["drift.progress"],
                                                                    ["referral.threshold"])
    assert {q["question"] for q in report.most_different()} == {"referral.threshold", "assessment.quality",
                                                                "drift.progress"}


def test_calibration_command_json_and_docx(trained, tmp_path):
    store, _ = trained
    path = store.path
    runner = CliRunner()
    result = runner.invoke(main, ["calibration", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [t["trainee"] for t in data["trainees"]] == ["Tess", "Uma"]
    assert data["training_audits"] == 2 and data["in_progress"] == 1
    assert set(data["most_often_different"]) == {"referral.threshold", "assessment.quality", "drift.progress"}
    out = tmp_path / "calibration.docx"
    result = runner.invoke(main, ["calibration", "--db", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Auditor calibration" in text and "Agreement by trainee" in text
    again = runner.invoke(main, ["calibration", "--db", str(path), "-o", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_calibration_command_errors_are_one_line(tmp_path):
    result = CliRunner().invoke(main, ["calibration", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code != 0 and "no database" in result.output and "Traceback" not in result.output


def test_demo_database(tmp_path, demo_of_23_november_2026):
    from audit_tui.features.demo import build_demo

    path = copy_database(demo_of_23_november_2026, tmp_path / "demo.db")
    store = Store(path)
    try:
        rows = store.db.execute("SELECT round, status, count(*) FROM audits GROUP BY 1, 2").fetchall()
        counts = {(r, s): n for r, s, n in rows}
        # quarterly practice weeks, the last starting in the week four weeks before 23 November 2026
        weeks = ["2026-01 practice week", "2026-04 practice week", "2026-07 practice week", "2026-10 practice week"]
        assert sorted({r for r, _ in counts if r.endswith("practice week")}) == weeks
        assert all(counts[(week, "moderated")] >= 2 for week in weeks)
        assert counts[(weeks[-1], "draft")] >= 2
        assert sum(n for (r, s), n in counts.items() if r.endswith("practice week") and s != "draft") >= 90
        assert store.db.execute("SELECT count(DISTINCT team) FROM audits").fetchone()[0] >= 5
        assert store.db.execute("SELECT count(DISTINCT auditor) FROM audits").fetchone()[0] >= 5
        overdue = store.db.execute("SELECT count(*) FROM actions WHERE status = 'open' AND due < '2026-11-23'")
        assert overdue.fetchone()[0] > 0
        for audit_id in ("reference-cl-0101", "reference-cin-0401"):
            audit = store.get_audit(audit_id)
            assert audit.status == "completed" and audit.answers[0].rationale
        for row in store.db.query("SELECT id FROM audits WHERE status = 'completed'"):
            audit = store.get_audit(row["id"])
            assert gates.gate_failures(store.template(audit.template_id, audit.template_version), audit) == []
        report = calibration_report(store)
        assert len(report.trainees) == 3 and report.in_progress == 1
    finally:
        store.close()
    # Deterministic: a second build has the same audits.
    again = Store(build_demo(tmp_path / "demo2.db", today=date(2026, 11, 23)))
    try:
        first = Store(path)
        query = "SELECT id, case_ref, overall_grade FROM audits ORDER BY id"
        assert list(first.db.query(query)) == list(again.db.query(query))
        first.close()
    finally:
        again.close()
