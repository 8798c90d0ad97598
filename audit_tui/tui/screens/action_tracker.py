"""Action tracker: every action across audits, overdue ones first and in red; mark done; export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from audit_tui.domain.models import ACTION_KINDS, parse_date
from audit_tui.exchange.exports import ExportError
from audit_tui.features.actions import (
    ActionFilter,
    count_actions,
    count_by_kind,
    export_actions,
    list_actions,
    mark_done,
)
from audit_tui.storage.store import StoreError
from audit_tui.tui.format import selected_key
from audit_tui.tui.screens.dialogs import KeepsTypedWork
from audit_tui.tui.widgets.columns import Column, FittingTable
from audit_tui.tui.widgets.keyfooter import KeyFooter
from audit_tui.tui.widgets.paging import Pager

COLUMNS = [
    Column("due", "Due", 10, always=True), Column("status", "Status", 7, always=True),
    Column("case", "Case", 8, always=True), Column("owner", "Owner", 14, least=10, always=True),
    Column("description", "Description", 60, least=20, always=True), Column("team", "Team", 26, least=8),
]
"""The description comes before the team, cut to the width left, so that it shows at 80 columns."""
STATUSES = ["open", "", "done"]
PAGE = 200  # actions read at a time; the next ones as the list is scrolled
TYPING_PAUSE = 0.2  # seconds after the last key typed in the filter before the list is read again


class ActionTrackerScreen(Screen[None]):
    """Filter by typing (owner, team, round, case, description); d marks done; x exports.

    A region's database holds hundreds of thousands of actions: the list is read a page at a
    time as it is scrolled, and counted in SQL."""

    CSS_PATH = "action_tracker.tcss"

    FOOTER = ("done", "filter", "cycle_status", "toggle_overdue", "export", "help")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", key_display="Esc", id="tracker.back"),
        Binding("slash", "filter", "Filter", id="tracker.filter"),
        Binding("s", "cycle_status", "Status", id="tracker.status"),
        Binding("o", "toggle_overdue", "Overdue only", id="tracker.overdue"),
        Binding("k", "cycle_kind", "Kind", id="tracker.kind"),
        Binding("d", "done", "Mark done", id="tracker.done"),
        Binding("x", "export", "Export", id="tracker.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status = "open"
        self.kind = ""  # every kind, or one of ACTION_KINDS
        self.overdue_only = False
        self.rows: dict[str, dict] = {}  # action id -> row, of the rows loaded so far
        self._pager: Pager | None = None
        self._typing: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="tracker-filters"):
            yield Input(placeholder="Filter: owner, team, round, case ref, description  (/)", id="tracker-search")
            yield Label("", id="tracker-status")
        yield Static("", id="tracker-kinds", markup=False)
        yield FittingTable(COLUMNS, id="tracker", cursor_type="row", zebra_stripes=True)
        yield Static("", id="tracker-empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#tracker", FittingTable)
        table.fit(self.app.size.width)  # its own width once laid out
        self._pager = Pager(table, self._fetch, self._add_rows, page=PAGE)
        self.watch(table, "scroll_y", self._pager.scrolled, init=False)
        self.refresh_actions()
        table.focus()

    def filters(self) -> ActionFilter:
        return ActionFilter(status=self.status, overdue=self.overdue_only, kind=self.kind,
                            search=self.query_one("#tracker-search", Input).value)

    def _fetch(self, offset: int, limit: int) -> list[dict]:
        return list_actions(self.app.store, self.filters(), limit=limit, offset=offset)

    def _add_rows(self, table: DataTable, rows: list[dict]) -> None:
        for row in rows:
            if row["action_id"] in self.rows:  # changed since the page before was read (its place moved)
                continue
            self.rows[row["action_id"]] = row
            style = "bold red" if row["overdue"] else ("dim" if row["status"] == "done" else "")
            status = "OVERDUE" if row["overdue"] else row["status"]
            values = {"due": Text(row["due"] or "—", style=style), "status": Text(status, style=style),
                      "case": Text(row["case_ref"]), "owner": Text(row["owner"] or ""),
                      "description": Text(row["description"] or ""), "team": Text(row["team"] or "")}
            table.add(values, key=row["action_id"])

    def refresh_actions(self, *, keep_place: bool = True) -> None:
        """Read the list again from its first page (as many rows as were shown, with `keep_place`)."""
        table = self.query_one("#tracker", DataTable)
        current = self.selected_id()
        self.rows = {}
        self._pager.reload(keep_place=keep_place)
        if current:
            try:
                table.move_cursor(row=table.get_row_index(current))
            except Exception:  # noqa: BLE001 - filtered out now
                pass
        matching, overdue = count_actions(self.app.store, self.filters()) if self._pager.more else (
            len(self.rows), sum(r["overdue"] for r in self.rows.values()))
        self.query_one("#tracker-status", Label).update(
            f"{matching} · {self.status or 'all'}{' · overdue only' if self.overdue_only else ''}"
            f" · {overdue} overdue")
        kinds = count_by_kind(self.app.store, self.filters())
        self.query_one("#tracker-kinds", Static).update(
            "By kind: " + " · ".join(f"{ACTION_KINDS[k].lower()} {n}" for k, n in kinds.items())
            + f"   (k shows: {ACTION_KINDS[self.kind].lower() if self.kind else 'every kind'})")
        empty = self.query_one("#tracker-empty", Static)
        empty.display = not self.rows
        empty.update("No actions match. s changes the status shown, o shows overdue only.")

    def selected_id(self) -> str | None:
        table = self.query_one("#tracker", DataTable)
        return selected_key(table)

    @on(Input.Changed, "#tracker-search")
    def _search(self) -> None:
        """Read the list again once typing pauses (each read sorts every matching action)."""
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._typed)

    def _typed(self) -> None:
        self._typing = None
        self.refresh_actions(keep_place=False)

    @on(DataTable.RowHighlighted, "#tracker")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._pager is not None:
            self._pager.highlighted(event.cursor_row)

    @on(Input.Submitted, "#tracker-search")
    def _search_done(self) -> None:
        if self._typing is not None:
            self._typing.stop()
            self._typed()
        self.query_one("#tracker", DataTable).focus()

    @on(DataTable.RowSelected, "#tracker")
    def _selected(self) -> None:
        self.action_done()

    def action_filter(self) -> None:
        self.query_one("#tracker-search", Input).focus()

    def action_cycle_status(self) -> None:
        self.status = STATUSES[(STATUSES.index(self.status) + 1) % len(STATUSES)]
        self.refresh_actions(keep_place=False)

    def action_cycle_kind(self) -> None:
        kinds = ["", *ACTION_KINDS]
        self.kind = kinds[(kinds.index(self.kind) + 1) % len(kinds)]
        self.refresh_actions(keep_place=False)

    def action_toggle_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self.refresh_actions(keep_place=False)

    def action_done(self) -> None:
        action_id = self.selected_id()
        row = self.rows.get(action_id)
        if row is None:
            return
        if row["status"] == "done":
            self.notify("That action is already done.", severity="warning")
            return

        def marked(fields: dict | None) -> None:
            if fields:
                self.refresh_actions()
                self.notify(f"Action for {row['case_ref']} marked done (logged).", markup=False)

        self.app.with_name(lambda: self.app.push_screen(DoneDialog(row), marked),
                           "Marking an action done is recorded in its audit's history under your name")

    def action_export(self) -> None:
        def exported(message: str | None) -> None:
            if message:
                self.notify(message, markup=False, timeout=8)

        filters = self.filters()
        count = count_actions(self.app.store, filters)[0]
        self.app.push_screen(ExportActionsDialog(count, lambda: list_actions(self.app.store, filters)), exported)

    def commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Export actions", "The listed actions to CSV or XLSX", self.action_export)
        yield SystemCommand("Overdue actions only", "Toggle showing only overdue actions",
                            self.action_toggle_overdue)
        yield SystemCommand("Kind of action shown (k)", "Every kind, case actions, learning for the worker or "
                            "service recommendations", self.action_cycle_kind)


class DoneDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """What was done and when; saves through the store and dismisses with the fields."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="done.cancel"),
        Binding("ctrl+s", "save", "Mark done", priority=True, id="done.save"),
    ]

    def __init__(self, row: dict) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="done-dialog"):
            yield Label("Mark the action done", classes="section-title")
            yield Static(f"{self.row['case_ref']} · {self.row['owner']} · due {self.row['due'] or '—'}\n"
                         f"{self.row['description']}", classes="prompt", markup=False)
            with Horizontal(classes="field"):
                yield Label("What was done", classes="field-label")
                yield Input(placeholder="e.g. Plan updated with Jo on 3 March", id="done-note", max_length=1000,
                            compact=True)
            with Horizontal(classes="field"):
                yield Label("Done on", classes="field-label")
                yield Input(value=date.today().isoformat(), id="done-on", max_length=20, compact=True)
            yield Static("", id="done-problem", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Mark done (ctrl+s)", variant="success", id="done-save")
                yield Button("Cancel (esc)", id="done-cancel")

    def on_mount(self) -> None:
        self.query_one("#done-note", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#done-save")
    def action_save(self) -> None:
        note = self.query_one("#done-note", Input).value.strip()
        problem = self.query_one("#done-problem", Static)
        try:
            on = parse_date(self.query_one("#done-on", Input).value)
        except ValueError as exc:
            problem.update(f"Done on: {exc}")
            return
        try:
            mark_done(self.app.store, self.row["action_id"], note, on)
        except StoreError as exc:
            problem.update(str(exc))
            return
        self.dismiss({"note": note, "done_on": on})

    @on(Button.Pressed, "#done-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)


class ExportActionsDialog(KeepsTypedWork, ModalScreen[str | None]):
    """Export the listed actions to a .csv or .xlsx file (never replacing one unless asked)."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export_actions.cancel")]

    def __init__(self, count: int, rows: Callable[[], list[dict]]) -> None:
        super().__init__()
        self.count = count
        self.rows = rows  # read when the file is written

    def compose(self) -> ComposeResult:
        default = Path.home() / f"actions-{date.today().isoformat()}.xlsx"
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(f"Export {self.count} action(s)", classes="section-title")
            yield Static("A .csv or .xlsx file, readable by you only.", classes="prompt", markup=False)
            yield Input(value=str(default), id="export-path", max_length=1000)
            yield Static("", id="export-problem", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export-save")
                yield Button("Replace the file", variant="warning", id="export-force")
                yield Button("Cancel (esc)", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-force").display = False
        self.query_one("#export-path", Input).focus()

    def _export(self, overwrite: bool) -> None:
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        try:
            count = export_actions(self.rows(), path, overwrite=overwrite)
        except (ExportError, OSError) as exc:  # OSError: a full disk, say, while writing
            from audit_tui.files.failures import user_message

            message = user_message(exc, "the actions were not exported")
            self.query_one("#export-problem", Static).update(message.replace("use --force", "choose Replace"))
            self.query_one("#export-force").display = path.exists()
            return
        self.dismiss(f"{count} action(s) exported to {path}")

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-save")
    def _save(self) -> None:
        self._export(False)

    @on(Button.Pressed, "#export-force")
    def _force(self) -> None:
        self._export(True)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
