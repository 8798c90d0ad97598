"""The history trail: writing it (`Trail`, the store's), and comparing two copies' trails (merge).

Every change is logged in the append-only `history` table: who, when, audit, field, old → new. A
session typing on in a text field extends its own newest row for COALESCE_SECONDS instead of adding
one per pause; the row's `ref` names the edit.

A history row, as merges read it, is (at, who, audit_id, field, old, new, ref). Merging two copies of
a database (features.merge, features.conclusions_merge) takes an item from the other side only when
this side's trail of it is a prefix of the other's; `event`, `extends`, `settled` and `is_prefix` are
the rules for that comparison.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from audit_tui.domain.models import clean_text
from audit_tui.domain.values import new_id, now_iso
from audit_tui.domain.values import stored_text as _text
from audit_tui.storage.errors import EditConflict

if TYPE_CHECKING:
    from audit_tui.storage.sqlite import sqlite_utils

TEXT_FIELDS = {"evidence", "lived_experience", "impact", "na_reason", "overall_reason", "description", "note",
               "commentary"}  # (the lead's commentary on a round: storage.conclusions)
COALESCE_SECONDS = 120


class Trail:
    """One session's history trail: who writes (`actor`), and the edit its typing extends. Called inside
    the store's write transactions."""

    def __init__(self, db: sqlite_utils.Database, actor: str):
        self.db = db
        self.actor = actor
        self._typing: str | None = None  # the ref of the history row this session last wrote

    def log(self, audit_id: str | None, field: str, old: Any, new: Any) -> None:
        """A history row for one changed field (none when the value is unchanged)."""
        old, new = _text(old), _text(new)
        if old == new:
            return
        at = now_iso()
        if field.split(":")[-1] in TEXT_FIELDS and self._typing:
            # Typing on extends this session's own newest row (never a row written by another session,
            # or on another copy of the file: merge must see that as another edit)
            last = self.db.execute(
                "SELECT id, at, who, audit_id, field, ref FROM history ORDER BY id DESC LIMIT 1").fetchone()
            if (last and last[2:] == (self.actor, audit_id, field, self._typing)
                    and _seconds_between(last[1], at) < COALESCE_SECONDS):
                self.db.execute("UPDATE history SET new = ?, at = ? WHERE id = ?", [new, at, last[0]])
                return
        self._typing = new_id()
        self.db.execute(
            "INSERT INTO history (at, who, audit_id, field, old, new, ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [at, self.actor, audit_id, field, old, new, self._typing],
        )

    def touch(self, audit_id: str) -> None:
        """The audit was changed now (its `updated_at`: the home screen's newest first)."""
        self.db.execute("UPDATE audits SET updated_at = ? WHERE id = ?", [now_iso(), audit_id])

    def unchanged_since_seen(self, audit_id: str, field: str, stored: Any, expected: dict[str, Any] | None,
                             name: str, new: Any) -> None:
        """Refuse (EditConflict) to write `new` over a value that is no longer the one the editor last saw
        (`expected[name]`): another session saved this field meanwhile. Called inside the write transaction."""
        if expected is None or name not in expected:
            return
        stored = _comparable_value(name, stored)
        if stored in (_comparable_value(name, expected[name]), _comparable_value(name, new)):
            return
        last = self.db.execute("SELECT who, at FROM history WHERE audit_id = ? AND field = ? ORDER BY id DESC LIMIT 1",
                               [audit_id, field]).fetchone() or ("", "")
        theirs = json.loads(stored) if name == "themes" else stored
        raise EditConflict(field, new, theirs, clean_text(last[0] or ""), last[1] or "")


def _comparable_value(name: str, value: Any) -> str:
    """A field's value as stored, for comparing what an editor saw with what is saved (None is empty)."""
    if name == "themes":
        value = json.loads(value) if isinstance(value, str) else value
        return json.dumps(sorted(set(value or [])))
    return _text(value) or ""


def _seconds_between(earlier: str, later: str) -> float:
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()
    except ValueError:
        return COALESCE_SECONDS


def event(row: tuple) -> tuple:
    """What a history row records. A row with a ref is that edit (or that import: a file's audit gives
    the same ref in every database, whoever imported it when) with its values; a row without is all of it."""
    return (row[6], *row[2:6]) if row[6] else row[:6]


def extends(row: tuple, later: tuple) -> bool:
    """`later` may be `row` extended while its author kept typing: the same edit (same ref, or for rows
    without one the same who, field and old value), saved later. Two edits of a field, one on each
    copy, have different refs: a conflict even when one person made both."""
    return row[6] == later[6] and row[1:5] == later[1:5] and (row[0] or "") <= (later[0] or "")


def settled(rows: list[tuple]) -> list[tuple]:
    """A history without rows superseded by their own extension."""
    return [row for row, after in zip(rows, rows[1:] + [None]) if after is None or not extends(row, after)]


def is_prefix(short: list[tuple], long: list[tuple]) -> bool:
    """`short` starts `long`; its last row may since have been extended (see `extends`)."""
    short, long = settled(short), settled(long)
    if len(short) > len(long):
        return False
    if not short:
        return True
    if [event(r) for r in short[:-1]] != [event(r) for r in long[:len(short) - 1]]:
        return False
    mine, theirs = short[-1], long[len(short) - 1]
    return event(mine) == event(theirs) or extends(mine, theirs)
