"""Re-audit and follow-up in the app (README "Re-audit and follow-up"): `c` on the home screen shows the
case's audits side by side at 80x24; `r` there sets an inadequate audit's re-audit date, which the round
dashboard then lists; F9 in a draft's walk-through records which audit it follows up and whether the
actions made a difference. Pilot at 80x24."""

from __future__ import annotations

from datetime import date

from textual.geometry import Region
from textual.widgets import Button, DataTable, Input, Select, Static
from textual.widgets._footer import FooterKey

from audit_tui.features import rounds
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.case import CaseScreen, FollowupDialog
from audit_tui.tui.screens.new_audit import NewAuditScreen
from audit_tui.tui.screens.rounds import RoundsScreen

from ..factories import base, make_audit
from ..helpers.app import make_app

SMALL = (80, 24)
POOR = base(**{"practice.quality": "inadequate", "practice.voice": "inadequate", "oversight.supervision": "inadequate"})


def in_sight(widget) -> bool:
    return Region(0, 0, *SMALL).contains_region(widget.region) and widget.region.area > 0


async def test_the_case_screen_sets_a_reaudit_date_that_the_dashboard_shows(store):
    rounds.create_round(store, "2026-02 practice week", "2026-02-09", "2026-02-13", templates=["care-leavers"])
    poor = make_audit(store, "CL-0009", POOR)
    make_audit(store, "CL-0009", base(), audited_on=date(2026, 4, 14), round="2026-04", complete=False)
    app = make_app(store, "Quinn Lead")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        app.screen.query_one("#audits", DataTable).move_cursor(row=1)  # the list is newest first
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        table = screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["", "2026-02-10", "2026-04-14"]
        assert [str(cell) for cell in table.get_row_at(2)] == ["Overall", "Inadequate", "—"]
        assert all(in_sight(k) for k in screen.query(FooterKey))
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one(Input).value = "14/04/2026"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert [str(cell) for cell in table.get_row_at(5)] == ["Re-audit due", "2026-04-14", "—"]
        app.pop_screen()
        app.push_screen(RoundsScreen("2026-02 practice week"))
        await pilot.pause()
        await pilot.pause()
        overall = str(app.screen.query_one("#rounds-overall", Static).render())
        assert "Re-audits: CL-0009 (audited 2026-02-10): due 2026-04-14, overdue" in overall
    assert store.get_audit(poor).reaudit_due == date(2026, 4, 14)


async def test_f9_records_the_follow_up_in_the_walk_through(store):
    earlier = make_audit(store, "CL-0009", POOR)
    later = make_audit(store, "CL-0009", base(), audited_on=date(2026, 4, 14), complete=False)
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.push_screen(AuditScreen(later))
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FollowupDialog)
        assert dialog.query_one("#fu-follows", Select).value == earlier  # the latest earlier audit
        shown = str(dialog.query_one("#fu-follows", Select).query_one("#label", Static).render())
        assert shown == "2026-02-10 by Ann Auditor (Inadequate)"  # the grade as people read it
        assert all(in_sight(b) for b in dialog.query(Button))
        dialog.query_one("#fu-impact", Select).value = "improved"
        dialog.query_one("#fu-note", Input).value = "Sam has a plan written with her and a named worker now."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
    record = store.get_audit(later)
    assert (record.follows, record.followup.impact) == (earlier, "improved")
    assert record.followup.note == "Sam has a plan written with her and a named worker now."


async def start_the_form(pilot, app, earlier: str) -> str:
    """On the new-audit form a re-audit opened: it is filled from the earlier audit and says it is its
    follow-up; ctrl+s starts the audit, which opens. Returns the new audit's id."""
    form = app.screen
    assert isinstance(form, NewAuditScreen)
    assert {key: form.query_one(f"#{key}", Input).value for key in ("case_ref", "team", "worker", "service_area")} \
        == {"case_ref": "CL-0009", "team": "Team A", "worker": "Dan Okafor", "service_area": "care leavers"}
    assert form.templates[form.query_one("#template", Select).value].id == store_template_id(app, earlier)
    assert "follow-up of CL-0009, audited 10/02/2026" in str(form.query_one(".title", Static).render())
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, AuditScreen)
    return app.screen.audit_id


def store_template_id(app, audit_id: str) -> str:
    return app.store.get_audit(audit_id).template_id


async def test_enter_on_a_reaudit_of_the_dashboard_starts_the_follow_up_linked_to_it(store):
    """README "Re-audit and follow-up": Enter on a re-audit of the round dashboard's Re-audits tab starts
    its follow-up, linked to the inadequate audit (no F9 needed); once started, Enter opens it."""
    rounds.create_round(store, "2026-02 practice week", "2026-02-09", "2026-02-13", templates=["care-leavers"])
    poor = make_audit(store, "CL-0009", POOR)
    store.schedule_reaudit(poor, date(2026, 4, 14))
    app = make_app(store, "Quinn Lead")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.push_screen(RoundsScreen("2026-02 practice week"))
        await pilot.pause()
        await pilot.press("t", "t", "t")
        await pilot.pause()
        table = app.screen.query_one("#reaudits", DataTable)
        assert table.has_focus and in_sight(table)
        assert [str(cell) for cell in table.get_row_at(0)] == ["CL-0009", "2026-02-10", "2026-04-14", "overdue", ""]
        await pilot.press("enter")
        await pilot.pause()
        later = await start_the_form(pilot, app, poor)
        assert store.get_audit(later).follows == poor
        app.pop_screen()
        await pilot.pause()
        assert [str(cell) for cell in table.get_row_at(0)][-2:] == [
            "started (overdue)", f"{date.today().isoformat()}: difference not yet said"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen) and app.screen.audit_id == later
    assert [a["id"] for a in store.case_audits("CL-0009")] == [poor, later]


async def test_f_on_a_completed_audit_of_the_case_starts_its_follow_up(store):
    """README: `f` on the case's audits starts the follow-up of a completed audit (the form filled, linked)."""
    poor = make_audit(store, "CL-0009", POOR)
    app = make_app(store, "Quinn Lead")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.push_screen(CaseScreen("CL-0009"))
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        later = await start_the_form(pilot, app, poor)
    record = store.get_audit(later)
    assert (record.case_ref, record.follows, record.status) == ("CL-0009", poor, "draft")
