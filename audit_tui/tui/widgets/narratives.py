"""The two narratives every audit carries: lived experience and impact."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static, TextArea

from audit_tui.domain.gates import MIN_NARRATIVE_WORDS, impact_warning, is_substantive
from audit_tui.domain.models import AuditRecord
from audit_tui.tui.format import show_text
from audit_tui.tui.widgets.question import AnswerEdited

PROMPTS = {
    "lived_experience": (
        "Lived experience",
        "What is a day like for this child or young person? What have they said, in their own words? "
        "Who matters to them, and what do they worry about or hope for?",
    ),
    "impact": (
        "Impact",
        "What is different for the child because of the work — not what was done, what changed? "
        "Safer, more settled, healthier, learning, heard? How do you know?",
    ),
}


class NarrativesPanel(VerticalScroll):
    """Edits lived experience and impact; posts AnswerEdited with question '' for audit fields."""

    def compose(self) -> ComposeResult:
        for field, (title, prompt) in PROMPTS.items():
            yield Label(title, classes="section-title")
            yield Static(prompt, classes="prompt", markup=False)
            yield TextArea(id=f"n-{field}", soft_wrap=True, tab_behavior="focus",
                           placeholder=f"At least {MIN_NARRATIVE_WORDS} words…")
            yield Static("", id=f"n-{field}-check", classes="check", markup=False)

    def show(self, audit: AuditRecord, *, readonly: bool) -> None:
        for field in PROMPTS:
            area = self.query_one(f"#n-{field}", TextArea)
            value = getattr(audit, field)
            if area.text != value:
                area.load_text(value)
            area.disabled = readonly
            self._check(field, value)

    def focus_field(self, field: str) -> None:
        self.query_one(f"#n-{field}", TextArea).focus()

    def _check(self, field: str, text: str) -> None:
        words = len(text.split())
        if not is_substantive(text):
            message = f"Not yet substantive ({words} of {MIN_NARRATIVE_WORDS} words at least)."
        else:
            message = "✓ Substantive."
        warning = impact_warning(text) if field == "impact" else None
        show_text(self.query_one(f"#n-{field}-check", Static), message + (f"  ⚠ {warning}" if warning else ""))

    @on(TextArea.Changed)
    def _edited(self, event: TextArea.Changed) -> None:
        field = (event.text_area.id or "").removeprefix("n-")
        if field in PROMPTS:
            self._check(field, event.text_area.text)
            self.post_message(AnswerEdited("", **{field: event.text_area.text}))
