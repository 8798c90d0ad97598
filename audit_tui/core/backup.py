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

from .store import Store, StoreError


class BackupError(StoreError):
    """A backup that could not be made; the message is for the user."""


def backup(store: Store, destination: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the database to `destination` (owner-only, integrity-checked); returns its path."""
    destination = Path(destination)
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder; give a file name, e.g. {destination / 'audits-backup.db'}")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists; use --force to replace it")
    if destination.exists() and destination.resolve() == store.path.resolve():
        raise BackupError("that is the database itself; give another file name")
    if not destination.parent.is_dir():
        raise BackupError(f"no folder {destination.parent}")
    tmp = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    old_umask = os.umask(0o077)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
        except OSError as exc:
            raise BackupError(f"cannot write {destination}: {exc.strerror}") from None
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            store.db.conn.backup(target)  # one step: a consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in target.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy failed its integrity check ({problems[0]}); no backup was written")
        except sqlite3.Error as exc:
            raise BackupError(f"the backup failed: {exc}") from None
        finally:
            target.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, destination)
    finally:
        os.umask(old_umask)
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return destination
