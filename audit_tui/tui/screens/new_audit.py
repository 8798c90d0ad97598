"""New audit: the case and the audit's details, each explained beside its field."""

from __future__ import annotations

import re
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static

from audit_tui.domain.models import Template, date_problem, parse_date
from audit_tui.domain.templates import discover_templates
from audit_tui.storage.store import StoreError
from audit_tui.tui.format import show_text
from audit_tui.tui.screens.dialogs import KeepsTypedWork
from audit_tui.tui.widgets.keyfooter import KeyFooter

CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}")
FIELDS = [
    ("case_ref", "Case ref", "e.g. CL-0042 — the case reference only, never the child's name"),
    ("service_area", "Service area", "e.g. care leavers"),
    ("team", "Team", "the case's team"),
    ("worker", "Worker", "the allocated social worker or personal adviser"),
    ("auditor", "Auditor", "your name (remembered)"),
    ("round", "Round", "e.g. 2026-02 practice week"),
    ("audited_on", "Audit date", "a date like 14/12/2026"),
]


def available_templates(app) -> list[Template]:
    """Built-in and user templates, plus any stored in the database (e.g. imported)."""
    found, _ = discover_templates(app.settings.template_dir or None)
    seen = {(t.id, t.version) for t in found}
    found += [t for t in app.store.stored_templates() if (t.id, t.version) not in seen]
    return found


class NewAuditScreen(KeepsTypedWork, Screen[str | None]):
    """Collects the audit's details; dismisses with the new audit's id."""

    CSS_PATH = "new_audit.tcss"
    AUTO_FOCUS = "#template"
    """Focused as the form opens (Textual's default, the first focusable widget, is the scrolling form itself:
    focusing it, then the template, restyled the whole form twice at each opening)."""

    FOOTER = ("start", "cancel", "help")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", key_display="Esc", id="new.cancel"),
        Binding("ctrl+s", "start", "Start audit", priority=True, id="new.start"),
    ]

    def __init__(self, defaults: dict[str, str] | None = None, title: str = "New audit") -> None:
        """`defaults` pre-fill the form (e.g. an allocated case: case_ref, team, …, template_id); `title`
        says what the audit is (e.g. the follow-up of an earlier one)."""
        super().__init__()
        self.defaults = defaults or {}
        self.title_text = title
        self._suggested_area = ""  # the service area the chosen template filled in, until it is typed over

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        defaults = {"auditor": settings.auditor_name, "round": settings.last_round,
                    "team": settings.last_team, "audited_on": date.today().isoformat()}
        defaults.update({k: v for k, v in self.defaults.items() if v})
        self.templates = available_templates(self.app)
        chosen = next((i for i, t in reversed(list(enumerate(self.templates)))
                       if t.id == defaults.get("template_id")), Select.NULL)
        yield Header()
        with VerticalScroll(id="new-form"):
            yield Static(self.title_text, classes="title", markup=False)
            with Horizontal(classes="field"):
                yield Label("Template", classes="field-label")
                yield Select([(Text(f"{t.title} (v{t.version})"), i) for i, t in enumerate(self.templates)],
                             prompt="Choose a template", id="template", allow_blank=True, compact=True,
                             value=chosen)
            yield Label("", id="template-error", classes="field-error")
            for key, label, hint in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(value=defaults.get(key, ""), placeholder=hint, id=key, max_length=120, compact=True)
                yield Label("", id=f"{key}-error", classes="field-error")
            yield Static("", id="already-audited", markup=False)
            with Horizontal(id="new-buttons"):
                yield Button("Start audit (ctrl+s)", variant="primary", id="start")
                yield Button("Cancel (esc)", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#already-audited").display = False
        for label in self.query(".field-error"):
            label.display = False
        select = self.query_one("#template", Select)
        prefilled = self.defaults.get("case_ref") and isinstance(select.value, int)
        (self.query_one("#start") if prefilled else select).focus()

    @on(Select.Changed, "#template")
    def _template_chosen(self, event: Select.Changed) -> None:
        area = self.query_one("#service_area", Input)
        if isinstance(event.value, int) and (not area.value.strip() or getattr(area, "suggested", False)):
            template = self.templates[event.value]
            self._suggested_area = template.service_areas[0] if template.service_areas else ""
            area.value = self._suggested_area
            area.suggested = bool(area.value)  # type: ignore[attr-defined]  # entered selected (tui/app.py)
        self.query_one("#template-error", Label).display = False

    @on(Input.Changed, "#service_area")
    def _service_area_typed(self, event: Input.Changed) -> None:
        if event.value != self._suggested_area:
            event.input.suggested = False  # type: ignore[attr-defined]  # typed: entered at its end again

    @on(Input.Changed, "#case_ref")
    def _case_ref_changed(self, event: Input.Changed) -> None:
        notice = self.query_one("#already-audited", Static)
        ref = event.value.strip()
        recent = self.app.store.recent_audits_of_case(ref) if ref else []
        notice.display = bool(recent)
        show_text(notice, "Already audited in the last 12 months: " + "; ".join(
            f"{r['audited_on']} by {r['auditor'] or 'unknown'} ({r['status']}{', ' + r['round'] if r['round'] else ''})"
            for r in recent))

    @on(Input.Changed)
    def _recheck(self, event: Input.Changed) -> None:
        """A field's error goes as soon as the field is right (and changes if it is wrong another way)."""
        label = self.query(f"#{event.input.id}-error")
        if label and label.first().display:
            values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _, _ in FIELDS}
            problem = self.validate(values).get(event.input.id or "")
            label.first().update(problem or "")
            label.first().display = bool(problem)

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _, _ in FIELDS}
        errors = self.validate(values)
        for key, _, _ in FIELDS:
            label = self.query_one(f"#{key}-error", Label)
            label.update(errors.get(key, ""))
            label.display = key in errors
        choice = self.query_one("#template", Select).value
        template_error = self.query_one("#template-error", Label)
        template_error.update("" if isinstance(choice, int) else "Choose a template")
        template_error.display = not isinstance(choice, int)
        if errors or not isinstance(choice, int):
            first = next((k for k, _, _ in FIELDS if k in errors), None)
            (self.query_one(f"#{first}") if first else self.query_one("#template")).focus()
            return
        template = self.templates[choice]
        audited_on = parse_date(values.pop("audited_on"))
        # remembered first, so the new audit's history is credited to this name (not the computer login)
        self.app.update_settings(auditor_name=values["auditor"], last_round=values["round"],
                                 last_team=values["team"])
        try:
            audit_id = self.app.store.create_audit(template, audited_on=audited_on, **values)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(audit_id)

    @staticmethod
    def validate(values: dict[str, str]) -> dict[str, str]:
        """Messages for fields that are wrong, keyed by field."""
        errors = {}
        if not values["case_ref"]:
            errors["case_ref"] = "Enter the case reference"
        elif not CASE_REF.fullmatch(values["case_ref"]):
            errors["case_ref"] = "Letters, digits and - / _ . only (at most 40); no names"
        if not values["auditor"]:
            errors["auditor"] = "Enter your name as auditor"
        if problem := date_problem(values["audited_on"]):
            errors["audited_on"] = problem
        return errors

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
