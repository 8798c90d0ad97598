"""Build the Word report (or one audit's feedback document) in a thread, with progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from audit_tui.tui.messages import BuildDone, BuildFailed, BuildProgress
from audit_tui.tui.screens.dialogs import KeepsTypedWork


def default_output(name: str) -> Path:
    """Reports go to the home folder by default: easy to find, on a laptop or a server."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "all"
    return Path.home() / f"audit-{safe}-{date.today().isoformat()}.docx"


class ReportScreen(KeepsTypedWork, ModalScreen[None]):
    """Choose filters and a file, then build; the file's path is shown when done."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="report.close"),
        Binding("ctrl+s", "build", "Build", priority=True, id="report.build"),
    ]

    def __init__(self, audit_id: str | None = None, case_ref: str = "") -> None:
        super().__init__()
        self.audit_id = audit_id
        self.case_ref = case_ref
        self.building = False

    def compose(self) -> ComposeResult:
        db = self.app.store.db
        rounds = [r[0] for r in db.execute("SELECT DISTINCT round FROM audits WHERE round != '' ORDER BY round DESC")]
        teams = [r[0] for r in db.execute("SELECT DISTINCT team FROM audits WHERE team != '' ORDER BY team")]
        feedback = self.audit_id is not None
        with Vertical(classes="dialog", id="report-dialog"):
            yield Label(f"Feedback document — {self.case_ref}" if feedback else "Word report",
                        classes="section-title", markup=False)
            if not feedback:
                yield Static("Completed and moderated audits are counted; drafts only in the totals.",
                             classes="prompt")
                with Horizontal(classes="field"):
                    yield Label("Round", classes="field-label")
                    yield Select([(Text(r), r) for r in rounds], prompt="All rounds", id="r-round", compact=True)
                with Horizontal(classes="field"):
                    yield Label("Team", classes="field-label")
                    yield Select([(Text(t), t) for t in teams], prompt="All teams", id="r-team", compact=True)
                with Horizontal(classes="field"):
                    yield Label("As of", classes="field-label")
                    yield Input(placeholder="today — or a date like 14/12/2026, for overdue actions", id="r-as-of", compact=True)
            with Horizontal(classes="field"):
                yield Label("Save as", classes="field-label")
                name = f"feedback-{self.case_ref}" if feedback else "report"
                yield Input(str(default_output(name)), id="r-path", compact=True)
            yield Checkbox("Replace the file if it exists", id="r-overwrite", compact=True)
            yield ProgressBar(total=1.0, show_eta=False, id="r-progress")
            yield Static("", id="r-status", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Build (ctrl+s)", variant="primary", id="r-build")
                yield Button("Close (esc)", id="r-close")

    def on_mount(self) -> None:
        self.query_one("#r-path", Input).focus()

    @on(Select.Changed, "#r-round")
    def _round_chosen(self, event: Select.Changed) -> None:
        name = event.value if isinstance(event.value, str) else "report"
        self.query_one("#r-path", Input).value = str(default_output(f"report-{name}"))

    @on(Button.Pressed, "#r-build")
    def action_build(self) -> None:
        if self.building:
            return
        from audit_tui.domain.models import parse_date
        from audit_tui.summary import Filters

        path = Path(self.query_one("#r-path", Input).value.strip()).expanduser()
        overwrite = self.query_one("#r-overwrite", Checkbox).value
        if path.suffix.lower() != ".docx":
            self._status("The file name must end in .docx")
            return
        if path.exists() and not overwrite:
            self._status(f"{path} exists: tick 'Replace the file' or choose another name")
            return
        filters = None
        if self.audit_id is None:
            as_of_text = self.query_one("#r-as-of", Input).value.strip()
            try:
                as_of = parse_date(as_of_text) if as_of_text else None
            except ValueError as exc:
                self._status(f"As of: {exc}")
                return
            round_, team = self.query_one("#r-round", Select).value, self.query_one("#r-team", Select).value
            filters = Filters(round=round_ if isinstance(round_, str) else None,
                              team=team if isinstance(team, str) else None, as_of=as_of)
        self.building = True
        self.query_one("#r-build", Button).disabled = True
        self._status("Building…")
        self.build(path, filters, overwrite)

    @work(thread=True, exclusive=True)
    def build(self, path: Path, filters, overwrite: bool) -> None:
        """Runs in a thread with its own database connection; reports back by message."""
        from audit_tui.report import build_audit_feedback, build_report
        from audit_tui.storage.store import Store

        db_path, organisation = self.app.store.path, self.app.settings.organisation

        def progress(fraction: float, text: str) -> None:
            self.post_message(BuildProgress(fraction, text))

        try:
            with Store(db_path, create=False) as store:
                if self.audit_id is None:
                    written = build_report(store, path, filters, organisation=organisation, progress=progress,
                                           overwrite=overwrite)
                else:
                    written = build_audit_feedback(store, self.audit_id, path, overwrite=overwrite,
                                                   organisation=organisation)
        except Exception as exc:  # noqa: BLE001 - any failure is shown, never a crash
            from audit_tui.files.failures import user_message

            self.post_message(BuildFailed(user_message(exc, "the document was not written")))
            return
        from audit_tui.report.branding import warnings

        for line in warnings(organisation):  # what the written document lacks
            self.app.call_from_thread(self.notify, line, title="Written without it", severity="warning",
                                      markup=False, timeout=12)
        self.post_message(BuildDone(Path(written)))

    def on_build_progress(self, message: BuildProgress) -> None:
        self.query_one(ProgressBar).update(progress=message.fraction)
        self._status(message.text)

    def on_build_done(self, message: BuildDone) -> None:
        self.building = False
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one("#r-build", Button).disabled = False
        self._status(f"✓ Written to {message.path}")
        self._remember_form()  # built: closing now loses nothing
        self.notify(f"Written to {message.path}", title="Document ready", markup=False, timeout=10)

    def on_build_failed(self, message: BuildFailed) -> None:
        self.building = False
        self.query_one("#r-build", Button).disabled = False
        self._status(f"✗ Not written: {message.error}")

    def _status(self, text: str) -> None:
        self.query_one("#r-status", Static).update(text)

    @on(Button.Pressed, "#r-close")
    def action_close(self) -> None:
        self.step_back(None)
