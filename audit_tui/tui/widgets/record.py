"""The case record beside a training audit: scrollable, read-only, searchable (/ find, n next, N previous)."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Selection

TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def readable(markdown: str) -> str:
    """The record's Markdown as plain text: headings in capitals, no ** marks, tables as lines."""
    lines = []
    for line in markdown.splitlines():
        line = line.replace("**", "").replace("__", "")
        heading = HEADING.match(line)
        if heading:
            title = heading.group(2).strip()
            lines.append(title.upper() if len(heading.group(1)) <= 2 else title)
            continue
        if line.startswith("> "):
            line = "  " + line[2:]
        stripped = line.strip()
        if stripped.startswith("|") and TABLE_RULE.match(stripped):
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            lines.append("• " + " · ".join(c for c in cells if c))
            continue
        lines.append(line)
    return "\n".join(lines)


def find_all(text: str, query: str) -> list[int]:
    """Start offsets of every case-insensitive occurrence of `query`."""
    if not query:
        return []
    return [m.start() for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


class RecordPane(Vertical):
    """Read the case file without leaving the audit; / finds, n and N move between matches."""

    DEFAULT_CSS = """
    RecordPane { width: 1fr; height: 1fr; border-left: tall $primary; padding: 0 0 0 1; }
    RecordPane #record-help { color: $text-muted; height: 1; }
    RecordPane #record-find { display: none; }
    RecordPane.-finding #record-find { display: block; }
    RecordPane #record-text { height: 1fr; border: none; padding: 0; }
    """
    BINDINGS = [
        Binding("slash", "find", "Find", id="record.find"),
        Binding("n", "find_next", "Next match", id="record.next"),
        Binding("N", "find_previous", "Previous match", id="record.previous"),
    ]

    def __init__(self, case_ref: str, markdown: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.case_ref = case_ref
        self.text = readable(markdown)
        self.query_text = ""
        self.matches: list[int] = []
        self.current = -1

    def compose(self) -> ComposeResult:
        yield Static(f"Record {self.case_ref} (fictional) · / find · n next · N previous · F3 the form", id="record-help",
                     markup=False)
        yield Input(placeholder="Find in the record (Enter; Esc to close)", id="record-find", max_length=100)
        area = TextArea(self.text, id="record-text", read_only=True, soft_wrap=True, show_line_numbers=False)
        try:
            area.language = "markdown"
        except Exception:  # noqa: BLE001 - highlighting is cosmetic; plain text is fine
            pass
        yield area

    def focus_text(self) -> None:
        self.query_one("#record-text", TextArea).focus()

    def action_find(self) -> None:
        self.add_class("-finding")
        field = self.query_one("#record-find", Input)
        field.value = self.query_text
        field.focus()

    @on(Input.Submitted, "#record-find")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.find(event.value)
        self.remove_class("-finding")
        self.focus_text()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.has_class("-finding"):
            event.stop()
            self.remove_class("-finding")
            self.focus_text()

    def find(self, query: str) -> int:
        """Select the first match at or after the cursor; returns the number of matches."""
        self.query_text = query.strip()
        self.matches = find_all(self.text, self.query_text)
        area = self.query_one("#record-text", TextArea)
        here = area.document.get_index_from_location(area.selection.end) if self.matches else 0
        self.current = next((i for i, start in enumerate(self.matches) if start >= here), 0) - 1
        self._step(1)
        return len(self.matches)

    def action_find_next(self) -> None:
        self._step(1)

    def action_find_previous(self) -> None:
        self._step(-1)

    def _step(self, offset: int) -> None:
        help_line = self.query_one("#record-help", Static)
        if not self.matches:
            help_line.update(f"No match for “{self.query_text}” · / find again" if self.query_text
                             else f"Case record {self.case_ref} — / find")
            return
        self.current = (self.current + offset) % len(self.matches)
        start = self.matches[self.current]
        area = self.query_one("#record-text", TextArea)
        document = area.document
        area.selection = Selection(document.get_location_from_index(start),
                                   document.get_location_from_index(start + len(self.query_text)))
        area.scroll_cursor_visible(center=True)
        position = f"{self.current + 1}/{len(self.matches)}"
        help_line.update(f"{position} “{self.query_text}” · n next · N previous · / find")
