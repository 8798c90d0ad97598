"""Actions: the list for an audit and the dialog that adds or edits one."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from audit_tui.domain.gates import (
    action_problems,
    action_warning,
    below_good,
    default_due,
    owner_warning,
    question_label,
)
from audit_tui.domain.models import ACTION_KINDS, URGENT_NOTE, Action, AuditRecord, Template, parse_date
from audit_tui.domain.values import shortened
from audit_tui.tui.format import selected_key
from audit_tui.tui.screens.dialogs import DIALOGS_CSS, ConfirmDialog, KeepsTypedWork, ReasonDialog
from audit_tui.tui.widgets.columns import Column, FittingTable

COLUMNS = [
    Column("description", "Description", 44, least=16, always=True), Column("owner", "Owner", 24, least=12, always=True),
    Column("due", "Due", 10, always=True), Column("check", "Check", 12), Column("question", "Question", 30, least=14),
    Column("status", "Status", 7), Column("kind", "Kind", 22, least=12),
]
"""What must happen, who owns it and by when show at 80 columns; whether it is complete, its question and
the rest as the panel widens."""


class ActionsChanged(Message):
    """Ask the screen to add (id None), change or delete (fields None) an action."""

    def __init__(self, action_id: str | None, fields: dict | None) -> None:
        super().__init__()
        self.action_id = action_id
        self.fields = fields


class ActionsPanel(Vertical):
    """Every action of the audit; a adds, Enter edits, Delete removes (after asking)."""

    BINDINGS = [
        Binding("a", "add", "Add action", id="actions.add"),
        Binding("delete", "delete", "Delete action", id="actions.delete"),
    ]

    def __init__(self, template: Template, **kwargs) -> None:
        super().__init__(**kwargs)
        self.template = template
        self.audit: AuditRecord | None = None
        self.readonly = False

    def compose(self) -> ComposeResult:
        yield Static("Actions — what must happen next, who owns it and by when", classes="section-title",
                     markup=False)
        yield FittingTable(COLUMNS, id="actions-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="no-actions", markup=False)
        yield Static("a add · Enter edit · Delete removes (asks first) · ctrl+t adds an action for the current "
                     "question · F8 on a question: no action because … · mark actions done in the action tracker "
                     "(a on the home screen)", classes="prompt", markup=False)

    def show(self, audit: AuditRecord, *, readonly: bool) -> None:
        self.audit, self.readonly = audit, readonly
        table = self.query_one("#actions-table", FittingTable)
        table.clear()
        for action in audit.actions:
            problems = action_problems(action, audit.audited_on)
            check = Text("✗ incomplete", style="red") if problems else (
                Text("⚠ vague", style="yellow") if action_warning(action) else
                Text("⚠ owner", style="yellow") if owner_warning(action) else Text("✓", style="green"))
            linked = question_label(self.template, action.question) if action.question else "—"
            more = f" +{len(action.questions) - 1}" if len(action.questions) > 1 else ""
            values = {"description": Text(action.description), "owner": Text(action.owner),
                      "due": Text(action.due.isoformat() if action.due else "—"), "check": check,
                      "question": Text(linked + more), "status": Text(action.status), "kind": Text(action.kind)}
            table.add(values, key=action.id)
        reasons = [f"No action because ({question_label(self.template, a.question)}): {a.no_action}"
                   for a in audit.answers if a.no_action]
        notes = self.query_one("#no-actions", Static)
        notes.display = bool(reasons)
        notes.update("\n".join(reasons))

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        return selected_key(table)

    def select(self, action_id: str) -> None:
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(action_id))
        except Exception:  # noqa: BLE001 - unknown row: leave the cursor
            pass
        table.focus()

    def action_add(self) -> None:
        self.edit(None, question=None)

    def edit(self, action_id: str | None, *, question: str | None, draft: dict | None = None) -> None:
        """Open the dialog for a new action (linked to `question`) or an existing one.

        `draft` holds typed values to show again (after a save that failed)."""
        if self.audit is None or self.readonly:
            self.app.notify("This audit is completed: reopen it to change actions.", severity="warning")
            return
        existing = next((a for a in self.audit.actions if a.id == action_id), None)
        action = existing or Action(question=question)
        if draft:
            action = action.model_copy(update=draft)

        def done(fields: dict | None) -> None:
            if fields is not None:
                self.post_message(ActionsChanged(action_id, fields))

        self.app.push_screen(ActionDialog(self.template, action, self.audit.audited_on, audit=self.audit), done)

    @on(DataTable.RowSelected, "#actions-table")
    def _row(self, event: DataTable.RowSelected) -> None:
        self.edit(event.row_key.value, question=None)

    def action_delete(self) -> None:
        action_id = self.selected_id()
        if not action_id or self.readonly:
            return
        if any(a.id == action_id and a.note == URGENT_NOTE for a in self.audit.actions):
            self.app.notify("A safeguarding concern's urgent action cannot be deleted: mark it done when it has "
                            "happened.", severity="warning")
            return
        action = next(a for a in self.audit.actions if a.id == action_id)

        def answered(delete: bool | None) -> None:
            if delete:
                self.post_message(ActionsChanged(action_id, None))

        self.app.push_screen(ConfirmDialog("Delete this action?", shortened(action.description, 200) or "(no description)",
                                           go="Delete action", keep="Keep it (esc)"), answered)


class ActionDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """Description, owner, due date, kind and the questions it answers, with SMART hints as you type. A new
    action's due date is suggested from the audit date, sooner when a question it answers is inadequate."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="action.cancel"),
        Binding("ctrl+s", "save", "Save action", priority=True, id="action.save"),
    ]

    def __init__(self, template: Template, action: Action, audited_on: date, *,
                 audit: AuditRecord | None = None) -> None:
        super().__init__()
        self.template = template
        self.action = action
        self.audited_on = audited_on
        self.audit = audit
        if action.id is None and action.due is None and audit is not None:
            self.action = action.model_copy(update={"due": default_due(template, audit, action.questions)})

    def _also(self) -> list[str]:
        """The questions the action may also answer: those below good in the audit, and those it answers."""
        below = [a.question for a in (self.audit.answers if self.audit else []) if below_good(self.template, a)]
        return [key for key in dict.fromkeys([*self.action.questions[1:], *below]) if key != self.action.question]

    def compose(self) -> ComposeResult:
        questions = [(Text(shortened(f"{question_label(self.template, key)}: {q.text}", 70)), key)
                     for key, _, q in self.template.questions()]
        with Vertical(id="action-dialog", classes="dialog"):
            yield Label("Action", classes="section-title")
            yield Input(self.action.description, placeholder="What will be done, and how will we know? "
                        "e.g. Update the pathway plan with Jo's views by 14 March", id="a-description", max_length=500)
            with Horizontal(classes="field"):
                yield Label("Owner", classes="field-label")
                yield Input(self.action.owner, placeholder="who will do it (name or role)", id="a-owner", max_length=120, compact=True)
            with Horizontal(classes="field"):
                yield Label("Due", classes="field-label")
                yield Input(self.action.due.isoformat() if self.action.due else "", placeholder="a date like 14/12/2026",
                            id="a-due", max_length=10, compact=True)
            with Horizontal(classes="field"):
                yield Label("Question", classes="field-label")
                yield Select(questions, value=self.action.question or Select.NULL, id="a-question",
                             prompt="(not linked to a question)", compact=True)
            with Horizontal(classes="field"):
                yield Label("Kind", classes="field-label")
                yield Select([(label, kind) for kind, label in ACTION_KINDS.items()], value=self.action.kind,
                             allow_blank=False, id="a-kind", compact=True)
            also = self._also()
            if also:
                yield Label("Also answers (space ticks)", classes="field-label")
                yield SelectionList(*(Selection(Text(shortened(question_label(self.template, key) + ": " +
                                                            self.template.question(key).text, 70)), key,
                                                key in self.action.questions[1:]) for key in also), id="a-also")
            yield Static("", id="a-check", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="a-save")
                yield Button("Cancel (esc)", id="a-cancel")

    def on_mount(self) -> None:
        self._check()
        self.query_one("#a-description", Input).focus()

    def _fields(self) -> tuple[dict, list[str]]:
        """The typed values, and what is wrong with them."""
        due_text = self.query_one("#a-due", Input).value.strip()
        errors: list[str] = []
        due = None
        if due_text:
            try:
                due = parse_date(due_text)
            except ValueError as exc:
                errors.append(f"Due date: {exc}")
        question = self.query_one("#a-question", Select).value
        question = question if isinstance(question, str) else None
        also = self.query(SelectionList)
        questions = list(dict.fromkeys([*([question] if question else []), *(also.first().selected if also else [])]))
        fields = {"description": self.query_one("#a-description", Input).value.strip(),
                  "owner": self.query_one("#a-owner", Input).value.strip(),
                  "due": due, "question": questions[0] if questions else None, "questions": questions,
                  "kind": self.query_one("#a-kind", Select).value}
        return fields, errors

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _check(self) -> None:
        fields, errors = self._fields()
        candidate = Action(**fields)
        notes = errors + [p.capitalize() for p in action_problems(candidate, self.audited_on)]
        warnings = [w for w in (action_warning(candidate), owner_warning(candidate)) if w]
        lines = [f"✗ {n}" for n in notes] + [f"⚠ This action {w}" for w in warnings]
        self.query_one("#a-check", Static).update("\n".join(lines) or "✓ Specific, owned and dated.")

    @on(Button.Pressed, "#a-save")
    def action_save(self) -> None:
        fields, errors = self._fields()
        if errors:
            self.notify(errors[0], severity="error", markup=False)
            return
        if not fields["description"]:
            self.notify("Describe the action first.", severity="error")
            return
        self.dismiss(fields)

    @on(Button.Pressed, "#a-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)


class NoActionDialog(ReasonDialog):
    """Why a grade below good needs no new action (e.g. already in hand, with the evidence): it meets the
    gate an action would."""

    def __init__(self, label: str, current: str) -> None:
        super().__init__(f"No action because … ({label})",
                         "Why does this grade below good need no new action? Say what is already in hand, by whom "
                         "and since when (at least 6 words). This is logged.", placeholder="Reason")
        self.current = current

    def on_mount(self) -> None:
        self.query_one(Input).value = self.current
