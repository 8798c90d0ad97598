"""Every dialog, and the screens pictured nowhere else, at 80x24 and 120x40, on fixed data.

Update with `pytest --snapshot-update tests/tui/test_snapshots_dialogs.py`, then look at each changed picture:
every dialog's buttons in sight, each footer ending with F1 Help and ^p More. The pictures are the same on
every run (tests/helpers/snapshots.py: fixed dates, no clock, no cursor blink, the home list and the workers
waited for); each field that would show today's date or a home folder is given a fixed value.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, Select

from audit_tui.features.training import start_training
from audit_tui.tui.screens.action_tracker import DoneDialog, ExportActionsDialog
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.calibration import CalibrationScreen
from audit_tui.tui.screens.dialogs import ConcernDialog, ConfirmDialog, ConflictDialog, ReasonDialog
from audit_tui.tui.screens.help import HelpScreen
from audit_tui.tui.screens.history import HistoryScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.screens.rounds import ImportCasesDialog, NewRoundDialog
from audit_tui.tui.screens.settings import SettingsScreen
from audit_tui.tui.screens.training import TrainingAuditScreen

from ..helpers.snapshots import STAMP, push, settle, still

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
TOLD = {"#concern-told_at": "11/02/2026 09:00"}


@pytest.fixture
def app(pictured_app):
    app, store = pictured_app, pictured_app.store
    app.ids["training"] = start_training(store, "CIN-0401", "Tess Trainee", today=date(2026, 2, 10))
    store.db.execute("UPDATE audits SET updated_at = ? WHERE id = ?", [STAMP.replace("T09", "T07"), app.ids["training"]])
    # the history's times are fixed too: a throwaway database, so the append-only guard may go
    store.db.execute("DROP TRIGGER history_no_rewrite")
    store.db.execute("UPDATE history SET at = ?", [STAMP])
    return app


def walk_through(keys: tuple[str, ...], values: dict[str, str] | None = None):
    """The draft's walk-through, then `keys` (which open a dialog over it)."""
    return push(lambda app: AuditScreen(app.ids["draft"]), keys=keys, values=values)


PICTURES = {
    "action_dialog": walk_through(("ctrl+t",)),
    "narratives": walk_through(("ctrl+l",)),
    "concern_dialog": walk_through(("ctrl+f",), TOLD),
    "conversation": walk_through(("f5",)),
    "reason_dialog": push(lambda app: ReasonDialog("Reopen this audit?",
                                                   "Why does it need to change? This is logged.")),
    "confirm_dialog": push(lambda app: ConfirmDialog("Discard what you typed?", "What you typed here is not saved "
                                                     "yet. Leave and lose it, or keep editing?",
                                                     go="Discard and leave")),
    "conflict_dialog": push(lambda app: ConflictDialog("Pathway planning Q1 evidence", "Sam Senior", " at 09:00",
                                                       "The plan was updated after Jo moved.",
                                                       "The plan was not updated after Jo moved.")),
    "concern_dialog_care_leaver": push(lambda app: ConcernDialog(care_leaver=True), values=TOLD),
    "report_dialog": push(lambda app: ReportScreen(), values={"#r-path": "/home/alex/report.docx"}),
    "feedback_dialog": push(lambda app: ReportScreen(app.ids["done"], "CL-0043"),
                            values={"#r-path": "/home/alex/feedback-CL-0043.docx"}),
    "settings": push(lambda app: SettingsScreen(), values={"#template_dir": "/home/alex/templates"}),
    "done_dialog": push(lambda app: DoneDialog({"action_id": "x", "case_ref": "CL-0043", "owner": "Team manager",
                                               "due": "2026-03-12", "description": "Update the record"}),
                        values={"#done-on": "01/03/2026"}),
    "export_dialog": push(lambda app: ExportActionsDialog(3, list), values={"#export-path": "/home/alex/a.xlsx"}),
    "new_round_dialog": push(lambda app: NewRoundDialog()),
    "import_cases_dialog": push(lambda app: ImportCasesDialog("2026-02 practice week")),
    "help": push(lambda app: HelpScreen()),
    "history": push(lambda app: HistoryScreen(app.ids["draft"])),
    "training_audit": push(lambda app: TrainingAuditScreen(app.ids["training"], "CIN-0401")),
    "trainee_calibration": push(lambda app: CalibrationScreen(app.ids["training"], "CIN-0401")),
}


async def new_audit_form(pilot) -> None:
    await settle(pilot)
    await pilot.press("n")
    await still(pilot)
    form = pilot.app.screen
    form.query_one("#template", Select).value = 0
    form.query_one("#audited_on", Input).value = "10/02/2026"
    await still(pilot)


PICTURES["new_audit_form"] = new_audit_form
PICTURES["home"] = settle


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(PICTURES))
def test_picture(snap_compare, app, name, size):
    assert snap_compare(app, terminal_size=SIZES[size], run_before=PICTURES[name])
