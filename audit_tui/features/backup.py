"""`audit-tui backup FILE`: a consistent copy of the database, taken while others keep working.

The copy is made with SQLite's online backup API (`Connection.backup`), so it is a
consistent snapshot even while other sessions write. It is written to a temporary
file readable by its owner only, checked with `PRAGMA integrity_check`, switched
to a single self-contained file (journal mode DELETE) and only then renamed into
place. An existing file is never replaced unless asked.

Restore: close every audit-tui session, then copy the backup over the database file
(and delete any `-wal` and `-shm` files beside it). To look at a backup without
restoring it: `audit-tui --db BACKUP`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from audit_tui.files.failures import os_reason
from audit_tui.files.safefiles import is_side_file, remove_with_journal, temp_beside
from audit_tui.storage.store import Store, StoreError


class BackupError(StoreError):
    """A backup that could not be made; the message is for the user."""


def backup(store: Store, destination: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the database to `destination` (owner-only, integrity-checked); returns its path."""
    destination = Path(destination)
    _check_destination(store, destination, overwrite=overwrite)
    try:
        fd, tmp = temp_beside(destination)
    except OSError as exc:
        raise BackupError(f"cannot write {destination}: {os_reason(exc)}") from None
    old_umask = os.umask(0o077)
    try:
        try:  # the file mkstemp made, never a link put in its place (SQLite opens it again by name)
            target = sqlite3.connect(f"{Path(os.path.abspath(tmp)).as_uri()}?nofollow=1", uri=True,
                                     isolation_level=None)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot write {destination}: {exc}") from None
        try:
            if not os.path.samestat(os.fstat(fd), os.lstat(tmp)):
                raise BackupError(f"the temporary file beside {destination} was replaced; no backup was written")
            store.db.conn.backup(target)  # one step: a consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in target.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy failed its integrity check ({problems[0]}); no backup was written")
        except sqlite3.Error as exc:
            raise BackupError(f"the backup failed: {exc}") from None
        finally:
            target.close()
        os.replace(tmp, destination)
    finally:
        os.close(fd)
        os.umask(old_umask)
        remove_with_journal(tmp)
    return destination


def _check_destination(store: Store, destination: Path, *, overwrite: bool) -> None:
    """Refuse a folder, an existing file (unless asked), the database itself and a journal file's name."""
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder; give a file name, e.g. {destination / 'audits-backup.db'}")
    if _is_database(store, destination):
        raise BackupError("that is the database itself; give another file name")
    if is_side_file(destination):
        raise BackupError(f"{destination.name} is the name of a database's journal file, which the database would "
                          "delete; give another file name")
    if os.path.lexists(destination) and not overwrite:
        raise BackupError(f"{destination} already exists; use --force to replace it")
    if not destination.parent.is_dir():
        raise BackupError(f"no folder {destination.parent}")


def _is_database(store: Store, destination: Path) -> bool:
    try:
        return destination.resolve() == store.path.resolve() or os.path.samefile(destination, store.path)
    except OSError:
        return False
