"""The screens at 80x24 (and the main screens at 120x40), on fixed data (tests/helpers/snapshots.py); the
dialogs, and the screens not pictured here, are in tests/tui/test_snapshots_dialogs.py.

Update with `pytest --snapshot-update tests/tui/test_snapshots_screens.py`, then look at each changed
picture: each footer must end with F1 Help and ^p More.
"""

from __future__ import annotations

import pytest

from audit_tui.tui.screens.action_tracker import ActionTrackerScreen
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.calibration import TrainerScreen
from audit_tui.tui.screens.case import CaseScreen
from audit_tui.tui.screens.moderation import ModerationScreen
from audit_tui.tui.screens.review import ReviewScreen
from audit_tui.tui.screens.rounds import RoundsScreen
from audit_tui.tui.screens.training import TrainingPickerScreen

from ..helpers.snapshots import push

SMALL, LARGE = (80, 24), (120, 40)


@pytest.fixture
def app(pictured_app):
    return pictured_app


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
    "case": push(lambda app: CaseScreen("CL-0043")),
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

