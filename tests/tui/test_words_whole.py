"""At 80x24, words whole and what matters in sight: the home list without scrolling sideways, the
review's fields reached by Tab never hidden, the case's audits side by side with their labels whole,
an audit's actions with what, who and when. Driven through the real app."""

from __future__ import annotations

from datetime import date

import pytest
from textual.geometry import Region
from textual.widgets import DataTable, Input, OptionList

from audit_tui.domain.values import cut_keeping_number
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.case import CaseScreen
from audit_tui.tui.screens.review import ReviewScreen

from ..factories import base, make_audit
from ..helpers.app import make_app
from ..test_hostile_text import screen_text

SMALL = (80, 24)


@pytest.fixture
def app(store, mini_template):
    draft = store.create_audit(mini_template, case_ref="CL-0042", team="Adolescent and Exploitation Team",
                               auditor="Alex Auditor", round="2026-02 practice week", audited_on=date(2026, 2, 10))
    store.add_action(draft, description="Update the pathway plan with Jo's views by the review",
                     owner="Sam Worker", due=date(2026, 3, 14), question="plan.quality")
    first = make_audit(store, "CL-0043", base(**{"practice.quality": "inadequate"}), auditor="Joanne Mitchell")
    later = make_audit(store, "CL-0043", base(), audited_on=date(2026, 5, 12), complete=False)
    store.set_followup(later, follows=first, impact="some_improvement")
    app = make_app(store)
    app.ids = {"draft": draft, "first": first, "later": later}
    return app


async def home_list(pilot) -> DataTable:
    for _ in range(200):  # the list is added just after the first paint
        await pilot.pause(0.01)
        found = pilot.app.screen.query("#audits")
        if found and found.first(DataTable).row_count:
            return found.first(DataTable)
    raise AssertionError("the home list did not load")


async def open_over_home(pilot, screen) -> None:
    """`screen` opened over the loaded home list, laid out (two rounds of messages)."""
    await home_list(pilot)
    pilot.app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()


def labels(table: DataTable) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


async def test_the_home_list_shows_what_matters_at_80_columns_and_more_as_it_widens(app):
    async with app.run_test(size=SMALL) as pilot:
        table = await home_list(pilot)
        assert labels(table) == ["Case ref", "Status", "Overall", "Auditor", "Last edited"]
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing off to the right
        text = screen_text(app)
        assert "Inadequate" in text and "Joanne Mitchell" in text
        search = app.screen.query_one("#home-search", Input)
        assert len(search.placeholder) <= search.content_region.width, search.placeholder  # the hint is whole
        table.move_cursor(row=1)
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        await pilot.pause()
        assert labels(table)[:7] == ["Case ref", "Status", "Overall", "Auditor", "Last edited", "Team", "Round"]
        assert "Adolescent and Exploitation Team" in screen_text(app)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == chosen  # the same audit
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        await pilot.pause()
        assert "Team" not in labels(table) and table.virtual_size.width <= table.scrollable_content_region.width


async def test_tab_goes_down_the_review_and_what_it_reaches_is_in_sight(app):
    async with app.run_test(size=SMALL) as pilot:
        await open_over_home(pilot, ReviewScreen(app.ids["draft"]))
        screen = app.screen
        assert app.focused.id == "findings"
        reached = []
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            reached.append(app.focused.id)
            buttons = screen.query_one("#review-buttons").region
            assert Region(0, 0, *SMALL).contains_region(app.focused.region), app.focused.id
            assert not app.focused.region.overlaps(buttons) or app.focused.parent.id == "review-buttons"
        assert reached == ["safeguarding", "overall", "overall-reason", "back"]  # Complete waits for the gates


async def test_tab_goes_down_the_moderation_page_and_what_it_reaches_is_in_sight(app):
    from audit_tui.tui.screens.moderation import ModerationScreen

    async with app.run_test(size=SMALL) as pilot:
        await open_over_home(pilot, ModerationScreen(app.ids["first"]))
        buttons = app.screen.query_one(".buttons").region
        for _ in range(30):
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert Region(0, 0, *SMALL).contains_region(focused.region), focused.id
            assert focused.parent.has_class("buttons") or not focused.region.overlaps(buttons), focused.id
            if focused.id == "m-save":
                break
        assert app.focused.id == "m-save"  # down the page, then its buttons


async def test_a_gate_wraps_inside_what_is_visible_whether_or_not_the_list_scrolls(app):
    async with app.run_test(size=SMALL) as pilot:
        await open_over_home(pilot, ReviewScreen(app.ids["draft"]))
        findings = app.screen.query_one("#findings", OptionList)
        width = findings.scrollable_content_region.width
        assert findings.size.height == findings.virtual_size.height  # every line used: no blank line below
        findings.styles.max_height = 3  # now it scrolls: the same width for the text
        await pilot.pause()
        await pilot.pause()
        assert findings.show_vertical_scrollbar and findings.scrollable_content_region.width == width


def test_a_question_cut_to_fit_keeps_its_number():
    assert cut_keeping_number("Strategy discussion and section 47 enquiry Q3", 25) == "Strategy discussion a… Q3"
    assert cut_keeping_number("Pathway planning Q1", 25) == "Pathway planning Q1"


async def test_a_cases_audits_side_by_side_show_their_labels_whole_at_80x24(app):
    async with app.run_test(size=SMALL) as pilot:
        await open_over_home(pilot, CaseScreen("CL-0043"))
        text = screen_text(app)
        for words in ("Actions made a difference", "Some improvement", "Joanne Mitchell", "Practice Q1"):
            assert words in text, words


async def test_an_audits_actions_show_what_who_and_when_at_80x24(app):
    async with app.run_test(size=SMALL) as pilot:
        await home_list(pilot)
        app.push_screen(AuditScreen(app.ids["draft"]))
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        table = app.screen.query_one("#actions-table", DataTable)
        assert labels(table)[:3] == ["Description", "Owner", "Due"]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        text = screen_text(app)
        words = text.split()
        assert all(word in words for word in "what must happen next, who owns it and by when".split())
        assert "Sam Worker" in text and "2026-03-14" in text
