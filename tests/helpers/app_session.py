"""The app in a process of its own, for the test that a save survives another session's commands.

    python -m tests.helpers.app_session DB REPORT FEEDBACK AUDIT_ID

Opens the real app (headless, through Pilot) on DB as a user would: `r` then `ctrl+s` builds
the Word report, and `f6` then `ctrl+s` on the audit builds its feedback document. It then
prints `built <pid>` and, for each line `save TEXT` read on stdin, saves TEXT as the audit's
lived experience through the app's own store (its open connection) and prints `saved TEXT`
once the save has returned. It never exits by itself: the test ends it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import sys

from audit_tui.files.settings import Settings
from audit_tui.storage.store import Store
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen


def say(line: str) -> None:
    os.write(1, (line + "\n").encode("utf-8"))


async def build(pilot, app: AuditApp, out: str) -> None:
    await pilot.pause()
    app.screen.query_one("#r-path").value = out
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()
    status = str(app.screen.query_one("#r-status").render())
    if not status.startswith("✓ Written to"):
        say(f"failed {status}")
        raise SystemExit(1)
    await pilot.press("escape")
    await pilot.pause()


async def main(db: str, report: str, feedback: str, audit_id: str) -> None:
    store = Store(db, actor="App User")
    app = AuditApp(store, settings=Settings())
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await build(pilot, app, report)
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("f6")
        await build(pilot, app, feedback)
        say(f"built {os.getpid()}")
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            text = line.removeprefix("save ").strip()
            app.store.update_audit(audit_id, lived_experience=text)
            say(f"saved {text}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
