"""Checks that keep a database file safe: nothing broken or foreign is ever made worse.

Before a database is opened for writing, `inspect` looks at it read-only: is it an
SQLite file at all, is it whole, is it audit-tui's (not another program's), is it
from a newer version of audit-tui, does `PRAGMA quick_check` pass? Any "no" is a
`DatabaseError` with a one-line message, and the file is left exactly as it was.

`describe_sqlite_error` turns SQLite's errors into sentences for users, and
`integrity_check` is the full check that merge and restore run on what they made.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from audit_tui.files.failures import error_kind, os_reason

BUSY_TIMEOUT_S = 30.0
BUSY_TIMEOUT_ENV = "AUDIT_TUI_BUSY_TIMEOUT"
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"
UNTOUCHED = "it was left untouched"

BUSY = "the database is busy — another session is saving; your change was not lost, try again"
FULL = "the disk is full — your change was not saved; free some space and try again"
IO_ERROR = "the database file could not be read or written (disk I/O error) — your change was not saved; check the disk"
READ_ONLY = "the database is read-only — your change was not saved; check the file's and its folder's permissions"
DAMAGED = "the database file is damaged — your change was not saved; restore a backup"
CANNOT_OPEN = "the database file cannot be opened (was it moved or deleted?) — your change was not saved"


class DatabaseError(Exception):
    """A database that cannot be opened or used; the message is for the user."""


class DatabaseLocked(DatabaseError):
    """Another session held a lock SQLite would not wait for (e.g. while it creates the database)."""


def busy_timeout(value: float | None = None) -> float:
    """How long a write waits for another session's lock: `value`, else $AUDIT_TUI_BUSY_TIMEOUT, else 30 s."""
    if value is not None:
        return max(0.0, float(value))
    try:
        return max(0.0, float(os.environ.get(BUSY_TIMEOUT_ENV, BUSY_TIMEOUT_S)))
    except ValueError:
        return BUSY_TIMEOUT_S


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """A sentence for users about a failed write (never quoting the data being written)."""
    kind = error_kind(exc)
    known = {"busy": BUSY, "full": FULL, "io": IO_ERROR, "readonly": READ_ONLY, "damaged": DAMAGED,
             "notadb": DAMAGED, "cantopen": CANNOT_OPEN}
    if kind in known:
        return known[kind]
    return f"the database refused the change ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})" \
           " — your change was not saved"


def _sidecar(path: Path, suffix: str) -> Path:
    return Path(f"{path}{suffix}")


def check_file(path: Path) -> None:
    """Refuse, before SQLite opens it, a path that is no database file (a folder, a special file, a file
    too short to be one). What its header says is read through SQLite by `inspect`, never with a file
    handle of our own: closing any handle on the file would drop every POSIX lock this process holds
    on it, so another session could take this process's open connections for gone and delete the WAL."""
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if not path.is_file():
        raise DatabaseError(f"{path} is not a regular file; {UNTOUCHED}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {os_reason(exc)}") from None
    if 0 < size < 512:  # smaller than the smallest page: SQLite would take it for an empty database
        raise DatabaseError(f"{path} is too short to be a database (another kind of file, or a damaged database); "
                            f"{UNTOUCHED} — check the path, or restore a backup if it is your database")


