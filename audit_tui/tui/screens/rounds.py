"""Rounds: create a round, import its case list, and the round dashboard (who is behind).

The dashboard counts, per auditor, per team and overall, the cases allocated, not yet
started, in progress, completed and moderated; the Cases tab lists every allocated
case (yours not yet completed first) and Enter starts or resumes one; the Re-audits tab
lists the round's inadequate audits and Enter starts the follow-up (linked to the earlier
audit) or opens it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from audit_tui.features import rounds as core
from audit_tui.features.casebook import followup_words, reaudit_line, reaudit_state, reaudits
from audit_tui.storage.store import StoreError
from audit_tui.summary.moderation import agreement_line, moderation_agreement
from audit_tui.tui.format import selected_key
from audit_tui.tui.messages import AgreementCounted
from audit_tui.tui.screens.dialogs import KeepsTypedWork
from audit_tui.tui.widgets.columns import Column, FittingTable
from audit_tui.tui.widgets.keyfooter import KeyFooter

PROGRESS_STYLE = {"allocated": "", "in progress": "yellow", "completed": "green", "moderated": "bold green"}
REAUDIT_COLUMNS = ("Case ref", "Audited", "Re-audit due", "State", "Follow-up")
REAUDIT_STYLE = {"overdue": "bold red", "started (overdue)": "red", "started": "yellow", "re-audited": "green"}
CASE_COLUMNS = [  # what a lead scans first: all but the template whole at 80 columns
    Column("case ref", "Case ref", 10, always=True), Column("progress", "Progress", 11, always=True),
    Column("auditor", "Auditor", 18, least=12, always=True), Column("team", "Team", 32, least=12),
    Column("template", "Template", 36, least=14),
]
COUNT_COLUMNS = (("allocated", "Allocated"), ("not_started", "To start"), ("in_progress", "In progress"),
                 ("completed", "Completed"), ("moderated", "Moderated"))


class RoundsScreen(Screen[None]):
    """The quality lead's view of a round; an auditor's list of allocated cases."""

    CSS_PATH = "rounds.tcss"

    FOOTER = ("new_round", "import_cases", "conclusions", "next_tab", "app.pop_screen", "help")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="rounds.back"),
        Binding("n", "new_round", "New round", id="rounds.new"),
        Binding("i", "import_cases", "Import cases", id="rounds.import"),
        Binding("c", "conclusions", "Conclusions", id="rounds.conclusions"),
        Binding("t", "next_tab", "Next tab", id="rounds.tab"),
        Binding("enter", "start", "Start / resume case", show=False, id="rounds.start"),
    ]

    def __init__(self, round_name: str | None = None) -> None:
        super().__init__()
        self.round_name = round_name
        self._progress = ""  # the round's progress line, above the agreement line
        self._titles: dict[str, str] | None = None  # template titles by id, once read

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rounds-bar"):
            yield Label("Round", classes="field-label")
            yield Select([], prompt="No rounds yet — press n", id="round", compact=True, allow_blank=True)
        yield Static("", id="rounds-overall", markup=False)
        with TabbedContent(id="rounds-tabs"):
            with TabPane("Cases", id="tab-cases"):
                yield FittingTable(CASE_COLUMNS, id="cases", cursor_type="row", zebra_stripes=True)
            with TabPane("By auditor", id="tab-auditors"):
                yield DataTable(id="by-auditor", cursor_type="row", zebra_stripes=True)
            with TabPane("By team", id="tab-teams"):
                yield DataTable(id="by-team", cursor_type="row", zebra_stripes=True)
            with TabPane("Re-audits", id="tab-reaudits"):
                yield DataTable(id="reaudits", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        cases = self.query_one("#cases", FittingTable)
        cases.fit(self.app.size.width)  # its own width once laid out
        for table_id, first in (("#by-auditor", "Auditor"), ("#by-team", "Team")):
            table = self.query_one(table_id, DataTable)
            table.add_column(first, key="name")
            for key, label in COUNT_COLUMNS:
                table.add_column(label, key=key)
        for label in REAUDIT_COLUMNS:
            self.query_one("#reaudits", DataTable).add_column(label, key=label.lower())
        self.load_rounds(self.round_name)
        cases.focus()

    def on_screen_resume(self) -> None:
        self.refresh_round()

    # -- data -------------------------------------------------------------------------

    def load_rounds(self, choose: str | None = None) -> None:
        found = core.list_rounds(self.app.store)
        select = self.query_one("#round", Select)
        select.set_options([(Text(f"{r['name']}  ({r['starts']} to {r['ends']})"), r["name"]) for r in found])
        names = [r["name"] for r in found]
        mine = core.my_allocations(self.app.store, self.app.settings.auditor_name)
        pick = choose if choose in names else (mine[0]["round"] if mine else (names[0] if names else None))
        select.prompt = "Choose a round" if names else "No rounds yet — press n"
        if pick:
            select.value = pick
        self.refresh_round()

    @work(thread=True, exclusive=True, group="agreement")
    def count_agreement(self, round_name: str) -> None:
        """The round's moderation agreement, on a thread with its own connection: it reads the stored
        facts, which it may have to build first (seconds, after a large import). Posted back."""
        from audit_tui.storage.store import Store

        try:
            store = Store(self.app.store.path, actor=self.app.store.actor, create=False)
            try:
                line = agreement_line(moderation_agreement(store, {"round": round_name}))
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            line = f"Moderation: agreement not counted ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        self.post_message(AgreementCounted(round_name, line))

    def on_agreement_counted(self, message: AgreementCounted) -> None:
        if message.round_name.lower() == (self.current_round or "").lower():
            self.query_one("#rounds-overall", Static).update(f"{self._progress}\n{message.line}")

    @property
    def current_round(self) -> str | None:
        value = self.query_one("#round", Select).value
        return value if isinstance(value, str) else None

    def refresh_round(self) -> None:
        name = self.current_round
        cases = self.query_one("#cases", FittingTable)
        cases.clear()
        for table_id in ("#by-auditor", "#by-team", "#reaudits"):
            self.query_one(table_id, DataTable).clear()
        overall = self.query_one("#rounds-overall", Static)
        if name is None:
            overall.update("Create a round (n), then import its case list (i): case ref, service area, team, "
                           "worker, allocated auditor, template — from CSV or XLSX.")
            return
        store = self.app.store
        figures = core.dashboard(store, name)
        total = figures["overall"]
        self._progress = (f"Overall: {total['allocated']} allocated · {total['not_started']} to start · "
                          f"{total['in_progress']} in progress · {total['completed']} completed · "
                          f"{total['moderated']} moderated")
        due = figures["reaudits"]
        if due:  # the inadequate audits' re-audits: set a date with r on the case's audits (c on the home screen)
            self._progress += ("\nRe-audits: " + "; ".join(reaudit_line(r) for r in due[:3])
                               + (f"; and {len(due) - 3} more" if len(due) > 3 else "")
                               + " (Re-audits tab)")
        reaudit_table = self.query_one("#reaudits", DataTable)
        for row in due:
            state = reaudit_state(row)
            reaudit_table.add_row(Text(row["case_ref"]), Text(row["audited_on"]), Text(row["due"] or "—"),
                                  Text(state, style=REAUDIT_STYLE.get(state, "")),
                                  Text(followup_words(row)), key=row["audit_id"])
        overall.update(f"{self._progress}\nModeration: counting agreement…")
        self.count_agreement(figures["round"])
        for table_id, key in (("#by-auditor", "auditors"), ("#by-team", "teams")):
            table = self.query_one(table_id, DataTable)
            for row in figures[key]:
                behind = row["not_started"] + row["in_progress"]
                table.add_row(Text(row["name"] or "(none)", style="yellow" if behind else ""),
                              *(Text(str(row[k] or 0), justify="right") for k, _ in COUNT_COLUMNS))
        me = (self.app.settings.auditor_name or "").strip().lower()
        rows = core.allocations(store, name)
        rows.sort(key=lambda r: not (me and (r["auditor"] or "").lower() == me
                                     and r["progress"] in ("allocated", "in progress")))
        titles = self._template_titles()
        for row in rows:
            mine = me and (row["auditor"] or "").lower() == me
            values = {"case ref": Text(("▶ " if mine else "") + row["case_ref"], style="bold" if mine else ""),
                      "progress": Text(row["progress"], style=PROGRESS_STYLE.get(row["progress"], "")),
                      "auditor": Text(row["auditor"] or ""), "team": Text(row["team"] or ""),
                      "template": Text(titles.get(row["template_id"], row["template_id"] or ""))}
            cases.add(values, key=str(row["id"]))

    def _template_titles(self) -> dict[str, str]:
        """Each template's title by its id, as people know it: those in the database (quick to read, unlike
        the template files), read once; a template not used yet shows its id."""
        if self._titles is None:
            self._titles = {template.id: template.title for template in self.app.store.stored_templates()}
        return self._titles

    @on(DataTable.RowSelected, "#reaudits")
    def _reaudit_selected(self, event: DataTable.RowSelected) -> None:
        """Open the re-audit when started; else start it: the follow-up of the inadequate audit."""
        from audit_tui.tui.screens.audit import AuditScreen
        from audit_tui.tui.screens.case import start_followup

        row = next((r for r in reaudits(self.app.store, self.current_round or "")
                    if r["audit_id"] == event.row_key.value), None)
        if row is None:
            return
        if row["followup"]:
            self.app.with_name(lambda: self.app.push_screen(AuditScreen(row["followup"])))
        else:
            self.app.with_name(lambda: start_followup(self.app, row["audit_id"]))

    @on(Select.Changed, "#round")
    def _round_changed(self) -> None:
        self.refresh_round()

    # -- actions ----------------------------------------------------------------------

    def selected_allocation(self) -> int | None:
        table = self.query_one("#cases", DataTable)
        key = selected_key(table)
        return None if key is None else int(key)

    @on(DataTable.RowSelected, "#cases")
    def _case_selected(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        """Start the selected allocated case (form pre-filled), or resume its audit."""
        allocation_id = self.selected_allocation()
        if allocation_id is None:
            return
        store = self.app.store
        row = next((r for r in core.allocations(store, self.current_round) if r["id"] == allocation_id), None)
        if row is None:
            return
        from audit_tui.tui.screens.audit import AuditScreen

        if row["found_audit"]:
            self.app.with_name(lambda: self.app.push_screen(AuditScreen(row["found_audit"])))
            return
        from audit_tui.tui.screens.new_audit import NewAuditScreen

        def started(audit_id: str | None) -> None:
            if audit_id:
                try:
                    core.link_audit(store, allocation_id, audit_id)
                except StoreError as exc:
                    self.notify(str(exc), severity="error", markup=False)
                self.app.push_screen(AuditScreen(audit_id))

        self.app.push_screen(NewAuditScreen(core.audit_defaults(store, allocation_id)), started)

    def action_conclusions(self) -> None:
        """The lead's commentary, recommendations and targets for the chosen round."""
        if self.current_round is None:
            self.notify("Choose a round first (or create one with n).", severity="warning")
            return
        from audit_tui.tui.screens.conclusions import ConclusionsScreen

        self.app.push_screen(ConclusionsScreen(self.current_round))

    def action_next_tab(self) -> None:
        tabs = self.query_one("#rounds-tabs", TabbedContent)
        order = ["tab-cases", "tab-auditors", "tab-teams", "tab-reaudits"]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)] if tabs.active in order else order[0]
        table = {"tab-cases": "#cases", "tab-auditors": "#by-auditor", "tab-teams": "#by-team",
                 "tab-reaudits": "#reaudits"}[tabs.active]
        self.query_one(table, DataTable).focus()

    def action_new_round(self) -> None:
        def created(name: str | None) -> None:
            if name:
                self.load_rounds(name)
                self.notify(f"Round “{name}” created. Press i to import its case list.", markup=False)

        self.app.push_screen(NewRoundDialog(), created)

    def action_import_cases(self) -> None:
        if self.current_round is None:
            self.notify("Create a round first (n).", severity="warning")
            return

        def imported(message: str | None) -> None:
            if message:
                self.refresh_round()
                self.notify(message, markup=False)

        self.app.push_screen(ImportCasesDialog(self.current_round), imported)


