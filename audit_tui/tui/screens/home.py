"""Home: the list of audits, filterable and sortable, with new audit and resume."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from audit_tui.tui.format import grade_label, relative_time, selected_key
from audit_tui.tui.widgets.columns import Column, FittingTable
from audit_tui.tui.widgets.keyfooter import KeyFooter
from audit_tui.tui.widgets.paging import Pager

if TYPE_CHECKING:
    from textual.widgets import DataTable

# The columns an auditor scans first come first: these five always show whole, at 80 columns too; team,
# round and template follow as the terminal widens (widgets/columns.py).
COLUMNS = [
    Column("case_ref", "Case ref", 10, always=True), Column("status", "Status", 9, always=True),
    Column("overall_grade", "Overall", 20, always=True), Column("auditor", "Auditor", 18, least=12, always=True),
    Column("updated_at", "Last edited", 11, always=True), Column("team", "Team", 32, least=12),
    Column("round", "Round", 22, least=12), Column("template_id", "Template", 36, least=14),
]
LABELS = {column.key: column.label for column in COLUMNS}
SEARCH_HINT = "Filter: case ref, team, auditor, round, template  (/)"
SHORT_SEARCH_HINT = "Filter (/): case, team, auditor, round…"
"""The filter's hint, and the one that fits beside the list's count at 80 columns."""
STATUSES = ["", "draft", "completed", "moderated"]


class AuditList(FittingTable):
    """The home list: Up on its first row goes back to the filter above it (Down there comes back)."""

    def action_cursor_up(self) -> None:
        if self.cursor_row > 0:
            super().action_cursor_up()
        else:
            self.screen.query_one("#home-search", Input).focus()


class HomeScreen(Screen[None]):
    """Every audit in the database; Enter resumes, n starts a new one. The app's first screen: its styles
    (`home.tcss`) are read with the app's (`AuditApp.CSS_PATH`)."""

    FOOTER = ("new_audit", "filter", "training", "report", "action_tracker", "help")
    """The footer's keys, most needed first (every key is in F1 and the palette)."""
    AUTO_FOCUS = ""  # the list takes the focus once it is added (load_list)

    BINDINGS = [
        Binding("n", "new_audit", "New audit", id="home.new"),
        Binding("enter", "open_audit", "Resume", show=True, id="home.open"),
        Binding("slash", "filter", "Filter", id="home.filter"),
        Binding("s", "cycle_status", "Status filter", id="home.status"),
        Binding("o", "sort", "Sort", id="home.sort"),
        Binding("h", "history", "History", id="home.history"),
        Binding("r", "report", "Report", id="home.report"),
        Binding("d", "demo", "Demo data", id="home.demo"),
        Binding("t", "training", "Training", id="home.training"),
        Binding("R", "rounds", "Rounds", id="home.rounds"),
        Binding("a", "action_tracker", "Actions", id="home.actions"),
        Binding("m", "moderate", "Moderate", id="home.moderate"),
        Binding("c", "case", "Case's audits", id="home.case"),
        Binding("question_mark", "app.help", "Help", show=False, id="home.help"),
        Binding("escape,down", "step_back", "Back to the list", show=False, id="home.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status_filter = ""
        self.order = "updated_at DESC"
        self._loaded_at_mount = False
        self._pager: Pager | None = None
        self._query: tuple[str, str, str] | None = None

    def compose(self) -> ComposeResult:
        """The first frame: title, filter box and keys; the list and the lines around it come with the list."""
        yield Header()
        with Horizontal(id="home-filters"):
            yield Input(placeholder=SEARCH_HINT if self.app.size.width >= 100 else SHORT_SEARCH_HINT, id="home-search")
            yield Label("", id="home-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._loaded_at_mount = True

    async def load_list(self) -> None:
        """Just after the first paint (`AuditApp.on_ready`): the app finishes starting (store), then the list
        is added."""
        if not self.app.finish_start():
            return
        # above the filters, the concerns and your allocated cases; below, the list, or why it is empty (each
        # shown only when there is something in it: refresh_audits)
        await self.mount_all([_hidden(Static("", id=name, markup=False)) for name in ("concerns-banner", "my-cases")],
                             before="#home-filters")
        table = AuditList(COLUMNS, id="audits", cursor_type="row", zebra_stripes=True)
        await self.mount_all([table, _hidden(Static("", id="home-empty", markup=False))], after="#home-filters")
        table.fit(self.app.size.width)  # its own width once laid out (FittingTable)
        self._pager = Pager(table, self._fetch, self._add_rows)
        self.watch(table, "scroll_y", self._pager.scrolled, init=False)
        self.refresh_audits()
        table.focus()

    def on_resize(self, event: events.Resize) -> None:
        """The filter's hint as the width allows (the list fits itself: FittingTable)."""
        hint = SEARCH_HINT if event.size.width >= 100 else SHORT_SEARCH_HINT
        self.query_one("#home-search", Input).placeholder = hint

    def on_key(self, event: events.Key) -> None:
        """Until the list is there (just after the first paint), keys do nothing: a letter typed that early
        (a name, say) would otherwise start something else (d the demo, t training, a the tracker)."""
        if self._list() is None:
            event.stop()
            event.prevent_default()

    def _list(self) -> DataTable | None:
        """The list of audits; None until it is added, just after the first paint."""
        found = self.query("#audits")
        return cast("DataTable", found.first()) if found else None

    def on_screen_resume(self) -> None:
        if self._loaded_at_mount:  # the first resume follows mount at once: the list loads after the first paint
            self._loaded_at_mount = False
            return
        self.refresh_audits()

    def _add_rows(self, table: DataTable, rows: list[dict]) -> None:
        for row in rows:
            if row["id"] in table.rows:  # edited since the page before was read (its place changed)
                continue
            flag = ("⚠ ", "bold red") if row["concerns"] else ""
            values = {
                "case_ref": Text.assemble(flag, row["case_ref"]),
                "status": Text(row["status"], style=STATUS_STYLE.get(row["status"], "")),
                "overall_grade": Text(grade_label(row["overall_grade"])), "auditor": Text(row["auditor"] or ""),
                "updated_at": Text(relative_time(row["updated_at"])), "team": Text(row["team"] or ""),
                "round": Text(row["round"] or ""),
                "template_id": Text(self._template_title(row["template_id"], row["template_version"])),
            }
            table.add(values, key=row["id"])

    def _template_title(self, template_id: str, version: int) -> str:
        """The template's title, as people know it (its id if it is not in the database)."""
        from audit_tui.storage.errors import StoreError

        try:
            return f"{self.app.store.template(template_id, version).title} v{version}"
        except StoreError:
            return f"{template_id} v{version}"

    def _fetch(self, offset: int, limit: int) -> list[dict]:
        search = self.query_one("#home-search", Input).value.strip()
        return self.app.store.list_audits(search=search, status=self.status_filter, order_by=self.order,
                                          limit=limit, offset=offset)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._pager is not None:
            self._pager.highlighted(event.cursor_row)

    def refresh_audits(self) -> None:
        """Reload the list: the first page (or as many rows as were loaded, to keep the cursor's place);
        later pages load as the list is scrolled."""
        table = self._list()
        if table is None:  # load_list will load it, with the filter as it is then
            return
        store = self.app.store
        search = self.query_one("#home-search", Input).value.strip()
        query = (search, self.status_filter, self.order)
        current = selected_key(table)
        rows = self._pager.reload(keep_place=query == self._query)  # the same list: keep the place
        self._query = query
        if current is not None:
            try:
                table.move_cursor(row=table.get_row_index(current))
            except Exception:  # noqa: BLE001 - the row may be filtered out now
                pass
        column, direction = self.order.split()
        status = f"{self.status_filter or 'all'} · {LABELS[column].lower()} {'↓' if direction == 'DESC' else '↑'}"
        total = store.count_audits()
        more = self._pager.more
        matching = store.count_audits(search=search, status=self.status_filter) if more and (
            search or self.status_filter) else (total if more else len(rows))
        self.query_one("#home-status", Label).update(f"{matching} of {total} · {status}")
        empty = self.query_one("#home-empty", Static)
        empty.display = not rows
        empty.update("No audits yet. Press n to start a new audit, or d to explore the demo (fictional sample cases)."
                     if total == 0 else "No audits match the filter.")
        self._show_concerns()
        self._show_my_cases()

    def _show_my_cases(self) -> None:
        """An auditor's own allocated cases not yet completed, above everything else (R to start one)."""
        from audit_tui.features.rounds import my_allocations

        mine = my_allocations(self.app.store, self.app.settings.auditor_name)
        strip = self.query_one("#my-cases", Static)
        strip.display = bool(mine)
        if mine:
            by_round: dict[str, list[str]] = {}
            for r in mine[:8]:
                by_round.setdefault(r["round"], []).append(
                    r["case_ref"] + (" (started)" if r["progress"] == "in progress" else ""))
            names = "; ".join(f"{', '.join(refs)} ({name})" for name, refs in by_round.items())
            more = f" and {len(mine) - 8} more" if len(mine) > 8 else ""
            strip.update(f"▶ Your allocated cases ({len(mine)}): {names}{more} — press R to start one")

    def _show_concerns(self) -> None:
        """Open safeguarding concerns stand at the top: one line each (the audit shows them whole)."""
        concerns = self.app.store.open_concerns()
        banner = self.query_one("#concerns-banner", Static)
        banner.display = bool(concerns)
        lines = [Text(f"⚠ SAFEGUARDING CONCERN {c['case_ref']} ({c['raised_at'][:10]}): "
                      + " ".join(c["description"].split()), no_wrap=True, overflow="ellipsis")
                 for c in concerns[:3]]
        if len(concerns) > 3:
            lines.append(Text(f"… and {len(concerns) - 3} more open concerns"))
        banner.update(Text("\n").join(lines))

    @on(Input.Changed, "#home-search")
    def _search(self) -> None:
        self.refresh_audits()

    @on(Input.Submitted, "#home-search")
    def _search_done(self) -> None:
        if table := self._list():
            table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_audit(event.row_key.value)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        direction = "ASC" if self.order != f"{column} ASC" else "DESC"
        self.order = f"{column} {direction}"
        self.refresh_audits()

    def selected_audit_id(self) -> str | None:
        table = self._list()
        return selected_key(table) if table else None

    def open_audit(self, audit_id: str | None) -> None:
        """Open the audit, once the user's name is known: every change in it is credited to that name."""
        if audit_id:
            from audit_tui.tui.screens.training import audit_screen

            self.app.with_name(lambda: self.app.push_screen(audit_screen(self.app.store, audit_id)))

    def action_open_audit(self) -> None:
        self.open_audit(self.selected_audit_id())

    def action_new_audit(self) -> None:
        from audit_tui.tui.screens.new_audit import NewAuditScreen

        def opened(audit_id: str | None) -> None:
            self.refresh_audits()
            self.open_audit(audit_id)

        self.app.push_screen(NewAuditScreen(), opened)

    def action_filter(self) -> None:
        self.query_one("#home-search", Input).focus()

    def action_step_back(self) -> None:
        """Esc or Down in the filter goes to the list (the filter stays as typed)."""
        if self.focused is self.query_one("#home-search", Input) and (table := self._list()):
            table.focus()

    def action_cycle_status(self) -> None:
        self.status_filter = STATUSES[(STATUSES.index(self.status_filter) + 1) % len(STATUSES)]
        self.refresh_audits()

    def action_sort(self) -> None:
        table = self._list()
        keys = list(table.widths) if isinstance(table, FittingTable) and table.widths else [c.key for c in COLUMNS]
        column = self.order.split()[0]
        column = column if column in keys else keys[-1]
        self.order = f"{keys[(keys.index(column) + 1) % len(keys)]} {'DESC' if column == 'case_ref' else 'ASC'}"
        if self.order.startswith("updated_at"):
            self.order = "updated_at DESC"
        self.refresh_audits()

    def action_report(self) -> None:
        from audit_tui.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen())

    def action_demo(self) -> None:
        self.app.open_demo(then=self.refresh_audits)

    def action_rounds(self) -> None:
        from audit_tui.tui.screens.rounds import RoundsScreen

        self.app.push_screen(RoundsScreen())

    def action_action_tracker(self) -> None:
        from audit_tui.tui.screens.action_tracker import ActionTrackerScreen

        self.app.push_screen(ActionTrackerScreen())

    def action_moderate(self) -> None:
        audit_id = self.selected_audit_id()
        if not audit_id:
            return
        status = self.app.store.get_audit(audit_id).status
        if status != "completed":
            self.notify(f"Only completed audits can be moderated; this one is {status}.", severity="warning")
            return
        from audit_tui.tui.screens.moderation import ModerationScreen

        self.app.with_name(lambda: self.app.push_screen(ModerationScreen(audit_id), lambda _: self.refresh_audits()))

    def action_history(self) -> None:
        audit_id = self.selected_audit_id()
        if audit_id:
            from audit_tui.tui.screens.history import HistoryScreen

            self.app.push_screen(HistoryScreen(audit_id))

    def action_case(self) -> None:
        """Every audit of the selected audit's case, side by side."""
        audit_id = self.selected_audit_id()
        if audit_id:
            from audit_tui.tui.screens.case import CaseScreen

            self.app.push_screen(CaseScreen(self.app.store.get_audit(audit_id).case_ref))

    def action_training(self) -> None:
        """Training: audit a fictional sample case, then calibrate against the reference audit."""
        from audit_tui.tui.screens.training import TrainingPickerScreen

        def chosen(audit_id: str | None) -> None:
            self.refresh_audits()
            self.open_audit(audit_id)

        self.app.push_screen(TrainingPickerScreen(), chosen)

    def action_calibration_trainer(self) -> None:
        from audit_tui.tui.screens.calibration import TrainerScreen

        self.app.push_screen(TrainerScreen())

    def commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("New audit", "Start auditing a case", self.action_new_audit)
        yield SystemCommand("Filter audits", "Type to filter the list", self.action_filter)
        yield SystemCommand("Case's audits side by side (c)", "Every audit of the selected case; re-audit date, "
                            "follow-up", self.action_case)
        yield SystemCommand("Build the Word report", "Aggregated report of a round, with progress",
                            self.action_report)
        yield SystemCommand("Open the demo database", "Fictional sample cases and audits", self.action_demo)
        yield SystemCommand("Training: audit a sample case", "A fictional case with its record beside the form, "
                            "then calibration against the reference audit", self.action_training)
        yield SystemCommand("Calibration (trainer)", "Agreement of every trainee with the reference audits",
                            self.action_calibration_trainer)
        yield SystemCommand("Rounds", "Create a round, import its case list, see progress by auditor and team",
                            self.action_rounds)
        yield SystemCommand("Action tracker", "Every action across audits: overdue, mark done, export",
                            self.action_action_tracker)
        yield SystemCommand("Moderate the selected audit", "Second look at a completed audit by a quality lead",
                            self.action_moderate)


def _hidden(widget: Static) -> Static:
    """The widget, not displayed until there is something in it."""
    widget.display = False
    return widget


STATUS_STYLE = {"draft": "yellow", "completed": "green", "moderated": "bold green"}
