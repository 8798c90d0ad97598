"""Long lists load a page at a time (tui.widgets.paging): the home list and the action tracker."""

from __future__ import annotations

import csv
from contextlib import asynccontextmanager
from datetime import date

import pytest

from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens import action_tracker
from audit_tui.tui.screens.action_tracker import ActionTrackerScreen, ExportActionsDialog
from audit_tui.tui.widgets import paging

from ..factories import base, make_audit, template

ACTIONS = 7


@pytest.fixture
def many(store):
    """One audit with ACTIONS open actions, all overdue but one, and five draft audits."""
    due = [date(2026, 3, n + 1) for n in range(ACTIONS - 1)] + [date(2099, 1, 1)]
    make_audit(store, "CL-0001", base(), actions=[
        {"description": f"Update the pathway plan, step number {n}, by the next review", "owner": "Team manager",
         "due": d} for n, d in enumerate(due)])
    for n in range(5):
        store.create_audit(template(), case_ref=f"CL-01{n:02d}", audited_on=date(2026, 2, 10))
    return store


@asynccontextmanager
async def tracker(store):
    """The app on `store`, with the action tracker opened from home (a)."""
    app = AuditApp(store, settings=Settings(auditor_name="Quinn Lead"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActionTrackerScreen)
        yield pilot, app.screen


async def test_the_tracker_reads_a_page_then_more_as_the_cursor_comes_near_the_end(many, monkeypatch, tmp_path):
    monkeypatch.setattr(action_tracker, "PAGE", 3)
    monkeypatch.setattr(paging, "MORE_WITHIN", 1)
    async with tracker(many) as (pilot, screen):
        app = screen.app
        table = screen.query_one("#tracker")
        assert table.row_count == 3  # one page read
        status = str(screen.query_one("#tracker-status").render())
        assert status.startswith(f"{ACTIONS} · open") and "overdue" in status  # counted in SQL, not from the page
        await pilot.press("down")
        await pilot.pause()
        assert table.row_count == 3
        await pilot.press("down")
        await pilot.pause()
        assert table.row_count == 6  # the cursor came within a row of the end: the next page
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert table.row_count == ACTIONS and not screen._pager.more
        assert len(set(screen.rows)) == ACTIONS  # no action read twice
        # export writes every matching action, not only the rows read
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportActionsDialog)
        out = tmp_path / "actions.csv"
        dialog.query_one("#export-path").value = str(out)
        await pilot.press("enter")
        await pilot.pause()
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == ACTIONS


async def test_the_tracker_filter_reads_once_typing_pauses(many, monkeypatch):
    monkeypatch.setattr(action_tracker, "PAGE", 3)
    reads = []
    real = action_tracker.list_actions
    monkeypatch.setattr(action_tracker, "list_actions",
                        lambda db, f, **kw: reads.append(f.search) or real(db, f, **kw))
    async with tracker(many) as (pilot, screen):
        reads.clear()
        await pilot.press("slash", *"number 6,")
        await pilot.pause()
        assert reads == []  # nothing read while typing
        await pilot.pause(action_tracker.TYPING_PAUSE + 0.2)
        assert reads == ["number 6,"]
        table = screen.query_one("#tracker")
        assert table.row_count == 1 and "step number 6," in next(iter(screen.rows.values()))["description"]
        assert str(screen.query_one("#tracker-status").render()).startswith("1 · open · 0 overdue")


async def test_home_reads_a_page_then_more_as_it_is_scrolled(many, monkeypatch):
    monkeypatch.setattr(paging, "PAGE", 2)
    monkeypatch.setattr(paging, "MORE_WITHIN", 1)
    app = AuditApp(many, settings=Settings(auditor_name="Quinn Lead"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#audits")
        assert table.row_count == 2
        assert str(app.screen.query_one("#home-status").render()).startswith("6 of 6")
        for _ in range(6):
            await pilot.press("down")
            await pilot.pause()
        assert table.row_count == 6 and len(set(table.rows)) == 6
