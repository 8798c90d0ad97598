"""The store's writes for a merge: rows copied from another audit-tui database, as the merge decides.

A part of `Store` (like Casework): features/merge.py compares the two databases and decides what
comes across; only these methods write it, inside the merge's one transaction. Text is cleaned on
the way in (the other file may hold what this one refuses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit_tui.domain.models import clean_text
from audit_tui.storage.part import Part

HISTORY_COLUMNS = ("at", "who", "audit_id", "field", "old", "new", "ref")


def clean(value: Any) -> Any:
    """A value from the other database as this one stores it (text cleaned; numbers and None as they are)."""
    return clean_text(value) if isinstance(value, str) else value


def columns(db, table: str) -> list[str]:
    """The columns of `table` in a sqlite-utils database, read from SQLite's own table list (one query:
    a merge asks this for every table of every audit it copies)."""
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _row_order(db, table: str) -> str:
    """The order `table`'s rows were written in: its key for a WITHOUT ROWID table, else its rowid."""
    schema = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    if schema and "WITHOUT ROWID" in (schema[0] or "").upper():
        keys = sorted((row[5], row[1]) for row in db.execute(f'PRAGMA table_info("{table}")') if row[5])
        return ", ".join(name for _, name in keys)
    return "rowid"


class Copying(Part):
    """Rows copied in from another database (a part the Store owns: `store.copying`)."""

    def copy_rows_from(self, other, table: str, where: str, params: Sequence[Any]) -> int:
        """Copy `other`'s rows of `table` matching `where` (the columns both sides have); the count."""
        theirs = set(columns(other.db, table))
        shared = [c for c in columns(self.db, table) if c in theirs]
        names = ", ".join(shared)
        rows = [[clean(v) for v in row] for row in other.db.execute(
            f"SELECT {names} FROM {table} WHERE {where} ORDER BY {_row_order(other.db, table)}", list(params))]
        if rows:
            with self.store.transaction():
                self.db.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(shared))})",
                                         rows)
        return len(rows)

    def add_history_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """History rows another copy wrote (HISTORY_COLUMNS), added as they were: the trail travels with its audit."""
        with self.store.transaction():
            self.db.conn.executemany(
                f"INSERT INTO history ({', '.join(HISTORY_COLUMNS)}) VALUES ({', '.join('?' * len(HISTORY_COLUMNS))})",
                [tuple(clean(v) for v in row) for row in rows])

    def replace_audit_from(self, other, audit_id: str, children: Sequence[str], audit_columns: Sequence[str]) -> None:
        """This copy of an audit replaced by `other`'s (changed only there): its row and its parts in `children`."""
        with self.store.transaction():
            for table in reversed(children):
                self.db.execute(f"DELETE FROM {table} WHERE audit_id = ?", [audit_id])
            values = other.db.execute(f"SELECT {', '.join(audit_columns)} FROM audits WHERE id = ?",
                                      [audit_id]).fetchone()
            self.db.execute(f"UPDATE audits SET {', '.join(f'{c} = ?' for c in audit_columns)} WHERE id = ?",
                            [*(clean(v) for v in values), audit_id])
            for table in children:
                self.copy_rows_from(other, table, "audit_id = ?", [audit_id])

    def add_allocation_row(self, values: dict[str, Any]) -> None:
        """An allocated case another copy has and this one lacks (its columns as stored there)."""
        with self.store.transaction():
            self.db.execute(f"INSERT INTO allocations ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                            [clean(v) for v in values.values()])

    def set_allocation_audit(self, allocation_id: int, audit_id: str) -> None:
        """An allocated case's audit, started on another copy."""
        with self.store.transaction():
            self.db.execute("UPDATE allocations SET audit_id = ? WHERE id = ?", [audit_id, allocation_id])

    def note(self, field: str, text: str) -> None:
        """A line in the trail about the whole database (a merge, say), not one audit."""
        with self.store.transaction():
            self.trail.log(None, field, None, text)
