"""Review & complete: every unmet gate as a link to its place, warnings, and the overall grade."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from audit_tui.domain import gates
from audit_tui.domain.models import SAFEGUARDING_STATEMENTS
from audit_tui.storage.store import GatesNotMet, StoreError
from audit_tui.tui.format import grade_label
from audit_tui.tui.screens.dialogs import KeepsTypedWork
from audit_tui.tui.widgets.keyfooter import KeyFooter


class ReviewScreen(KeepsTypedWork, Screen[tuple[str, str] | None]):
    """Dismisses with a gate's target to jump there, or None to go back."""

    CSS_PATH = "review.tcss"

    FOOTER = ("complete", "back", "help")
    BINDINGS = [
        Binding("escape", "back", "Back to audit", key_display="Esc", id="review.back"),
        Binding("ctrl+s", "complete", "Complete", priority=True, id="review.complete"),
    ]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id

    def compose(self) -> ComposeResult:
        store = self.app.store
        self.audit = store.get_audit(self.audit_id)
        self.template = store.template_of(self.audit)
        self.failures = gates.gate_failures(self.template, self.audit)
        self.warnings = gates.warnings(self.template, self.audit)
        self.suggested = gates.suggested_overall_grade(self.template, self.audit)
        yield Header()
        with VerticalScroll(id="review"):
            yield Static(f"Review — {self.audit.case_ref} ({self.audit.status})", classes="title", markup=False)
            if self.audit.status != "draft":
                yield from self._compose_locked()
            else:
                yield from self._compose_gates()
        # below the page, not over it: Tab goes down the page to them, and a field it reaches is never hidden
        with Horizontal(classes="buttons", id="review-buttons"):
            if self.audit.status == "draft":
                yield Button("Complete audit (ctrl+s)", variant="success", id="complete")
            elif self.audit.status == "completed":
                yield Button("Reopen for editing", variant="warning", id="reopen")
            yield Button("Back (esc)", id="back")
        yield KeyFooter()

    def _compose_gates(self) -> ComposeResult:
        yield Label("", id="gates-title", classes="section-title")
        yield OptionList(id="findings")
        yield Label("Safeguarding statement (needed to complete)", classes="section-title")
        yield Select([(Text(label), key) for key, label in SAFEGUARDING_STATEMENTS.items()],
                     value=self.audit.safeguarding or Select.NULL, id="safeguarding",
                     prompt="Choose the statement (ctrl+f records a concern)")
        yield Label("Overall grade", classes="section-title")
        suggestion = grade_label(self.suggested) if self.suggested else "none yet (no grades)"
        yield Static(f"Suggested from the answers: {suggestion}.\nRule: {gates.OVERALL_RULE}",
                     classes="prompt", markup=False)
        levels = self.template.overall_scale().levels
        # a grade chosen before (e.g. on a reopened audit) stays only if a reason was given for it; otherwise
        # the suggestion as it is now (a concern raised since makes it Inadequate)
        current = self.audit.overall_grade if self.audit.overall_reason else self.suggested
        current = current if any(lv.id == current for lv in levels) else None
        yield Select([(Text(lv.label), lv.id) for lv in levels], value=current or Select.NULL, id="overall",
                     prompt="Choose the overall grade")
        yield Input(self.audit.overall_reason, placeholder="Reason (needed when you differ from the suggestion)",
                    id="overall-reason", max_length=500)
        yield from self._compose_concerns()

    def _fill_findings(self) -> None:
        """The unmet gates (links to their place) and warnings, and whether Complete can be pressed."""
        count = len(self.failures)
        self.query_one("#gates-title", Label).update(
            f"Quality gates: {'all met ✓' if not count else f'{count} not met — Enter jumps to the place'}")
        findings = self.query_one("#findings", OptionList)
        findings.clear_options()
        for index, finding in enumerate(self.failures):
            findings.add_option(Option(Text("✗ " + finding.message, style="red"), id=f"f{index}"))
        for index, finding in enumerate(self.warnings):
            findings.add_option(Option(Text("⚠ " + finding.message, style="yellow"), id=f"w{index}"))
        if not self.failures and not self.warnings:
            findings.add_option(Option(Text("Nothing to fix. Choose the overall grade and complete."), disabled=True))
        self.query_one("#complete", Button).disabled = bool(self.failures)

    @on(Select.Changed, "#safeguarding")
    def _state_safeguarding(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.audit.safeguarding:
            return
        try:
            self.app.store.set_safeguarding(self.audit_id, event.value)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.audit = self.app.store.get_audit(self.audit_id)
        self.failures = gates.gate_failures(self.template, self.audit)
        self._fill_findings()

    def _compose_concerns(self) -> ComposeResult:
        for concern in self.audit.concerns:
            if concern.handled_at is None:
                yield Button(Text(f"Close concern (outcome): {concern.description[:40]}"),
                             id=f"handle-{concern.id}", classes="concern")

    def _compose_locked(self) -> ComposeResult:
        yield Static(f"This audit is {self.audit.status}: overall grade {grade_label(self.audit.overall_grade)}."
                     + (f" Reason: {self.audit.overall_reason}" if self.audit.overall_reason else "")
                     + "\nIt is protected from accidental edits. Reopening returns it to draft and is logged.",
                     classes="prompt", markup=False)
        yield from self._compose_concerns()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Complete (ctrl+s) only while the audit is a draft; a completed one is reopened with its button."""
        return self.audit.status == "draft" if action == "complete" else True

    def on_mount(self) -> None:
        findings = self.query("#findings")
        if findings:
            self._fill_findings()
            findings.first().highlighted = 0
        (findings or self.query("#back")).first().focus()

    @on(OptionList.OptionSelected, "#findings")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        kind, index = event.option.id[0], int(event.option.id[1:])
        finding = (self.failures if kind == "f" else self.warnings)[index]
        if finding.target[0] == "safeguarding":  # made here, on this screen
            self.query_one("#safeguarding", Select).focus()
            return
        self.dismiss(finding.target)

    @on(Button.Pressed, "#complete")
    def action_complete(self) -> None:
        if self.audit.status != "draft":
            return
        grade = self.query_one("#overall", Select).value
        reason = self.query_one("#overall-reason", Input).value.strip()
        try:
            self.app.store.complete(self.audit_id, grade if isinstance(grade, str) else "", reason)
        except GatesNotMet as exc:
            self.notify("\n".join(f.message for f in exc.findings), title="Not yet", severity="error",
                        markup=False)
            return
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Audit of {self.audit.case_ref} completed.", markup=False)
        self.dismiss(None)

    @on(Button.Pressed, "#reopen")
    def _reopen(self) -> None:
        from audit_tui.tui.screens.dialogs import ReasonDialog

        def reopened(reason: str | None) -> None:
            if reason:
                try:
                    self.app.store.reopen(self.audit_id, reason)
                except StoreError as exc:
                    self.notify(str(exc), title="Not reopened", severity="error", markup=False)
                    return
                self.notify("Reopened: the audit is a draft again (logged).")
                self.dismiss(None)

        self.app.push_screen(ReasonDialog("Reopen this audit?", "Why does it need to change? This is logged."),
                             reopened)

    @on(Button.Pressed, ".concern")
    def _handle_concern(self, event: Button.Pressed) -> None:
        from audit_tui.tui.screens.dialogs import close_concern

        close_concern(self.app, event.button.id.removeprefix("handle-"), event.button.remove)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.step_back(None)
