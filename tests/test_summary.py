"""Exact figures of `audit-tui summary --json` over the known data set (tests/factories.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.domain.templates import parse_template
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, compute_summary, pct

from .factories import TEMPLATE_YAML, base, known_dataset, make_audit, state_safeguarding, template

AS_OF = "2026-03-20"
ROUND = "2026-02 practice week"


@pytest.fixture(scope="module")
def known_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("known") / "audits.db"
    known_dataset(path).close()
    return path


def summary_json(db, *args) -> dict:
    result = CliRunner().invoke(main, ["summary", "--json", "--db", str(db), "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_whole_database_figures(known_db):
    figures = summary_json(known_db)
    assert figures["audits"] == {"total": 6, "completed": 5, "draft": 1, "moderated": 1}
    assert figures["overall_grades"] == {"outstanding": 0, "good": 1, "requires_improvement": 3, "inadequate": 1}
    assert figures["overall_good_or_better_pct"] == 20.0
    questions = {q["question"]: q for q in figures["questions"]}
    assert [(q["question"], q["answered"], q["na"], q["good_or_better_pct"]) for q in figures["questions"]] == [
        ("practice.quality", 5, 0, 40.0),
        ("practice.voice", 5, 0, 80.0),
        ("practice.compliance", 4, 1, 75.0),
        ("circumstances.in_custody", 5, 0, None),
        ("circumstances.custody_release", 1, 0, 0.0),
        ("oversight.supervision", 5, 0, 80.0),
    ]
    assert questions["practice.quality"]["grades"] == {
        "outstanding": 0, "good": 2, "requires_improvement": 3, "inadequate": 0}
    assert questions["practice.compliance"]["grades"] == {"yes": 3, "partly": 0, "no": 1}
    assert questions["circumstances.in_custody"]["judged"] is False
    assert [(t["id"], t["label"], t["audits"], t["strength"], t["improvement"]) for t in figures["themes"]] == [
        ("plans", "Pathway plans", 5, 2, 3),
        ("supervision", "Supervision", 5, 4, 1),
        ("voice", "Voice of the child", 5, 4, 1),
    ]
    assert figures["actions"] == {"total": 7, "open": 6, "done": 1, "overdue": 5}
    assert [(t["id"], t["met"], t["audits"], t["pct"]) for t in figures["inspection_tests"]] == [
        ("lived_experience", 4, 5, 80.0), ("impact", 4, 5, 80.0), ("actions_clear", 4, 5, 80.0)]
    assert figures["change_since_previous_round"] is None
    assert figures["open_concerns"] == []


def test_product_keys_come_first(known_db):
    keys = list(summary_json(known_db))
    assert keys[:6] == ["audits", "overall_grades", "overall_good_or_better_pct", "questions", "themes", "actions"]


def test_round_filter_and_change_since_previous_round(known_db):
    figures = summary_json(known_db, "--round", ROUND)
    assert figures["audits"] == {"total": 5, "completed": 4, "draft": 1, "moderated": 1}
    assert figures["overall_grades"] == {"outstanding": 0, "good": 1, "requires_improvement": 2, "inadequate": 1}
    assert figures["overall_good_or_better_pct"] == 25.0
    assert figures["actions"] == {"total": 6, "open": 5, "done": 1, "overdue": 4}
    change = figures["change_since_previous_round"]
    assert change["previous_round"] == "2025-11 practice week"
    assert change["previous_audits"] == 1
    first = change["rows"][0]
    assert (first["previous"], first["current"], first["change"]) == (0.0, 25.0, 25.0)
    assert figures["scope"]["first_audit"] == "2026-02-10" and figures["scope"]["last_audit"] == "2026-02-12"


def test_earliest_round_has_no_previous_round(known_db):
    figures = summary_json(known_db, "--round", "2025-11 practice week")
    assert figures["audits"]["completed"] == 1
    assert figures["change_since_previous_round"] is None


def test_team_and_date_filters(known_db):
    team_b = summary_json(known_db, "--team", "Team B")
    assert team_b["audits"] == {"total": 2, "completed": 2, "draft": 0, "moderated": 1}
    assert [t["name"] for t in team_b["teams"]] == ["Team B"]
    dated = summary_json(known_db, "--from", "2026-02-11", "--to", "2026-02-28")
    assert dated["audits"]["total"] == 1 and dated["overall_grades"]["requires_improvement"] == 1
    assert summary_json(known_db, "--template", "no-such")["audits"]["total"] == 0


def test_moderator_grades_override_everywhere(known_db):
    figures = summary_json(known_db, "--team", "Team B")
    quality = next(q for q in figures["questions"] if q["question"] == "practice.quality")
    # CL-0004: the auditor said outstanding, the moderator requires improvement
    assert quality["grades"]["outstanding"] == 0 and quality["grades"]["requires_improvement"] == 1
    moderation = figures["moderation"]
    assert (moderation["moderated_audits"], moderation["answers_compared"], moderation["answers_agreed"]) == (1, 3, 2)
    assert moderation["answer_agreement_pct"] == 66.7
    assert moderation["overall_agreement_pct"] == 0.0
    assert "appendix" not in figures and "action_plan" not in figures  # the long tables only with --rows
    with_rows = summary_json(known_db, "--team", "Team B", "--rows")
    row = next(a for a in with_rows["appendix"] if a["case_ref"] == "CL-0004")
    assert (row["overall_grade"], row["auditor_overall_grade"]) == ("requires_improvement", "good")
    assert with_rows["action_plan"] and {a["team"] for a in with_rows["action_plan"]} == {"Team B"}
    assert {k: v for k, v in with_rows.items() if k not in ("appendix", "action_plan")} == figures


def test_overdue_depends_on_as_of(known_db):
    late = summary_json(known_db, "--as-of", "2027-01-01")  # the later --as-of wins
    assert late["actions"]["overdue"] == 6
    early = summary_json(known_db, "--as-of", "2025-01-01")
    assert early["actions"]["overdue"] == 0


def test_quotes_are_short_and_attributed_by_case_ref_only(known_db):
    figures = summary_json(known_db)
    plans = next(t for t in figures["themes"] if t["id"] == "plans")
    assert plans["improvement_quotes"][0] == {"case_ref": "CL-0002",
                                              "text": "The pathway plan was not updated after the remand."}
    for theme in figures["themes"]:
        for quote in theme["strength_quotes"] + theme["improvement_quotes"]:
            assert set(quote) == {"case_ref", "text"}
            assert len(quote["text"]) <= 200
        assert len(theme["strength_quotes"]) <= 3 and len(theme["improvement_quotes"]) <= 3


def test_answers_to_questions_not_asked_are_not_counted(db_copy):
    store = Store(db_copy, actor="tester")
    tmpl = template()
    audit_id = make_audit(store, "CL-0007", base(**{"circumstances.in_custody": "yes",
                                                     "circumstances.custody_release": "no"}), complete=False,
                          tmpl=tmpl)
    store.set_answer(audit_id, "circumstances.in_custody", grade="no")  # the release answer is now stale
    state_safeguarding(store, audit_id)
    store.complete(audit_id, "good")
    figures = compute_summary(store, Filters(as_of=date(2026, 3, 20)))
    release = next(q for q in figures.questions if q.question == "circumstances.custody_release")
    assert (release.answered, release.grades["no"]) == (1, 0)
    store.close()


# README: "Answers to a question no longer asked (an `only_if` whose answer was changed) are not counted."
VISITS = """      - id: custody_visits
        text: "Is the young person visited in custody?"
        scale: yes_partly_no
        only_if: {question: circumstances.in_custody, answer_in: ["yes"]}
  - id: oversight
