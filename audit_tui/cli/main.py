"""The `audit-tui` command line. Every failure is one clear line and a non-zero exit.

Opening the app is kept quick: with no command, `cli/start.py` opens it without this module;
commands load what they need when they run, and the commands of later features
(`_register_extensions`) are loaded only when a command is asked for.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from audit_tui.cli.launch import fail, fail_interrupted, hide_unraisable, open_app, open_store, resolve_db, run_app
from audit_tui.cli.options import COMMANDS, db_option
from audit_tui.files.settings import current_actor, load_settings

# What a command that fails did not do, for the sentence that says so (core.failures).
NOT_DONE = {
    "report": "the document was not written", "export": "the export was not written",
    "import": "nothing was imported", "merge": "nothing was merged", "backup": "the backup was not made",
    "calibration": "the calibration document was not written", "demo": "the demo database was not built",
    "rounds": "the round was not changed", "actions": "the actions were not changed or written",
    "moderate": "the moderation was not saved", "reaudit": "the re-audit date was not changed",
    "followup": "the follow-up was not saved", "templates": "no template was read", "summary": "no summary was printed",
}


class AuditTuiGroup(click.Group):
    """A click group that turns any failure into one line on stderr, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """As click's, but a usage error (unknown command, bad option) is one line too."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        hide_unraisable()
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.Abort:
            fail_interrupted()
        except click.ClickException as exc:
            hint = " (see audit-tui --help)" if isinstance(exc, click.UsageError) else ""
            message = " ".join(exc.format_message().split())
            click.echo(f"audit-tui: error: {message}{hint}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_extensions()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        _register_extensions()
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            fail_interrupted()
        except BrokenPipeError:  # the reader went away (`audit-tui summary | head`): stop quietly, as a shell tool does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:  # noqa: BLE001 - the promise is: no tracebacks for users
            fail(exc, NOT_DONE.get(ctx.invoked_subcommand or "", "nothing was written"))


@click.group(cls=AuditTuiGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(package_name="audit-tui")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """Case-audit assistant for children's social care. With no command, opens the app."""
    if ctx.invoked_subcommand is None:
        open_app(db_path)


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to build the demo database (default: demo.db in your data directory).")
@click.option("--no-open", is_flag=True, help="Build the demo database and print its path, without opening the app.")
@click.option("--force", is_flag=True, help="Replace an existing file at --db with the fresh demo database.")
def demo(db_path: Path | None, no_open: bool, force: bool) -> None:
    """Open the app on a fresh database of fictional sample cases and audits."""
    from audit_tui.features.demo import DemoOpen, build_demo
    from audit_tui.files.settings import data_dir

    if db_path and db_path.exists() and db_path.stat().st_size and not force:
        raise click.ClickException(f"{db_path} already exists and the demo builds a fresh database there; "
                                   "choose a new path, or add --force to replace it")
    path = db_path or data_dir() / "demo.db"
    try:
        build_demo(path, actor=current_actor())
    except DemoOpen as exc:
        raise click.ClickException(str(exc)) from None
    if no_open:
        click.echo(str(path))
        return
    run_app(open_store(path), path, demo_of=resolve_db(None),
             notice=f"Demo database (fictional cases) at {path}. Your own database is untouched: ctrl+p, then "
                    "\"Back to your own database\", opens it.")


@main.group()
def templates() -> None:
    """List and validate audit templates."""


@templates.command("list")
def templates_list() -> None:
    """List the built-in templates and your own."""
    from audit_tui.domain.templates import discover_templates

    found, problems = discover_templates(load_settings().template_dir or None)
    for template in found:
        questions = len(template.questions())
        click.echo(f"{template.id:<24} v{template.version:<3} {questions:>3} questions  {template.title}")
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)


@templates.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
def templates_validate(file: Path) -> None:
    """Check a template file; every problem is printed as file:line: message."""
    from audit_tui.domain.templates import TemplateError, load_template

    try:
        template = load_template(file)
    except TemplateError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"{file}: ok — {template.title} (id {template.id}, version {template.version}, "
               f"{len(template.questions())} questions)")


def _register_extensions() -> None:
    """Commands added by later features live in their own modules (they register in options.COMMANDS)."""
    from audit_tui.cli import followup, lead, outputs, practice, rounds, training  # noqa: F401

    for command in COMMANDS:
        main.add_command(command)

