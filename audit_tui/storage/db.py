"""Opening the SQLite database safely (its schema: `storage.migrations`)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from audit_tui.files.failures import os_reason
from audit_tui.storage import dbfile, sharing
from audit_tui.storage.dbfile import BUSY_TIMEOUT_S, SQLITE_MAGIC, DatabaseError, integrity_check, require_integrity  # noqa: F401
from audit_tui.storage.migrations import migrate, migrations, schema_version  # noqa: F401
from audit_tui.storage.sqlite import sqlite_utils


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only, or by its group too in a folder set up
    for sharing (see storage.sharing); another process may beat us to it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, sharing.new_database_mode(path))  # (the umask would take the group's bits off)
    finally:
        os.close(fd)


def connect(path: str | Path, *, create: bool = True, busy_timeout: float | None = None,
            defer_check: bool = False) -> sqlite_utils.Database:
    """Open (creating if asked) a database with WAL, synchronous=FULL, foreign keys and a busy timeout.

    An existing file is first inspected read-only (see `dbfile.inspect`): one that is not
    audit-tui's, damaged, newer or read-only is refused with a DatabaseError and left untouched.
    With `defer_check`, the quick_check of a large file already in WAL mode with no migration
    pending is left to `db.deferred_check` (a `dbfile.DeferredCheck`: the store runs it before
    its first write), so that opening does not take longer as the database grows.
    """
    path = Path(path)
    timeout = dbfile.busy_timeout(busy_timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _connect_once(path, create=create, timeout=timeout, defer_check=defer_check)
        except dbfile.DatabaseLocked:
            # SQLite gives up at once, without its busy wait, where waiting could deadlock (two
            # sessions creating or converting the same new file): wait here instead.
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _connect_once(path: Path, *, create: bool, timeout: float, defer_check: bool) -> sqlite_utils.Database:
    deferred = None
    old_umask = os.umask(0o077)  # WAL and SHM files are owner-only too
    try:
        if not path.exists() and not path.is_symlink():
            if not create:
                raise DatabaseError(f"no database at {path}")
            try:
                _create_private(path)
            except OSError as exc:
                raise DatabaseError(f"cannot create {path}: {os_reason(exc)}") from None
        dbfile.check_writable(path)  # first: inspect opens the file read-only through SQLite
        sharing.check_side_files(path)  # and SQLite would use the journal files beside it
        dbfile.check_file(path)
        if dbfile.inspect(path, migration_set=migrations.name,
                          known_migrations=[m.name for m in migrations._migrations], timeout=timeout,
                          defer_large=defer_check):
            deferred = dbfile.DeferredCheck(path, timeout)
        try:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=True)
        except sqlite3.Error as exc:
            raise dbfile.open_error(path, exc) from None
        try:
            db = sqlite_utils.Database(conn, execute_plugins=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            # statement journals (multi-row writes firing triggers) and the summaries' temp tables in
            # memory, not in temporary files
            db.execute("PRAGMA temp_store=MEMORY")
            if migrations.pending(db):
                if deferred is not None:
                    deferred.wait()  # never migrate a damaged file
                migrate(db)
        except sqlite3.Error as exc:
            conn.close()
            raise dbfile.open_error(path, exc) from None
        except DatabaseError:
            conn.close()
            raise
    finally:
        os.umask(old_umask)
    db.deferred_check = deferred
    return db


def open_read_only(path: Path) -> sqlite_utils.Database:
    """Another audit-tui database, opened read-only after the checks `connect` makes (whole, audit-tui's,
    not newer, quick_check); a DatabaseError (one sentence) when it cannot be read. Nothing is written."""
    dbfile.check_file(path)
    dbfile.inspect(path, migration_set=migrations.name, timeout=dbfile.busy_timeout(),
                   known_migrations=[m.name for m in migrations._migrations])  # noqa: SLF001
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=dbfile.busy_timeout(),
                               isolation_level=None)
    except sqlite3.Error as exc:
        raise dbfile.open_error(path, exc) from None
    return sqlite_utils.Database(conn, execute_plugins=False)

