"""Charts drawn in worker processes while the document is built, placed just before it is saved.

Drawing with matplotlib is most of a report's time (its import alone takes about a second),
and it is independent of the rest: so `Pictures` draws in up to two spawned processes (fresh
interpreters: safe from the TUI's threads) while the report goes on, leaves an empty centred
paragraph where each chart goes, and `place` puts the PNGs in. If worker processes cannot be
started, charts are drawn here instead: slower, never missing. This module loads no python-docx
until a chart is added, so a command can start the workers before anything else.

The workers of a report whose charts were all placed are kept, idle, for the next report of the
same process (the app, or a test run): they need not import matplotlib again. A report that stops
early stops its workers at once.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
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


class _Spare:
    """The idle workers of the last report that placed all its charts, for the next one in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._key: tuple[int, int] = (0, 0)  # (process id, workers): a forked child never takes its parent's

    def take(self, count: int) -> ProcessPoolExecutor | None:
        with self._lock:
            pool, key, self._pool = self._pool, self._key, None
        if pool is None or key[0] != os.getpid():
            return None  # (in a forked child the workers are its parent's: neither used nor stopped here)
        if key[1] != count or getattr(pool, "_broken", False):
            _stop(pool)
            return None
        return pool

    def keep(self, pool: ProcessPoolExecutor, count: int) -> None:
        with self._lock:
            if self._pool is None and not getattr(pool, "_broken", False):
                self._pool, self._key = pool, (os.getpid(), count)
                return
        _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop `pool`'s workers now, even in the middle of a chart."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # (terminate_workers from 3.14)
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()


_SPARE = _Spare()


class Pictures:
    """Where each chart goes, and the chart being drawn for it."""

    def __init__(self, *, workers: int | None = None) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[Any, Future | None, Callable[[], bytes], float, str]] = []
        self._figures = 0  # the charts captioned so far: each caption is 'Figure N. …' in document order
        self._placed = False  # every chart placed: the workers are idle, and kept for the next report
        self._count = count = _workers() if workers is None else workers
        if count:
            self._pool = _SPARE.take(count)
            if self._pool is not None:
                return
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
        self._placed = True
        self.close()

    def close(self) -> None:
        """Done with the workers: kept, idle, for the next report once every chart is placed; else
        stopped now, even in the middle of a chart (charts not yet placed are dropped), so a command
        that fails early does not wait for matplotlib to load before it exits."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._placed and not self._pending:
            _SPARE.keep(pool, self._count)
        else:
            _stop(pool)

    def __enter__(self) -> Pictures:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
