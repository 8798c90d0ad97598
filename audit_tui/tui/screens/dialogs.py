"""Small dialogs: a reason, a safeguarding concern, a field saved by someone else meanwhile."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from rich.text import Text
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...core.models import CONCERN_ROUTES


class ReasonDialog(ModalScreen[str | None]):
    """Ask for a reason (e.g. to reopen a completed audit); dismisses with it or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]

    def __init__(self, title: str, prompt: str, *, placeholder: str = "Reason") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="section-title")
            yield Static(self.prompt, classes="prompt", markup=False)
            yield Input(placeholder=self.placeholder, id="reason", max_length=500)
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel (esc)", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        reason = self.query_one(Input).value.strip()
        if not reason:
            self.notify(f"Give the {self.placeholder.lower()} first.", severity="error")
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConcernDialog(ModalScreen[dict | None]):
    """Raise a safeguarding concern: what was found, who was told (when, how), the two managers the
    urgent action goes to and, in a care-leaver audit, the route for a young person aged 18–25."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="concern.cancel"),
        Binding("ctrl+s", "raise_concern", "Record concern", priority=True, id="concern.record"),
    ]
    FIELDS = (("told_who", "Who you told (name or role)"), ("told_at", "When you told them"),
              ("told_how", "How (phone, in person, email)"), ("team_manager", "Team manager (name)"),
              ("service_manager", "Service manager (name)"))

    def __init__(self, draft: dict | None = None, *, care_leaver: bool = False) -> None:
        super().__init__()
        self.draft = draft or {}
        self.care_leaver = care_leaver

    def compose(self) -> ComposeResult:
        from datetime import datetime

        told_at = self.draft.get("told_at") or f"{datetime.now():%Y-%m-%d %H:%M}"
        with VerticalScroll(classes="dialog", id="concern-dialog"):
            yield Label("⚠ Raise a safeguarding concern", classes="section-title")
            yield Static("Use this when a child is at risk and nobody is acting on it. It is recorded now, with "
                         "an urgent action for the team manager and a service manager, due today (the same "
                         "working day). It stays at the top of the audit, the home screen and every report until "
                         "it is closed with its outcome.", classes="prompt", markup=False)
            yield TextArea(self.draft.get("description", ""), id="concern-text", soft_wrap=True,
                           tab_behavior="focus", placeholder="What did you find, and why is the child at risk now?")
            for key, placeholder in self.FIELDS:
                yield Input(told_at if key == "told_at" else self.draft.get(key, ""), placeholder=placeholder,
                            id=f"concern-{key}", max_length=120)
            if self.care_leaver:
                yield Select([(Text(label), key) for key, label in CONCERN_ROUTES.items()],
                             value=self.draft.get("route") or Select.NULL, id="concern-route",
                             prompt="Aged 18–25? Choose the adult route (or leave for under 18)")
            with Horizontal(classes="buttons"):
                yield Button("Record concern (ctrl+s)", variant="error", id="raise")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#raise")
    def action_raise_concern(self) -> None:
        fields = {key: self.query_one(f"#concern-{key}", Input).value.strip() for key, _ in self.FIELDS}
        fields["description"] = self.query_one(TextArea).text.strip()
        missing = [label for key, label in (("description", "what you found"), *self.FIELDS)
                   if key != "told_at" and not fields[key]]
        if missing:
            self.notify("Fill in: " + "; ".join(m.split(" (")[0].lower() for m in missing) + ".", severity="error")
            return
        for route in self.query("#concern-route").results(Select):
            if isinstance(route.value, str):
                fields["route"] = route.value
        self.dismiss(fields)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictDialog(ModalScreen[str | None]):
    """Another session saved a field while the auditor was editing it: keep mine, take theirs, or see both.

    Dismisses with "mine", "theirs" or None (decide later: the change stays on screen, not saved)."""

    BINDINGS = [Binding("escape", "later", "Decide later", id="conflict.later")]

    def __init__(self, what: str, who: str, when: str, mine: str, theirs: str) -> None:
        super().__init__()
        self.what, self.who, self.when, self.mine, self.theirs = what, who or "Someone", when, mine, theirs

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="conflict-dialog"):
            yield Label(f"⚠ Someone else changed the {self.what}", classes="section-title")
            yield Static(f"{self.who} saved a change to the {self.what}{self.when} while you were editing it. "
                         "Nothing has been overwritten yet: keep yours (it replaces theirs, and the history keeps "
                         "both), take theirs (yours is dropped), or see both first. Esc: decide later (yours stays "
                         "on screen, not saved).", classes="prompt", markup=False)
            with Horizontal(id="conflict-both"):
                with Vertical():
                    yield Label("Yours")
                    yield TextArea(self.mine, id="conflict-mine", read_only=True, soft_wrap=True)
                with Vertical():
                    yield Label(f"{self.who}'s")
                    yield TextArea(self.theirs, id="conflict-theirs", read_only=True, soft_wrap=True)
            with Horizontal(classes="buttons"):
                yield Button("Keep mine", variant="primary", id="keep-mine")
                yield Button("Take theirs", id="take-theirs")
                yield Button("See both", id="see-both")

    def on_mount(self) -> None:
        self.query_one("#conflict-both").display = False
        self.query_one("#keep-mine", Button).focus()

    @on(Button.Pressed, "#keep-mine")
    def _mine(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed, "#take-theirs")
    def _theirs(self) -> None:
        self.dismiss("theirs")

    @on(Button.Pressed, "#see-both")
    def _both(self) -> None:
        self.query_one("#conflict-both").display = True
        self.query_one("#see-both", Button).display = False
        self.query_one("#keep-mine", Button).focus()

    def action_later(self) -> None:
        self.dismiss(None)
