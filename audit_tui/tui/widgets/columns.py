"""Columns that fit the terminal: a list shows what matters whole at 80 columns, more as it widens.

A table's key columns are always shown (narrowed to their least width if need be); the others
follow in the order given (their importance), each if the width left holds it, narrowed to what
is left. A cell's text is cut to its column's width with an ellipsis, so nothing runs off
the right edge and no horizontal scrolling is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.widgets import DataTable

PADDING = 2
"""A DataTable cell's padding, one cell either side."""
SCROLLBAR = 2
"""The vertical scrollbar's width, kept free so that the last column is never under it."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """The most it needs (its widest usual value)."""
    least: int = 0
    """The narrowest it is worth showing at (0: as wide as `width`)."""
    always: bool = False
    """A key column, shown at any width."""

    @property
    def narrowest(self) -> int:
        return self.least or self.width


def fitting(columns: Sequence[Column], width: int) -> dict[str, int]:
    """The columns shown at a terminal `width` cells wide, each key with its width, in display order."""
    left = width - SCROLLBAR
    widths: dict[str, int] = {}
    for column in columns:  # the key columns, always
        widths[column.key] = column.narrowest if column.always else 0
        left -= (column.narrowest + PADDING) if column.always else 0
    for column in columns:  # widened to what they need, while the width allows
        if column.always and left > 0:
            extra = min(column.width - column.narrowest, left)
            widths[column.key] += extra
            left -= extra
    for column in columns:  # then the others, in order of importance, each if it fits
        if column.always or left < column.narrowest + PADDING:
            continue
        widths[column.key] = min(column.width, left - PADDING)
        left -= widths[column.key] + PADDING
    return {key: shown for key, shown in widths.items() if shown}


class FittingTable(DataTable):
    """A DataTable whose columns fit its own width: `COLUMNS` given, rows added with `add(values, key)` (a Text
    per column key); when the table is resized, its columns are chosen again and its rows shown again, the
    cursor on the same row."""

    def __init__(self, columns: Sequence[Column], **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec = list(columns)
        self.widths: dict[str, int] = {}  # the columns shown, by key, with their widths
        self._values: dict[str, dict[str, Text]] = {}  # every row's values by its key, in order

    def fit(self, width: int) -> bool:
        """Choose the columns for `width` cells (the rows go with them); True if they changed."""
        widths = fitting(self.spec, width)
        if widths == self.widths:
            return False
        self.widths = widths
        super().clear(columns=True)
        for column in self.spec:
            if column.key in widths:
                self.add_column(column.label, key=column.key, width=widths[column.key])
        return True

    def add(self, values: dict[str, Text], key: str) -> None:
        if not self.widths:
            self.fit(self.size.width or self.app.size.width)
        self._values[key] = values
        self.add_row(*cells(self.widths, values), key=key)

    def clear(self, columns: bool = False) -> "FittingTable":
        self._values = {}
        super().clear(columns)
        if columns:
            self.widths = {}
        return self

    def on_resize(self, event: events.Resize) -> None:
        current = self.cursor_row
        if self.fit(event.size.width):
            for key, values in self._values.items():
                self.add_row(*cells(self.widths, values), key=key)
            if self.row_count:
                self.move_cursor(row=min(current, self.row_count - 1))


def cells(widths: dict[str, int], values: dict[str, Text]) -> list[Text]:
    """A row's cells for the columns shown, each on one line, cut to its column's width with an ellipsis."""
    row = []
    for key, width in widths.items():
        text = values[key]
        if "\n" in text.plain:
            text = Text(" ".join(text.plain.split()), style=text.style)
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        row.append(text)
    return row
