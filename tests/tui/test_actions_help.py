"""Actions that help, in the app (README "Actions that help"): the action dialog's kind, the other
questions an action answers, the shorter due date after an inadequate grade and the owner warning;
F8 "no action because …" on a question below good; the tracker's counts and filter by kind. Pilot at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Input, Select, SelectionList, Static

from audit_tui.storage.store import Store
from audit_tui.tui.screens.action_tracker import ActionTrackerScreen
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.widgets.actions import ActionDialog, NoActionDialog

from ..factories import base, make_audit
from ..helpers.app import make_app

DAY = date(2026, 2, 10)
REASON = "Already in hand: the plan review was booked on 2 February with the IRO"


async def test_the_walk_through_gives_kind_questions_due_and_no_action(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042", audited_on=DAY)
    store.set_answer(audit_id, "plan.quality", grade="inadequate", evidence="No plan on file since June.")
    store.set_answer(audit_id, "oversight.supervision", grade="requires_improvement", evidence="Supervision is late.")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        app.screen.show_question("plan.quality")
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert dialog.query_one("#a-due", Input).value == "2026-02-24"  # 14 days after an inadequate grade
        dialog.query_one("#a-description", Input).value = "Write the pathway plan with Jo by 24 February"
        dialog.query_one("#a-owner", Input).value = "Young person"
        await pilot.pause()
        assert "owned by the child or young person" in str(dialog.query_one("#a-check", Static).render())
        dialog.query_one("#a-owner", Input).value = "Dan Okafor"
        dialog.query_one("#a-kind", Select).value = "case"
        dialog.query_one("#a-also", SelectionList).select("oversight.supervision")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        action = store.get_audit(audit_id).actions[0]
        assert action.questions == ["plan.quality", "oversight.supervision"] and action.due == date(2026, 2, 24)
        store.delete_action(action.id)
        app.screen.reload()
        app.screen.show_question("oversight.supervision")
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, NoActionDialog)
        app.screen.query_one(Input).value = REASON
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
    answers = {a.question: a for a in store.get_audit(audit_id).answers}
    assert answers["oversight.supervision"].no_action == REASON


async def test_the_tracker_counts_and_filters_by_kind(tmp_path):
    store = Store(tmp_path / "a.db", actor="Quinn Lead")
    make_audit(store, "CL-0001", base(), extra_actions=[
        {"description": "Reflect in supervision on recording Sam's words by 10 March", "owner": "Tess Manager",
         "due": DAY + timedelta(days=28), "kind": "learning"},
        {"description": "Reflect in supervision on the chronology by 1 March", "owner": "Tess Manager",
         "due": DAY + timedelta(days=20), "kind": "learning"},
        {"description": "Report supervision frequency across the service to the board by April",
         "owner": "Head of service", "due": DAY + timedelta(days=50), "kind": "service"}])
    app = make_app(store, "Quinn Lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ActionTrackerScreen())
        await pilot.pause()
        kinds = str(app.screen.query_one("#tracker-kinds", Static).render())
        assert "case action 0 · learning for the worker 2 · service recommendation 1" in kinds
        await pilot.press("k", "k")  # every kind → case → learning
        await pilot.pause()
        assert app.screen.query_one("#tracker").row_count == 2
        assert "k shows: learning for the worker" in str(app.screen.query_one("#tracker-kinds", Static).render())
    store.close()