"""


def test_answers_to_every_question_not_asked_are_not_counted(tmp_path):
    """Two questions asked only in custody: the stale answers to both are left out, not only the last's."""
    tmpl = parse_template(TEMPLATE_YAML.replace("id: test-audit", "id: two-asked")
                          .replace("  - id: oversight\n", VISITS), "two-asked.yaml")
    store = Store(tmp_path / "audits.db", actor="tester")
    custody = {"circumstances.in_custody": "yes", "circumstances.custody_release": "partly",
               "circumstances.custody_visits": "yes"}
    make_audit(store, "CL-0001", base(**custody), tmpl=tmpl)
    stale = make_audit(store, "CL-0002", base(**{**custody, "circumstances.custody_release": "no",
                                                            "circumstances.custody_visits": "no"}),
                       complete=False, tmpl=tmpl)
    store.set_answer(stale, "circumstances.in_custody", grade="no")  # neither custody question is asked now
    state_safeguarding(store, stale)
    store.complete(stale, "good")
    store.close()
    questions = {q["question"]: q for q in summary_json(tmp_path / "audits.db")["questions"]}
    assert [(key, questions[key]["answered"], questions[key]["grades"]) for key in
            ("circumstances.custody_release", "circumstances.custody_visits")] == [
        ("circumstances.custody_release", 1, {"yes": 0, "partly": 1, "no": 0}),
        ("circumstances.custody_visits", 1, {"yes": 1, "partly": 0, "no": 0})]


def test_summary_text_without_json(known_db):
    result = CliRunner().invoke(main, ["summary", "--db", str(known_db), "--as-of", AS_OF, "--round", ROUND])
    assert result.exit_code == 0
    # the narrative check is named as audit quality, never as the practice finding it used to read as
    assert ("Audit quality (how well the audits were written, not a finding about practice): lived-experience "
            "narrative written well in 3 of 4 audits (75%)") in result.stdout
    assert "evidenced the young person's lived experience" not in result.stdout


def test_percentages_round_half_up():
    assert pct(2, 3) == 66.7
    assert pct(3, 2000) == 0.2  # 0.15 → 0.2 (not banker's rounding)
    assert pct(1, 8) == 12.5
    assert pct(0, 0) is None


def test_training_audits_are_kept_apart(db_copy):
    store = Store(db_copy, actor="tester")
    audit_id = store.list_audits(search="CL-0001")[0]["id"]
    store.db.execute("INSERT INTO training_audits (audit_id, sample_case, trainee, started_at) "
                     "VALUES (?, 'CL-0101', 'Tia Trainee', '2026-02-10')", [audit_id])
    store.close()
    figures = summary_json(db_copy)
    assert figures["audits"] == {"total": 5, "completed": 4, "draft": 1, "moderated": 1}
    assert figures["overall_grades"]["good"] == 0
