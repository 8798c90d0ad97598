"""A round's conclusions, written by the quality lead: the commentary, the service-level recommendations
(what, lead, measurable outcome, due date, RAG status) and the targets of the headline measures.

Everything is saved as it is made, through the store (each change logged in history); the report prints
the commentary and recommendations as its improvement plan and draws the targets on its trend chart.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static, TextArea

from audit_tui.domain.values import now_iso, shortened
from audit_tui.storage.conclusions import RAG, ConclusionsError, recommendation_values, target_value
from audit_tui.storage.store import StoreError
from audit_tui.summary.headline import LABELS, measure_label
from audit_tui.summary.trends import rag
from audit_tui.tui.format import selected_key
from audit_tui.tui.screens.dialogs import DIALOGS_CSS, ConfirmDialog, KeepsTypedWork
from audit_tui.tui.widgets.columns import Column, FittingTable
from audit_tui.tui.widgets.keyfooter import KeyFooter

RAG_STYLE = {"red": "bold red", "amber": "bold yellow", "green": "bold green"}
RECOMMENDATION_COLUMNS = [  # what, by when and who at 80 columns; the measurable outcome as the window widens
    Column("rag", "RAG", 5, always=True), Column("due", "Due", 10, always=True),
    Column("what", "Recommendation", 50, least=20, always=True), Column("lead", "Lead", 20, least=12, always=True),
    Column("outcome", "Outcome", 40, least=14),
]


class FiguresCounted(Message):
    """The round's headline figures, counted on a thread: measure -> (good or better, answered)."""

    def __init__(self, round_name: str, figures: dict[str, tuple[int, int]]) -> None:
        super().__init__()
        self.round_name = round_name
        self.figures = figures