def _check_length(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file shorter than its header says (truncated), unless a journal may complete it."""
    size = path.stat().st_size
    if not size or any(j.exists() and j.stat().st_size > 0 for j in (_sidecar(path, "-wal"),
                                                                       _sidecar(path, "-journal"))):
        return  # new and empty, or the journal may complete the file: let SQLite judge (quick_check)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]  # the header's count, when it is valid
    if size % page_size or size < pages * page_size:
        raise DatabaseError(f"{path} is damaged (the file is truncated); {UNTOUCHED} — restore a backup")


def open_error(path: Path, exc: sqlite3.Error) -> DatabaseError:
    """The DatabaseError for an SQLite error met while opening `path`."""
    kind = error_kind(exc)
    if kind == "notadb":
        return DatabaseError(f"{path} is not an audit-tui database (not a readable SQLite file); {UNTOUCHED}")
    if kind == "damaged":
        return DatabaseError(f"{path} is damaged ({exc}); {UNTOUCHED} — restore a backup")
    if kind == "busy":
        return DatabaseLocked(f"{path} is busy: another program holds it locked; try again")
    if kind == "readonly":
        return DatabaseError(f"{path} is read-only for you; {UNTOUCHED} — check its and its folder's permissions")
    if kind == "full":
        return DatabaseError(f"cannot open {path}: the disk is full")
    return DatabaseError(f"{path} could not be read: another program may have changed it, or it is damaged "
                         f"(SQLite said: {exc}); {UNTOUCHED}")


def inspect(path: Path, *, migration_set: str, known_migrations: list[str], timeout: float,
            defer_large: bool = False) -> bool:
    """Look at an existing database read-only; raise DatabaseError if it must not be opened for writing.

    With `defer_large`, `PRAGMA quick_check` of a file over DEFER_CHECK_BYTES already in WAL mode (so
    that opening it writes nothing) is left to a `DeferredCheck`: returns True when it was left out."""
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise open_error(path, exc) from None
    try:
        _check_length(conn, path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied: list[str] = []
        if MIGRATIONS_TABLE in tables:
            applied = [row[0] for row in conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [migration_set])]
        unknown = [name for name in applied if name not in known_migrations]
        if version > len(known_migrations) or unknown:
            raise DatabaseError(
                f"{path} was written by a newer version of audit-tui (schema {max(version, len(applied))}, "
                f"this version knows {len(known_migrations)}); upgrade audit-tui to open it — {UNTOUCHED}")
        if {t for t in tables if not t.startswith("sqlite_")} and not applied:
            raise DatabaseError(f"{path} is an SQLite database of another program, not audit-tui's; {UNTOUCHED}")
        if defer_large and path.stat().st_size > DEFER_CHECK_BYTES and \
                conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return True
        _quick_check(conn, path)
        return False
    except sqlite3.Error as exc:
        raise open_error(path, exc) from None
    finally:
        conn.close()


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        first = problems[0].splitlines()[-1] if problems and problems[0] else "quick_check failed"
        raise DatabaseError(f"{path} is damaged ({first}); {UNTOUCHED} — restore a backup")


def quick_check(path: Path, timeout: float) -> None:
    """`PRAGMA quick_check` of a database file, opened read-only; DatabaseError if it fails."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise open_error(path, exc) from None
    try:
        _quick_check(conn, path)
    except sqlite3.Error as exc:
        raise open_error(path, exc) from None
    finally:
        conn.close()


DEFER_CHECK_BYTES = 8 * 1024 * 1024
"""quick_check reads the whole file, so its time grows with it: above this size it is not run while
opening, which would make start-up grow with the database, but by a `DeferredCheck`."""


class DeferredCheck:
    """The quick_check of a large database, run before its first write (`wait`), or earlier in a
    background thread (`start`, e.g. once the app is on screen). Reading needs no check: SQLite
    reports a damaged page it reads as an error; writing to a damaged file could make it worse."""

    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout
        self._thread: threading.Thread | None = None
        self._error: DatabaseError | None = None
        self.done = False

    def _run(self) -> None:
        try:
            quick_check(self.path, self.timeout)
        except DatabaseError as exc:
            self._error = exc
        except Exception as exc:  # noqa: BLE001 - reported on the first write
            self._error = DatabaseError(f"{self.path} could not be checked ({exc})")
        self.done = True

    def start(self) -> None:
        """Run the check in a background thread (its own read-only connection)."""
        if self._thread is None and not self.done:
            self._thread = threading.Thread(target=self._run, name="audit-tui quick_check", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        """Finish the check (here if it was never started); raise DatabaseError if the file is damaged."""
        if self._thread is not None:
            self._thread.join()
        elif not self.done:
            self._run()
        if self._error is not None:
            raise self._error


def open_elsewhere(path: Path) -> bool:
    """True if another session (another audit-tui window, or another connection of this one) has the database
    at `path` open: it asks SQLite for the file alone (exclusive locking) and gives it straight back. A file
    that is about to be replaced must not be, then: that session would go on saving into the old file."""
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        return False
    except sqlite3.DatabaseError as exc:  # (not a database at all: nobody has it open as one)
        return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    finally:
        conn.close()


def check_writable(path: Path) -> None:
    """audit-tui writes the file and, beside it, its journal (-wal, -shm): both must be allowed."""
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseError(f"{path} is read-only (or not readable) for you; {UNTOUCHED} — "
                            "check its permissions")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseError(f"the folder {path.parent} is read-only for you, and audit-tui keeps its journal "
                            f"beside the database; {UNTOUCHED}")


def integrity_check(target, *, foreign_keys: bool = True) -> list[str]:
    """Full `PRAGMA integrity_check` (and foreign_key_check) of a path, connection or sqlite_utils Database.

    Returns the problems found: an empty list means the database is sound. A path
    is opened read-only. Merge and restore call this on what they wrote.
    """
    own = isinstance(target, (str, Path))
    if own:
        try:
            conn = sqlite3.connect(Path(target).resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout())
        except sqlite3.Error as exc:
            return [f"cannot open: {exc}"]
    else:
        conn = getattr(target, "conn", target)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        if foreign_keys:
            problems += [f"{row[0]} row {row[1]}: missing {row[2]} row" for row in
                         conn.execute("PRAGMA foreign_key_check")]
        return problems
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        if own:
            conn.close()


def require_integrity(target, what: str = "the database") -> None:
    """Raise DatabaseError naming the first problem if `integrity_check` finds any."""
    problems = integrity_check(target)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DatabaseError(f"{what} failed its integrity check: {problems[0].splitlines()[0]}{more}")
