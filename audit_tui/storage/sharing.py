"""Who may read a database and the journal files SQLite keeps beside it (`-wal`, `-shm`, `-journal`).

Owner-only is the default: a new database is readable by its owner only (0600). A database is
*shared with a group* only deliberately: its folder is setgid (files made in it take the folder's
group) and its group may enter and write it; a new database made in such a folder is readable
and writable by that group too (0660). SQLite makes the journal files with the database's own
permissions, so those of a shared database are the group's as well.

Before a database is opened, journal files already beside it are checked (`check_side_files`):
saves go into the `-wal` file, so one that a third person controls, or that more people can read
than can read the database, is refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from audit_tui.files.failures import os_reason
from audit_tui.files.safefiles import SIDE_SUFFIXES, my_uid
from audit_tui.storage.dbfile import UNTOUCHED, DatabaseError


def shared_folder(folder: Path) -> bool:
    """A folder set up for sharing with its group: setgid, and the group may enter and write it."""
    try:
        info = folder.stat()
    except OSError:
        return False
    return bool(info.st_mode & stat.S_ISGID) and info.st_mode & 0o070 == 0o070


def new_database_mode(path: Path) -> int:
    """0660 for a new database in a folder set up for sharing, else 0600."""
    return 0o660 if shared_folder(path.parent) else 0o600


def _is_shared(database: os.stat_result, folder: os.stat_result) -> bool:
    """A database shared with its folder's group: the folder is setgid, the file is the folder's group's,
    readable and writable by that group and by no one else (0660)."""
    return (bool(folder.st_mode & stat.S_ISGID) and database.st_gid == folder.st_gid
            and database.st_mode & 0o067 == 0o060)


def check_side_files(path: Path) -> None:
    """Refuse a database whose existing journal files would divert or leak its saves: a link or special
    file; one readable by more people than the database (or by another group); one owned by someone
    other than you or the database's owner, unless the database is shared with a group."""
    real = Path(os.path.realpath(path))  # SQLite keeps the journal beside the file a link points to
    try:
        database, folder = real.stat(), real.parent.stat()
    except OSError as exc:
        raise DatabaseError(f"cannot check {path}: {os_reason(exc)}; {UNTOUCHED}") from None
    shared = _is_shared(database, folder)
    for suffix in SIDE_SUFFIXES:
        side = Path(f"{real}{suffix}")
        try:
            info = side.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DatabaseError(f"cannot check {side}: {os_reason(exc)}; {UNTOUCHED}") from None
        refused = f"{path} was not opened: its journal file {side.name}"
        if not stat.S_ISREG(info.st_mode):
            raise DatabaseError(f"{refused} is a link or a special file, not a regular file; {UNTOUCHED} — "
                                "ask your IT team to check that folder")
        if info.st_mode & 0o077 & ~database.st_mode or (info.st_mode & 0o070 and info.st_gid != database.st_gid):
            raise DatabaseError(f"{refused} can be read by more people than the database (it would receive your "
                                f"saves); {UNTOUCHED} — ask your IT team to check it")
        if not shared and info.st_uid not in (my_uid(), database.st_uid):
            raise DatabaseError(f"{refused} belongs to another user (it would receive your saves); {UNTOUCHED} — "
                                "ask your IT team to check it")
