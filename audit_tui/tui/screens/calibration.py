"""Calibration views: one training audit against its reference, and the trainer's view over everyone."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from audit_tui.features.calibration import Calibration, calibrate, calibration_report
from audit_tui.features.samples import SampleError, load_case
from audit_tui.tui.format import grade_label
from audit_tui.tui.widgets.keyfooter import KeyFooter

AGREEMENT_STYLE = {"exact": ("✓ exact", "green"), "adjacent": ("≈ one level", "yellow"),
                   "different": ("✗ different", "bold red"), "not compared": ("· not compared", "dim")}
WIDE = 120


def kappa_words(kappa: float | None) -> str:
    """What a weighted kappa means for a trainee, in words (Landis and Koch's bands)."""
    if kappa is None:
        return "too few graded answers to say"
    for limit, words in ((0.0, "no better than chance: talk your grades through with your trainer"),
                         (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= limit:
            return words + ("" if limit == 0.0 else " (1 is perfect, 0 is what chance alone gives)")
    return "almost perfect"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _num(value) -> str:
    return "—" if value is None else f"{value:g}"


def _grade(grade: str | None) -> str:
    return "not asked" if grade is None else grade_label(grade)


class CalibrationScreen(Screen[None]):
    """Question by question: your grade, the reference grade, and why the reference graded it so."""

    FOOTER = ("tab('questions')", "tab('quality')", "tab('learning')", "close", "help")
    CSS_PATH = "calibration.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="calibration.close"),
        Binding("q", "tab('questions')", "Questions", id="calibration.questions"),
        Binding("a", "tab('quality')", "Narratives & actions", id="calibration.quality"),
        Binding("l", "tab('learning')", "Learning points", id="calibration.learning"),
    ]

    def __init__(self, audit_id: str, case_ref: str) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.case_ref = case_ref
        self.result: Calibration | None = None

    def compose(self) -> ComposeResult:
        try:
            self.result = calibrate(self.app.store, self.audit_id, self.case_ref)
        except SampleError as exc:
            self.result = None
            self.error = str(exc)
        yield Header()
        yield Static("", id="cal-summary", markup=False)
        with TabbedContent(id="cal-tabs"):
            with TabPane("Questions (q)", id="questions"):
                with Horizontal(id="cal-body"):
                    yield DataTable(id="cal-questions", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id="cal-detail"):
                        yield Static("", id="cal-detail-text", markup=False)
            with TabPane("Narratives & actions (a)", id="quality"):
                with VerticalScroll(id="cal-quality-scroll"):
                    yield Static("", id="cal-comments", classes="cal-text", markup=False)
            with TabPane("Learning points (l)", id="learning"):
                with VerticalScroll(id="cal-learning-scroll"):
                    yield Static("", id="cal-learning", classes="cal-text", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._layout(self.app.size.width)
        summary = self.query_one("#cal-summary", Static)
        if self.result is None:
            summary.update(f"Calibration is not available: {self.error}")
            return
        r = self.result
        kappa, pairs = r.kappa, r.pairs()
        same = sum(1 for a, b in pairs if a == b)
        near = sum(1 for a, b in pairs if abs(a - b) <= 1)
        summary.update(Text.assemble(
            (f"Calibration — {self.case_ref}: your audit beside the reference audit\n", "bold"),
            (f"You gave the same grade as the experienced auditor on {same} of {len(pairs)} questions, and were "
             f"within one level on {near}. Overall grade: you {grade_label(r.trainee.overall_grade)}, reference "
             f"{grade_label(r.reference.overall_grade)}.\n", "bold"),
            f"Agreement beyond chance (weighted kappa, four-point questions): "
            f"{'—' if kappa is None else f'{kappa:.2f}'} — {kappa_words(kappa)}."))
        table = self.query_one("#cal-questions", DataTable)
        for key, label in (("n", "#"), ("you", "You"), ("ref", "Reference"), ("match", "Agreement")):
            table.add_column(label, key=key)
        for q in r.questions:
            label, style = AGREEMENT_STYLE[q.agreement]
            table.add_row(Text(q.number), Text(_grade(q.trainee)), Text(_grade(q.reference)), Text(label, style=style),
                          key=q.key)
        self.query_one("#cal-comments", Static).update(self._comments())
        self.query_one("#cal-learning", Static).update(self._learning())
        if r.questions:
            self._show(r.questions[0].key)
        table.focus()

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        """Questions beside the detail at 120 columns or more, above it when narrower."""
        self.query_one("#cal-body").set_class(width >= WIDE, "-wide")

    @on(DataTable.RowHighlighted, "#cal-questions")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None:
            self._show(event.row_key.value)

    def _show(self, key: str) -> None:
        q = next(q for q in self.result.questions if q.key == key)
        label, style = AGREEMENT_STYLE[q.agreement]
        text = Text.assemble((f"{q.number} {q.text}\n", "bold"),
                             "You: ", (_grade(q.trainee), "bold"), "   Reference: ", (_grade(q.reference), "bold"),
                             "   ", (label, style), "\n")
        for heading, body in (("Why the reference graded it so", q.rationale),
                              ("Reference evidence", q.reference_evidence), ("Your evidence", q.trainee_evidence)):
            if body:
                text.append(f"\n{heading}\n", style="bold underline")
                text.append(body + "\n")
        if q.missed_themes or q.added_themes:
            text.append("\nThemes\n", style="bold underline")
            if q.missed_themes:
                text.append("Missed (the reference's answer carries them): " + ", ".join(q.missed_themes) + "\n")
            if q.added_themes:
                text.append("Added (yours carries them, the reference's does not): " + ", ".join(q.added_themes) + "\n")
        self.query_one("#cal-detail-text", Static).update(text)

    def _comments(self) -> Text:
        text = Text("Your narratives and actions, against the quality gates\n\n", style="bold")
        for comment in self.result.comments:
            text.append("✓ " if comment.ok else "⚠ ", style="green" if comment.ok else "yellow")
            text.append(comment.text + "\n")
        ref = self.result.reference
        text.append("\nThe reference's lived experience\n", style="bold underline")
        text.append(ref.lived_experience + "\n")
        text.append("\nThe reference's impact\n", style="bold underline")
        text.append(ref.impact + "\n")
        return text

    def _learning(self) -> Text:
        try:
            case = load_case(self.case_ref)
        except SampleError as exc:
            return Text(str(exc))
        text = Text.assemble(("Practice in this case: ", "bold"), (case.practice, "bold"), "\n\n", case.summary, "\n\n",
                             ("Learning points for you and your trainer\n", "bold underline"))
        for point in case.learning_points:
            text.append(f"• {point}\n")
        return text

    def action_tab(self, tab: str) -> None:
        """Show a tab and focus what is in it (a focused widget in another pane would switch back)."""
        self.query_one(TabbedContent).active = tab
        target = {"questions": "#cal-questions", "quality": "#cal-quality-scroll",
                  "learning": "#cal-learning-scroll"}[tab]
        self.query_one(target).focus()

    def action_close(self) -> None:
        self.app.pop_screen()


class TrainerScreen(Screen[None]):
    """Every trainee's agreement with the reference audits; Enter on an audit opens its calibration."""

    FOOTER = ("tab('trainees')", "tab('questions')", "tab('audits')", "word", "close", "help")
    CSS_PATH = "calibration.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="trainer.close"),
        Binding("1", "tab('trainees')", "Trainees", id="trainer.trainees"),
        Binding("2", "tab('questions')", "Questions", id="trainer.questions"),
        Binding("3", "tab('audits')", "Audits", id="trainer.audits"),
        Binding("w", "word", "Word document", id="trainer.word"),
    ]

    def compose(self) -> ComposeResult:
        self.report = calibration_report(self.app.store)
        yield Header()
        yield Static("", id="trainer-summary", markup=False)
        with TabbedContent(id="trainer-tabs"):
            with TabPane("Trainees (1)", id="trainees"):
                yield DataTable(id="trainer-trainees", cursor_type="row", zebra_stripes=True)
            with TabPane("Questions graded differently (2)", id="questions"):
                yield DataTable(id="trainer-questions", cursor_type="row", zebra_stripes=True)
            with TabPane("Training audits (3)", id="audits"):
                yield DataTable(id="trainer-audits", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        report = self.report
        self.query_one("#trainer-summary", Static).update(Text.assemble(
            ("Calibration (trainer)\n", "bold"),
            f"{len(report.audits)} completed training audit(s) by {len(report.trainees)} trainee(s), "
            f"{report.in_progress} in progress. Exact: same grade; adjacent: within one level; kappa: 1 perfect, "
            "0 chance. Enter on a training audit opens its calibration; w writes a Word document."))
        trainees = self.query_one("#trainer-trainees", DataTable)
        for label in ("Trainee", "Audits", "Compared", "Exact", "Adjacent", "Kappa"):
            trainees.add_column(label)
        for t in report.trainees:
            trainees.add_row(Text(t["trainee"]), *(Text(str(v), justify="right") for v in (
                t["audits"], t["compared"], _pctv(t["exact_pct"]), _pctv(t["adjacent_pct"]), _num(t["kappa"]))))
        questions = self.query_one("#trainer-questions", DataTable)
        for label in ("Template", "Question", "Different", "Compared", "Exact", "Adjacent", "Kappa"):
            questions.add_column(label)
        ranked = sorted(report.questions, key=lambda q: (-q["different"], q["exact_pct"] or 0, q["question"]))
        for q in ranked:
            questions.add_row(Text(q["template"]), Text(q["question"]), *(Text(str(v), justify="right") for v in (
                q["different"], q["compared"], _pctv(q["exact_pct"]), _pctv(q["adjacent_pct"]), _num(q["kappa"]))))
        audits = self.query_one("#trainer-audits", DataTable)
        for label in ("Case", "Trainee", "Audited", "Exact", "Adjacent", "Kappa", "Overall (you / reference)"):
            audits.add_column(label)
        for a in report.audits:
            audits.add_row(Text(a["case_ref"]), Text(a["trainee"]), Text(str(a["audited_on"])),
                           *(Text(v, justify="right") for v in (_pctv(a["exact_pct"]), _pctv(a["adjacent_pct"]),
                                                                _num(a["kappa"]))),
                           Text(f"{grade_label(a['overall']['trainee'])} / {grade_label(a['overall']['reference'])}"),
                           key=f"{a['audit_id']}|{a['case_ref']}")
        if not report.audits:
            trainees.add_row(Text("No completed training audits yet: trainees press t on the home screen."),
                             *(Text("") for _ in range(5)))
        trainees.focus()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#trainer-{tab}", DataTable).focus()

    @on(DataTable.RowSelected, "#trainer-audits")
    def _open(self, event: DataTable.RowSelected) -> None:
        audit_id, _, case_ref = event.row_key.value.partition("|")
        self.app.push_screen(CalibrationScreen(audit_id, case_ref))

    def action_word(self) -> None:
        from audit_tui.exchange.exports import ExportError
        from audit_tui.files.settings import data_dir
        from audit_tui.report.calibration import write_calibration_docx

        path = data_dir() / f"calibration-{date.today().isoformat()}.docx"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_calibration_docx(self.report, path, overwrite=True, organisation=self.app.settings.organisation)
        except (ExportError, OSError) as exc:
            from audit_tui.files.failures import user_message

            self.notify(user_message(exc, "the calibration document was not written"), title="Not written",
                        severity="error", markup=False)
            return
        self.notify(f"Wrote {path}", title="Calibration report", markup=False, timeout=8)
        from audit_tui.report.branding import warnings

        for line in warnings(self.app.settings.organisation):  # what the written document lacks
            self.notify(line, title="Written without it", severity="warning", markup=False, timeout=12)

    def action_close(self) -> None:
        self.app.pop_screen()


def _pctv(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
