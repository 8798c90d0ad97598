"""Charts drawn in worker processes while the document is built, placed just before it is saved.

Drawing with matplotlib is most of a report's time (its import alone takes about a second),
and it is independent of the rest: so `Pictures` draws in up to two spawned processes (fresh
interpreters: safe from the TUI's threads) while the report goes on, leaves an empty centred
paragraph where each chart goes, and `place` puts the PNGs in. If worker processes cannot be
started, charts are drawn here instead: slower, never missing. This module loads no python-docx
until a chart is added, so a command can start the workers before anything else.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from audit_tui.report import charts

MAX_WORKERS = 2


@contextmanager
def _real_stdio() -> Iterator[None]:
    """Starting a process needs the real standard streams: the TUI replaces them with objects that
    have no file descriptor (spawning fails with "bad value(s) in fds_to_keep")."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__ or saved[0], sys.__stderr__ or saved[1]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _workers() -> int:
    """Two workers even on two cores: the charts, not the document, are the longer path (measured)."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class Pictures:
    """Where each chart goes, and the chart being drawn for it."""

    def __init__(self, *, workers: int | None = None) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[Any, Future | None, Callable[[], bytes], float, str]] = []
        self._figures = 0  # the charts captioned so far: each caption is 'Figure N. …' in document order
        count = _workers() if workers is None else workers
        if count:
            try:
                with _real_stdio():
                    self._pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=charts.start_worker)
                    for _ in range(count):  # start the workers and their matplotlib import now
                        self._pool.submit(charts.warm_up)
            except Exception:  # noqa: BLE001 - no worker processes here: charts are drawn in this one
                self.close()

    def add(self, doc, draw: Callable[[], bytes], *, width_cm: float = 16.0, caption: str = "",
            alt: str = "") -> None:
        """The chart `draw()` makes (a picklable call of a charts function, e.g. a partial) centred here,
        with its caption below, numbered in the order charts are added ('Figure N. caption'), and `alt`
        (what it shows and its key figures; else the caption) as the text a screen reader gives for it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        from audit_tui.report.docxkit import para

        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True  # with its caption, and the caption with its table
        job = None
        if self._pool is not None:
            try:
                job = self._pool.submit(draw)
            except Exception:  # noqa: BLE001 - drawn here when placed
                job = None
        self._pending.append((paragraph, job, draw, width_cm, alt or caption))
        if caption:
            self._figures += 1
            para(doc, f"Figure {self._figures}. {caption}", "Caption").paragraph_format.keep_with_next = True

    def place(self) -> None:
        """Wait for every chart and put it in its paragraph."""
        from docx.shared import Cm

        from audit_tui.report.docxkit import clean

        for paragraph, job, draw, width, alt in self._pending:
            try:
                png = job.result() if job is not None else draw()
            except (BrokenProcessPool, OSError):
                png = draw()
            shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width))
            shape._inline.docPr.set("descr", clean(alt))
            shape._inline.docPr.set("title", clean(alt.split(".")[0]))
        self._pending.clear()
        self.close()

    def close(self) -> None:
        """Stop the workers now, even in the middle of a chart (charts not yet placed are dropped): a
        command that fails early does not wait for matplotlib to load before it exits."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = list((getattr(pool, "_processes", None) or {}).values())  # (terminate_workers from 3.14)
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()

    def __enter__(self) -> Pictures:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
