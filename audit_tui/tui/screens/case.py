"""A case's audits side by side (`c` on the home screen): a column per audit, oldest first, a row per
question; the lead sets an inadequate audit's re-audit date (`r`), and a follow-up audit records which
audit it follows and whether those actions made a difference (`f`, or F9 in the walk-through)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static

from audit_tui.domain.models import ILACS, IMPACT, AuditRecord
from audit_tui.domain.values import cut_keeping_number
from audit_tui.features.casebook import case_comparison, followup_defaults
from audit_tui.storage.store import StoreError
from audit_tui.tui.screens.dialogs import DIALOGS_CSS, KeepsTypedWork, ReasonDialog
from audit_tui.tui.widgets.keyfooter import KeyFooter

ROWS = (("Auditor", "auditor"), ("Status", "status"), ("Overall", "overall_label"), ("Follows up", "follows_on"),
        ("Actions made a difference", "followup_label"), ("Re-audit due", "reaudit_due"),
        ("Actions (open)", "actions_text"))


LABEL_WIDTH = max(len(label) for label, _ in ROWS)
"""The first column, as wide as its longest label ("Actions made a difference"), whole at 80 columns."""
AUDIT_WIDTH = 15, 20
"""An audit's column: at least 15 (three fit beside the labels at 80 columns), at most 20 (a grade, a name
or "Some improvement" whole), as the width allows."""


def _cell(value) -> Text:
    return Text("—" if value in (None, "") else str(value), no_wrap=True, overflow="ellipsis")


class CaseScreen(Screen[None]):
    """Every audit of one case side by side; ←/→ move between audits, Enter opens the one under the cursor."""

    DEFAULT_CSS = "#case-table { height: 1fr; }"  # the table scrolls, under the case's title
    FOOTER = ("open", "reaudit", "followup", "back", "help")
    BINDINGS = [
        Binding("escape", "back", "Back", key_display="Esc", id="case.back"),
        Binding("enter", "open", "Open audit", id="case.open"),
        Binding("r", "reaudit", "Re-audit date", id="case.reaudit"),
        Binding("f", "followup", "Follow-up", id="case.followup"),
    ]

    def __init__(self, case_ref: str) -> None:
        super().__init__()
        self.case_ref = case_ref
        self.audits: list[dict] = []
        self._width = 0  # the width the audits' columns were shared out for

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="case-title", markup=False)
        yield DataTable(id="case-table", cursor_type="column", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def on_resize(self, event) -> None:
        if self.audits and event.size.width != self._width:  # the audits' columns share the new width
            self.load()

    def load(self) -> None:
        compared = case_comparison(self.app.store, self.case_ref)
        self.audits = compared["audits"]
        table = self.query_one(DataTable)
        column = table.cursor_column
        table.clear(columns=True)
        table.add_column("", key="label", width=LABEL_WIDTH)
        least, most = AUDIT_WIDTH
        self._width = self.app.size.width
        share = (self._width - 2 - LABEL_WIDTH - 2) // max(1, len(self.audits)) - 2
        for audit in self.audits:
            table.add_column(audit["audited_on"], key=audit["id"], width=max(least, min(most, share)))
        for label, key in ROWS:
            table.add_row(Text(label, style="bold"), *(_cell(a.get(key)) for a in self.audits))
        for row in compared["questions"]:  # "Strategy discussion… Q3": the number stays in sight
            table.add_row(_cell(cut_keeping_number(row["label"], LABEL_WIDTH)), *(_cell(g) for g in row["grades"]))
        table.move_cursor(column=max(1, min(column, len(self.audits))))
        self.query_one("#case-title", Static).update(
            f"{compared['case_ref']} · {len(self.audits)} audit(s) side by side, oldest first · ←/→ choose an audit")

    def current(self) -> dict | None:
        index = self.query_one(DataTable).cursor_column - 1
        return self.audits[index] if 0 <= index < len(self.audits) else None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self) -> None:
        from audit_tui.tui.screens.audit import AuditScreen

        audit = self.current()
        if audit:
            self.app.push_screen(AuditScreen(audit["id"]))

    def action_reaudit(self) -> None:
        audit = self.current()
        if not audit or audit["overall"] != "inadequate" or audit["status"] == "draft":
            self.notify("A re-audit date is set on a completed audit graded inadequate.", severity="warning")
            return

        def given(text: str | None) -> None:
            if text is None:
                return
            try:
                self.app.store.schedule_reaudit(audit["id"], text)
            except StoreError as exc:
                self.notify(str(exc), title="Not saved", severity="error", markup=False)
                return
            self.load()
            self.notify("Re-audit date saved (logged); it shows on the round dashboard.", timeout=5)

        self.app.push_screen(ReasonDialog(f"Re-audit of {self.case_ref} (audited {audit['audited_on']})",
                                          "When is the case to be audited again? A date like 14/04/2026.",
                                          placeholder="Re-audit date"), given)

    def action_followup(self) -> None:
        """On a draft: which audit it follows up, and the judgement; on a completed audit: start its follow-up."""
        audit = self.current()
        if audit and audit["status"] == "draft":
            edit_followup(self.app, self.app.store.get_audit(audit["id"]), self.load)
        elif audit:
            start_followup(self.app, audit["id"])


def start_followup(app, earlier_id: str) -> None:
    """Start the audit that follows up `earlier_id` (a re-audit): the new-audit form filled from the earlier
    audit; the new audit is linked to it at once (as F9 does) and opened."""
    from audit_tui.tui.screens.audit import AuditScreen
    from audit_tui.tui.screens.new_audit import NewAuditScreen

    earlier = app.store.get_audit(earlier_id)

    def started(audit_id: str | None) -> None:
        if not audit_id:
            return
        try:
            app.store.set_followup(audit_id, follows=earlier_id)
        except StoreError as exc:
            app.notify(f"The audit is started but not linked: {exc}. Press F9 to link it.", severity="warning",
                       markup=False)
        else:
            app.notify(f"Follows up the audit of {earlier.audited_on:%d/%m/%Y}: before completing, say whether "
                       "its actions made a difference (F9).", timeout=8, markup=False)
        app.push_screen(AuditScreen(audit_id))

    app.push_screen(NewAuditScreen(followup_defaults(app.store, earlier_id),
                                   title=f"New audit: follow-up of {earlier.case_ref}, "
                                         f"audited {earlier.audited_on:%d/%m/%Y}"), started)


def edit_followup(app, audit: AuditRecord, saved: Callable[[], None]) -> None:
    """Open the follow-up dialog for a draft audit; save through the store, then call `saved`."""
    if audit.status != "draft":
        app.notify("The follow-up is recorded on a draft audit (reopen it to change it).", severity="warning")
        return
    earlier = [a for a in app.store.case_audits(audit.case_ref)
               if a["id"] != audit.id and a["status"] != "draft" and a["audited_on"] <= audit.audited_on.isoformat()]
    if not earlier:
        app.notify(f"There is no earlier completed audit of {audit.case_ref} to follow up.", severity="warning")
        return

    def done(fields: dict | None) -> None:
        if fields is None:
            return
        try:
            app.store.set_followup(audit.id, **fields)
        except StoreError as exc:
            app.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        saved()
        app.notify("Follow-up saved (logged).", timeout=4)

    app.push_screen(FollowupDialog(audit, earlier), done)


def grade_label(grade: str | None) -> str:
    """An overall grade as people read it ("Requires improvement to be good"), not its id."""
    level = ILACS.level(grade or "")
    return level.label if level else grade or "no grade"


class FollowupDialog(KeepsTypedWork, ModalScreen[dict | None]):
    """Which earlier audit this one follows up (the latest by default), and whether its actions made a
    difference, on the impact scale, with what shows it."""

    CSS_PATH = DIALOGS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="followup.cancel"),
        Binding("ctrl+s", "save", "Save follow-up", priority=True, id="followup.save"),
    ]

    def __init__(self, audit: AuditRecord, earlier: list[dict]) -> None:
        super().__init__()
        self.audit = audit
        self.earlier = earlier

    def compose(self) -> ComposeResult:
        audits = [(f"{a['audited_on']} by {a['auditor'] or '?'} ({grade_label(a['overall'])})", a["id"])
                  for a in reversed(self.earlier)]
        judged = self.audit.followup
        with Vertical(id="followup-dialog", classes="dialog"):
            yield Label(f"Follow-up of {self.audit.case_ref}", classes="section-title")
            with Horizontal(classes="field"):
                yield Label("Follows up", classes="field-label")
                yield Select(audits, value=self.audit.follows or audits[0][1], allow_blank=False, id="fu-follows",
                             compact=True)
            with Horizontal(classes="field"):
                yield Label("Difference", classes="field-label")
                yield Select([(level.label, level.id) for level in IMPACT.levels],
                             value=judged.impact if judged else Select.NULL, prompt="Did the actions make a difference?",
                             id="fu-impact", compact=True)
            yield Static("", id="fu-descriptor", classes="prompt", markup=False)
            yield Input(judged.note if judged else "", placeholder="What shows it: what changed for the child since",
                        id="fu-note", max_length=500)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="fu-save")
                yield Button("Cancel (esc)", id="fu-cancel")

    @on(Select.Changed, "#fu-impact")
    def _describe(self, event: Select.Changed) -> None:
        level = IMPACT.level(event.value) if isinstance(event.value, str) else None
        self.query_one("#fu-descriptor", Static).update(level.description if level else "")

    @on(Button.Pressed, "#fu-save")
    def action_save(self) -> None:
        impact = self.query_one("#fu-impact", Select).value
        if not isinstance(impact, str):
            self.notify("Say whether the actions made a difference.", severity="error")
            return
        self.dismiss({"follows": self.query_one("#fu-follows", Select).value, "impact": impact,
                      "note": self.query_one("#fu-note", Input).value})

    @on(Button.Pressed, "#fu-cancel")
    def action_cancel(self) -> None:
        self.step_back(None)
