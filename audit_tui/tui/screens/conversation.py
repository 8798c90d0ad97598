"""The feedback conversation with the worker, child, young person or carer feedback, and the names to
redact in this audit's documents (F5)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from audit_tui.domain.models import AuditRecord
from audit_tui.storage.practice import AGREES
from audit_tui.storage.store import StoreError
from audit_tui.tui.screens.dialogs import KeepsTypedWork

_TEXTS = (("reflection", "The worker's reflection: what they said about the audit and their practice"),
          ("challenge", "Any challenge to the grades (leave empty if none)"),
          ("response", "Your response to the challenge"),
          ("family_said", "What the child, young person or carer said"))


class ConversationScreen(KeepsTypedWork, ModalScreen[bool]):
    """Edit the conversation; ctrl+s saves the fields you changed (at once, logged). Dismisses True if saved."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="conversation.cancel"),
        Binding("ctrl+s", "save", "Save", priority=True, id="conversation.save"),
    ]

    def __init__(self, audit: AuditRecord) -> None:
        super().__init__()
        self.audit = audit
        conversation, family = audit.conversation, audit.family_feedback
        self.before = {
            "held_on": conversation.held_on.isoformat() if conversation and conversation.held_on else "",
            "present": conversation.present if conversation else "",
            "reflection": conversation.reflection if conversation else "",
            "agrees": conversation.agrees if conversation else None,
            "challenge": conversation.challenge if conversation else "",
            "response": conversation.response if conversation else "",
            "family_how": family.how if family else "",
            "family_said": family.said if family else "",
        }

    def compose(self) -> ComposeResult:
        b = self.before
        with VerticalScroll(classes="dialog", id="conversation-dialog"):
            yield Label(f"Feedback conversation — {self.audit.case_ref}", classes="section-title", markup=False)
            yield Static("Talk the audit through with the worker. It feeds the feedback document (F6): "
                         "their reflection and the manager's sign-off.", classes="prompt", markup=False)
            yield Input(b["held_on"], placeholder="Date held (YYYY-MM-DD or DD/MM/YYYY)", id="cv-held_on",
                        max_length=10)
            yield Input(b["present"], placeholder="Who was present", id="cv-present", max_length=300)
            yield Select([(Text(label), key) for key, label in AGREES.items()], value=b["agrees"] or Select.NULL,
                         id="cv-agrees", prompt="Does the worker agree with the grades?")
            for key, placeholder in _TEXTS[:3]:
                yield TextArea(b[key], id=f"cv-{key}", soft_wrap=True, tab_behavior="focus", placeholder=placeholder)
            yield Label("Child, young person or carer feedback (optional)", classes="section-title")
            yield Input(b["family_how"], placeholder="How it was gathered (visit, phone, questionnaire)",
                        id="cv-family_how", max_length=300)
            yield TextArea(b["family_said"], id="cv-family_said", soft_wrap=True, tab_behavior="focus",
                           placeholder=_TEXTS[3][1])
            yield Label("Names to redact (documents and exports for circulation show initials)",
                        classes="section-title")
            yield Input(", ".join(self.audit.redact_names), placeholder="e.g. Sam Jones, Tess Jones (comma-separated)",
                        id="cv-redact", max_length=1000)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cv-held_on", Input).focus()

    def values(self) -> dict:
        found = {}
        for key in self.before:
            widget = self.query_one(f"#cv-{key}")
            if isinstance(widget, Select):
                found[key] = widget.value if isinstance(widget.value, str) else None
            elif isinstance(widget, TextArea):
                found[key] = widget.text.strip()
            else:
                found[key] = widget.value.strip()
        return found

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        changes = {k: v for k, v in self.values().items() if v != self.before[k]}
        names = self.query_one("#cv-redact", Input).value
        redact = names != ", ".join(self.audit.redact_names)
        if not changes and not redact:
            self.dismiss(False)
            return
        try:
            if changes:
                self.app.store.set_conversation(self.audit.id, **changes)
            if redact:
                self.app.store.set_redact_names(self.audit.id, names)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(False)
