"""Drive the real app with Pilot in a child process: press `n` on the home screen and print the
ids of the templates the new-audit form offers. A test runs this with a timeout, so an app that
freezes (reading a named pipe in the template folder, say) fails the test instead of hanging it.

    python -m tests.helpers.pilot_new_audit DB TEMPLATE_DIR
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from audit_tui.files.settings import Settings
from audit_tui.storage.store import Store
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.new_audit import NewAuditScreen


async def main(db: Path, template_dir: str) -> None:
    store = Store(db, actor="Alex Auditor")
    app = AuditApp(store, settings=Settings(template_dir=template_dir, auditor_name="Alex Auditor"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        print(type(screen).__name__)
        if isinstance(screen, NewAuditScreen):
            print(" ".join(sorted(t.id for t in screen.templates)))
    store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
