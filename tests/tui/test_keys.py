"""Every documented key reaches the app in common terminals, tmux and screen, and does what the help says;
Esc steps back and never throws typed work away without asking; destructive actions ask first."""

from __future__ import annotations

import importlib
import inspect
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.widgets import DataTable, Input, Select

import audit_tui.tui
from audit_tui.files.settings import Settings
from audit_tui.storage.store import StoreError
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.dialogs import ConfirmDialog
from audit_tui.tui.screens.help import HELP
from audit_tui.tui.screens.history import HistoryScreen
from audit_tui.tui.screens.home import HomeScreen
from audit_tui.tui.screens.moderation import ModerationScreen
from audit_tui.tui.screens.new_audit import NewAuditScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.widgets.actions import ActionDialog

from ..conftest import DATA
from ..factories import base, make_audit
from ..helpers.app import arrive_together, make_app, open_walk_through, type_text, typed

README = Path(__file__).resolve().parents[2] / "README.md"

# What an xterm-compatible terminal sends for each key (tmux and screen forward the same bytes, except
# their prefixes ctrl+b and ctrl+a, which they keep for themselves).
F_KEYS = {"F1": "\x1bOP", "F2": "\x1bOQ", "F3": "\x1bOR", "F4": "\x1bOS", "F5": "\x1b[15~", "F6": "\x1b[17~",
          "F7": "\x1b[18~", "F8": "\x1b[19~", "F9": "\x1b[20~"}
NAMED = {"Enter": ("\r", "enter"), "Tab": ("\t", "tab"), "Esc": ("\x1b", "escape"), "PgDn": ("\x1b[6~", "pagedown"),
         "PgUp": ("\x1b[5~", "pageup"), "Down": ("\x1b[B", "down"), "Up": ("\x1b[A", "up"),
         "Delete": ("\x1b[3~", "delete"), "/": ("/", "slash")}
TAKEN_BY_MULTIPLEXERS = {"ctrl+b", "ctrl+a"}
"""tmux's and screen's prefix keys: the app never sees them over SSH in tmux or screen."""
HARMFUL = {"ctrl+h", "ctrl+i", "ctrl+m", "ctrl+j", "ctrl+w", "ctrl+u", "ctrl+k", "ctrl+d", "ctrl+x", "ctrl+z",
           "ctrl+y"}
"""Keys terminals turn into Backspace, Tab or Enter, or that delete or undo text if they reach a text box."""


def terminal_bytes(token: str) -> tuple[str, str]:
    """The bytes a terminal sends for a documented key, and the key name the app binds."""
    if token in NAMED:
        return NAMED[token]
    if token in F_KEYS:
        return F_KEYS[token], token.lower()
    if m := re.fullmatch(r"ctrl\+([a-z])", token):
        return chr(ord(m[1]) - 96), token
    assert len(token) == 1, f"unknown key in the README: {token}"
    return token, token


def parse(data: str) -> list[str]:
    parser = XTermParser()
    events = list(parser.feed(data)) + list(parser.feed(""))
    return [event.key for event in events]


def documented_keys() -> set[str]:
    section = README.read_text(encoding="utf-8").split("## Key bindings", 1)[1].split("\n## ", 1)[0]
    keys = set()
    for row in section.splitlines():
        cells = row.split("|")
        if len(cells) >= 4 and cells[1].strip() not in ("where", "---"):
            keys.update(t for t in re.findall(r"`([^`\s]+)`", cells[2] + cells[3]) if t != "settings.json")
    return keys


def app_bindings() -> list[Binding]:
    """Every binding of every screen and widget of the app."""
    found = list(AuditApp.BINDINGS)
    root = Path(list(audit_tui.tui.__path__)[0])
    for path in root.rglob("*.py"):
        name = "audit_tui.tui." + ".".join(path.relative_to(root).with_suffix("").parts)
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ == name:
                found += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


def bound_keys() -> set[str]:
    return {key.strip() for b in app_bindings() for key in b.key.split(",")}


