"""Opening the store and the app, and saying in one line why a command failed.

Used by the click group (`cli/main.py`), its command modules and the console script's way
straight to the app (`cli/start.py`); it imports no click, so that way stays quick.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from audit_tui.files.settings import current_actor, default_db_path


def resolve_db(db_path: Path | None) -> Path:
    return db_path or default_db_path()


def open_store(db_path: Path | None, *, create: bool = True):
    """Open the store for a command."""
    from audit_tui.storage.store import Store

    return Store(resolve_db(db_path), actor=current_actor(), create=create)


def open_app(db_path: Path | None) -> None:
    """`audit-tui` with no command: the app on the database (created if there is none)."""
    path = resolve_db(db_path)
    notice = None if path.exists() else f"New database created at {path} (readable by you only)"
    if sys.__stderr__ and sys.__stderr__.isatty():
        # The app paints first and opens the store (every check, before any write) just after; a
        # refused database ends the app, whose screen leaves no trace, and the one line follows.
        run_app(lambda: open_store(path), path, notice)
    else:  # the app's output would surround that line: open (or refuse) first
        run_app(open_store(path), path, notice)


def run_app(store, path: Path, notice: str | None = None, demo_of: Path | None = None) -> None:
    """Run the app on `store`, or on the store a function returns (called just after the first paint)."""
    from audit_tui.tui.app import AuditApp

    app = AuditApp(store, path=path, notice=notice, demo_of=demo_of)
    try:
        app.run()
    finally:
        app.close_store()
    if app.failure is not None:
        raise app.failure


def hide_unraisable() -> None:
    """After a failure, the garbage collector can meet a library's half-done object (openpyxl's writer
    after a full disk) and print "Exception ignored in ..." with a traceback: not for users (shown with
    AUDIT_TUI_DEBUG set)."""
    if not os.environ.get("AUDIT_TUI_DEBUG"):
        sys.unraisablehook = lambda unraisable: None


def fail(exc: Exception, not_done: str) -> NoReturn:
    """A command failed: one plain line on stderr saying what was not done, and exit 1 (the traceback
    only with AUDIT_TUI_DEBUG set)."""
    if os.environ.get("AUDIT_TUI_DEBUG"):
        raise exc
    from audit_tui.files.failures import user_message

    print(f"audit-tui: error: {user_message(exc, not_done)}", file=sys.stderr, flush=True)
    sys.exit(1)


def fail_interrupted() -> NoReturn:
    print("audit-tui: interrupted", file=sys.stderr, flush=True)
    sys.exit(130)
