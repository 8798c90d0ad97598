"""Files written beside others' files: temporary files no one can plant, leftovers swept, private folders.

Every output (report, export, backup, settings) is written to a temporary file and renamed into
place. The temporary file is made by `tempfile.mkstemp` in the target folder: created exclusively
(never through a link someone planted), readable by its owner only, named `.audit-tui-PID-RANDOM.tmp`
so that no one can guess it. A command that is killed leaves its temporary file behind: the next
one writing to that folder removes such leftovers (`sweep`), only its user's own, and only when
the command that made it has ended or it has not changed for `STALE_AFTER_S`.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

TEMP_PREFIX = ".audit-tui-"
STALE_AFTER_S = 10 * 60
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_OURS = re.compile(r"\.audit-tui-(\d+)-[a-z0-9_]{8}\.tmp(-wal|-shm|-journal)?")


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new owner-only temporary file in `path`'s folder: (open descriptor, its path). Leftovers of
    killed commands in that folder are removed first."""
    sweep(path.parent)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=path.parent)
    return fd, Path(name)


def remove_with_journal(path: Path) -> None:
    """Remove a file this command made (a temporary file, a new database) and any journal SQLite made
    beside it."""
    for leftover in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES)):
        try:
            leftover.unlink()
        except OSError:
            pass


def sweep(folder: Path) -> None:
    """Remove the temporary files killed audit-tui commands left in `folder`: only regular files
    named as `temp_beside` names them, owned by this user, whose command has ended (its process is
    not running) or which have not changed for STALE_AFTER_S."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        match = _OURS.fullmatch(entry.name)
        if not match:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != my_uid():
            continue
        if now - info.st_mtime > STALE_AFTER_S or not _running(int(match.group(1))):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _running(pid: int) -> bool:
    """Whether process `pid` is running (signal 0 checks without sending anything; on Windows, where
    os.kill would end the process, every process counts as running: only age clears its files)."""
    if os.name == "nt":
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # another user's process
        return True
    except (ProcessLookupError, OverflowError):
        return False
    return True


def my_uid() -> int:
    """This process's user id (0 on Windows, which has none: its files' st_uid is 0)."""
    return os.geteuid() if hasattr(os, "geteuid") else 0


def is_side_file(path: Path) -> bool:
    """A name SQLite gives a database's journal (`-wal`, `-shm`, `-journal`): SQLite deletes or rewrites
    such a file when the database beside it closes, so nothing else may be written there."""
    return path.name.lower().endswith(SIDE_SUFFIXES)


def private_folder(path: Path) -> Path | None:
    """`path` as a folder only its owner (this user) can use (mode 0700, created if missing); None if
    it is not one (a link, someone else's) or cannot be made."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != my_uid():
            return None
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(path, 0o700)
    except OSError:
        return None
    return path
