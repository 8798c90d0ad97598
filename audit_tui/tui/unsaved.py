"""Keeping the auditor's work when a save fails (database busy, disk full, …).

The walk-through saves every change at once. When a save fails, the change is
remembered here, stays on screen (even across redraws), is retried on the next
save, on ctrl+s and before leaving the audit, and leaving with unsaved work takes
a second press.

It also keeps what the auditor last saw of each field (as read from, or saved to, the
database): every save passes it to the store, which refuses to write over a field another
session saved meanwhile (EditConflict) — the screen then asks which text to keep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from audit_tui.domain.models import Answer, AuditRecord

AUDIT_LEVEL = ""  # the `question` of audit-level fields (narratives, details)
CONFIRM_SECONDS = 5.0


class UnsavedChanges:
    """Changes not yet in the database, keyed by (question or "", field)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        self.seen = AuditRecord.model_construct(answers=[])  # the values as last read or saved
        self._leave_asked = 0.0

    def read(self, audit: AuditRecord) -> None:
        """Note an audit as just read from the database (before `overlay`). A field with an unsaved
        change keeps the value seen when the change was made: that is what the change replaces."""
        kept = {key: self.seen_value(*key) for key in self.values}
        self.seen = audit.model_copy(deep=True)
        for (question, field), value in kept.items():
            _set(self.seen, question, field, value)

    def seen_value(self, question: str, field: str) -> Any:
        if question == AUDIT_LEVEL:
            return getattr(self.seen, field, None)
        answer = next((a for a in self.seen.answers if a.question == question), None) or Answer(question=question)
        return getattr(answer, field)

    def expected(self, question: str, changes: dict[str, Any]) -> dict[str, Any]:
        """For the store: the value the auditor saw of each changed field."""
        return {field: self.seen_value(question, field) for field in changes}

    def saw(self, question: str, field: str, value: Any) -> None:
        """The auditor has seen `value` of a field (and chose to replace it with their change)."""
        _set(self.seen, question, field, value)

    def saved(self, question: str, changes: dict[str, Any]) -> None:
        """The changes are in the database: forget them as unsaved, and note them as seen."""
        self.forget(question, changes)
        for field, value in changes.items():
            _set(self.seen, question, field, value)

    def __bool__(self) -> bool:
        return bool(self.values)

    def remember(self, question: str, changes: dict[str, Any]) -> None:
        self.values.update({(question, field): value for field, value in changes.items()})

    def forget(self, question: str, changes: dict[str, Any]) -> None:
        for field in changes:
            self.values.pop((question, field), None)

    def by_question(self) -> dict[str, dict[str, Any]]:
        grouped: dict[str, dict[str, Any]] = {}
        for (question, field), value in self.values.items():
            grouped.setdefault(question, {})[field] = value
        return grouped

    def save_all(self, write: Callable[[str, dict[str, Any]], None]) -> bool:
        """Try to write every remembered change with `write(question, changes)` (which raises when
        it cannot, and calls `saved` when it has); True when nothing is left unsaved."""
        for question, changes in self.by_question().items():
            write(question, changes)
        return not self.values

    def overlay(self, audit: AuditRecord) -> None:
        """Show the unsaved values in a freshly read audit, so a redraw does not wipe them."""
        for (question, field), value in self.values.items():
            _set(audit, question, field, value)

    def confirm_leave(self) -> bool:
        """True on the second request to leave within a few seconds."""
        now = time.monotonic()
        if now - self._leave_asked < CONFIRM_SECONDS:
            return True
        self._leave_asked = now
        return False


def _set(audit: AuditRecord, question: str, field: str, value: Any) -> None:
    """Set an audit-level field (question "") or a field of an answer (added if missing)."""
    if question == AUDIT_LEVEL:
        setattr(audit, field, value)
        return
    answer = next((a for a in audit.answers if a.question == question), None)
    if answer is None:
        answer = Answer(question=question)
        audit.answers.append(answer)
    setattr(answer, field, value)
