"""Snapshots of the main screens at 80x24 (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from datetime import date

import pytest

from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen

from ..conftest import DATA
from ..helpers.snapshots import settle, still

SIZE = (80, 24)


@pytest.fixture
def app(store, mini_template):
    first = store.create_audit(mini_template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                               round="2026-02 practice week", audited_on=date(2026, 2, 10))
    store.set_answer(first, "plan.quality", grade="requires_improvement",
                     evidence="The pathway plan was not updated after Jo moved.")
    store.create_audit(mini_template, case_ref="CL-0043", team="Leaving Care 2", auditor="Sam Senior",
                       round="2026-02 practice week", audited_on=date(2026, 2, 11))
    for case_ref, stamp in (("CL-0042", "2026-02-10T10:00:00+00:00"), ("CL-0043", "2026-02-11T09:00:00+00:00")):
        store.db.execute("UPDATE audits SET updated_at = ? WHERE case_ref = ?", [stamp, case_ref])
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    app.first_audit = first
    return app


async def steady(pilot) -> None:
    """The home list loaded (it is added just after the first paint), workers done, no cursor blinking."""
    await settle(pilot)


def test_home(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=steady)


def test_new_audit(snap_compare, app):
    async def before(pilot):
        await steady(pilot)
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#audited_on").value = "2026-02-10"
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_walk_through(snap_compare, app):
    async def before(pilot):
        await steady(pilot)
        pilot.app.push_screen(AuditScreen(pilot.app.first_audit))
        await pilot.pause()
        pilot.app.screen.show_question("plan.quality")
        pilot.app.screen.focus_grades()
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_review(snap_compare, app):
    async def before(pilot):
        await steady(pilot)
        pilot.app.push_screen(AuditScreen(pilot.app.first_audit))
        await pilot.pause()
        await pilot.press("ctrl+r")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_help(snap_compare, app):
    async def before(pilot):
        await steady(pilot)
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
