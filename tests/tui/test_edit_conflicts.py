"""Issue 17 item 2: another session's saved edit is never overwritten without the auditor knowing.

The walk-through is open on an audit; a second session (another Store on the same file, as a
colleague's app would be) saves the same field. The auditor's next change is refused by the
store, and the app asks: keep mine (saved over theirs, the history shows both), take theirs
(mine dropped, theirs on screen), or see both first. Esc decides later: nothing is saved.
An action edited meanwhile is not saved either: the editor opens again on the auditor's edit.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Static

from audit_tui.storage.store import EditConflict, Store
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.dialogs import ConflictDialog
from audit_tui.tui.widgets.actions import ActionDialog, ActionsPanel

from ..helpers.app import make_app, type_text

LIVED = "Sam told the worker she feels safe in her flat and wants to stay near her sister and her college."
THEIRS = "Bob's version, saved from the other session after a talk with the worker and the manager."


@pytest.fixture
def two_sessions(tmp_path, mini_template):
    """`mine` is the app's session (Alex), `theirs` a colleague's on the same file (Bob)."""
    mine = Store(tmp_path / "shared.db", actor="Alex Auditor")
    audit_id = mine.create_audit(mini_template, case_ref="CL-SHARED", auditor="Alex Auditor")
    mine.update_audit(audit_id, lived_experience=LIVED, impact=LIVED)
    mine.set_answer(audit_id, "plan.quality", grade="good", evidence="Saved")
    theirs = Store(tmp_path / "shared.db", actor="Bob Auditor")
    yield mine, theirs, audit_id
    theirs.close()
    mine.close()


def evidence_rows(store, audit_id, field="plan.quality:evidence"):
    return [(r["who"], r["old"], r["new"]) for r in store.history(audit_id) if r["field"] == field]


async def open_audit(app, pilot, audit_id):
    app.push_screen(AuditScreen(audit_id))
    await pilot.pause()
    return app.screen


async def evidence_overtaken(app, pilot, theirs, audit_id):
    """Alex types "X" at the end of the evidence Bob saved over meanwhile: the audit screen and its evidence box."""
    screen = await open_audit(app, pilot, audit_id)
    screen.show_question("plan.quality")
    evidence = screen.query_one("#q-evidence")
    evidence.focus()
    evidence.move_cursor(evidence.document.end)
    theirs.set_answer(audit_id, "plan.quality", evidence=THEIRS)  # saved while Alex reads
    await type_text(pilot, "X")
    await pilot.pause()
    return screen, evidence


async def test_evidence_saved_by_another_session_is_not_overwritten_keep_mine(two_sessions):
    mine, theirs, audit_id = two_sessions
    app = make_app(mine)
    async with app.run_test(size=(110, 44)) as pilot:
        screen, evidence = await evidence_overtaken(app, pilot, theirs, audit_id)
        # Refused, and asked: Bob's text is still the saved one, Alex's is still on screen.
        assert isinstance(app.screen, ConflictDialog)
        assert mine.get_audit(audit_id).answers[0].evidence == THEIRS
        assert evidence.text == "SavedX"
        assert "someone else" in str(screen.query_one("#saved", Static).render())
        dialog = app.screen
        assert "Bob Auditor saved a change to the evidence of this question" in str(
            dialog.query_one(".prompt", Static).render())
        assert not dialog.query_one("#conflict-both").display
        await pilot.click("#see-both")
        await pilot.pause()
        assert dialog.query_one("#conflict-both").display
        assert dialog.query_one("#conflict-mine").text == "SavedX"
        assert dialog.query_one("#conflict-theirs").text == THEIRS
        await pilot.click("#keep-mine")
        await pilot.pause()
        assert app.screen is screen and not screen.unsaved
        assert "Saved" in str(screen.query_one("#saved", Static).render())
    # Alex's text is saved over Bob's, and the history shows both, in order.
    assert mine.get_audit(audit_id).answers[0].evidence == "SavedX"
    assert evidence_rows(mine, audit_id)[-2:] == [("Bob Auditor", "Saved", THEIRS), ("Alex Auditor", THEIRS, "SavedX")]


@pytest.mark.parametrize("field", ["lived_experience", "impact"])
async def test_narrative_saved_by_another_session_take_theirs(two_sessions, field):
    mine, theirs, audit_id = two_sessions
    app = make_app(mine)
    async with app.run_test(size=(110, 44)) as pilot:
        screen = await open_audit(app, pilot, audit_id)
        await pilot.press("ctrl+l")
        area = screen.query_one(f"#n-{field}")
        area.focus()
        area.move_cursor(area.document.end)
        theirs.update_audit(audit_id, **{field: THEIRS})
        await type_text(pilot, "Z")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert getattr(mine.get_audit(audit_id), field) == THEIRS
        await pilot.click("#take-theirs")
        await pilot.pause()
        # Alex's change is dropped and Bob's text is on screen; nothing is left unsaved, and the top bar
        # no longer says that something is not saved.
        assert app.screen is screen and not screen.unsaved
        assert screen.query_one(f"#n-{field}").text == THEIRS
        assert str(screen.query_one("#saved").content) == "✓ Showing what Bob Auditor saved"
        # Typing on goes on from Bob's text, with no second question.
        area = screen.query_one(f"#n-{field}")
        area.focus()
        area.move_cursor(area.document.end)
        await type_text(pilot, "!")
        await pilot.pause()
        assert app.screen is screen
    assert getattr(mine.get_audit(audit_id), field) == THEIRS + "!"
    assert [who for who, _, _ in evidence_rows(mine, audit_id, field)][-2:] == ["Bob Auditor", "Alex Auditor"]


async def test_grade_saved_by_another_session_decide_later_then_keep_mine(two_sessions):
    mine, theirs, audit_id = two_sessions
    app = make_app(mine)
    async with app.run_test(size=(110, 44)) as pilot:
        screen = await open_audit(app, pilot, audit_id)
        screen.show_question("plan.quality")
        screen.focus_grades()
        theirs.set_answer(audit_id, "plan.quality", grade="inadequate")
        await pilot.press("1")  # outstanding
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert app.screen.mine == "Outstanding" and app.screen.theirs == "Inadequate"
        await pilot.press("escape")  # decide later: nothing saved, the change is held
        await pilot.pause()
        assert app.screen is screen and screen.unsaved
        assert mine.get_audit(audit_id).answers[0].grade == "inadequate"
        await pilot.press("ctrl+s")  # trying again asks again
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.click("#keep-mine")
        await pilot.pause()
        assert app.screen is screen and not screen.unsaved
    assert mine.get_audit(audit_id).answers[0].grade == "outstanding"
    assert evidence_rows(mine, audit_id, "plan.quality:grade")[-2:] == [
        ("Bob Auditor", "good", "inadequate"), ("Alex Auditor", "inadequate", "outstanding")]


async def test_typing_on_after_decide_later_is_kept_and_asked_again_only_at_ctrl_s(two_sessions):
    """Esc on the conflict: yours stays on screen, not saved; what is typed next goes into the box (the
    dialog came back at each key and took the keys typed after it), and ctrl+s asks again."""
    mine, theirs, audit_id = two_sessions
    app = make_app(mine)
    async with app.run_test(size=(110, 44)) as pilot:
        screen, evidence = await evidence_overtaken(app, pilot, theirs, audit_id)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("escape")
        await pilot.pause()
        await type_text(pilot, "QRS")
        await pilot.pause()
        assert app.screen is screen and evidence.text == "SavedXQRS" and screen.unsaved
        assert str(screen.query_one("#saved", Static).render()) == (
            "✗ Not saved — someone else changed it (ctrl+s to decide)")
        assert mine.get_audit(audit_id).answers[0].evidence == THEIRS
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.click("#keep-mine")
        await pilot.pause()
    assert mine.get_audit(audit_id).answers[0].evidence == "SavedXQRS"


def test_store_refuses_a_stale_save_and_writes_nothing(two_sessions):
    mine, theirs, audit_id = two_sessions
    theirs.set_answer(audit_id, "plan.quality", evidence=THEIRS)
    before = mine.history(audit_id)
    with pytest.raises(EditConflict) as info:
        mine.set_answer(audit_id, "plan.quality", expected={"evidence": "Saved"}, evidence="Saved and more")
    assert (info.value.who, info.value.theirs, info.value.mine) == ("Bob Auditor", THEIRS, "Saved and more")
    assert "your change was not saved" in str(info.value) and "Saved and more" not in str(info.value)
    with pytest.raises(EditConflict):
        mine.update_audit(audit_id, expected={"impact": "an old text"}, impact="new text")
    assert mine.history(audit_id) == before and mine.get_audit(audit_id).answers[0].evidence == THEIRS
    # Saving over the value now stored (keep mine), or the very value already stored, goes through.
    mine.set_answer(audit_id, "plan.quality", expected={"evidence": THEIRS}, evidence="Mine")
    mine.update_audit(audit_id, expected={"impact": "an old text"}, impact=LIVED)
    assert mine.get_audit(audit_id).answers[0].evidence == "Mine"


async def test_an_action_changed_by_another_session_is_shown_again_not_overwritten(two_sessions):
    mine, theirs, audit_id = two_sessions
    action_id = mine.add_action(audit_id, description="Update the plan with Jo", owner="Sam Worker",
                                due=date.today() + timedelta(days=14))
    app = make_app(mine)
    async with app.run_test(size=(110, 44)) as pilot:
        screen = await open_audit(app, pilot, audit_id)
        await pilot.press("ctrl+o")
        screen.query_one(ActionsPanel).edit(action_id, question=None)
        await pilot.pause()
        theirs.update_action(action_id, owner="Team manager")  # saved while Alex's editor is open
        app.screen.query_one("#a-description").value = "Update the plan with Jo by Friday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Not saved: Bob's owner stands, and Alex's edit is open again to keep (save) or drop (Esc).
        action = mine.get_audit(audit_id).actions[0]
        assert (action.description, action.owner) == ("Update the plan with Jo", "Team manager")
        assert isinstance(app.screen, ActionDialog)
        assert app.screen.query_one("#a-description").value == "Update the plan with Jo by Friday"
        notes = [n.message for n in app._notifications]
        assert any("Bob Auditor saved a change to the owner" in m for m in notes), notes
        await pilot.press("ctrl+s")  # keep mine
        await pilot.pause()
        assert app.screen is screen
    action = mine.get_audit(audit_id).actions[0]
    assert (action.description, action.owner) == ("Update the plan with Jo by Friday", "Sam Worker")
    owner_rows = [(r["who"], r["old"], r["new"]) for r in mine.history(audit_id) if r["field"].endswith(":owner")]
    assert owner_rows == [("Bob Auditor", "Sam Worker", "Team manager"), ("Alex Auditor", "Team manager", "Sam Worker")]
