"""Small dialogs: a reason, a safeguarding concern, a field saved by someone else meanwhile, "discard what
you typed?"; and the rule every form follows: Esc steps back, and never throws away typed work without asking."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from audit_tui.domain.models import CONCERN_ROUTES

FORM_FIELDS = "Input, TextArea, Select, Checkbox"

DIALOGS_CSS = str(Path(__file__).with_name("dialogs.tcss"))
"""Every dialog's styles, as an absolute path: a dialog subclassed in another folder finds them too."""


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something that cannot be undone; Esc (or the first button) keeps things as they are."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [Binding("escape", "keep", "Keep", id="confirm.keep")]

    def __init__(self, title: str, message: str, *, go: str, keep: str = "Keep editing (esc)") -> None:
        super().__init__()
        self.title_text, self.message, self.go, self.keep = title, message, go, keep

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.title_text, classes="section-title", markup=False)
            yield Static(self.message, classes="prompt", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.keep, variant="primary", id="confirm-keep")
                yield Button(self.go, variant="error", id="confirm-go")

    def on_mount(self) -> None:
        self.query_one("#confirm-keep").focus()

    @on(Button.Pressed, "#confirm-go")
    def _go(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class KeepsTypedWork:
    """Mixed into a form (screen or dialog): `step_back` leaves it, but asks first when anything was typed
    or chosen since it opened. Its ctrl+s binding is also offered in the command palette."""

    def on_mount(self) -> None:  # Textual runs this after the form's own on_mount
        self.call_after_refresh(self._remember_form)

    def _remember_form(self) -> None:
        self._form_start = self._form_values()

    def _form_values(self) -> list:
        return [field.text if isinstance(field, TextArea) else field.value for field in self.query(FORM_FIELDS)
                if isinstance(field, (Input, TextArea, Select, Checkbox))]

    def typed_work(self) -> bool:
        """True when a field differs from what the form opened with."""
        start = getattr(self, "_form_start", None)
        return start is not None and self._form_values() != start

    def step_back(self, result=None) -> None:
        """Leave with `result`; when something was typed, only once the user says to discard it."""
        if not self.typed_work():
            self.dismiss(result)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(result)

        self.app.push_screen(ConfirmDialog("Discard what you typed?", "What you typed here is not saved yet. "
                                           "Leave and lose it, or keep editing?", go="Discard and leave"),
                             answered)

    def commands(self):
        """The form's ctrl+s action in the palette (ctrl+s can be taken by terminal flow control)."""
        from textual.app import SystemCommand

        for binding in self.BINDINGS:
            if binding.key == "ctrl+s":
                yield SystemCommand(binding.description, "The same as ctrl+s here",
                                    lambda action=binding.action: self.run_action(action))


def close_concern(app, concern_id: str, done) -> None:
    """Ask for a safeguarding concern's outcome and close it with it; `done()` runs once it is closed
    (the review screen's button and the walk-through's palette command)."""
    from audit_tui.storage.store import StoreError

    def closed(outcome: str | None) -> None:
        if not outcome:
            return
        try:
            app.store.handle_concern(concern_id, outcome)
        except StoreError as exc:
            app.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        app.notify("Concern closed with its outcome (logged).")
        done()

    app.push_screen(ReasonDialog("Close this safeguarding concern?", "What was the outcome: what was done, by "
                                 "whom? A concern is closed only with its outcome. This is logged.",
                                 placeholder="Outcome"), closed)


class ReasonDialog(KeepsTypedWork, ModalScreen[str | None]):
    """Ask for a reason (e.g. to reopen a completed audit); dismisses with it or None."""

    CSS_PATH = DIALOGS_CSS

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
        self.step_back(None)


class ConcernDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """Raise a safeguarding concern: what was found, who was told (when, how), the two managers the
    urgent action goes to and, in a care-leaver audit, the route for a young person aged 18–25."""

    CSS_PATH = DIALOGS_CSS

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
        self.step_back(None)


class ConflictDialog(ModalScreen[str | None]):
    """Another session saved a field while the auditor was editing it: keep mine, take theirs, or see both.

    Dismisses with "mine", "theirs" or None (decide later: the change stays on screen, not saved)."""

    CSS_PATH = DIALOGS_CSS

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
