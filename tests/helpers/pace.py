"""The test run's pace: two settings that change how long the suite takes, not what any test checks.

- `fewer_sweeps`: Python's cycle collector, at its defaults, walked the whole heap (Textual, Rich,
  pydantic, every test's app) every 70,000 allocations, a fifth of a Pilot test's CPU. Sweeps come less
  often, and once every test module is imported, what exists then (modules, classes, the session's
  fixtures) is left out of them.
- `shorter_idle_wait`: Pilot waits after each key until the app is idle, which Textual judges by sleeping
  1/50 s at a time until a sleep passes with almost no CPU used by the process; each key cost at least
  40 ms of sleep, a third of the TUI tests' time. The same test, with 5 ms sleeps.
"""

from __future__ import annotations

import gc

import textual._wait

IDLE_SLEEP_S = 0.005


def fewer_sweeps() -> None:
    gc.set_threshold(50_000, 50, 100)


def leave_out_of_sweeps() -> None:
    """Everything alive now lives for the whole run: no sweep walks it again."""
    gc.collect()
    gc.freeze()


def shorter_idle_wait() -> None:
    assert hasattr(textual._wait, "SLEEP_GRANULARITY"), "Textual's idle wait has moved: see tests/helpers/pace.py"
    textual._wait.SLEEP_GRANULARITY = IDLE_SLEEP_S
    textual._wait.SLEEP_IDLE = IDLE_SLEEP_S / 20  # the same share of the sleep as Textual's own (1/20)
