"""The round's conclusions screen, driven through the real app at 80x24: from the Rounds screen (`R`, then
`c`), the lead types the commentary, adds and edits a recommendation, sets a target; each is in the
database at once and logged in history (README "The quality lead's conclusions and trends")."""

from __future__ import annotations

import json

import pytest
from textual.geometry import Region
from textual.widgets import Button, DataTable, Input, Select, TextArea
from textual.widgets._footer import FooterKey

from audit_tui.exchange.interchange import import_json
from audit_tui.features.rounds import create_round
from audit_tui.tui.screens.conclusions import ConclusionsScreen, RecommendationDialog, TargetDialog
from audit_tui.tui.screens.rounds import RoundsScreen

from ..helpers.app import make_app
from ..test_lead_conclusions import R4, data_set

SMALL = (80, 24)
SCREEN = Region(0, 0, *SMALL)


@pytest.fixture
def app(store, tmp_path):
    (tmp_path / "set.json").write_text(json.dumps(data_set()), encoding="utf-8")
    import_json(store, tmp_path / "set.json")
    create_round(store, R4, "2026-02-09", "2026-02-13")
    return make_app(store)


def in_sight(widget) -> bool:
    return SCREEN.contains_region(widget.region) and widget.region.area > 0


async def open_conclusions(pilot) -> ConclusionsScreen:
    await pilot.press("R")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RoundsScreen)
    await pilot.press("c")
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ConclusionsScreen) and screen.round_name == R4
    return screen


async def test_the_lead_writes_commentary_recommendations_and_targets_from_the_rounds_screen(app):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_conclusions(pilot)
        # the commentary is saved as it is typed
        assert app.focused is screen.query_one("#commentary", TextArea)
        await pilot.press(*"Impact is weak")
        await pilot.pause()
        assert app.store.round_commentary(R4) == "Impact is weak"
        # a recommendation: Tab to the list (the footer names its keys), a adds
        await pilot.press("tab")
        await pilot.pause()
        keys = [k.description for k in screen.query(FooterKey)]
        assert keys[:3] == ["Add recommendation", "Set target", "Remove"]
        assert all(in_sight(k) for k in screen.query(FooterKey))
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RecommendationDialog)
        assert all(in_sight(b) for b in dialog.query(Button))
        await pilot.press(*"Supervision asks what changed")
        for field, text in (("#r-lead", "Jo Head"), ("#r-outcome", "70% impact good next round"),
                            ("#r-due", "31/02/2027")):
            dialog.query_one(field, Input).value = text
        await pilot.press("ctrl+s")  # a date that does not exist: said plainly, nothing saved
        await pilot.pause()
        assert app.screen is dialog and "31 February 2027 doesn't exist" in str(dialog.query_one("#r-check").render())
        dialog.query_one("#r-due", Input).value = "31/05/2026"
        dialog.query_one("#r-rag", Select).value = "amber"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [rec] = app.store.recommendations(R4)
        assert (rec["what"], rec["lead"], rec["due"], rec["rag"]) == (
            "Supervision asks what changed", "Jo Head", "2026-05-31", "amber")
        table = screen.query_one("#recommendations", DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "Amber"
        # Enter edits it: green
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#r-rag", Select).value = "green"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.store.recommendations(R4)[0]["rag"] == "green"
        # a target: g on the targets list (measures listed from the templates)
        targets = screen.query_one("#targets", DataTable)
        targets.focus()
        targets.move_cursor(row=targets.get_row_index("lived_experience"))
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, TargetDialog)
        await pilot.press(*"80", "enter")
        await pilot.pause()
        assert app.store.targets() == {"lived_experience": 80.0}
        await pilot.pause(0.5)  # the round's figure is counted on a thread: 4 of 5 (80%), green at 80
        row = [str(c) for c in targets.get_row_at(targets.get_row_index("lived_experience"))]
        assert row[1:] == ["80%", "80.0% (4 of 5)", "Green"]
    history = app.store.conclusions_history()
    assert [(h["who"], h["field"].split(":")[-1], h["old"], h["new"]) for h in history if h["field"].endswith(
        ":rag")] == [("Alex Auditor", "rag", None, "amber"), ("Alex Auditor", "rag", "amber", "green")]
    assert ("Alex Auditor", "target:lived_experience", None, "80.0") in [(h["who"], h["field"], h["old"], h["new"])
                                                                     for h in history]
    commentary = [h for h in history if h["field"] == f"round:{R4}:commentary"]
    # typing on extends one row, as for an audit's narratives
    assert [(h["old"], h["new"]) for h in commentary] == [(None, "Impact is weak")]


async def test_removing_a_recommendation_asks_first(app):
    app.store.add_recommendation(R4, what="Audit supervision notes", lead="Jo Head", outcome="20 notes by June",
                                 due="2026-06-30", rag="red")
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_conclusions(pilot)
        screen.query_one("#recommendations", DataTable).focus()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("escape")  # keeps it
        await pilot.pause()
        assert len(app.store.recommendations(R4)) == 1
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#confirm-go")
        await pilot.pause()
        assert app.store.recommendations(R4) == []
