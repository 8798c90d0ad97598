"""Settings: auditor name, organisation, the logo and version label of the documents, theme and template folder."""

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

FIELDS = ("auditor_name", "organisation", "logo", "version_label", "template_dir")


def _max_length(name: str) -> int:
    """The most characters the settings keep in the field `name` (0: no limit)."""
    return next((m.max_length for m in Settings.model_fields[name].metadata if hasattr(m, "max_length")), 0)


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
                    yield Input(getattr(settings, name), id=name, placeholder=doc, compact=True,
                                max_length=_max_length(name))
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
        from audit_tui.report.branding import logo_problem  # (python-docx: loaded only when saving)

        values = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        values["theme"] = str(self.query_one("#theme", Select).value)
        try:
            settings = Settings.model_validate({**self.app.settings.model_dump(), **values})
            why = logo_problem(settings.logo)
            if not why:
                save_settings(settings)
        except (ValidationError, OSError) as exc:
            message = (exc.errors()[0]["msg"] if isinstance(exc, ValidationError)
                       else user_message(exc, "your settings were not changed"))
            self.query_one("#settings-error", Static).update(f"Not saved: {message}")
            return
        if why:  # as the documents would say, but before any is written
            self.query_one("#settings-error", Static).update(
                f"Not saved: the logo {settings.logo} cannot be used, because {why}.")
            self.query_one("#logo", Input).focus()
            return
        self.app.settings = settings
        self.notify("Settings saved.")
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