def test_every_documented_key_reaches_the_app_and_is_bound():
    documented = documented_keys()
    assert {"PgDn", "PgUp", "F5", "F6", "F7", "ctrl+r", "Delete", "Esc"} <= documented
    bound = bound_keys() | {"tab", "up"}  # Tab moves the focus; Up moves up a list (Textual's; the home list's
    #                                       first row hands it to the filter: screens/home.AuditList)
    for token in sorted(documented):
        data, name = terminal_bytes(token)
        assert parse(data) == [name], f"{token}: the terminal's bytes arrive as {parse(data)}"
        assert name not in TAKEN_BY_MULTIPLEXERS, f"{token} is tmux's or screen's prefix"
        assert name in bound, f"{token} is documented but not bound"


def test_no_binding_uses_a_key_that_is_lost_or_harmful():
    assert parse("\x08") == ["backspace"]  # why ctrl+h cannot be used: it arrives as Backspace
    keys = bound_keys()
    assert not keys & (HARMFUL | TAKEN_BY_MULTIPLEXERS), keys & (HARMFUL | TAKEN_BY_MULTIPLEXERS)


def test_help_and_readme_name_the_same_walk_through_keys():
    for key in ("PgDn", "PgUp", "F5", "F6", "F7", "ctrl+r", "ctrl+f", "ctrl+t", "ctrl+o", "ctrl+l", "ctrl+g"):
        assert f"`{key}`" in HELP
    assert "ctrl+b" not in HELP and "ctrl+h" not in HELP


# -- does what the help says ----------------------------------------------------------------------------------

@pytest.fixture
def app(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                                  audited_on=date(2026, 2, 10))
    store.add_action(audit_id, description="Update the plan with Jo", owner="Sam Worker",
                     due=date.today() + timedelta(days=14), question="plan.quality")
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    app.audit_id = audit_id
    return app


async def open_audit(pilot) -> AuditScreen:
    await pilot.pause()
    pilot.app.push_screen(AuditScreen(pilot.app.audit_id))
    await pilot.pause()
    return pilot.app.screen


async def test_walk_through_keys_do_what_the_help_says(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        assert screen.current == "plan.quality"
        await pilot.press("pagedown")
        assert screen.current == "plan.in_custody"
        await pilot.press("pageup")
        assert screen.current == "plan.quality"
        await pilot.press("ctrl+n")
        assert screen.current == "plan.in_custody"
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen) and app.screen.audit_id == app.audit_id


async def test_esc_in_the_home_filter_goes_back_to_the_list(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "C", "L")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, DataTable)
        assert app.screen.query_one("#home-search", Input).value == "CL"  # the filter stays
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)  # n is a command again, not a letter in the filter


