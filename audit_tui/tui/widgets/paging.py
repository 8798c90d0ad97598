"""Long lists a page at a time: the next page of a DataTable loads as it is scrolled near its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.widgets import DataTable

PAGE = 100
"""Rows loaded at first (more than a screenful); the next page loads as the list is scrolled to its end."""
MORE_WITHIN = 20
"""How near the end (in rows) the cursor or the view comes before the next page loads."""


class Pager:
    """Fills `table` from `fetch(offset, limit)` a page at a time, `add(table, rows)` adding the rows.

    `reload` reads the first page again (or as many rows as are shown, to keep the place); the
    screen calls `scrolled` when the table scrolls and `highlighted` when its cursor moves."""

    def __init__(self, table: DataTable, fetch: Callable[[int, int], list[Any]],
                 add: Callable[[DataTable, list[Any]], None], page: int | None = None):
        self.table = table
        self._fetch = fetch
        self._add = add
        self.page = page or PAGE
        self.more = False  # the last page read was full: there may be more rows

    def reload(self, *, keep_place: bool = False) -> list[Any]:
        """Clear the table and read it again; returns the rows read."""
        limit = max(self.page, self.table.row_count) if keep_place else self.page
        rows = self._fetch(0, limit)
        self.more = len(rows) == limit
        self.table.clear()
        self._add(self.table, rows)
        return rows

    def load_more(self) -> None:
        """The next page, if there may be one."""
        if not self.more:
            return
        rows = self._fetch(self.table.row_count, self.page)
        self.more = len(rows) == self.page
        self._add(self.table, rows)

    def scrolled(self, scroll_y: float) -> None:
        if self.more and scroll_y + self.table.scrollable_content_region.height + MORE_WITHIN >= self.table.row_count:
            self.load_more()

    def highlighted(self, cursor_row: int) -> None:
        if self.more and cursor_row + MORE_WITHIN >= self.table.row_count:
            self.load_more()
