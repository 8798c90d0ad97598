"""Big tables written as a stream: their rows go straight into the saved .docx, never into a tree.

A streamed table is built with python-docx up to its header row, with a placeholder comment where
its data rows belong. `StreamedTables.save` saves the document, then copies the package entry by
entry; in word/document.xml each placeholder is replaced by the table's rows, generated a chunk
at a time, so a 60,000-row action plan costs its text, not a tree of millions of elements.
`render` can generate the rows earlier (kept deflated in memory), e.g. while charts are drawn.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO

from lxml import etree

DOCUMENT = "word/document.xml"
_MARK = "audit-tui rows {}"
_PLACEHOLDER = re.compile(rb"<!--audit-tui rows (\d+)-->")
# deflate level of word/document.xml: level 6 takes three times as long (0.5 s at 10,000 audits)
# for a file a third smaller
COMPRESS_LEVEL = 1


class StreamedTables:
    """The data rows of the document's big tables, generated as it is saved."""

    def __init__(self) -> None:
        self._rows: list[Iterable[str] | _Deflated] = []

    def defer(self, tbl, chunks: Iterable[str]) -> None:
        """Write `chunks` (w:tr elements as text) at the end of the table element `tbl` when saving."""
        tbl.append(etree.Comment(_MARK.format(len(self._rows))))
        self._rows.append(chunks)

    def render(self) -> None:
        """Generate every deferred table's rows now, deflated in memory (a tenth of their size or less);
        `save` inflates them into place."""
        self._rows = [rows if isinstance(rows, _Deflated) else _Deflated(rows) for rows in self._rows]

    def save(self, doc, handle: IO[bytes]) -> None:
        """Save `doc` to `handle` with every deferred table's rows in place."""
        saved = io.BytesIO()
        doc.save(saved)
        with zipfile.ZipFile(saved) as source, \
                zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as target:
            for info in source.infolist():
                if info.filename == DOCUMENT:
                    with target.open(DOCUMENT, "w") as out:
                        self._write_document(source.read(info), out)
                else:
                    target.writestr(info, source.read(info))

    def _write_document(self, xml: bytes, out: IO[bytes]) -> None:
        parts = _PLACEHOLDER.split(xml)
        if sorted(int(n) for n in parts[1::2]) != list(range(len(self._rows))):
            raise RuntimeError("a streamed table's placeholder is missing from the document")
        out.write(parts[0])
        for number, after in zip(parts[1::2], parts[2::2]):
            rows = self._rows[int(number)]
            for chunk in rows if isinstance(rows, _Deflated) else (c.encode("utf-8") for c in rows):
                out.write(chunk)
            out.write(after)


class _Deflated:
    """Text chunks, encoded and deflated as they come; iterating gives the bytes back, a chunk at a time."""

    def __init__(self, chunks: Iterable[str]) -> None:
        packer = zlib.compressobj(COMPRESS_LEVEL)
        self._parts = [packer.compress(chunk.encode("utf-8")) for chunk in chunks]
        self._parts.append(packer.flush())

    def __iter__(self) -> Iterator[bytes]:
        unpacker = zlib.decompressobj()
        for part in self._parts:
            yield unpacker.decompress(part)
        yield unpacker.flush()
