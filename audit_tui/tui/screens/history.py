"""An audit's history: every change, who made it and when, in words (not field ids).

The list fits the screen (the change is cut to the width left); the highlighted change is shown
whole below it. End goes to the last change.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from audit_tui.domain.gates import question_label
from audit_tui.domain.models import SAFEGUARDING_STATEMENTS
from audit_tui.tui.format import grade_label
from audit_tui.tui.widgets.keyfooter import KeyFooter

AUDIT_FIELDS = {
    "created": "Audit started", "status": "Status", "reopen_reason": "Reason for reopening",
    "lived_experience": "Lived experience narrative", "impact": "Impact narrative",
    "overall_grade": "Overall grade", "overall_reason": "Reason for the overall grade",
    "concern": "Safeguarding concern raised", "concern_handled": "Safeguarding concern handled",
    "moderation": "Moderation", "moderated_overall_grade": "Moderated overall grade", "allocation": "Allocated",
    "case_ref": "Case ref", "service_area": "Service area", "team": "Team", "worker": "Worker",
    "auditor": "Auditor", "round": "Round", "audited_on": "Audit date", "safeguarding": "Safeguarding statement",
}
ANSWER_FIELDS = {"grade": "grade", "evidence": "evidence", "na_reason": "n/a reason", "themes": "themes",
                 "moderated_grade": "moderated grade"}
ACTION_FIELDS = {"description": "description", "owner": "owner", "due": "due date", "status": "status",
                 "question": "question", "done_on": "done date", "note": "note"}
GRADED = {"grade", "overall_grade", "moderated_overall_grade"}


class HistoryScreen(Screen[None]):
    """The append-only log of one audit, oldest first."""

    CSS_PATH = "history.tcss"
    FOOTER = ("last", "app.pop_screen", "help")

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", key_display="Esc", id="history.back"),
        Binding("end", "last", "Last change", priority=True, id="history.last"),
    ]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        audit = self.app.store.get_audit(self.audit_id)
        self.template = self.app.store.template_of(audit)
        yield Header()
        yield Static(f"History of the audit of {audit.case_ref} — every change, who made it and when",
                     classes="title", markup=False)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="history-detail-box"):
            yield Static("", id="history-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Who", "What", "Change")
        self.rows = self.app.store.history(self.audit_id)
        described = [self.describe(row) for row in self.rows]
        wide = self.app.size.width >= 120  # names and questions whole where there is room
        who = min(20 if wide else 10, max((len(r["who"] or "") for r in self.rows), default=0))
        what_width = min(44 if wide else 26, max((len(d[0]) for d in described), default=0))
        width = max(20, self.app.size.width - 16 - who - what_width - 8)  # when, who, what, the table's gaps
        for row, (what, old, new) in zip(self.rows, described):
            table.add_row(Text(row["at"][:16].replace("T", " ")), _cut(row["who"] or "", who),
                          _cut(what, what_width), _cut(_change(old, new), width))
        table.focus()

    def describe(self, row: dict) -> tuple[str, str, str]:
        """What changed, in words, and its old and new values as people say them."""
        field, old, new = row["field"], row["old"] or "", row["new"] or ""
        name, _, attr = field.partition(":")
        if name == "action":
            action_id, _, attr = attr.partition(":")
            what = f"Action {action_id[:4]} " + ACTION_FIELDS.get(attr, attr) if attr else (
                "Action removed" if not new else "Action added")
        elif self.template.question(name) is not None:
            what = f"{question_label(self.template, name)} {ANSWER_FIELDS.get(attr, attr)}"
        else:
            what = AUDIT_FIELDS.get(field, field.replace("_", " ").capitalize())
        if attr in GRADED or field in GRADED:
            old, new = (grade_label(v) if v else "" for v in (old, new))
        elif field == "safeguarding":
            old, new = (SAFEGUARDING_STATEMENTS.get(v, v) for v in (old, new))
        elif attr == "themes":
            old, new = (self._themes(v) for v in (old, new))
        return what, old, new

    def _themes(self, stored: str) -> str:
        """Theme tags as stored (a JSON list of ids) named as the walk-through names them."""
        try:
            ids = json.loads(stored) if stored else []
        except ValueError:
            return stored
        if not isinstance(ids, list):
            return stored
        labels = {theme.id: theme.label for theme in self.template.themes}
        return ", ".join(labels.get(str(i), str(i)) for i in ids) or "(none)"

    @on(DataTable.RowHighlighted, "#history")
    def _show_whole(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows[event.cursor_row]
        what, old, new = self.describe(row)
        self.query_one("#history-detail", Static).update(
            f"{what} — {row['who'] or 'unknown'}, {row['at'][:16].replace('T', ' ')} UTC\n"
            + (f"Before: {old}\n" if old else "") + (f"After: {new}" if new else "(removed)"))

    def action_last(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)


def _change(old: str, new: str) -> str:
    old, new = (" ".join(v.split()) for v in (old, new))
    if old and new:
        return f"{old} → {new}"
    return new or f"{old} → (removed)"


def _cut(text: str, width: int) -> Text:
    text = " ".join(text.split())
    return Text(text if len(text) <= width else text[: width - 1] + "…")
