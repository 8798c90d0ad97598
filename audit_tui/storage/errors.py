"""The store's errors: each message is a sentence for the user, never quoting case data."""

from __future__ import annotations

import sqlite3

from audit_tui.domain import gates
from audit_tui.files.failures import error_kind
from audit_tui.storage.dbfile import describe_sqlite_error


class ProblemsError(Exception):
    """A refusal listing every problem found; the message is the first, with a count of the rest."""

    def __init__(self, problems: list[str] | str):
        problems = [problems] if isinstance(problems, str) else list(problems)
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)
        self.problems = problems


class StoreError(Exception):
    """A change the store refuses; the message is for the user."""


class DatabaseBusy(StoreError):
    """Another session held the write lock for longer than the busy timeout; nothing was written."""


class StorageError(StoreError):
    """The database file could not take the change (disk full, I/O error, read-only, damaged)."""


class AuditLocked(StoreError):
    """The audit is completed or moderated: reopen it first."""


class EditConflict(StoreError):
    """A field changed in the database since the editor last read it (another session saved it);
    nothing was written. `field` is as history names it (`impact`, `plan.quality:evidence`), `mine`
    the value refused, `theirs` the value saved, `who` and `at` from that save's history row."""

    def __init__(self, field: str, mine, theirs, who: str, at: str):
        when = f" at {at[11:16]}" if len(at or "") >= 16 else ""
        super().__init__(f"{who or 'someone'} saved a change to the {field.split(':')[-1].replace('_', ' ')}"
                         f"{when} while you were editing it; your change was not saved")
        self.field, self.mine, self.theirs, self.who, self.at = field, mine, theirs, who, at


class GatesNotMet(StoreError):
    """Completion refused; `findings` says what is missing and where."""

    def __init__(self, findings: list[gates.Finding]):
        super().__init__(f"{len(findings)} quality gate(s) not met")
        self.findings = findings


def store_error(exc: sqlite3.Error) -> StoreError:
    """The StoreError for an SQLite error met in a write transaction."""
    kind = error_kind(exc)
    cls = DatabaseBusy if kind == "busy" else StoreError if kind == "other" else StorageError
    return cls(describe_sqlite_error(exc))


def validated(model, **fields):
    """`model(**fields)`, with a validation failure as a StoreError naming the field (never its value)."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or model.__name__
        raise StoreError(f"{where}: {error['msg']}") from None
