"""Keeping the auditor's work when a save fails (database busy, disk full, …).

The walk-through saves every change at once. When a save fails, the change is
remembered here, stays on screen (even across redraws), is retried on the next
save, on ctrl+s and before leaving the audit, and leaving with unsaved work takes
a second press.
"""

from __future__ import annotations

import time
from typing import Any

from ..core.models import Answer, AuditRecord

AUDIT_LEVEL = ""  # the `question` of audit-level fields (narratives, details)
CONFIRM_SECONDS = 5.0


class UnsavedChanges:
    """Changes not yet in the database, keyed by (question or "", field)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        self._leave_asked = 0.0

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

    def save_all(self, store, audit_id: str) -> bool:
        """Try to write every remembered change; True when nothing is left unsaved."""
        for question, changes in self.by_question().items():
            if question == AUDIT_LEVEL:
                store.update_audit(audit_id, **changes)
            else:
                store.set_answer(audit_id, question, **changes)
            self.forget(question, changes)
        return not self.values

    def overlay(self, audit: AuditRecord) -> None:
        """Show the unsaved values in a freshly read audit, so a redraw does not wipe them."""
        for question, changes in self.by_question().items():
            if question == AUDIT_LEVEL:
                for field, value in changes.items():
                    setattr(audit, field, value)
                continue
            answer = next((a for a in audit.answers if a.question == question), None)
            if answer is None:
                answer = Answer(question=question)
                audit.answers.append(answer)
            for field, value in changes.items():
                setattr(answer, field, value)

    def confirm_leave(self) -> bool:
        """True on the second request to leave within a few seconds."""
        now = time.monotonic()
        if now - self._leave_asked < CONFIRM_SECONDS:
            return True
        self._leave_asked = now
        return False
