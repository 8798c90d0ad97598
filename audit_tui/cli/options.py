"""What every command module shares: the `--db` option, opening the store (`cli/launch.py`), and registering commands.

The command modules (`outputs`, `practice`, `rounds`, `training`) register their commands here;
`main.py` adds them to the `audit-tui` group when a command is asked for. So a command module
never imports `main.py` (an import contract in pyproject.toml checks it). A problem with a
command's arguments is a `click.ClickException`: one line on stderr, exit 1.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from audit_tui.cli.launch import open_store, resolve_db

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


def given_db(db_path: Path | None) -> Path | None:
    """The command's --db, else the one given before the command (`audit-tui --db X report …`)."""
    if db_path is None:
        db_path = click.get_current_context().find_root().params.get("db_path")
    return db_path


def database_path(db_path: Path | None) -> Path:
    """The database a command works on: its --db, the group's --db, or the default."""
    return resolve_db(given_db(db_path))


def existing_store(db_path: Path | None, *, create: bool = False):
    """The store of the command's database; unless `create`, one that does not exist is refused."""
    path = database_path(db_path)
    if not create and not path.exists():
        raise click.ClickException(f"no database at {path}: check the path given to --db" if db_path is not None
                                   else f"no database at {path} (use --db PATH)")
    return open_store(path, create=create)


def date_option(value: str | None, option: str) -> date | None:
    """A date given to `option` (None when blank); a date that cannot be read is refused in one line."""
    if not value:
        return None
    from audit_tui.domain.models import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.ClickException(f"{option} {value!r} is not a date: {exc}") from None


def print_problems(exc) -> None:
    """Print every problem of an error that lists them (`exc.problems`) on stderr, a line each, and exit 1."""
    for problem in exc.problems:
        click.echo(f"audit-tui: error: {problem}", err=True)
    sys.exit(1)
