"""Saving the walk-through's edits: each change at once, over the values the auditor saw.

A mixin of the audit screen (screens/audit.py): it shows "✓ Saved" with the time, keeps a change
that could not be saved on screen (tui/unsaved.py) and retries it, and, when another session saved
the same field meanwhile (EditConflict), asks which text to keep.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.widgets import Static

from audit_tui.domain.models import NA
from audit_tui.storage.store import EditConflict, StoreError
from audit_tui.tui.unsaved import AUDIT_LEVEL, UnsavedChanges

if TYPE_CHECKING:
    from textual.screen import Screen

    from audit_tui.domain.models import Template
    from audit_tui.storage.store import Store

    _Base = Screen
else:
    _Base = object


LEFT_FOR_LATER = "✗ Not saved — someone else changed it (ctrl+s to decide)"


class SavesEdits(_Base):
    """The saving half of the audit screen; the screen provides store, audit_id, template, unsaved and reload."""

    audit_id: str
    template: Template
    unsaved: UnsavedChanges
    _asking: bool  # a conflict dialog is open
    _later: set[str]  # the fields whose conflict the auditor left for later (Esc): not asked again at each key

    if TYPE_CHECKING:
        @property
        def store(self) -> Store: ...

        def reload(self) -> None: ...

    def mark_saved(self) -> None:
        """'✓ Saved' and the time. Over an earlier '✓ Saved' the line keeps its width, so the screen is not laid
        out again (it was at each key typed in a text box: each key saves)."""
        saved = self.query_one("#saved", Static)
        saved.update(f"✓ Saved {datetime.now():%H:%M:%S}", layout=not str(saved.content).startswith("✓ Saved "))

    def save(self, write) -> bool:
        """Run one store write; show 'saved', or the problem (the text stays on screen)."""
        try:
            write()
        except StoreError as exc:
            self.not_saved(exc)
            return False
        if not self.unsaved:
            self.mark_saved()
        return True

    def not_saved(self, exc: StoreError) -> None:
        if isinstance(exc, EditConflict) and exc.field.startswith("action:"):
            self.query_one("#saved", Static).update("✗ Not saved — someone else changed it")
            self.notify(f"{exc}. Your edit is shown again over the action as now saved: save it to keep yours, "
                        "or Esc to keep theirs.", title="Changed by someone else", severity="warning",
                        markup=False, timeout=10)
        elif isinstance(exc, EditConflict) and exc.field in self._later:  # typing on: held, asked at ctrl+s
            self.query_one("#saved", Static).update(LEFT_FOR_LATER)
        elif isinstance(exc, EditConflict):
            self.query_one("#saved", Static).update("✗ Not saved — someone else changed it")
            self.ask_conflict(exc)
        else:
            self.query_one("#saved", Static).update("✗ Not saved — ctrl+s to try again")
            self.notify(str(exc), title="Not saved", severity="error", markup=False)

    def write(self, question: str, changes: dict) -> None:
        """Save changes to one answer (or, question "", to the audit) over the values the auditor saw:
        the store refuses (EditConflict) where another session saved something else meanwhile."""
        expected = self.unsaved.expected(question, changes)
        if question == AUDIT_LEVEL:
            self.store.update_audit(self.audit_id, expected=expected, **changes)
        else:
            self.store.set_answer(self.audit_id, question, expected=expected, **changes)
        self.unsaved.saved(question, changes)

    def retry_unsaved(self, *, quiet: bool = False) -> bool:
        """Write the changes an earlier save could not; True when none is left."""
        if not self.unsaved:
            return True
        try:
            self.unsaved.save_all(self.write)
        except StoreError as exc:
            if not quiet:
                self.not_saved(exc)
            return False
        self.mark_saved()
        return True

    def ask_conflict(self, exc: EditConflict) -> None:
        """Another session saved this field meanwhile: keep mine (saved over theirs, in the history),
        take theirs (mine dropped, theirs shown), or see both first; Esc decides later (not saved)."""
        from audit_tui.tui.screens.dialogs import ConflictDialog

        if self._asking:
            return
        self._asking = True
        question, _, field = exc.field.rpartition(":")
        what = field.replace("_", " ") + (" of this question" if question else "")
        try:
            when = datetime.fromisoformat(exc.at).astimezone().strftime(" at %H:%M")
        except (TypeError, ValueError):  # (a history row without a time)
            when = ""

        def decided(choice: str | None) -> None:
            self._asking = False
            if choice is None:
                self._later.add(exc.field)
                self.query_one("#saved", Static).update(LEFT_FOR_LATER)
            else:
                self._later.discard(exc.field)
            if choice == "mine":
                self.unsaved.saw(question, field, exc.theirs)
                if self.retry_unsaved():
                    self.notify(f"Your {what} is saved over {exc.who}'s; the history keeps both.", timeout=6)
            elif choice == "theirs":
                self.unsaved.forget(question, {field: None})
                self.reload()
                self.notify(f"Showing {exc.who}'s {what}; yours was not saved.", timeout=6)
                if self.retry_unsaved(quiet=True):  # nothing else waits: no more "Not saved" at the top
                    self.query_one("#saved", Static).update(f"✓ Showing what {exc.who} saved")

        self.app.push_screen(ConflictDialog(what, exc.who, when, self._shown(question, field, exc.mine),
                                            self._shown(question, field, exc.theirs)), decided)

    def _shown(self, question: str, field: str, value) -> str:
        """A field's value in words, for the conflict dialog."""
        if field.endswith("grade") and value:
            scale = self.template.scale_of(question) if question else self.template.overall_scale()
            level = scale.level(value)
            value = level.label if level else "n/a" if value == NA else value
        if isinstance(value, list):
            value = ", ".join(value)
        return str(value) if value else "(nothing)"