class NewRoundDialog(KeepsTypedWork, ModalScreen[str | None]):
    """Name, dates and templates of a new round; dismisses with its name."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_round.cancel"),
        Binding("ctrl+s", "create", "Create", priority=True, id="new_round.create"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="round-dialog"):
            yield Label("New round", classes="section-title")
            for key, label, hint in (("r-name", "Name", "e.g. 2026-02 practice week"),
                                     ("r-from", "From", "first day, a date like 14/12/2026"),
                                     ("r-to", "To", "last day, a date like 14/12/2026"),
                                     ("r-templates", "Templates", "titles, comma separated (empty: any)")):
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=hint, id=key, max_length=300, compact=True)
            yield Static("Templates: " + "; ".join(t.title for t in self._templates()), classes="prompt",
                         markup=False)
            yield Static("", id="round-problems", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", variant="primary", id="create")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#r-name", Input).focus()

    def _templates(self):
        from audit_tui.tui.screens.new_audit import available_templates

        return available_templates(self.app)

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        value = {key: self.query_one(f"#{key}", Input).value.strip() for key in ("r-name", "r-from", "r-to",
                                                                                   "r-templates")}
        by_name = {name.lower(): t.id for t in self._templates() for name in (t.id, t.title)}
        typed = [t.strip() for t in value["r-templates"].replace(";", ",").split(",") if t.strip()]
        unknown = [t for t in typed if t.lower() not in by_name]
        if unknown:
            self.query_one("#round-problems", Static).update(
                "\n".join(f"“{t}” is not one of the templates listed above" for t in unknown))
            return
        templates = [by_name[t.lower()] for t in typed]
        try:
            known = core.known_template_ids(self.app.store, self.app.settings.template_dir)
            created = core.create_round(self.app.store, value["r-name"], value["r-from"], value["r-to"], templates,
                                        known_templates=known)
        except core.RoundError as exc:
            self.query_one("#round-problems", Static).update("\n".join(exc.problems))
            return
        except StoreError as exc:
            self.query_one("#round-problems", Static).update(str(exc))
            return
        self.dismiss(created["name"])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(None)


class ImportCasesDialog(KeepsTypedWork, ModalScreen[str | None]):
    """The path of a CSV/XLSX case list; every bad row is listed here with its line number."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="import_cases.cancel"),
        Binding("ctrl+s", "import_file", "Import", priority=True, id="import_cases.import"),
    ]

    def __init__(self, round_name: str) -> None:
        super().__init__()
        self.round_name = round_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-dialog"):
            yield Label(f"Import the case list of “{self.round_name}”", classes="section-title", markup=False)
            yield Static("Columns: case ref, service area, team, worker, allocated auditor, template (.csv or "
                         ".xlsx; the first row names them). Nothing is imported until every row is right.",
                         classes="prompt", markup=False)
            yield Input(placeholder="Path of the file, e.g. ~/cases.xlsx", id="case-file", max_length=1000)
            with VerticalScroll(id="import-problems-box"):
                yield Static("", id="import-problems", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Import (ctrl+s)", variant="primary", id="import")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#import-problems-box").display = False
        self.query_one("#case-file", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#import")
    def action_import_file(self) -> None:
        from pathlib import Path

        raw = self.query_one("#case-file", Input).value.strip()
        if not raw:
            return
        box = self.query_one("#import-problems-box")
        try:
            result = core.import_cases(self.app.store, self.round_name, Path(raw).expanduser(),
                                       known_templates=core.known_template_ids(self.app.store,
                                                                               self.app.settings.template_dir))
        except core.RoundError as exc:
            box.display = True
            self.query_one("#import-problems", Static).update(
                f"Nothing was imported. {len(exc.problems)} problem(s):\n" + "\n".join(exc.problems))
            return
        except StoreError as exc:
            box.display = True
            self.query_one("#import-problems", Static).update(str(exc))
            return
        ignored = f"; ignored column(s): {', '.join(result.ignored_columns)}" if result.ignored_columns else ""
        self.dismiss(f"Case list imported: {result.added} added, {result.updated} updated, "
                     f"{result.unchanged} unchanged{ignored}.")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
