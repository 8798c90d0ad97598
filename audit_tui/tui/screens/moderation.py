"""Moderation: the auditor's grade and evidence beside the moderator's choice, question by question.

The moderator agrees by default; choosing a different grade needs a comment. Saving
records the moderated overall grade and comment, makes the audit `moderated` and keeps
the auditor's grades (only the changed ones are stored as the moderator's).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static

from audit_tui.domain.gates import question_label
from audit_tui.domain.models import NA
from audit_tui.features.moderation import ModerationError, moderation_rows, save_moderation
from audit_tui.storage.store import StoreError
from audit_tui.tui.format import grade_label
from audit_tui.tui.screens.dialogs import KeepsTypedWork
from audit_tui.tui.widgets.keyfooter import KeyFooter


def _id(question: str) -> str:
    return question.replace(".", "--")


class ModerationScreen(KeepsTypedWork, Screen[bool]):
    """Moderate one completed audit; dismisses True when saved."""

    CSS_PATH = "moderation.tcss"

    FOOTER = ("save", "cancel", "help")
    BINDINGS = [
        Binding("escape", "cancel", "Back", key_display="Esc", id="moderation.back"),
        Binding("ctrl+s", "save", "Save moderation", priority=True, id="moderation.save"),
    ]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id

    def compose(self) -> ComposeResult:
        store = self.app.store
        self.audit = store.get_audit(self.audit_id)
        self.template = store.template_of(self.audit)
        self.rows = moderation_rows(store, self.audit_id)
        yield Header()
        with VerticalScroll(id="moderation"):
            yield Static(f"Moderation — {self.audit.case_ref} · {self.template.title} · audited by "
                         f"{self.audit.auditor or 'unknown'} on {self.audit.audited_on.isoformat()}",
                         classes="title", markup=False)
            yield Static("Each grade is agreed unless you choose another; a different grade needs a comment. "
                         "The auditor's grades are kept; yours are final in every figure.",
                         classes="prompt", markup=False)
            for row in self.rows:
                yield from self._compose_question(row)
            yield Label("Overall grade", classes="section-title")
            yield Static(f"Auditor's overall grade: {grade_label(self.audit.overall_grade)}"
                         + (f" — {self.audit.overall_reason}" if self.audit.overall_reason else ""),
                         classes="prompt", markup=False)
            levels = self.template.overall_scale().levels
            with Horizontal(classes="field"):
                yield Label("Moderated", classes="field-label")
                yield Select([(Text(lv.label), lv.id) for lv in levels], id="m-overall", compact=True,
                             value=self.audit.overall_grade or Select.NULL, prompt="Choose the overall grade")
            with Horizontal(classes="field"):
                yield Label("Comment", classes="field-label")
                yield Input(placeholder="Your moderation comment (needed if the overall grade differs)",
                            id="m-comment", max_length=2000, compact=True)
            yield Static("", id="m-problems", classes="field-error", markup=False)
        # below the page, not over it: Tab goes down the page to them, and a field it reaches is never hidden
        with Horizontal(classes="buttons", id="moderation-buttons"):
            yield Button("Save moderation (ctrl+s)", variant="success", id="m-save")
            yield Button("Back (esc)", id="m-back")
        yield KeyFooter()

    def _compose_question(self, row: dict) -> ComposeResult:
        key = _id(row["question"])
        with Vertical(classes="m-question"):
            yield Static(f"{question_label(self.template, row['question'])}: {row['text']}", classes="m-text",
                         markup=False)
            auditor = grade_label(row["grade"]) if row["grade"] != NA else f"n/a — {row['na_reason']}"
            yield Static(Text.assemble(("Auditor: ", "bold"), auditor, "\n",
                                       (row["evidence"] or "(no evidence)", "italic")),
                         classes="m-evidence")
            options = [(Text(label), level) for level, label in row["levels"]]
            if row["grade"] == NA:
                options.insert(0, (Text("n/a (agree)"), NA))
            with Horizontal(classes="m-choice"):
                yield Select(options, value=row["grade"], id=f"g-{key}", compact=True, allow_blank=False)
                yield Input(placeholder="Why the grade differs", id=f"c-{key}", max_length=1000, compact=True)

    def on_mount(self) -> None:
        if self.audit.status != "completed":
            self.notify(f"This audit is {self.audit.status}: only completed audits can be moderated.",
                        severity="warning", markup=False)
            for widget in self.query("Select, Input, #m-save"):
                widget.disabled = True
        for row in self.rows:
            self.query_one(f"#c-{_id(row['question'])}", Input).display = False
        first = self.query("Select")
        if first:
            first.first().focus()

    @on(Select.Changed)
    def _grade_changed(self, event: Select.Changed) -> None:
        select_id = event.select.id or ""
        if not select_id.startswith("g-"):
            return
        row = next(r for r in self.rows if _id(r["question"]) == select_id[2:])
        comment = self.query_one(f"#c-{select_id[2:]}", Input)
        comment.display = event.value != row["grade"]
        event.select.set_class(event.value != row["grade"], "m-changed")

    def choices(self) -> dict[str, tuple[str, str]]:
        out = {}
        for row in self.rows:
            key = _id(row["question"])
            value = self.query_one(f"#g-{key}", Select).value
            if isinstance(value, str) and value != row["grade"]:
                out[row["question"]] = (value, self.query_one(f"#c-{key}", Input).value.strip())
        return out

    @on(Button.Pressed, "#m-save")
    def action_save(self) -> None:
        if self.audit.status != "completed":
            return
        overall = self.query_one("#m-overall", Select).value
        changes = self.choices()
        missing = [q for q, (_, why) in changes.items() if not why]
        if missing:
            self.query_one("#m-problems", Static).update(
                "Say why each changed grade differs: " + ", ".join(missing))
            self.query_one(f"#c-{_id(missing[0])}", Input).focus()
            return
        try:
            saved = save_moderation(self.app.store, self.audit_id,
                                    overall_grade=overall if isinstance(overall, str) else None,
                                    comment=self.query_one("#m-comment", Input).value, changes=changes,
                                    moderator=self.app.settings.auditor_name or self.app.store.actor)
        except (ModerationError, StoreError) as exc:
            self.query_one("#m-problems", Static).update(str(exc))
            return
        self.notify(f"Moderation of {self.audit.case_ref} saved: {len(saved['changed'])} grade(s) changed, overall "
                    f"{grade_label(saved['overall_grade'])}.", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#m-back")
    def action_cancel(self) -> None:
        self.step_back(False)
