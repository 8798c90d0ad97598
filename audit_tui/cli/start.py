"""The `audit-tui` command's way in.

`audit-tui` with no command (at most `--db PATH`) opens the app straight away: click and the
command modules are not loaded, so the app's first screen comes sooner. Any other arguments go to
the click group in `cli/main.py`, which opens the app the same way (`launch.open_app`) when it is
given no command, and reports a failure in the same one line (`launch.fail`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from audit_tui.cli.launch import fail, fail_interrupted, hide_unraisable, open_app
from audit_tui.files.settings import default_db_path


def run() -> None:
    """The `audit-tui` console script (and `python -m audit_tui`)."""
    db_path = _app_only(sys.argv[1:])
    if db_path is None:
        from audit_tui.cli.main import main

        main()
        return
    hide_unraisable()
    try:
        open_app(db_path)
    except Exception as exc:  # noqa: BLE001 - the promise is: no tracebacks for users
        fail(exc, "nothing was written")
    except KeyboardInterrupt:
        fail_interrupted()
    sys.exit(0)


def _app_only(args: list[str]) -> Path | None:
    """The database to open when the arguments ask only for the app (none, or `--db PATH` alone);
    None when they ask for anything else (a command, help, version, a mistake): click reads those.
    A path click would refuse (empty, or a folder) goes to click too, for its message."""
    if not args:
        return default_db_path()
    if len(args) == 2 and args[0] == "--db":
        value = args[1]
    elif len(args) == 1 and args[0].startswith("--db="):
        value = args[0][len("--db="):]
    else:
        return None
    if not value or value.startswith("-") or Path(value).is_dir():
        return None
    return Path(value)
