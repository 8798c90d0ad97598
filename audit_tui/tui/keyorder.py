"""Keys handled in the order they were typed, each after the one before has done what it does.

A terminal hands the app every key it has read at once: typed fast over a slow SSH link, or sent by
tmux in one write, "/" and a filter, or Tab and a case ref, arrive together. Textual hands each key
to the field that has the cursor as soon as it arrives, while what the key before does (a binding
that moves the cursor or opens a screen) happens a moment later, after it has passed up through the
screen. So the filter went to the list and was lost, or worse, its letters worked the list's keys.

`KeyOrder.handle` holds each key (and each paste) that arrives while the one before is still on its way,
and hands it on once that one has reached every widget it can reach and the app has done what it
asked (moved the cursor, opened a screen). A key that takes longer than `PATIENCE` is not waited for
any more, so a key is never held for long.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

PATIENCE = 0.5
"""Seconds at most that a key waits for the one before it."""


async def _reached(node: MessagePump) -> None:
    """Once `node` has handled everything it was sent before now."""
    done = asyncio.Event()
    if node.call_later(done.set):
        await done.wait()


class KeyOrder:
    """The app's typed keys and pastes, handed on one at a time (see the module's note)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._held: deque[events.Event] = deque()
        self._busy = False
        self._released: set[int] = set()
        self._settling: asyncio.Task | None = None  # (a running task is only weakly held by the loop)

    async def handle(self, event: events.Event, handle: Callable[[events.Event], Awaitable[None]]) -> None:
        """Handle `event` with `handle` (the app's own handling): now, unless it is a key or paste from the
        terminal that arrived while the one before is still on its way; then once that one has done what it
        does."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            await handle(event)
            return
        if id(event) in self._released:
            self._released.discard(id(event))
        elif self._busy or self._held:
            self._held.append(event)
            return
        try:
            target: MessagePump | None = self._app.focused or self._app.screen  # where it goes
        except Exception:  # noqa: BLE001 - no screen yet (starting or closing)
            target = None
        await handle(event)
        if target is not None:
            self._busy = True
            self._settling = asyncio.create_task(self._settle(target))

    async def _settle(self, target: MessagePump) -> None:
        try:
            await asyncio.wait_for(self._through(target), PATIENCE)
        except Exception:  # noqa: BLE001 - a key is never held for long, whatever the one before it did
            pass
        self._busy = False
        if self._held:
            event = self._held.popleft()
            self._released.add(id(event))
            self._busy = True  # until it has been handed on, in its turn, and settled
            self._app.post_message(event)

    async def _through(self, target: MessagePump) -> None:
        """Until the key has passed from `target` up to the app, and what it asked for has happened."""
        app = self._app
        screen = app.screen
        for node in [target, *getattr(target, "ancestors", [])]:
            await _reached(node)
        for _ in range(2):  # what the key's action asked for after it (a field focused, a screen opened)
            await _reached(app)
        if app.screen is not screen:  # a new screen: until it has put the cursor in its first field
            await _reached(app.screen)
            await _reached(app.screen)
            await _reached(app)
        focused = app.focused
        if focused is not None and focused is not target:  # the cursor moved: until the field it reached, and
            for node in [focused, *focused.ancestors]:  # the app, have handled its arrival (where the cursor goes)
                await _reached(node)
