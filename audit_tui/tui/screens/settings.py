"""Settings: auditor name, organisation, theme and template folder."""

from __future__ import annotations

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from audit_tui.files.failures import user_message
from audit_tui.files.settings import Settings, save_settings
from audit_tui.tui.screens.dialogs import KeepsTypedWork

FIELDS = ("auditor_name", "organisation", "template_dir")


class SettingsScreen(KeepsTypedWork, ModalScreen[None]):
    """Edit and save settings; each field is explained and validated."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
        Binding("ctrl+s", "save", "Save", priority=True, id="settings.save"),
    ]

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        with Vertical(classes="dialog", id="settings"):
            yield Label("Settings", classes="section-title")
            for name in FIELDS:
                doc = Settings.model_fields[name].description or ""
                with Horizontal(classes="field"):
                    yield Label(name.replace("_", " ").capitalize(), classes="field-label")
                    yield Input(getattr(settings, name), id=name, placeholder=doc, compact=True)
                yield Static(doc, classes="prompt", markup=False)
            with Horizontal(classes="field"):
                yield Label("Theme", classes="field-label")
                yield Select([(Text(name), name) for name in sorted(self.app.available_themes)],
                             value=self.app.theme, id="theme", allow_blank=False, compact=True)
            yield Static("", id="settings-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    @on(Select.Changed, "#theme")
    def _preview(self, event: Select.Changed) -> None:
        self.app.theme = str(event.value)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        values["theme"] = str(self.query_one("#theme", Select).value)
        try:
            settings = Settings.model_validate({**self.app.settings.model_dump(), **values})
            save_settings(settings)
        except (ValidationError, OSError) as exc:
            message = (exc.errors()[0]["msg"] if isinstance(exc, ValidationError)
                       else user_message(exc, "your settings were not changed"))
            self.query_one("#settings-error", Static).update(f"Not saved: {message}")
            return
        self.app.settings = settings
        self.notify("Settings saved.")
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