async def test_esc_on_the_new_audit_form_asks_before_discarding(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await pilot.press("escape")  # nothing typed: steps straight back
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#case_ref", Input).focus()
        await pilot.press(*"CL-0099")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # Esc steps back: to the form, with the text
        await pilot.pause()
        assert app.screen is form and form.query_one("#case_ref", Input).value == "CL-0099"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#confirm-go")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_esc_in_the_action_dialog_asks_before_discarding(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_audit(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        await pilot.press(*"Visit")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the focused button keeps editing
        await pilot.pause()
        assert app.screen is dialog and dialog.query_one("#a-description", Input).value == "Visit"


async def test_esc_in_moderation_asks_before_discarding(store):
    audit_id = make_audit(store, "CL-0042", base(**{"oversight.supervision": "outstanding"}))
    app = AuditApp(store, settings=Settings(auditor_name="Quinn Lead"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ModerationScreen(audit_id))
        await pilot.pause()
        screen = app.screen
        await pilot.press("escape")  # nothing changed: back at once
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.push_screen(ModerationScreen(audit_id))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen._form_start is not None
        screen.query_one("#g-oversight--supervision", Select).value = "good"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_deleting_an_action_asks_and_d_does_not_delete(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert len(app.store.get_audit(app.audit_id).actions) == 1  # d never deletes
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and len(app.store.get_audit(app.audit_id).actions) == 1
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#confirm-go")
        await pilot.pause()
        assert app.store.get_audit(app.audit_id).actions == []


async def test_a_safeguarding_action_cannot_be_deleted(app):
    app.store.raise_concern(app.audit_id, "Jo is sleeping at an address linked to exploitation", "Team manager")
    urgent = next(a.id for a in app.store.get_audit(app.audit_id).actions if a.description.startswith("URGENT"))
    with pytest.raises(StoreError, match="safeguarding concern"):
        app.store.delete_action(urgent)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        table = screen.query_one("#actions-table", DataTable)
        table.move_cursor(row=table.get_row_index(urgent))
        await pilot.press("delete")
        await pilot.pause()
        assert app.screen is screen  # no dialog: it cannot be deleted, and says so
        assert any("cannot be deleted" in n.message for n in app._notifications)
    assert urgent in [a.id for a in app.store.get_audit(app.audit_id).actions]


async def test_text_typed_straight_after_tab_lands_in_the_field_tab_moved_to(store, draft):
    audit_id = draft
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await arrive_together(pilot, ["tab", *typed("CL-0042")])  # from the home list into its search box
        assert app.focused.id == "home-search"
        assert app.focused.value == "CL-0042"
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.pause()
        assert app.focused.id == "q-grades"
        await arrive_together(pilot, ["tab", *typed("Seen alone")])  # from the grade into the evidence box
        assert app.focused.id == "q-evidence"
        await arrive_together(pilot, ["shift+tab", "tab", *typed(" and again")])  # out and back in
        assert app.focused.id == "q-evidence"
        assert app.focused.text == "Seen alone and again"
        await pilot.press("ctrl+s")
    assert [a.evidence for a in store.get_audit(audit_id).answers if a.evidence] == ["Seen alone and again"]


async def test_keys_that_arrive_together_each_wait_for_what_the_one_before_does(store, mini_template):
    """"/" and then a filter typed fast: the letters go into the filter, none of them works the list's keys
    (s status, a actions, m moderate); Down and then n: to the list, then a new audit."""
    make_audit(store, "CL-0043", base())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await arrive_together(pilot, ["slash", *typed("sam")])
        assert isinstance(app.screen, HomeScreen) and app.focused.id == "home-search"
        assert app.focused.value == "sam"
        await arrive_together(pilot, ["down", "n"])  # Down from the filter to the list, then n
        assert isinstance(app.screen, NewAuditScreen)


async def test_text_typed_straight_after_tab_goes_after_the_text_already_there(store, draft, mini_template):
    """The evidence box is entered at the end of its text even when the keys arrive together with the Tab
    (README, Key bindings): nothing typed lands before what was written."""
    question = mini_template.questions()[0][0]  # the walk-through opens on it
    store.set_answer(draft, question, evidence="Plan seen.")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_through(pilot, draft)
        await arrive_together(pilot, ["tab", *typed(" Jo agreed.")])
        assert app.focused.id == "q-evidence"
        assert app.focused.text == "Plan seen. Jo agreed."


async def test_up_on_the_lists_first_row_goes_back_to_the_filter(store):
    """Home (README, Key bindings): Up moves up the list, and from its first row to the filter above it,
    where typing filters; Down comes back to the list."""
    for ref in ("CL-0043", "CL-0044"):
        make_audit(store, ref, base())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#audits", DataTable)
        await pilot.press("down")
        assert app.focused is table and table.cursor_row == 1
        await pilot.press("up")
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("up")
        assert app.focused.id == "home-search"
        await type_text(pilot, "0044")
        assert app.focused.value == "0044"
        await pilot.press("down")
        assert app.focused is table


async def test_words_typed_in_the_theme_tags_go_to_the_evidence_and_tick_nothing(store, draft, mini_template):
    """A grade key moves on to the evidence box, so a Tab after it reaches the theme tags: a sentence typed
    there goes to the evidence (README, Key bindings), and its spaces tick no tag."""
    question = mini_template.questions()[0][0]  # the walk-through opens on it
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_through(pilot, draft)
        await pilot.press("3", "tab")
        assert app.focused.id == "q-themes"
        await type_text(pilot, "Plan agreed with Jo ")
        assert app.focused.id == "q-evidence" and app.focused.text == "Plan agreed with Jo "
        await arrive_together(pilot, ["shift+tab", "tab", "tab", *typed("today")])  # a burst, as tmux sends it
        assert app.focused.text == "Plan agreed with Jo today"
        await pilot.press("ctrl+s")
    answer = next(a for a in store.get_audit(draft).answers if a.question == question)
    assert answer.evidence == "Plan agreed with Jo today"
    assert answer.themes == []
