"""What every command module shares: the `--db` option, opening the store, and registering commands.

The command modules (`cli_outputs`, `cli_practice`, `cli_rounds`, `cli_training`) register their commands here;
`cli.py` adds them to the `audit-tui` group when a command is asked for. So a command module
never imports `cli.py` (an import contract in pyproject.toml checks it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audit_tui.files.settings import current_actor, default_db_path

COMMANDS: list[click.Command] = []
"""The commands of the command modules, in the order they were defined."""


def command(*args, **kwargs):
    """As `main.command(...)`: a top-level command of `audit-tui`."""
    def register(func) -> click.Command:
        cmd = click.command(*args, **kwargs)(func)
        COMMANDS.append(cmd)
        return cmd
    return register


def group(*args, **kwargs):
    """As `main.group(...)`: a top-level group of commands of `audit-tui`."""
    def register(func) -> click.Group:
        cmd = click.group(*args, **kwargs)(func)
        COMMANDS.append(cmd)
        return cmd
    return register


def db_option(func):
    """The `--db PATH` option every command takes."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Database file (default: audits.db in your data directory).",
    )(func)


def resolve_db(db_path: Path | None) -> Path:
    return db_path or default_db_path()


def open_store(db_path: Path | None, *, create: bool = True):
    """Open the store for a command."""
    from audit_tui.storage.store import Store

    return Store(resolve_db(db_path), actor=current_actor(), create=create)


def print_problems(exc) -> None:
    """Print every problem of an error that lists them (`exc.problems`) on stderr, a line each, and exit 1."""
    for problem in exc.problems:
        click.echo(f"audit-tui: error: {problem}", err=True)
    sys.exit(1)
