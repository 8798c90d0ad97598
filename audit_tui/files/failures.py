"""Plain sentences for failures that the operating system or Python reports (a full disk, no
permission, no memory, a number too long to read), for the command line and the app. Each says
what was not done and that the database is safe: every change is committed as it is made, and
every file is written to a temporary name first, so a failure leaves no half-written file.
Standard library only.
"""

from __future__ import annotations

import errno
import sqlite3

SAFE = "Your database is safe: every change saved before this is kept."
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EFBIG: "the file would be larger than this computer allows",
    errno.EPERM: "that file or folder is locked, or belongs to someone else",
    errno.EACCES: "you do not have permission to use that file or folder",
    errno.EROFS: "the disk is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOENT: "there is no such file or folder",
    errno.ENOTDIR: "part of the path is not a folder",
    errno.EISDIR: "that is a folder, not a file",
    errno.EEXIST: "a file of that name is already there",
    errno.EIO: "the disk reported an error while reading or writing",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open",
    errno.ELOOP: "the path goes round in a loop of symbolic links",
    errno.EXDEV: "the file cannot be moved between those two disks",
    errno.ETXTBSY: "the file is in use",
    errno.EBUSY: "the file or folder is in use",
}

_SQLITE_REASONS = {"full": "The disk is full",
                   "io": "The disk reported an error while reading or writing the database file"}


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, in plain words (lower case, no full stop)."""
    reason = _REASONS.get(exc.errno)
    if reason:
        return reason
    text = (exc.strerror or "the computer refused it").strip().rstrip(".")
    return text[:1].lower() + text[1:]


def plain_failure(exc: BaseException, not_done: str) -> str | None:
    """The sentence for `exc` when its own message is a raw Python one, else None (the message of
    audit-tui's own errors is already for the user). `not_done` says what did not happen, e.g.
    "the report was not written"."""
    if isinstance(exc, MemoryError):
        return f"There was not enough memory, so {not_done}. {SAFE}"
    if isinstance(exc, OSError):
        target = exc.filename2 or exc.filename  # a rename names its target second
        where = f" ({target})" if target else ""
        reason = os_reason(exc)
        return f"{reason[:1].upper()}{reason[1:]}{where}, so {not_done}. {SAFE}"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return f"A number has more than 4,300 digits, too long to read, so {not_done}. {SAFE}"
    if isinstance(exc, RecursionError):
        return f"The input is nested too deeply to read, so {not_done}. {SAFE}"
    if isinstance(exc, sqlite3.Error):  # met outside a saving transaction (a report filling its cache, say)
        reason = _SQLITE_REASONS.get(error_kind(exc))
        return f"{reason}, so {not_done}. {SAFE}" if reason else None
    return None


def user_message(exc: BaseException, not_done: str) -> str:
    """The one line to show for any failure: `plain_failure`, else the exception's first line."""
    plain = plain_failure(exc, not_done)
    if plain:
        return plain
    text = str(exc).strip()
    return text.splitlines()[0] if text else f"{not_done[:1].upper()}{not_done[1:]} (an unexpected {type(exc).__name__})."


def error_kind(exc: sqlite3.Error) -> str:
    """busy, full, io, readonly, damaged, cantopen, notadb or other."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return "notadb"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return "damaged"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return "io"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "cantopen"
    return "other"
