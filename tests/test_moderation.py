"""Moderation: rules, the screen (Pilot), and agreement figures checked against hand-computed values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Select

from audit_tui.cli.main import main
from audit_tui.features.moderation import ModerationError, save_moderation
from audit_tui.summary import Filters, compute_summary
from audit_tui.summary.moderation import moderation_agreement, pooled_kappa

from .factories import base, make_audit, state_safeguarding, template

ROUND = "2026-02 practice week"


def moderated_set(store):
    """Three moderated audits whose agreement figures are worked out by hand below."""
    tmpl = template()
    a1 = make_audit(store, "CL-0001", base(), overall="good", tmpl=tmpl)
    a2 = make_audit(store, "CL-0002", base(**{"practice.quality": "requires_improvement",
                                              "oversight.supervision": "outstanding"}), overall="good", tmpl=tmpl)
    a3 = make_audit(store, "CL-0003", base(**{"practice.quality": "requires_improvement",
                                              "practice.voice": "requires_improvement",
                                              "practice.compliance": "partly",
                                              "oversight.supervision": "requires_improvement"}),
                    overall="requires_improvement", tmpl=tmpl)
    make_audit(store, "CL-0004", base(**{"practice.quality": "inadequate"}), tmpl=tmpl)  # completed, not moderated
    save_moderation(store, a1, overall_grade="requires_improvement", comment="Plan not good enough",
                    changes={"practice.quality": ("requires_improvement", "Plan out of date"),
                             "practice.voice": ("good", "")})  # the same grade: an agreement, not stored
    save_moderation(store, a2, overall_grade=None,
                    changes={"oversight.supervision": ("good", "Reflective but not exceptional")})
    save_moderation(store, a3, overall_grade="requires_improvement")
    return a1, a2, a3


def test_moderation_rules_and_what_is_stored(store):
    a1, a2, _ = moderated_set(store)
    audit = store.get_audit(a1)
    assert audit.status == "moderated"
    assert audit.overall_grade == "good"  # the auditor's grades are kept
    assert {a.question: a.grade for a in audit.answers}["practice.quality"] == "good"
    assert audit.moderation.overall_grade == "requires_improvement"
    assert [(m.question, m.grade) for m in audit.moderation.answers] == [("practice.quality", "requires_improvement")]
    assert audit.moderation.moderator == "Alex Auditor"
    fields = [r["field"] for r in store.history(a1)]
    assert "moderation" in fields and "practice.quality:moderated_grade" in fields and fields[-1] == "status"
    with pytest.raises(ModerationError, match="already moderated"):
        save_moderation(store, a2, overall_grade=None)
    draft = make_audit(store, "CL-0008", base(), complete=False)
    with pytest.raises(ModerationError, match="draft"):
        save_moderation(store, draft, overall_grade="good")
    done = make_audit(store, "CL-0009", base())
    with pytest.raises(ModerationError, match="say why"):
        save_moderation(store, done, overall_grade=None, changes={"practice.quality": ("inadequate", " ")})
    with pytest.raises(ModerationError, match="give a comment"):
        save_moderation(store, done, overall_grade="inadequate")
    with pytest.raises(ModerationError, match="not a grade"):
        save_moderation(store, done, overall_grade=None, changes={"practice.quality": ("awful", "x")})
    partial = make_audit(store, "CL-0010", base(), complete=False)
    state_safeguarding(store, partial)
    store.complete(partial, "good")
    with pytest.raises(ModerationError, match="not answered"):
        save_moderation(store, partial, overall_grade=None,
                        changes={"circumstances.custody_release": ("yes", "Should have been asked")})
    assert store.get_audit(done).status == "completed"


def test_answers_view_gives_the_final_grade(store):
    a1, _, _ = moderated_set(store)
    rows = {r["question"]: r for r in store.db.query("SELECT * FROM answers_view WHERE audit_id = ?", [a1])}
    quality = rows["practice.quality"]
    assert (quality["auditor_grade"], quality["moderated_grade"], quality["final_grade"]) == (
        "good", "requires_improvement", "requires_improvement")
    assert quality["section"] == "practice" and quality["case_ref"] == "CL-0001"
    assert quality["overall_grade"] == "requires_improvement" and quality["moderator"] == "Alex Auditor"
    assert rows["practice.voice"]["final_grade"] == "good" and rows["practice.voice"]["moderated_grade"] is None


def test_agreement_figures_match_hand_computed_values(store):
    moderated_set(store)
    figures = moderation_agreement(store)
    assert figures["moderated_audits"] == 3
    by_question = {q["question"]: q for q in figures["questions"]}
    # circumstances.in_custody is a fact (graded: false): never compared
    assert set(by_question) == {"practice.quality", "practice.voice", "practice.compliance", "oversight.supervision"}
    # quality: ranks (auditor, final) = (1,2) (2,2) (2,2): 2 of 3 agree; kappa 1 - (1/9)/(1/9) = 0
    assert by_question["practice.quality"]["exact_agreement_pct"] == 66.7
    assert by_question["practice.quality"]["weighted_kappa"] == 0.0
    # voice: (1,1) (1,1) (2,2): all agree, chance disagreement 4/27 > 0, so kappa 1
    assert by_question["practice.voice"]["exact_agreement_pct"] == 100.0
    assert by_question["practice.voice"]["weighted_kappa"] == 1.0
    # supervision: (1,1) (0,1) (2,2): observed 1/9, expected 7/27, kappa 1 - 3/7 = 0.571
    assert by_question["oversight.supervision"]["exact_agreement_pct"] == 66.7
    assert by_question["oversight.supervision"]["weighted_kappa"] == 0.571
    # compliance (yes/partly/no): (0,0) (0,0) (1,1): kappa 1
    assert by_question["practice.compliance"]["weighted_kappa"] == 1.0
    # all questions: 10 of 12 agree; kappa pooled per scale: 1 - (2/3) / (50/27 + 2/3) = 0.735
    assert figures["all_questions"]["pairs"] == 12
    assert figures["all_questions"]["exact_agreement_pct"] == 83.3
    assert figures["all_questions"]["adjacent_agreement_pct"] == 100.0
    assert figures["all_questions"]["weighted_kappa"] == 0.735
    # overall grades: (1,2) (1,1) (2,2): observed 1/9, expected 5/27, kappa 0.4
    assert figures["overall_grade"]["exact_agreement_pct"] == 66.7
    assert figures["overall_grade"]["weighted_kappa"] == 0.4
    assert moderation_agreement(store, Filters(team="nobody"))["moderated_audits"] == 0


def test_pooled_kappa_equals_weighted_kappa_for_one_scale():
    from audit_tui.domain.agreement import weighted_kappa

    pairs = [(0, 1), (1, 1), (2, 3), (3, 3), (1, 2)]
    assert pooled_kappa([(pairs, 4)]) == pytest.approx(weighted_kappa(pairs, 4))
    assert pooled_kappa([([(0, 0)], 4)]) is None


def test_summary_json_carries_agreement(store):
    moderated_set(store)
    summary = json.loads(compute_summary(store).to_json())
    agreement = summary["moderation"]["agreement"]
    assert agreement["all_questions"]["weighted_kappa"] == 0.735
    assert agreement["overall_grade"]["pairs"] == 3


def test_cli_moderate(store, tmp_path):
    audit_id = make_audit(store, "CL-0005", base())
    store.close()
    runner = CliRunner()
    db = str(tmp_path / "audits.db")
    result = runner.invoke(main, ["--db", db, "moderate", audit_id[:8], "--change",
                                  "practice.quality=requires_improvement:Plan is out of date",
                                  "--overall", "requires_improvement", "--comment", "One area below good"])
    assert result.exit_code == 0, result.output
    assert "1 grade(s) changed" in result.output
    result = runner.invoke(main, ["--db", db, "moderate", audit_id])
    assert result.exit_code == 1 and "already moderated" in result.stderr


async def test_moderation_screen_flow(store):
    from audit_tui.files.settings import Settings
    from audit_tui.tui.app import AuditApp
    from audit_tui.tui.screens.home import HomeScreen
    from audit_tui.tui.screens.moderation import ModerationScreen

    audit_id = make_audit(store, "CL-0042", base(**{"oversight.supervision": "outstanding"}))
    app = AuditApp(store, settings=Settings(auditor_name="Quinn Lead"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        assert any("Auditor: Outstanding" in str(w.render()) for w in screen.query(".m-evidence"))
        grade = screen.query_one("#g-oversight--supervision", Select)
        assert grade.value == "outstanding"  # agree by default
        grade.value = "good"
        await pilot.pause()
        comment = screen.query_one("#c-oversight--supervision", Input)
        assert comment.display  # a different grade asks why
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ModerationScreen)  # not saved without the comment
        assert "say why" in str(screen.query_one("#m-problems").render()).lower()
        comment.focus()
        await pilot.press(*"Good")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#audits").get_row(audit_id)[1].plain == "moderated"
    audit = store.get_audit(audit_id)
    assert audit.status == "moderated"
    assert audit.moderation.moderator == "Quinn Lead"
    assert [(m.question, m.grade, m.comment) for m in audit.moderation.answers] == [
        ("oversight.supervision", "good", "Good")]
    assert audit.moderation.overall_grade == audit.overall_grade
