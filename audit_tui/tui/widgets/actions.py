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
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from audit_tui.domain.gates import action_problems, action_warning, question_label
from audit_tui.domain.models import URGENT_NOTE, Action, AuditRecord, Template, parse_date
from audit_tui.tui.format import selected_key
from audit_tui.tui.screens.dialogs import ConfirmDialog, KeepsTypedWork


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
        yield Label("Actions — what must happen next, who owns it and by when", classes="section-title")
        yield DataTable(id="actions-table", cursor_type="row", zebra_stripes=True)
        yield Static("a add · Enter edit · Delete removes (asks first) · ctrl+t adds an action for the current "
                     "question · mark actions done in the action tracker (a on the home screen)",
                     classes="prompt", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Description", "Owner", "Due", "Status", "Question", "Check"):
            table.add_column(label, key=label.lower())

    def show(self, audit: AuditRecord, *, readonly: bool) -> None:
        self.audit, self.readonly = audit, readonly
        table = self.query_one(DataTable)
        table.clear()
        for action in audit.actions:
            problems = action_problems(action, audit.audited_on)
            warning = action_warning(action)
            check = Text("✗ incomplete", style="red") if problems else (
                Text("⚠ vague", style="yellow") if warning else Text("✓", style="green"))
            table.add_row(Text(_short(action.description, 40)), Text(action.owner),
                          Text(action.due.isoformat() if action.due else "—"), Text(action.status),
                          Text(question_label(self.template, action.question) if action.question else "—"), check,
                          key=action.id)

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

        self.app.push_screen(ActionDialog(self.template, action, self.audit.audited_on), done)

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

        self.app.push_screen(ConfirmDialog("Delete this action?", _short(action.description, 200) or "(no description)",
                                           go="Delete action", keep="Keep it (esc)"), answered)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class ActionDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """Description, owner, due date and linked question, with SMART hints as you type."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="action.cancel"),
        Binding("ctrl+s", "save", "Save action", priority=True, id="action.save"),
    ]

    def __init__(self, template: Template, action: Action, audited_on: date) -> None:
        super().__init__()
        self.template = template
        self.action = action
        self.audited_on = audited_on

    def compose(self) -> ComposeResult:
        questions = [(Text(_short(f"{question_label(self.template, key)}: {q.text}", 70)), key)
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
        fields = {"description": self.query_one("#a-description", Input).value.strip(),
                  "owner": self.query_one("#a-owner", Input).value.strip(),
                  "due": due, "question": question if isinstance(question, str) else None}
        return fields, errors

    @on(Input.Changed)
    def _check(self) -> None:
        fields, errors = self._fields()
        candidate = Action(**fields)
        notes = errors + [p.capitalize() for p in action_problems(candidate, self.audited_on)]
        warning = action_warning(candidate)
        lines = [f"✗ {n}" for n in notes] + ([f"⚠ This action {warning}"] if warning else [])
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