class ConclusionsScreen(Screen[None]):
    """The lead's commentary, recommendations and targets for one round."""

    CSS_PATH = "conclusions.tcss"
    FOOTER = ("add", "edit_target", "remove", "app.pop_screen", "help")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="conclusions.back"),
        Binding("a", "add", "Add recommendation", id="conclusions.add"),
        Binding("delete", "remove", "Remove", id="conclusions.remove"),
        Binding("g", "edit_target", "Set target", id="conclusions.target"),
    ]

    def __init__(self, round_name: str) -> None:
        super().__init__()
        self.round_name = round_name
        self.figures: dict[str, tuple[int, int]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Conclusions on “{shortened(self.round_name, 40)}” (the report's improvement plan)", classes="title",
                     markup=False)
        yield Label("Commentary (what the figures mean, for the improvement board)", classes="section-title")
        yield TextArea(self.app.store.round_commentary(self.round_name), id="commentary", soft_wrap=True,
                       tab_behavior="focus", placeholder="Your commentary on the round…")
        yield Static("", id="commentary-status", markup=False)
        yield Label("Recommendations — a add · Enter edit · Delete remove", classes="section-title")
        yield FittingTable(RECOMMENDATION_COLUMNS, id="recommendations", cursor_type="row", zebra_stripes=True)
        yield Label("Targets — Enter or g sets the highlighted measure's target", classes="section-title")
        yield DataTable(id="targets", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#recommendations", FittingTable).fit(self.app.size.width)  # its own width once laid out
        targets = self.query_one("#targets", DataTable)
        for label in ("Measure", "Target", "This round", "RAG"):
            targets.add_column(label, key=label.lower())
        self.show_recommendations()
        self.show_targets()
        self.count_figures(self.round_name)
        self.query_one("#commentary", TextArea).focus()

    # -- commentary -------------------------------------------------------------------

    @on(TextArea.Changed, "#commentary")
    def _commentary_changed(self, event: TextArea.Changed) -> None:
        status = self.query_one("#commentary-status", Static)
        try:
            self.app.store.set_round_commentary(self.round_name, event.text_area.text)
        except StoreError as exc:
            status.update(f"✗ Not saved: {exc}")
            return
        status.update(f"✓ Saved {now_iso()[11:16]} UTC")

    # -- recommendations ----------------------------------------------------------------

    def show_recommendations(self, select: str | None = None) -> None:
        table = self.query_one("#recommendations", FittingTable)
        table.clear()
        for rec in self.app.store.recommendations(self.round_name):
            values = {"rag": Text(rec["rag"].capitalize(), style=RAG_STYLE[rec["rag"]]), "due": Text(rec["due"]),
                      "what": Text(rec["what"]), "lead": Text(rec["lead"]), "outcome": Text(rec["outcome"])}
            table.add(values, key=rec["id"])
        if select:
            table.move_cursor(row=table.get_row_index(select))

    def action_add(self) -> None:
        self.app.push_screen(RecommendationDialog({}), self._saved(None))

    @on(DataTable.RowSelected, "#recommendations")
    def _edit(self, event: DataTable.RowSelected) -> None:
        rec = self.app.store.recommendation(event.row_key.value)
        self.app.push_screen(RecommendationDialog(rec), self._saved(rec["id"]))

    def _saved(self, rec_id: str | None):
        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                if rec_id is None:
                    saved = self.app.store.add_recommendation(self.round_name, **values)
                else:
                    self.app.store.update_recommendation(rec_id, **values)
                    saved = rec_id
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.show_recommendations(select=saved)
            self.query_one("#recommendations", DataTable).focus()
            self.notify("Recommendation saved.")
        return done

    def action_remove(self) -> None:
        table = self.query_one("#recommendations", DataTable)
        rec_id = selected_key(table)
        if rec_id is None or self.focused is not table:
            return
        rec = self.app.store.recommendation(rec_id)

        def answered(remove: bool | None) -> None:
            if remove:
                try:
                    self.app.store.remove_recommendation(rec_id)
                except StoreError as exc:
                    self.notify(str(exc), severity="error", markup=False)
                    return
                self.show_recommendations()

        self.app.push_screen(ConfirmDialog("Remove this recommendation?", shortened(rec["what"], 200),
                                           go="Remove it", keep="Keep it (esc)"), answered)

    # -- targets --------------------------------------------------------------------------

    def show_targets(self) -> None:
        table = self.query_one("#targets", DataTable)
        row = table.cursor_row
        table.clear()
        targets = self.app.store.targets()
        order = list(LABELS)
        for measure in sorted(self.app.store.measures(), key=lambda m: (order.index(m) if m in order else len(order), m)):
            target = targets.get(measure)
            good, answered = self.figures.get(measure, (0, 0))
            status = rag(good, answered, target)
            table.add_row(Text(shortened(measure_label(measure), 40)), Text("–" if target is None else f"{target:g}%"),
                          Text(f"{100 * good / answered:.1f}% ({good} of {answered})" if answered else "–"),
                          Text(status.capitalize() if status else "–", style=RAG_STYLE.get(status or "", "")),
                          key=measure)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @work(thread=True, exclusive=True, group="conclusions-figures")
    def count_figures(self, round_name: str) -> None:
        """The round's headline figures, on a thread with its own connection (they may need building)."""
        from audit_tui.storage.store import Store
        from audit_tui.summary import Filters, compute_summary

        try:
            store = Store(self.app.store.path, actor=self.app.store.actor, create=False)
            try:
                summary = compute_summary(store, Filters(round=round_name), rows=False)
            finally:
                store.close()
        except Exception:  # noqa: BLE001 - the figures are a guide: the targets still show
            return
        self.post_message(FiguresCounted(round_name, {h.id: (h.good_or_better, h.answered) for h in summary.headline}))

    def on_figures_counted(self, message: FiguresCounted) -> None:
        if message.round_name == self.round_name:
            self.figures = message.figures
            self.show_targets()

    @on(DataTable.RowSelected, "#targets")
    def action_edit_target(self) -> None:
        measure = selected_key(self.query_one("#targets", DataTable))
        if measure is None:
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            try:
                self.app.store.set_target(measure, value)
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.show_targets()
            self.notify("Target saved." if value.strip() else "Target removed.")

        self.app.push_screen(TargetDialog(measure_label(measure), self.app.store.targets().get(measure)), done)


class RecommendationDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """What will be done, who leads it, the measurable outcome, the due date and the RAG status."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="recommendation.cancel"),
        Binding("ctrl+s", "save", "Save recommendation", priority=True, id="recommendation.save"),
    ]

    def __init__(self, rec: dict) -> None:
        super().__init__()
        self.rec = rec

    def compose(self) -> ComposeResult:
        with Vertical(id="recommendation-dialog", classes="dialog"):
            yield Label("Service-level recommendation", classes="section-title")
            yield Input(self.rec.get("what", ""), placeholder="What will be done, e.g. Supervision asks what has "
                        "changed for the child", id="r-what", max_length=500)
            with Horizontal(classes="field"):
                yield Label("Lead", classes="field-label")
                yield Input(self.rec.get("lead", ""), placeholder="who leads it", id="r-lead", max_length=120,
                            compact=True)
            with Horizontal(classes="field"):
                yield Label("Outcome", classes="field-label")
                yield Input(self.rec.get("outcome", ""), placeholder="measurable, e.g. 90% of plans updated in 6 weeks",
                            id="r-outcome", max_length=500, compact=True)
            with Horizontal(classes="field"):
                yield Label("Due", classes="field-label")
                yield Input(self.rec.get("due", ""), placeholder="a date like 14/12/2026", id="r-due", max_length=10,
                            compact=True)
            with Horizontal(classes="field"):
                yield Label("RAG", classes="field-label")
                yield Select([(level.capitalize(), level) for level in RAG], value=self.rec.get("rag", "red"),
                             id="r-rag", allow_blank=False, compact=True)
            yield Static("", id="r-check", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="r-save")
                yield Button("Cancel (esc)", id="r-cancel")

    def on_mount(self) -> None:
        self._check()
        self.query_one("#r-what", Input).focus()

    def _values(self) -> dict:
        return {"what": self.query_one("#r-what", Input).value, "lead": self.query_one("#r-lead", Input).value,
                "outcome": self.query_one("#r-outcome", Input).value, "due": self.query_one("#r-due", Input).value,
                "rag": self.query_one("#r-rag", Select).value}

    def _problem(self) -> str | None:
        try:
            recommendation_values(self._values())
        except ConclusionsError as exc:
            return str(exc)
        return None

    @on(Input.Changed)
    @on(Select.Changed)
    def _check(self) -> None:
        problem = self._problem()
        self.query_one("#r-check", Static).update(f"✗ {problem[:1].upper()}{problem[1:]}" if problem
                                                  else "✓ Specific, led, measurable and dated.")

    @on(Button.Pressed, "#r-save")
    def action_save(self) -> None:
        problem = self._problem()
        if problem:
            self.notify(problem[:1].upper() + problem[1:], severity="error", markup=False)
            return
        self.dismiss(self._values())

    @on(Button.Pressed, "#r-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)


class TargetDialog(KeepsTypedWork, ModalScreen[str | None]):
    """A measure's target as a percentage; empty removes it."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="target.cancel"),
        Binding("ctrl+s", "save", "Save target", priority=True, id="target.save"),
    ]

    def __init__(self, label: str, target: float | None) -> None:
        super().__init__()
        self.label, self.target = label, target

    def compose(self) -> ComposeResult:
        with Vertical(id="target-dialog", classes="dialog"):
            yield Label(f"Target: {self.label}", classes="section-title", markup=False)
            yield Static("The percentage good or better you aim for. Green at or above it, amber less than 5 points "
                         "below, red further below. Leave it empty to remove the target.", classes="prompt",
                         markup=False)
            yield Input("" if self.target is None else f"{self.target:g}", placeholder="e.g. 85", id="t-value",
                        max_length=6)
            yield Static("", id="t-check", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="t-save")
                yield Button("Cancel (esc)", id="t-cancel")

    def on_mount(self) -> None:
        self.query_one("#t-value", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#t-save")
    def action_save(self) -> None:
        value = self.query_one("#t-value", Input).value
        try:
            target_value(value)
        except ConclusionsError as exc:
            self.query_one("#t-check", Static).update(f"✗ {str(exc)[:1].upper()}{str(exc)[1:]}")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#t-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
