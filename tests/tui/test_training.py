"""Training mode through the real app: pick a sample case, audit it beside its record, reach calibration."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable, Static, TabbedContent

from audit_tui.domain import gates
from audit_tui.domain.models import Answer
from audit_tui.features.samples import load_reference
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.calibration import CalibrationScreen, TrainerScreen
from audit_tui.tui.screens.review import ReviewScreen
from audit_tui.tui.screens.training import TrainingAuditScreen, TrainingPickerScreen
from audit_tui.tui.widgets.record import find_all, readable

from ..helpers.app import make_app as make_test_app


def make_app(store) -> AuditApp:
    return make_test_app(store, auditor_name="Tess Trainee")


def _cells(table: DataTable) -> str:
    return " ".join(str(cell) for row in range(table.row_count) for cell in table.get_row_at(row))


def _fill_all_but_first(store, audit_id: str) -> None:
    """Everything except the first question's grade, as the reference has it (quicker than keys)."""
    reference = load_reference("CIN-0401")
    template = store.template(reference.template_id, reference.template_version)
    for answer in reference.answers[1:]:
        store.set_answer(audit_id, answer.question, grade=answer.grade, evidence=answer.evidence,
                         na_reason=answer.na_reason)
        if gates.below_good(template, Answer(question=answer.question, grade=answer.grade)):
            store.add_action(audit_id, description="Record the consent and checks on file by Friday", owner="SW",
                             due=date.today() + timedelta(days=7), question=answer.question)
    store.add_action(audit_id, description="Record the threshold decision with its reasons by Friday",
                     owner="Team manager", due=date.today() + timedelta(days=7), question="referral.threshold")
    store.update_audit(audit_id, lived_experience=reference.lived_experience, impact=reference.impact)


async def test_training_audit_reaches_calibration(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TrainingPickerScreen)
        listed = _cells(picker.query_one("#cases", DataTable))
        assert "CIN-0401" in listed and not {"strong", "mixed", "weak"} & set(listed.split())
        await pilot.press("enter")  # the first case, CIN-0401
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrainingAuditScreen) and screen.case_ref == "CIN-0401"
        audit = store.get_audit(screen.audit_id)
        assert (audit.round, audit.auditor) == ("Training", "Tess Trainee")

        # At 80 columns the record is one key away, and searchable.
        await pilot.press("f3")
        await pilot.pause()
        assert screen.show_record and not screen.query_one("#main").display
        await pilot.press("slash", "g", "a", "z", "e", "enter")
        await pilot.pause()
        assert "1/" in str(screen.query_one("#record-help", Static).content)
        await pilot.press("f3")
        await pilot.pause()
        assert not screen.show_record and screen.query_one("#main").display

        _fill_all_but_first(store, screen.audit_id)
        store.set_safeguarding(screen.audit_id, "no_risk")  # (completing needs the statement)
        screen.reload()
        await pilot.pause()
        screen.show_question("referral.threshold")
        screen.focus_grades()
        await pilot.press("3")  # requires improvement; the reference says good
        await pilot.press("L", "a", "t", "e")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.failures == []
        await pilot.press("ctrl+s")
        for _ in range(4):
            await pilot.pause()
        calibration = app.screen
        assert isinstance(calibration, CalibrationScreen)
        row = calibration.query_one("#cal-questions", DataTable).get_row("referral.threshold")
        assert [str(c) for c in row] == ["1.1", "Requires improvement", "Good", "≈ one level"]
        detail = str(calibration.query_one("#cal-detail-text", Static).content)
        assert "Why the reference graded it so" in detail and "Good: timely and proportionate" in detail
        await pilot.press("l")
        await pilot.pause()
        assert calibration.query_one(TabbedContent).active == "learning"
        assert "Practice in this case: strong" in str(calibration.query_one("#cal-learning", Static).content)
    assert store.get_audit(screen.audit_id).status == "completed"


async def test_trainer_view_lists_trainees(store):
    from audit_tui.features.training import start_training

    audit_id = start_training(store, "CIN-0401", "Tess Trainee")
    _fill_all_but_first(store, audit_id)
    store.set_answer(audit_id, "referral.threshold", grade="good", evidence="Seen within two days.")
    record = store.get_audit(audit_id)
    template = store.template(record.template_id, record.template_version)
    store.set_safeguarding(audit_id, "no_risk")
    store.complete(audit_id, gates.suggested_overall_grade(template, record))
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(TrainerScreen())
        await pilot.pause()
        trainees = _cells(app.screen.query_one("#trainer-trainees", DataTable))
        assert "Tess Trainee" in trainees and "100.0%" in trainees
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CalibrationScreen)


def test_record_is_readable_and_searchable():
    text = readable("## Chronology\n\n| Date | Entry |\n|---|---|\n| 2025-06-26 | Home visit |\n")
    assert "• 2025-06-26 · Home visit" in text and "---" not in text
    assert find_all("Eye-gaze and EYE", "eye") == [0, 13] and find_all("x", "") == []


async def test_a_training_concern_is_kept_for_calibration_but_handled(store):
    from audit_tui.features.training import start_training

    audit_id = start_training(store, "CL-0104", "Tess Trainee")
    app = make_app(store)
    async with app.run_test(size=(130, 30)) as pilot:
        app.push_screen(TrainingAuditScreen(audit_id, "CL-0104"))
        await pilot.pause()
        assert app.screen.wide and app.screen.query_one("#record-pane").display
        store.raise_concern(audit_id, "Kai is missing and injured", "Team manager")
        app.screen.reload()  # what the concern dialog's callback does after saving
        await pilot.pause()
    audit = store.get_audit(audit_id)
    assert len(audit.concerns) == 1 and audit.concerns[0].handled_at is not None
    assert store.open_concerns() == []
    assert [a.status for a in audit.actions if a.note == "safeguarding concern"] == ["done"]


async def test_an_enter_pressed_once_too_often_grades_nothing_and_the_list_fits_80_columns(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        table = app.screen.query_one("#cases", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no team cut at the edge
        await pilot.press("enter", "enter")  # a trainee pressing Enter twice, the second on the first question
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrainingAuditScreen) and app.focused.id == "q-grades"
        assert store.get_audit(screen.audit_id).answers == []  # no grade chosen by the second Enter
        assert "press its number" in str(screen.query_one("#q-level-description", Static).content)
        await pilot.press("down", "enter")  # the arrows, then Enter: the grade under the highlight
        await pilot.pause()
        assert [a.grade for a in store.get_audit(screen.audit_id).answers] == ["outstanding"]
