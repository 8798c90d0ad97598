"""CLI commands for safeguarding concerns and data governance: `concerns`, `concerns close`.

Every failure raises an exception whose message the group in cli.py prints as one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli_base import db_option, group
from .cli_rounds import _short, _store


@group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the open concerns as JSON.")
@db_option
@click.pass_context
def concerns(ctx: click.Context, as_json: bool, db_path: Path | None) -> None:
    """List open safeguarding concerns: who was told, when and how, and the managers the urgent action went to."""
    if ctx.invoked_subcommand is not None:
        return
    store = _store(db_path)
    try:
        rows = store.open_concern_details()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No open safeguarding concern.")
    for row in rows:
        click.echo(f"{row['id'][:8]}  {row['case_ref']:<12} raised {row['raised_at'][:10]} by {row['raised_by']}: "
                   f"{_short(row['description'], 60)}")
        click.echo(f"          told {row['told_who'] or '(not recorded)'} {row['told_at']} by {row['told_how'] or '?'}"
                   f"; urgent action to {row['team_manager'] or '?'} (team manager) and "
                   f"{row['service_manager'] or '?'} (service manager), due {row['action_due'] or '?'}, "
                   f"{row['action_status'] or 'no action'}")


@concerns.command("close")
@click.argument("concern_id", metavar="ID")
@click.option("--outcome", required=True, help="What was done about it (a concern closes only with its outcome).")
@db_option
def concerns_close(concern_id: str, outcome: str, db_path: Path | None) -> None:
    """Close a safeguarding concern with its outcome (logged)."""
    store = _store(db_path)
    try:
        full = store.resolve_id("concerns", concern_id)
        store.handle_concern(full, outcome)
    finally:
        store.close()
    click.echo(f"Concern {full[:8]} closed with its outcome.")
