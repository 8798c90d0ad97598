"""Big tables written as a stream: their rows go straight into the saved .docx, never into a tree.

A streamed table is built with python-docx up to its header row, with a placeholder comment where
its data rows belong. `StreamedTables.save` saves the document, then copies the package entry by
entry; in word/document.xml each placeholder is replaced by the table's rows, generated a chunk
at a time, so a 60,000-row action plan costs its text, not a tree of millions of elements.
`render` can generate the rows earlier, e.g. while charts are drawn: they wait in a spooled
temporary file (in memory up to SPOOL_BYTES, then on disk, deleted when closed).
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from lxml import etree

DOCUMENT = "word/document.xml"
_MARK = "audit-tui rows {}"
_PLACEHOLDER = re.compile(rb"<!--audit-tui rows (\d+)-->")
# deflate level of word/document.xml: the fastest; a higher level takes much longer for a file not much smaller
COMPRESS_LEVEL = 1
SPOOL_BYTES = 16 * 2**20


class StreamedTables:
    """The data rows of the document's big tables, generated as it is saved."""

    def __init__(self) -> None:
        self._rows: list[Iterable[str] | _Rendered] = []
        self._spool: IO[bytes] | None = None

    def defer(self, tbl, chunks: Iterable[str]) -> None:
        """Write `chunks` (w:tr elements as text) at the end of the table element `tbl` when saving."""
        tbl.append(etree.Comment(_MARK.format(len(self._rows))))
        self._rows.append(chunks)

    def render(self) -> None:
        """Generate every deferred table's rows now, into one spool; `save` copies them into place."""
        if self._spool is None:
            self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._rows = [rows if isinstance(rows, _Rendered) else _Rendered(self._spool, rows) for rows in self._rows]

    def save(self, doc, handle: IO[bytes]) -> None:
        """Save `doc` to `handle` with every deferred table's rows in place."""
        saved = io.BytesIO()
        doc.save(saved)
        try:
            with zipfile.ZipFile(saved) as source, \
                    zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as target:
                for info in source.infolist():
                    if info.filename == DOCUMENT:
                        with target.open(DOCUMENT, "w") as out:
                            self._write_document(source.read(info), out)
                    else:
                        target.writestr(info, source.read(info))
        finally:
            if self._spool is not None:
                self._spool.close()

    def _write_document(self, xml: bytes, out: IO[bytes]) -> None:
        parts = _PLACEHOLDER.split(xml)
        if sorted(int(n) for n in parts[1::2]) != list(range(len(self._rows))):
            raise RuntimeError("a streamed table's placeholder is missing from the document")
        out.write(parts[0])
        for number, after in zip(parts[1::2], parts[2::2]):
            rows = self._rows[int(number)]
            for chunk in rows if isinstance(rows, _Rendered) else (c.encode("utf-8") for c in rows):
                out.write(chunk)
            out.write(after)


class _Rendered:
    """Text chunks, encoded and written to `spool` as they come; iterating gives their bytes back."""

    def __init__(self, spool: IO[bytes], chunks: Iterable[str]) -> None:
        self._spool, self._start = spool, spool.tell()
        for chunk in chunks:
            spool.write(chunk.encode("utf-8"))
        self._end = spool.tell()

    def __iter__(self) -> Iterator[bytes]:
        self._spool.seek(self._start)
        left = self._end - self._start
        while left > 0:
            block = self._spool.read(min(left, 2**20))
            if not block:
                raise RuntimeError("a streamed table's rows were cut short")
            left -= len(block)
            yield block
