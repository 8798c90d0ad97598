"""The parts of the store, composed into it: each (FollowUp, Practice, Governance, Conclusions, Reaudit,
Casework, Copying) is an object the Store owns, with the small interface below, and the Store's public
methods hand each call to its part (`delegate`), so the Store stays the one way in for every change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

if TYPE_CHECKING:
    from audit_tui.storage.sqlite import sqlite_utils
    from audit_tui.storage.store import Store
    from audit_tui.storage.trail import Trail

P = ParamSpec("P")
R = TypeVar("R")


class Part:
    """One part of a store: it reads and writes through the store's connection (`db`), inside the store's
    transactions (`store.transaction()`), and logs every change in the store's history trail (`trail`)."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self.store.db

    @property
    def trail(self) -> Trail:
        return self.store.trail


def delegate(part: str, method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """A Store method that calls `method` on the store's part named `part` (same name, arguments and help)."""

    @wraps(method)
    def on_the_part(store: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(getattr(store, part), *args, **kwargs)

    return on_the_part
