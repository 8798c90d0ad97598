"""Training mode: pick a fictional sample case, audit it beside its case record, then calibrate.

At 120 columns or more the record sits beside the form; narrower, F3 switches between them.
The case's practice level and learning points stay hidden until the calibration view.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from audit_tui.domain.models import URGENT_NOTE
from audit_tui.features.samples import SampleError, list_sample_cases, record_text
from audit_tui.features.training import start_training, training_case, training_rows
from audit_tui.storage.store import StoreError
from audit_tui.tui.format import selected_key
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.widgets.columns import Column, FittingTable
from audit_tui.tui.widgets.keyfooter import KeyFooter
from audit_tui.tui.widgets.record import RecordPane

WIDE = 120


def audit_screen(store, audit_id: str) -> Screen:
    """The screen for an audit: the training screen for a training audit, else the usual one."""
    ref = training_case(store, audit_id)
    return TrainingAuditScreen(audit_id, ref) if ref else AuditScreen(audit_id)


PICKER_COLUMNS = [
    Column("ref", "Case", 8, always=True), Column("area", "Service area", 21, always=True),
    Column("mine", "Your training audits", 20, always=True), Column("team", "Team", 32, least=12),
]


class TrainingPickerScreen(Screen[str | None]):
    """The sample cases; Enter starts (or resumes) your training audit of one."""

    CSS_PATH = "training.tcss"
    FOOTER = ("start", "cancel", "help")
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="training.cancel"),
        # priority: before the list's own Enter, so that the footer shows it
        Binding("enter", "start", "Start / resume", show=True, priority=True, id="training.start"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="picker"):
            yield Static("Training — audit a fictional sample case", classes="title", markup=False)
            yield Static("Every person and event in these cases is invented. Read the case record (beside the form, or "
                         "F3 on a narrow screen), "
                         "audit it as you would a real file, then complete it to see how your grades compare with an "
                         "experienced auditor's. How strong the practice is stays hidden until then.",
                         id="picker-intro", markup=False)
            yield FittingTable(PICKER_COLUMNS, id="cases", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    @property
    def trainee(self) -> str:
        return self.app.settings.auditor_name or self.app.actor

    def on_mount(self) -> None:
        table = self.query_one("#cases", FittingTable)
        # no template id column: the service area names the template; your own audits show at 80 columns
        try:
            cases = list_sample_cases()
        except SampleError as exc:
            self.notify(str(exc), severity="error", markup=False)
            cases = []
        mine = {}
        for row in training_rows(self.app.store):
            if row["trainee"] == self.trainee:
                mine.setdefault(row["sample_case"], []).append(row["status"])
        for case in cases:
            done = mine.get(case.case_ref, [])
            summary = ", ".join(f"{done.count(s)} {s}" for s in ("draft", "completed", "moderated") if s in done)
            values = {"ref": Text(case.case_ref), "area": Text(case.service_area), "mine": Text(summary or "—"),
                      "team": Text(case.team)}
            table.add(values, key=case.case_ref)
        table.focus()

    @on(DataTable.RowSelected, "#cases")
    def _selected(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        table = self.query_one("#cases", DataTable)
        ref = selected_key(table)
        if ref is None:
            return
        if not self.app.settings.auditor_name:  # a trainee's audits and calibration carry their name
            self.app.with_name(self.action_start, "Your training audits and your calibration are recorded under "
                               "your name")
            return
        store = self.app.store
        draft = next((r["audit_id"] for r in training_rows(store)
                      if r["sample_case"] == ref and r["trainee"] == self.trainee and r["status"] == "draft"), None)
        if draft:
            self.notify(f"Resuming your training audit of {ref}.", markup=False)
            self.dismiss(draft)
            return
        try:
            audit_id = start_training(store, ref, self.trainee)
        except (StoreError, SampleError) as exc:
            self.notify(str(exc), title="Not started", severity="error", markup=False)
            return
        self.dismiss(audit_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TrainingAuditScreen(AuditScreen):
    """An audit of a sample case with its record beside the form; completing it opens the calibration."""

    FOOTER = ("next_question", "previous_question", "toggle_record", "review", "concern", "help")
    BINDINGS = [
        Binding("f3", "toggle_record", "Record", priority=True, id="training.record"),
        Binding("f4", "calibration", "Calibration", priority=True, id="training.calibration"),
    ]

    def __init__(self, audit_id: str, case_ref: str) -> None:
        super().__init__(audit_id)
        self.case_ref = case_ref
        self.was_draft = True
        self.wide = False
        self.show_record = False

    def compose_side(self) -> ComposeResult:
        try:
            text = record_text(self.case_ref)
        except SampleError as exc:
            text = f"The case record could not be read: {exc}"
        yield RecordPane(self.case_ref, text, id="record-pane")

    def on_mount(self) -> None:
        super().on_mount()
        self.was_draft = self.audit.status == "draft"
        self._layout(self.app.size.width)

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.wide = width >= WIDE
        if self.wide:
            self.show_record = False
        elif self.query_one(RecordPane).has_focus_within:
            self.show_record = True  # keep reading: the record was in use when the window narrowed
        self._apply_layout()

    def _apply_layout(self) -> None:
        """Record beside the form (wide), or one of them (narrow). Inline styles: no restyle of the screen."""
        pane, nav, main = self.query_one(RecordPane), self.query_one("#nav"), self.query_one("#main")
        pane.display = self.wide or self.show_record
        nav.display = main.display = self.wide or not self.show_record
        pane.styles.width = "45%" if self.wide else "1fr"
        if self.wide:
            nav.styles.width, nav.styles.min_width = 22, 18
        else:
            nav.styles.clear_rule("width")
            nav.styles.clear_rule("min_width")

    def refresh_all(self) -> None:
        super().refresh_all()
        title = self.query_one("#audit-title", Static)
        content = title.content
        content = content if isinstance(content, Text) else Text(str(content))
        title.update(Text("TRAINING · ", style="bold reverse") + content)

    def reload(self) -> None:
        super().reload()
        self._handle_training_concerns()
        if self.audit.status == "draft":
            self.was_draft = True  # e.g. reopened: completing it again shows the calibration again
        elif self.was_draft:
            self.was_draft = False
            self.action_calibration()

    def _handle_training_concerns(self) -> None:
        """A concern raised in training is kept for calibration but marked handled at once: the case is fictional."""
        open_concerns = [c for c in self.audit.concerns if c.handled_at is None]
        if not open_concerns:
            return
        for concern in open_concerns:
            self.store.handle_concern(concern.id, "Training audit of a fictional case: nothing to act on")
        for action in self.audit.actions:
            if action.note == URGENT_NOTE and action.status == "open":
                self.store.update_action(action.id, status="done", done_on=self.audit.audited_on)
        self.notify("Training: your safeguarding concern is recorded for calibration. The case is fictional, so it "
                    "is marked handled at once; in a real audit it stays at the top until someone handles it.",
                    severity="warning", timeout=10)
        super().reload()

    def action_toggle_record(self) -> None:
        pane = self.query_one(RecordPane)
        if self.wide:
            if pane.has_focus_within:
                self.focus_grades()
            else:
                pane.focus_text()
            return
        self.show_record = not self.show_record
        self._apply_layout()
        if self.show_record:
            pane.focus_text()
        else:
            self.focus_grades()

    def action_find_in_record(self) -> None:
        if not self.wide:
            self.show_record = True
            self._apply_layout()
        self.query_one(RecordPane).action_find()

    def action_calibration(self) -> None:
        if self.audit.status == "draft":
            self.notify("Calibration opens when you complete the audit (ctrl+r, then ctrl+s).", timeout=5)
            return
        self.open_calibration()

    @work(exclusive=True, group="calibration")
    async def open_calibration(self) -> None:
        from audit_tui.tui.screens.calibration import CalibrationScreen

        await self.app.push_screen(CalibrationScreen(self.audit_id, self.case_ref))

    def commands(self):
        from textual.app import SystemCommand

        yield from super().commands()
        yield SystemCommand("Show the case record", "Switch between the record and the form (F3)",
                            self.action_toggle_record)
        yield SystemCommand("Find in the case record", "Search the record; n next, N previous",
                            self.action_find_in_record)
        yield SystemCommand("Calibration", "Your grades beside the reference audit (after completing)",
                            self.action_calibration)
