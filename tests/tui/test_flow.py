"""The whole walk-through through the real app, driven by keys as an auditor would."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Select

from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.home import HomeScreen
from audit_tui.tui.screens.new_audit import NewAuditScreen
from audit_tui.tui.screens.review import ReviewScreen

from ..helpers.app import make_app, paste_text, type_text

LIVED = "Jo says her flat is home; she cooks on Sundays and wants to be a chef."
IMPACT = "Jo is now safer: she has kept her flat for a year and goes to college."


async def start_audit(pilot, case_ref: str = "CL-0042") -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, NewAuditScreen)
    select = pilot.app.screen.query_one("#template", Select)
    select.value = next(i for i, t in enumerate(pilot.app.screen.templates) if t.id == "mini")
    await pilot.click("#case_ref")
    await type_text(pilot, case_ref)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_new_audit_to_completed(store):
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await start_audit(pilot)
        assert isinstance(app.screen, AuditScreen)
        audit_id = app.screen.audit_id
        assert app.focused.id == "q-grades"

        await pilot.press("3")  # requires improvement
        await type_text(pilot, "Plan not updated")  # typed; the next questions' evidence pasted (as often done)
        await pilot.press("ctrl+n", "1")  # in custody: yes
        await paste_text(pilot, "On remand")
        await pilot.press("ctrl+n", "1")  # the only_if question is now asked
        await paste_text(pilot, "Planned")
        await pilot.press("ctrl+n", "2")  # good
        await paste_text(pilot, "Reflective")

        await pilot.press("pageup", "pageup", "pageup")  # back to the first question
        assert app.screen.current == "plan.quality"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await type_text(pilot, "Update the plan with Jo")
        await pilot.press("tab")
        await paste_text(pilot, "Sam Worker")
        await pilot.press("tab")
        await paste_text(pilot, (date.today() + timedelta(days=14)).isoformat())
        await pilot.press("ctrl+s")
        await pilot.pause()

        await pilot.press("ctrl+l")
        await type_text(pilot, LIVED[:3])  # a few keys, then the rest pasted: both save into the narrative
        await paste_text(pilot, LIVED[3:])
        app.screen.query_one("#n-impact").focus()
        await paste_text(pilot, IMPACT)

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        # README: completing needs the safeguarding statement; Enter on that gate goes to where it is made
        assert [f.message for f in app.screen.failures] == [
            "Safeguarding: state 'no unaddressed risk found' or 'a concern was raised'"]
        assert app.screen.query_one("#complete").disabled
        await pilot.press("enter")
        assert app.focused.id == "safeguarding"
        await pilot.press("enter", "down", "enter")  # the first statement: no unaddressed risk found
        await pilot.pause()
        assert app.screen.failures == []
        assert not app.screen.query_one("#complete").disabled
        await pilot.press("ctrl+s")
        await pilot.pause()

    audit = store.get_audit(audit_id)
    assert audit.status == "completed"
    assert audit.safeguarding == "no_risk"
    assert audit.auditor == "Alex Auditor"
    grades = {a.question: a.grade for a in audit.answers}
    assert grades == {"plan.quality": "requires_improvement", "plan.in_custody": "yes", "plan.release": "yes",
                      "oversight.supervision": "good"}
    assert {a.question: a.evidence for a in audit.answers} == {
        "plan.quality": "Plan not updated", "plan.in_custody": "On remand", "plan.release": "Planned",
        "oversight.supervision": "Reflective"}
    assert audit.actions[0].question == "plan.quality"
    assert audit.actions[0].owner == "Sam Worker"
    assert audit.lived_experience == LIVED
    assert audit.overall_grade == "requires_improvement"  # a quarter of answers below good
    fields = [row["field"] for row in store.history(audit_id)]
    assert "plan.quality:grade" in fields and "status" in fields


async def test_review_lists_unmet_gates_and_jumps_there(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-7", auditor="Alex Auditor")
    store.set_answer(audit_id, "plan.quality", grade="inadequate", evidence="No plan at all")
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        review = app.screen
        messages = [f.message for f in review.failures]
        assert any("Pathway planning Q1: graded below good" in m for m in messages)
        assert any("Pathway planning Q2: not answered" in m for m in messages)
        assert any(m.startswith("Lived experience") for m in messages)
        assert review.query_one("#complete").disabled
        # Enter on the first finding takes the auditor to that question.
        review.query_one("#findings").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        assert app.screen.current == "plan.quality"
    assert store.get_audit(audit_id).status == "draft"


async def test_completed_audit_is_read_only_until_reopened(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-8")
    store.db.execute("UPDATE audits SET status = 'completed' WHERE id = ?", [audit_id])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        assert app.screen.query_one("#q-grades").disabled
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.click("#reopen")
        await pilot.pause()
        await type_text(pilot, "Evidence was missed")
        await pilot.press("enter")
        await pilot.pause()
        assert not app.screen.query_one("#q-grades").disabled
    assert store.get_audit(audit_id).status == "draft"
    assert any(r["field"] == "reopen_reason" and r["new"] == "Evidence was missed" for r in store.history(audit_id))


async def test_user_text_is_shown_as_text_not_markup(store, mini_template):
    hostile = "[bold]x[/bold] [@click=app.quit]q[/] [link=http://e]l[/link] [/"
    audit_id = store.create_audit(mini_template, case_ref="CL-9", team=hostile, auditor=hostile)
    store.set_answer(audit_id, "plan.quality", grade="good", evidence=hostile)
    app = make_app(store)
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#audits")
        # the auditor and team columns show the text literally (shortened with "…" to their width)
        shown = [cell.plain for cell in table.get_row(audit_id) if cell.plain.startswith("[bold]x[/bold] [@")]
        assert len(shown) == 2 and all(hostile.startswith(cell.removesuffix("…")) for cell in shown), shown
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        app.screen.show_question("plan.quality")
        await pilot.pause()
        assert app.screen.query_one("#q-evidence").text == hostile
        app.pop_screen()
        await pilot.pause()
        assert app.is_running


async def test_theme_choice_is_remembered(store):
    from audit_tui.files.settings import load_settings

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "high-contrast" in app.available_themes and "textual-light" in app.available_themes
        app.theme = "high-contrast"
        await pilot.pause()
    assert load_settings().theme == "high-contrast"


def test_heavy_libraries_are_not_imported_at_start():
    import subprocess
    import sys

    code = ("import sys, audit_tui.cli.main, audit_tui.tui.app; "
            "print(sorted(m for m in ('matplotlib', 'docx', 'openpyxl') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


async def test_keys_can_be_remapped_by_binding_id(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-5")
    app = AuditApp(store, settings=Settings(keymap={"audit.next": "f8"}))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        start = app.screen.current
        await pilot.press("f8")
        assert app.screen.current != start
