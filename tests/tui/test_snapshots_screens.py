"""Every screen and dialog at 80x24 (and the main screens at 120x40), on fixed data.

Update with `pytest --snapshot-update tests/tui/test_snapshots_screens.py`, then look at each changed
picture: each footer must end with F1 Help and ^p More. The dialogs over the home screen are not
pictured (their background, the home list loading after the first paint, made the pictures differ
from run to run); tests/tui/test_80x24.py checks each dialog's buttons are in sight at 80x24.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, Select

from audit_tui.features import rounds
from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.action_tracker import ActionTrackerScreen
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.calibration import TrainerScreen
from audit_tui.tui.screens.moderation import ModerationScreen
from audit_tui.tui.screens.review import ReviewScreen
from audit_tui.tui.screens.rounds import RoundsScreen
from audit_tui.tui.screens.training import TrainingPickerScreen

from ..conftest import DATA
from ..factories import base, make_audit

SMALL, LARGE = (80, 24), (120, 40)
STAMP = "2026-02-11T09:00:00+00:00"


@pytest.fixture
def app(store, mini_template):
    """Three audits (a draft of the mini template, a completed one with actions, a completed one with an open
    safeguarding concern), a round, fixed times and dates."""
    draft = store.create_audit(mini_template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                               round="2026-02 practice week", audited_on=date(2026, 2, 10))
    store.set_answer(draft, "plan.quality", grade="requires_improvement",
                     evidence="The pathway plan was not updated after Jo moved.")
    store.add_action(draft, description="Update the pathway plan with Jo's views", owner="Sam Worker",
                     due=date(2026, 3, 14), question="plan.quality")
    done = make_audit(store, "CL-0043", base(**{"practice.quality": "requires_improvement"}), team="Leaving Care 2")
    concern = make_audit(store, "CL-0044", base(), team="Leaving Care 2", auditor="Sam Senior")
    store.raise_concern(concern, "Kai is staying at an address linked to exploitation", "Team manager")
    rounds.create_round(store, "2026-02 practice week", "2026-02-09", "2026-02-13")
    store.db.execute("UPDATE audits SET updated_at = ?, completed_at = ?", [STAMP, STAMP])
    store.db.execute("UPDATE concerns SET raised_at = ?", [STAMP])
    store.db.execute("UPDATE actions SET due = '2026-02-12' WHERE due > '2026-12-01'")
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    app.ids = {"draft": draft, "done": done, "concern": concern}
    return app


async def steady(pilot) -> None:
    pilot.app.sub_title = "test.db"
    await pilot.pause()


def push(make, *, values: dict[str, str] | None = None, keys: tuple[str, ...] = ()):
    """run_before: open the screen `make(app)` returns, set fixed field values, press keys."""
    async def before(pilot):
        await steady(pilot)
        pilot.app.push_screen(make(pilot.app))
        await pilot.pause()
        for selector, value in (values or {}).items():
            pilot.app.screen.query_one(selector, Input).value = value
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()
    return before


SCREENS = {
    "walk_through_actions": push(lambda app: AuditScreen(app.ids["draft"]), keys=("ctrl+o",)),
    "walk_through_completed": push(lambda app: AuditScreen(app.ids["done"])),
    "walk_through_concern": push(lambda app: AuditScreen(app.ids["concern"])),
    "review_completed": push(lambda app: ReviewScreen(app.ids["done"])),
    "tracker": push(lambda app: ActionTrackerScreen()),
    "rounds": push(lambda app: RoundsScreen("2026-02 practice week")),
    "moderation": push(lambda app: ModerationScreen(app.ids["done"])),
    "training_picker": push(lambda app: TrainingPickerScreen()),
    "trainer_calibration": push(lambda app: TrainerScreen()),
}
MAIN = {
    "walk_through": push(lambda app: AuditScreen(app.ids["draft"])),
    "review": push(lambda app: ReviewScreen(app.ids["draft"])),
    "moderation": SCREENS["moderation"],
    "tracker": SCREENS["tracker"],
    "rounds": SCREENS["rounds"],
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_screen_at_80x24(snap_compare, app, name):
    assert snap_compare(app, terminal_size=SMALL, run_before=SCREENS[name])


@pytest.mark.parametrize("name", sorted(MAIN))
def test_main_screen_at_120x40(snap_compare, app, name):
    assert snap_compare(app, terminal_size=LARGE, run_before=MAIN[name])


def test_new_audit_form_at_80x24_with_a_template(snap_compare, app):
    async def before(pilot):
        await steady(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#template", Select).value = 0
        form.query_one("#audited_on", Input).value = "2026-02-10"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=before)
