"""CLI commands for safeguarding concerns and data governance: `concerns`, `concerns close`, `retention`.

Every failure raises an exception whose message the group in cli/main.py prints as one line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from audit_tui.cli.options import date_option, db_option, existing_store, group
from audit_tui.domain.values import shortened


@group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the open concerns as JSON.")
@db_option
@click.pass_context
def concerns(ctx: click.Context, as_json: bool, db_path: Path | None) -> None:
    """List open safeguarding concerns: who was told, when and how, and the managers the urgent action went to."""
    if ctx.invoked_subcommand is not None:
        return
    with existing_store(db_path) as store:
        rows = store.open_concern_details()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No open safeguarding concern.")
    for row in rows:
        click.echo(f"{row['id'][:8]}  {row['case_ref']:<12} raised {row['raised_at'][:10]} by {row['raised_by']}: "
                   f"{shortened(row['description'], 60)}")
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
    with existing_store(db_path) as store:
        full = store.resolve_id("concerns", concern_id)
        store.handle_concern(full, outcome)
    click.echo(f"Concern {full[:8]} closed with its outcome.")


@group("retention", invoke_without_command=True)
@click.option("--before", "before", metavar="DATE", help="Delete audits audited before this date (YYYY-MM-DD).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@db_option
@click.pass_context
def retention(ctx: click.Context, before: str | None, yes: bool, db_path: Path | None) -> None:
    """Delete audits past their retention date, with all their rows and history; logged."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import date

    from audit_tui.files.settings import load_settings

    cutoff = date_option(before, "--before")
    if cutoff is None:
        years = load_settings().retention_years
        if not years:
            raise click.ClickException("give --before DATE, or set retention_years in settings.json")
        today = date.today()
        try:
            cutoff = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            cutoff = today.replace(year=today.year - years, day=28)
    with existing_store(db_path) as store:
        count = store.audits_before(cutoff)
        if not count:
            click.echo(f"No audit is dated before {cutoff.isoformat()}; nothing deleted.")
            return
        if not yes and not click.confirm(
                f"Delete {count} audit(s) dated before {cutoff.isoformat()}, with their answers, actions, concerns, "
                "conversations and history? This cannot be undone", default=False):
            click.echo("Nothing deleted.")
            sys.exit(1)
        audits, history = store.delete_audits_before(cutoff)
    click.echo(f"Deleted {audits} audit(s) dated before {cutoff.isoformat()} and {history} history row(s); "
               "the deletion is recorded in the deletion log (audit-tui retention log).")


@retention.command("log")
@db_option
def retention_log(db_path: Path | None) -> None:
    """Show every retention deletion: when, who, what and how many."""
    with existing_store(db_path) as store:
        rows = store.deletion_log()
    if not rows:
        click.echo("No deletion is recorded.")
    for row in rows:
        click.echo(f"{row['at']}  {row['who']}  {row['kind']}: {row['detail']}: {row['audits']} audit(s), "
                   f"{row['history_rows']} history row(s)")
