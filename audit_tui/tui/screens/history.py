"""An audit's history: every change, who made it and when."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..widgets.keyfooter import KeyFooter


def _short(value: str | None, width: int = 60) -> Text:
    text = " ".join((value or "").split())
    return Text(text if len(text) <= width else text[: width - 1] + "…")


class HistoryScreen(Screen[None]):
    """The append-only log of one audit, oldest first."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="history.back")]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id

    def compose(self) -> ComposeResult:
        audit = self.app.store.get_audit(self.audit_id)
        yield Header()
        yield Static(f"History of the audit of {audit.case_ref} — every change, who made it and when",
                     classes="title", markup=False)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Who", "What", "Old", "New")
        for row in self.app.store.history(self.audit_id):
            table.add_row(Text(row["at"][:19].replace("T", " ")), Text(row["who"] or ""), Text(row["field"]),
                          _short(row["old"]), _short(row["new"]))
        table.focus()
