"""A JSON object read from a file member by member, one array's items a batch at a time.

`read_members` lets an import walk a file of any size with flat memory: the file is decoded a
block at a time and each value is parsed by the standard library's scanner (`raw_decode`, in C),
so that no more than one block and one batch of items are held at once. Standard library only.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from audit_tui.files.userfiles import open_regular

BLOCK_CHARS = 4 * 1024 * 1024  # characters decoded at a time
MAX_VALUE_CHARS = 64 * 1024 * 1024  # one value (one audit) larger than this is refused
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
TOO_LONG_NUMBER = "a number has more than 4,300 digits"


class JSONStreamError(ValueError):
    """The file is not the JSON expected; `line` is where (1-based)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


class NotAnObject(JSONStreamError):
    """The file is valid JSON, but its top level is not an object."""


@dataclass
class Member:
    """One member of the top-level object: its key and whole value."""

    key: str
    value: Any


@dataclass
class Items:
    """Up to `batch` items of the streamed array member `key`; `start` is the first one's index (an empty
    array comes as one `Items` without any)."""

    key: str
    start: int
    items: list[Any]


class _Text:
    """The file's text from `pos` on, decoded a block at a time; what is read is let go of."""

    def __init__(self, handle: BinaryIO):
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self._lines_before = 0  # newlines in the text let go of
        self.eof = False

    def more(self) -> bool:
        """Read another block (False at the end of the file); raises UnicodeDecodeError."""
        if self.eof:
            return False
        data = self._handle.read(BLOCK_CHARS)
        text = self._decoder.decode(data, final=not data)
        self._lines_before += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        self.eof = not data
        return True

    def line(self, pos: int | None = None) -> int:
        return self._lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, chars: str, what: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            raise JSONStreamError(f"expected {what}", self.line())
        self.pos += 1
        return found

    def value(self) -> Any:
        """The next JSON value, read on until it is whole."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos <= MAX_VALUE_CHARS and self.more():
                    continue  # maybe cut off at the end of the block
                if len(self.buf) - self.pos > MAX_VALUE_CHARS:
                    raise JSONStreamError(f"a value larger than {MAX_VALUE_CHARS // 2**20} MB",
                                          self.line()) from None
                raise JSONStreamError(exc.msg, self.line(exc.pos)) from None
            except ValueError:  # an integer over Python's 4,300 digits
                raise JSONStreamError(TOO_LONG_NUMBER, self.line()) from None
            if end == len(self.buf) and self.more():
                continue  # a number at the end of the block may go on in the next one
            self.pos = end
            return found


def read_members(path: str | Path, *, stream: str, batch: int) -> Iterator[Member | Items]:
    """The members of the file's top-level object, in file order: a `Member` each, but for an array
    named `stream`, whose items come as `Items` of up to `batch`. Raises JSONStreamError (NotAnObject
    for valid JSON that is no object), UnicodeDecodeError, RecursionError, OSError, or FileRefused for
    a path that is no regular file."""
    with open_regular(path) as handle:
        text = _Text(handle)
        if text.peek() != "{":
            text.value()  # a JSON error, else valid JSON of another kind
            raise NotAnObject("the top level is not an object", 1)
        text.pos += 1
        if text.peek() == "}":
            text.pos += 1
        else:
            while True:
                key = text.value() if text.peek() == '"' else None
                if not isinstance(key, str):
                    raise JSONStreamError("expected a key in double quotes", text.line())
                text.expect(":", "':' after a key")
                if key == stream and text.peek() == "[":
                    text.pos += 1
                    yield from _items(text, key, batch)
                else:
                    yield Member(key, text.value())
                if text.expect(",}", "',' or '}'") == "}":
                    break
        if text.peek():
            raise JSONStreamError("extra data after the object", text.line())


def _items(text: _Text, key: str, batch: int) -> Iterator[Items]:
    start, items = 0, []
    if text.peek() == "]":
        text.pos += 1
        yield Items(key, 0, [])  # (so that the array is seen)
        return
    while True:
        items.append(text.value())
        if len(items) == batch:
            yield Items(key, start, items)
            start, items = start + batch, []
        if text.expect(",]", "',' or ']'") == "]":
            break
    if items:
        yield Items(key, start, items)
