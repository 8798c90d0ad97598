"""Work done on a thread ahead of the code that uses it (imports: rows built, files read; summaries: the scan).

SQLite lets go of Python's lock while a statement runs, so pure-Python work (parsing, building
rows) done on another thread overlaps the statements of the thread that reads or writes.
`quick_switches` is the one place that shortens Python's thread switch interval for that.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


@contextmanager
def quick_switches(seconds: float) -> Iterator[None]:
    """Threads take turns at least every `seconds` inside the block (Python's default is 5 ms: a thread
    back from a SQLite statement would wait that long for its turn); the interval is restored after."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def made_ahead(produce: Callable[[], Iterator[T]], *, depth: int = 2, name: str = "ahead") -> Iterator[T]:
    """The items of `produce()`, run on a thread at most `depth` items ahead of the caller. An exception
    raised there is raised here; when the caller stops early (or fails), the thread stops too."""
    items: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def run() -> None:
        try:
            for item in produce():
                if not offer(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            offer(_Failed(exc))
        else:
            offer(_DONE)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
