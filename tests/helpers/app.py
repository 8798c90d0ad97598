"""The app as tests make it: one factory for every Pilot test (on a test's store, with test templates)."""

from __future__ import annotations

from pathlib import Path

from textual import events

from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen

DATA = Path(__file__).resolve().parents[1] / "data"


def make_app(store, auditor_name: str = "Alex Auditor") -> AuditApp:
    """The real app on `store`, its templates from tests/data, its auditor already named."""
    return AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name=auditor_name))


async def open_walk_through(pilot, audit_id: str) -> AuditScreen:
    """The app (started) opens the audit's walk-through, on its first question; the screen once it is shown."""
    await pilot.pause()
    pilot.app.push_screen(AuditScreen(audit_id))
    await pilot.pause()
    await pilot.pause()
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    """Type `text` key by key, as a person would."""
    await pilot.press(*typed(text))


async def paste_text(pilot, text: str) -> None:
    """Paste `text` as a terminal does (one bracketed paste, through the app's own event path to the
    focused field): long text without a Pilot round trip, and a screen refresh, per key."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def arrive_together(pilot, keys: list[str]) -> None:
    """Keys read from the terminal in one go (typed fast over SSH, or sent by tmux in one write): the driver
    posts them all before the app has handled the first."""
    for key in keys:
        char = {"tab": "\t", "space": " ", "minus": "-"}.get(key, key if len(key) == 1 else None)
        pilot.app.post_message(events.Key(key, char))
    await pilot.pause()
    await pilot.pause()


def typed(text: str) -> list[str]:
    """The key names of `text` typed (`type_text`, `arrive_together`)."""
    return [{" ": "space", "-": "minus"}.get(ch, ch) for ch in text]
