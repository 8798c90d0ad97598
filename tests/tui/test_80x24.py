"""Usable at 80x24 by someone new to terminal apps: buttons and footers in sight, labels instead of ids,
the right name in the history, resuming where you left off, one date rule. Driven through the real app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.geometry import Region
from textual.widgets import Button, DataTable, Input, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from audit_tui.domain.models import parse_date
from audit_tui.features import rounds
from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.action_tracker import DoneDialog, ExportActionsDialog
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.calibration import kappa_words
from audit_tui.tui.screens.dialogs import ConcernDialog, ConfirmDialog, ReasonDialog
from audit_tui.tui.screens.history import HistoryScreen
from audit_tui.tui.screens.home import HomeScreen
from audit_tui.tui.screens.new_audit import NewAuditScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.screens.review import ReviewScreen
from audit_tui.tui.screens.rounds import ImportCasesDialog, NewRoundDialog, RoundsScreen
from audit_tui.tui.screens.settings import SettingsScreen
from audit_tui.tui.widgets.actions import ActionDialog

from ..conftest import DATA
from ..factories import base, make_audit
from ..helpers.app import type_text

SMALL = (80, 24)
SCREEN = Region(0, 0, *SMALL)


@pytest.fixture
def app(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                                  audited_on=date(2026, 2, 10))
    store.add_action(audit_id, description="Update the pathway plan with Jo's views by the review",
                     owner="Sam Worker", due=date.today() + timedelta(days=14), question="plan.quality")
    done = make_audit(store, "CL-0043", base(**{"practice.quality": "requires_improvement"}))
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    app.ids = {"draft": audit_id, "done": done}
    return app


async def shown(pilot, screen) -> None:
    pilot.app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()


def in_sight(widget) -> bool:
    return SCREEN.contains_region(widget.region) and widget.region.area > 0


DIALOGS = {
    "action": lambda app: ActionDialog(app.store.template_of(app.store.get_audit(app.ids["draft"])),
                                       app.store.get_audit(app.ids["draft"]).actions[0], date(2026, 2, 10)),
    "concern": lambda app: ConcernDialog(),
    "reason": lambda app: ReasonDialog("Reopen this audit?", "Why does it need to change? This is logged."),
    "confirm": lambda app: ConfirmDialog("Discard what you typed?", "Not saved yet.", go="Discard and leave"),
    "report": lambda app: ReportScreen(),
    "feedback": lambda app: ReportScreen(app.ids["done"], "CL-0043"),
    "settings": lambda app: SettingsScreen(),
    "done": lambda app: DoneDialog({"action_id": "x", "case_ref": "CL-0043", "owner": "Team manager",
                                    "due": "2026-03-12", "description": "Update the record"}),
    "export": lambda app: ExportActionsDialog(3, list),
    "new_round": lambda app: NewRoundDialog(),
    "import_cases": lambda app: ImportCasesDialog("2026-02 practice week"),
    "new_audit": lambda app: NewAuditScreen(),
    "review": lambda app: ReviewScreen(app.ids["draft"]),
}


@pytest.mark.parametrize("name", sorted(DIALOGS))
async def test_every_dialog_fits_80x24_with_its_buttons_in_sight(app, name):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, DIALOGS[name](app))
        buttons = [b for b in app.screen.query(Button) if b.display and not b.has_class("concern")]
        assert buttons and all(in_sight(b) for b in buttons), [(b.label, b.region) for b in buttons]


@pytest.mark.parametrize("where", ["home", "walk_through", "review", "tracker", "rounds", "history"])
async def test_footers_fit_80_columns_with_help_and_the_palette(app, where):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screens = {"walk_through": lambda: AuditScreen(app.ids["draft"]),
                   "review": lambda: ReviewScreen(app.ids["draft"]), "rounds": lambda: RoundsScreen(),
                   "history": lambda: HistoryScreen(app.ids["draft"])}
        if where == "tracker":
            await pilot.press("a")
            await pilot.pause()
        elif where in screens:
            await shown(pilot, screens[where]())
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        labels = [k.description for k in keys]
        assert "Help" in labels and "More" in labels, labels
        assert all(in_sight(k) for k in keys), [(k.description, k.region) for k in keys]
        if where == "walk_through":
            assert labels[:4] == ["Next", "Previous", "Review", "Flag concern"]


async def test_a_completed_audit_says_read_only_at_80_columns(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["done"]))
        bar = app.screen.query_one("#audit-title", Static)
        visible = str(bar.render())[: bar.content_region.width]
        assert "read only" in visible and "^r to reopen" in visible


async def test_resuming_opens_where_the_auditor_left_off(app):
    app.store.set_answer(app.ids["draft"], "plan.quality", grade="good", evidence="Plan written with Jo")
    app.store.set_answer(app.ids["draft"], "oversight.supervision", grade="good", evidence="Reflective")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        assert app.screen.current == "oversight.supervision"
        position = str(app.screen.query_one("#q-position").render())
        assert position.startswith("Management oversight Q1 of 1")  # as the review names it


async def test_typing_in_a_text_box_adds_after_its_text(app):
    app.store.set_answer(app.ids["draft"], "plan.quality", grade="good", evidence="Plan written with Jo")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        await pilot.press("full_stop")
        await pilot.pause()
        assert app.focused.text == "Plan written with Jo."


async def test_the_focused_box_comes_back_into_view_after_shrinking(app):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        app.screen.query_one("#q-evidence").focus()
        await pilot.pause()
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        await pilot.pause()
        assert in_sight(app.focused) or app.focused.region.intersection(SCREEN).area > 0


async def test_the_first_audit_is_credited_to_the_name_typed_on_the_form(store, mini_template):
    store.actor = "root"  # the computer login, before anyone has given a name
    app = AuditApp(store, settings=Settings(template_dir=str(DATA)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#template", Select).value = 0
        for field, value in (("#case_ref", "CL-0099"), ("#auditor", "Pat Manager")):
            form.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        audit_id = app.screen.audit_id
    assert {row["who"] for row in store.history(audit_id)} == {"Pat Manager"}


async def test_a_trainee_is_asked_their_name(store):
    app = AuditApp(store, settings=Settings())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog) and app.screen.title_text == "Your name"
        await pilot.press(*"Tia", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        assert store.get_audit(app.screen.audit_id).auditor == "Tia"


def test_one_date_rule_and_one_message():
    assert parse_date("14/12/2026") == parse_date("2026-12-14") == parse_date("14-12-2026") == date(2026, 12, 14)
    for text, message in (("31/02/2026", "31 February 2026 doesn't exist"), ("29-02-2027", "29 February 2027 "
                          "doesn't exist"), ("tomorrow", "use a date like 14/12/2026"),
                          ("2026-13-01", "there is no month 13: use a date like 14/12/2026")):
        with pytest.raises(ValueError) as caught:
            parse_date(text)
        assert str(caught.value) == message


async def test_the_new_audit_form_shows_every_error_and_clears_each_once_fixed(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, NewAuditScreen())
        form = app.screen
        form.query_one("#audited_on", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = {label.id: str(label.render()) for label in form.query(".field-error") if label.display}
        assert errors == {"template-error": "Choose a template", "case_ref-error": "Enter the case reference",
                          "audited_on-error": "31 February 2026 doesn't exist"}
        form.query_one("#audited_on", Input).value = "28/02/2026"
        await pilot.pause()
        assert not form.query_one("#audited_on-error").display
        assert form.query_one("#case_ref-error").display
        form.query_one("#service_area", Input).value = "Leaving care"  # typed first: no template chosen yet
        await pilot.pause()
        assert form.query_one("#template-error").display
        form.query_one("#template", Select).value = 0
        await pilot.pause()
        assert not form.query_one("#template-error").display


async def test_a_service_area_the_template_filled_in_is_replaced_by_typing(app):
    """Choosing a template fills in its service area; Tab into it and type: what is typed replaces it (it was
    added after it: "care leaversLeaving care"). Typed text is then added to, as in every box."""
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, NewAuditScreen())
        form = app.screen
        form.query_one("#template", Select).value = next(i for i, t in enumerate(form.templates) if t.service_areas)
        await pilot.pause()
        area = form.query_one("#service_area", Input)
        assert area.value == "care leavers"
        form.query_one("#case_ref", Input).focus()
        await type_text(pilot, "CL-7")
        await pilot.press("tab")
        assert app.focused is area
        await type_text(pilot, "Leaving care")
        assert area.value == "Leaving care"
        await pilot.press("shift+tab", "tab")
        await type_text(pilot, " 16+")
        assert area.value == "Leaving care 16+"


async def test_history_reads_in_words_and_end_goes_to_the_last_change(app):
    app.store.set_answer(app.ids["draft"], "plan.quality", themes=["pathway-plans", "health"])
    app.store.set_answer(app.ids["draft"], "plan.quality", grade="requires_improvement", evidence="Out of date")
    app.store.set_answer(app.ids["draft"], "plan.quality", grade="good")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, HistoryScreen(app.ids["draft"]))
        table = app.screen.query_one(DataTable)
        rows = [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[-1][2] == "Pathway planning Q1 grade"
        assert "Requires improvement → Good".startswith(rows[-1][3].rstrip("…"))  # cut to the width left
        assert not any("plan.quality" in cell or "requires_improvement" in cell for row in rows for cell in row)
        themes = next(row for row in rows if row[2] == "Pathway planning Q1 themes")  # tags named as ticked
        assert "(none) → Health, Pathway plans".startswith(themes[3].rstrip("…")) and len(themes[3]) > 8
        await pilot.press("home", "end")
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1
        detail = str(app.screen.query_one("#history-detail").render())
        assert detail.startswith("Pathway planning Q1 grade — Alex Auditor")
        assert "Before: Requires improvement\nAfter: Good" in detail


async def test_closing_a_concern_is_in_the_palette_and_asks_its_outcome(app):
    app.store.raise_concern(app.ids["draft"], "Jo is sleeping at an unsafe address", "Team manager")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        command = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Close concern"))
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog) and app.screen.placeholder == "Outcome"
        await pilot.press(*"Moved", "enter")
        await pilot.pause()
        assert app.store.open_concerns() == []
        assert not app.screen.query_one("#audit-concerns").display  # the banner has gone


async def test_the_demo_has_a_way_back_and_asks_before_a_rebuild(app):
    own = app.store.path
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.store.path != own
        assert any(c.title == "Back to your own database" for c in app.get_system_commands(app.screen))
        await pilot.press("d")  # in the demo: a rebuild is asked for first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        app.leave_demo()
        await pilot.pause()
        assert app.store.path == own and isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#audits", DataTable).row_count == 2


async def test_labels_not_ids_in_the_action_dialog_and_the_new_round_form(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, DIALOGS["action"](app))
        prompts = [str(prompt) for prompt, _ in app.screen.query_one("#a-question", Select)._options]
        assert any(p.startswith("Pathway planning Q1: How well") for p in prompts)
        assert not any("plan.quality" in p for p in prompts)
        app.pop_screen()
        await shown(pilot, NewRoundDialog())
        dialog = app.screen
        for field, value in (("#r-name", "2026-03 week"), ("#r-from", "09/03/2026"), ("#r-to", "13/03/2026"),
                             ("#r-templates", "mini audit for tests")):
            dialog.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert rounds.get_round(app.store, "2026-03 week")["templates"] == ["mini"]


async def test_the_actions_entry_is_ticked_when_every_action_is_complete(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        nav = [str(app.screen.query_one("#nav").get_option_at_index(i).prompt)
               for i in range(app.screen.query_one("#nav").option_count)]
        assert "☑ Actions (1)" in nav  # ticked: every action is specific, owned and dated
        app.store.add_action(app.ids["draft"], description="Visit", owner="", question="plan.quality")
        app.screen.reload()
        await pilot.pause()
        nav = [str(app.screen.query_one("#nav").get_option_at_index(i).prompt)
               for i in range(app.screen.query_one("#nav").option_count)]
        assert "☐ Actions (2)" in nav


async def test_the_round_list_does_not_say_no_rounds_when_there_are(app):
    rounds.create_round(app.store, "2026-02 practice week", "2026-02-09", "2026-02-13")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, RoundsScreen())
        assert app.screen.query_one("#round", Select).prompt == "Choose a round"


async def test_a_new_concern_on_a_reopened_audit_makes_the_suggestion_inadequate(app):
    store, audit_id = app.store, app.ids["done"]
    store.reopen(audit_id, "Found more on the file")
    store.raise_concern(audit_id, "Sam is at risk tonight", "Team manager")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, ReviewScreen(audit_id))
        assert app.screen.query_one("#overall", Select).value == "inadequate"


def test_calibration_leads_with_what_kappa_means():
    assert "chance" in kappa_words(0.0)
    assert kappa_words(0.7) .startswith("substantial")
    assert kappa_words(None) == "too few graded answers to say"


async def test_a_theme_tick_shows_only_when_ticked(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        themes = app.screen.query_one("#q-themes")
        blank = themes.get_component_rich_style("selection-list--button")
        ticked = themes.get_component_rich_style("selection-list--button-selected")
        assert blank.color == blank.bgcolor  # no mark at all when not ticked
        assert ticked.color != ticked.bgcolor and ticked.bold


async def test_keys_typed_before_the_list_has_loaded_do_nothing(app, monkeypatch):
    # the list is added just after the first paint: here, only when the test says so
    monkeypatch.setattr(AuditApp, "on_ready", lambda app: None)
    own = app.store.path
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press(*"Pat Rd")  # a name typed too early: R rounds, a the tracker, t training, d the demo
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 1
        assert app.own_store is None and app.store.path == own
        app.screen.call_later(app.screen.load_list)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#audits", DataTable).row_count == 2
        await pilot.press("n")  # once the list is there, keys work
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)


async def test_letters_typed_in_the_grade_list_never_pick_a_grade(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        screen = app.screen
        screen.focus_grades()
        await pilot.pause()
        question = screen.current
        await pilot.press(*"not updated since Jo moved")
        await pilot.pause()
        assert app.screen is screen and screen.current == question
        assert question not in {a.question for a in app.store.get_audit(app.ids["draft"]).answers}
        await pilot.press("2")  # numbers still pick: 2 is the second level, Good
        await pilot.pause()
        answers = {a.question: a.grade for a in app.store.get_audit(app.ids["draft"]).answers}
        assert answers[question] == "good"


async def test_opening_an_audit_on_first_run_asks_the_name_before_the_first_change(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042", auditor="Alex Auditor",
                                  audited_on=date(2026, 2, 10))
    store.actor = "root"  # the computer login: nobody has given a name yet
    app = AuditApp(store, settings=Settings(template_dir=str(DATA)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog) and app.screen.title_text == "Your name"
        await pilot.press(*"Pat Manager", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen) and app.screen.audit_id == audit_id
        app.screen.focus_grades()
        await pilot.press("2")
        await pilot.pause()
    changes = store.history(audit_id)
    assert changes[-1]["field"].endswith("grade") and changes[-1]["who"] == "Pat Manager"
    assert app.settings.auditor_name == "Pat Manager"


async def test_history_names_the_safeguarding_statement_and_shows_names_whole_when_wide(app):
    app.store.set_safeguarding(app.ids["draft"], "no_risk")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await shown(pilot, HistoryScreen(app.ids["draft"]))
        table = app.screen.query_one(DataTable)
        rows = [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[-1][1:] == ["Alex Auditor", "Safeguarding statement", "No unaddressed risk found"]


async def test_the_home_list_names_templates_by_title_and_the_filter_finds_them(app):
    async with app.run_test(size=(180, 40)) as pilot:  # the template's column shows when there is room for it
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#audits", DataTable)
        titles = {table.get_cell(key, "template_id").plain for key in table.rows}
        assert titles == {"Mini audit for tests v1", "Test case audit v1"}
        await pilot.press("slash", *"Mini audit")
        await pilot.pause()
        assert table.row_count == 1


async def test_a_gate_about_missing_evidence_takes_you_into_the_evidence_box(app):
    app.store.set_answer(app.ids["draft"], "plan.quality", grade="good", evidence="")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await shown(pilot, AuditScreen(app.ids["draft"]))
        await pilot.press("ctrl+r")
        await pilot.pause()
        findings = app.screen.query_one("#findings")
        first = str(findings.get_option_at_index(0).prompt)
        assert first.startswith("✗ Pathway planning Q1: the grade needs evidence text"), first
        findings.focus()
        findings.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen) and app.focused.id == "q-evidence"
        await pilot.press(*"Plan")
        await pilot.pause()
    assert {a.question: a.evidence for a in app.store.get_audit(app.ids["draft"]).answers}["plan.quality"] == "Plan"


async def test_the_training_list_footer_says_enter_starts(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.pause()
        labels = [k.description for k in app.screen.query(FooterKey)]
        assert labels[:2] == ["Start / resume", "Back"], labels
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)  # Enter starts the highlighted case
