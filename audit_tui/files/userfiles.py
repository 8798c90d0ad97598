"""Reading a file someone else may have put there: a template, a case list, an import, a reference
document or the settings. Standard library only.

A name can point at anything: a named pipe (whose reader waits for ever), `/dev/zero` (endless),
a file that grows while it is read, or a symlink planted in a shared folder. So a file is opened
without waiting (`O_NONBLOCK`), checked to be a regular file on the opened descriptor (`fstat`, so
nothing can be swapped in between), and a cap counts the bytes actually read, not the size the file
system reports. Files that audit-tui finds by itself in a folder (templates, the reference
document) are opened with `O_NOFOLLOW` too: a symlink there is refused; a file named on the command
line may be a symlink.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BASE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class FileRefused(Exception):
    """A file that is not read: the message is `path: reason`, and `reason` a sentence for the user."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def size_words(limit: int) -> str:
    """A cap in words: 20 MB, 1 MB, 64 kB (binary or decimal megabytes, whichever divides it)."""
    for unit in (1024 * 1024, 1000 * 1000):
        if limit >= unit and limit % unit == 0:
            return f"{limit // unit} MB"
    return f"{limit // 1000} kB"


def open_regular(path: str | Path, *, follow_symlinks: bool = True) -> BinaryIO:
    """`path` opened for reading in binary mode, if it is a regular file; FileRefused if it is not
    (a folder, a pipe, a device, or a symlink when `follow_symlinks` is false), OSError if it cannot
    be opened at all."""
    flags = _BASE_FLAGS | (0 if follow_symlinks else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError:
        if not follow_symlinks and os.path.islink(path):  # ELOOP (or EMLINK on BSD): a symlink
            raise FileRefused(path, "it is a symbolic link, and audit-tui reads only plain files there") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a pipe, device or socket, not a regular file"
            raise FileRefused(path, f"it is {what}, so nothing was read from it")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | Path, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file `path`, refused (FileRefused) once more than `limit` are read."""
    with open_regular(path, follow_symlinks=follow_symlinks) as handle:
        # The reported size is only a first guess (the file may grow): read on until the end, or the cap.
        chunks, total = [], 0
        want = min(os.fstat(handle.fileno()).st_size, limit) + 1
        while total <= limit and (chunk := handle.read(want)):
            chunks.append(chunk)
            total += len(chunk)
            want = min(_CHUNK, limit + 1 - total)
    if total > limit:
        raise FileRefused(path, f"the file is larger than {size_words(limit)}, so it was not read")
    return b"".join(chunks)


def read_text_capped(path: str | Path, limit: int, *, follow_symlinks: bool = True) -> str:
    """`read_capped` decoded as UTF-8 (a leading byte-order mark is dropped); UnicodeDecodeError if not."""
    return read_capped(path, limit, follow_symlinks=follow_symlinks).decode("utf-8-sig")


def check_unpacked(path: str | Path, data: bytes, limit: int) -> None:
    """Refuse (FileRefused) a zip file (an .xlsx or .docx) whose parts unpack to more than `limit` bytes.

    The sizes are those the zip file declares; Python's zipfile never unpacks more than a part
    declares, so the sum is a true upper bound. A file that is no zip at all passes: its reader says so.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return
    if unpacked > limit:
        raise FileRefused(path, f"it unpacks to {unpacked / (1024 * 1024):,.0f} MB, more than the "
                                f"{size_words(limit)} allowed, so it was not read")
