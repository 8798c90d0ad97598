"""CLI commands for running a round: rounds, moderate, actions, merge, backup.

Every failure raises an exception whose message the group in cli.py prints as one
line `audit-tui: error: …` with a non-zero exit (or, for a file with several bad
rows, every problem on stderr and exit 1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from audit_tui.cli.options import command, database_path, date_option, db_option, existing_store, group
from audit_tui.cli.options import print_problems as _problems
from audit_tui.domain.values import shortened

# -- rounds -------------------------------------------------------------------------------


@group()
def rounds() -> None:
    """Audit rounds: create one, import its case list, watch its progress."""


@rounds.command("create")
@click.argument("name")
@click.option("--from", "starts", required=True, metavar="DATE", help="First day of the round (YYYY-MM-DD).")
@click.option("--to", "ends", required=True, metavar="DATE", help="Last day of the round (YYYY-MM-DD).")
@click.option("--template", "templates", multiple=True, metavar="ID",
              help="A template the round uses (repeat for several; none means any).")
@db_option
def rounds_create(name: str, starts: str, ends: str, templates: tuple[str, ...], db_path: Path | None) -> None:
    """Create a round, e.g. rounds create "2026-02 practice week" --from 2026-02-09 --to 2026-02-13."""
    from audit_tui.features.rounds import RoundError, create_round, known_template_ids
    from audit_tui.files.settings import load_settings

    store = existing_store(db_path, create=True)
    try:
        round_ = create_round(store, name, starts, ends, list(templates),
                              known_templates=known_template_ids(store, load_settings().template_dir))
    except RoundError as exc:
        _problems(exc)
    finally:
        store.close()
    click.echo(f"Round “{round_['name']}” created: {round_['starts']} to {round_['ends']}; templates: "
               f"{', '.join(round_['templates']) or 'any'}")


@rounds.command("list")
@db_option
def rounds_list(db_path: Path | None) -> None:
    """Every round with its dates, templates and number of allocated cases."""
    from audit_tui.features.rounds import list_rounds

    with existing_store(db_path) as store:
        found = list_rounds(store)
    if not found:
        click.echo("No rounds yet: audit-tui rounds create NAME --from DATE --to DATE")
    for r in found:
        click.echo(f"{r['name']:<32} {r['starts']} to {r['ends']}  {r['cases']:>4} case(s)  "
                   f"templates: {', '.join(r['templates']) or 'any'}")


@rounds.command("import-cases")
@click.argument("round_name", metavar="ROUND")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def rounds_import_cases(round_name: str, file: Path, db_path: Path | None) -> None:
    """Import a case list (.csv or .xlsx): case ref, service area, team, worker, allocated auditor, template.

    Every bad row is reported with its line number; nothing is imported until the whole
    file is clean.
    """
    from audit_tui.features.rounds import RoundError, import_cases, known_template_ids
    from audit_tui.files.settings import load_settings

    store = existing_store(db_path)
    try:
        result = import_cases(store, round_name, file,
                              known_templates=known_template_ids(store, load_settings().template_dir))
    except RoundError as exc:
        _problems(exc)
    finally:
        store.close()
    ignored = f"; ignored column(s): {', '.join(result.ignored_columns)}" if result.ignored_columns else ""
    click.echo(f"Imported {file}: {result.added} case(s) added, {result.updated} updated, "
               f"{result.unchanged} unchanged{ignored}")


@rounds.command("show")
@click.argument("round_name", metavar="ROUND")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@db_option
def rounds_show(round_name: str, as_json: bool, db_path: Path | None) -> None:
    """A round's progress per auditor, per team and overall, and moderation agreement."""
    from audit_tui.features.rounds import dashboard
    from audit_tui.summary.moderation import agreement_line, moderation_agreement

    with existing_store(db_path) as store:
        figures = dashboard(store, round_name)
        agreement = moderation_agreement(store, {"round": figures["round"]})
    if as_json:
        click.echo(json.dumps({**figures, "moderation": agreement}, indent=2, ensure_ascii=False))
        return
    head = f"{'':<28} {'allocated':>9} {'to start':>8} {'in progress':>11} {'completed':>9} {'moderated':>9}"

    def line(row) -> str:
        return (f"{shortened(row['name'] or '(none)', 28):<28} {row['allocated']:>9} {row['not_started']:>8} "
                f"{row['in_progress']:>11} {row['completed']:>9} {row['moderated']:>9}")

    click.echo(f"Round “{figures['round']}”")
    click.echo(head)
    click.echo(line({**figures["overall"], "name": "Overall"}))
    for title, key in (("By auditor", "auditors"), ("By team", "teams")):
        click.echo(f"{title}:")
        for row in figures[key]:
            click.echo(line(row))
    click.echo(agreement_line(agreement))
    for row in agreement.get("auditors", []):
        click.echo(f"  {row['auditor']}: {row['moderated_audits']} moderated, {row['agreed']} of {row['pairs']} grades "
                   f"the same, auditor higher {row['auditor_higher']}, lower {row['auditor_lower']}")
    from audit_tui.features.casebook import reaudit_line

    if figures["reaudits"]:
        click.echo("Re-audits (audits graded inadequate):")
    for row in figures["reaudits"]:
        click.echo(f"  {reaudit_line(row)}")


# -- moderation ---------------------------------------------------------------------------


@command()
@click.argument("audit_id")
@click.option("--overall", "overall", metavar="GRADE", help="Moderated overall grade (default: agree).")
@click.option("--comment", default="", help="The moderator's comment (needed when the overall grade differs).")
@click.option("--change", "changes", multiple=True, metavar="QUESTION=GRADE:COMMENT",
              help="A grade the moderator changes, with why (repeat).")
@click.option("--moderator", default=None, help="Moderator's name (default: your name in settings).")
@db_option
def moderate(audit_id: str, overall: str | None, comment: str, changes: tuple[str, ...], moderator: str | None,
             db_path: Path | None) -> None:
    """Moderate a completed audit: agree with every grade except those given with --change."""
    from audit_tui.features.moderation import save_moderation

    parsed = {}
    for change in changes:
        question, _, rest = change.partition("=")
        grade, _, why = rest.partition(":")
        if not question.strip() or not grade.strip():
            raise click.ClickException(f"--change {change!r}: write QUESTION=GRADE:COMMENT, e.g. "
                                 "plan.quality=requires_improvement:Plan not updated since May")
        parsed[question.strip()] = (grade.strip(), why.strip())
    with existing_store(db_path) as store:
        saved = save_moderation(store, store.resolve_id("audits", audit_id), overall_grade=overall, comment=comment, changes=parsed,
                                moderator=moderator)
    click.echo(f"Moderated: overall {saved['overall_grade']}; {len(saved['changed'])} grade(s) changed")


# -- actions -------------------------------------------------------------------------------


@group(invoke_without_command=True)
@click.option("--overdue", is_flag=True, help="Only open actions past their due date.")
@click.option("--owner", default="", help="Only this owner's actions.")
@click.option("--team", default="", help="Only actions of this team's audits.")
@click.option("--round", "round_", default="", help="Only actions of this round's audits.")
@click.option("--status", type=click.Choice(["open", "done"]), default=None, help="Only open or done actions.")
@click.option("--kind", type=click.Choice(["case", "learning", "service"]), default=None,
              help="Only case actions, learning for the worker, or service recommendations.")
@click.option("--as-of", "as_of", metavar="DATE", help="Count overdue as at this date (default today).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the list to CSV.")
@click.option("--xlsx", "xlsx_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the list to XLSX.")
@click.option("--force", is_flag=True, help="Replace the CSV/XLSX file if it exists.")
@db_option
@click.pass_context
def actions(ctx: click.Context, overdue: bool, owner: str, team: str, round_: str, status: str | None,
            kind: str | None, as_of: str | None, csv_file: Path | None, xlsx_file: Path | None, force: bool,
            db_path: Path | None) -> None:
    """List actions across audits (overdue first), or export them; `actions done ID` marks one done."""
    if ctx.invoked_subcommand is not None:
        return
    from audit_tui.domain.models import ACTION_KINDS
    from audit_tui.features.actions import ActionFilter, export_actions, list_actions

    if csv_file and xlsx_file:
        raise click.ClickException("give --csv or --xlsx, not both")
    out = csv_file or xlsx_file
    if out and out.suffix.lower() != (".csv" if csv_file else ".xlsx"):
        raise click.ClickException(f"{out}: give a file name ending in {'.csv' if csv_file else '.xlsx'}")
    filters = ActionFilter(overdue=overdue, owner=owner, team=team, round=round_, status=status or "",
                           kind=kind or "", as_of=date_option(as_of, "--as-of"))
    with existing_store(db_path) as store:
        rows = list_actions(store, filters)
    if out:
        count = export_actions(rows, out, overwrite=force)
        click.echo(f"Exported {count} action(s) to {out}")
        return
    if not rows:
        click.echo("No actions match.")
        return
    for r in rows:
        flag = "OVERDUE" if r["overdue"] else r["status"]
        click.echo(f"{r['action_id'][:8]}  {r['due'] or '—':<10}  {flag:<7}  {r['kind']:<8}  "
                   f"{shortened(r['owner'], 18):<18}  {shortened(r['case_ref'], 10):<10}  {shortened(r['team'], 14):<14}  "
                   f"{shortened(r['description'], 60)}")
    overdue_count = sum(r["overdue"] for r in rows)
    kinds = "; ".join(f"{label.lower()} {sum(r['kind'] == k for r in rows)}" for k, label in ACTION_KINDS.items())
    click.echo(f"{len(rows)} action(s); {overdue_count} overdue (as of {filters.effective_as_of().isoformat()}); "
               f"{kinds}")


@actions.command("done")
@click.argument("action_id")
@click.option("--note", required=True, help="What was done.")
@click.option("--on", "on", metavar="DATE", help="When it was done (default today).")
@db_option
def actions_done(action_id: str, note: str, on: str | None, db_path: Path | None) -> None:
    """Mark an action done (ACTION_ID: the first 8 characters from the list are enough)."""
    from audit_tui.features.actions import mark_done

    with existing_store(db_path) as store:
        done = mark_done(store, action_id, note, date_option(on, "--on"))
    click.echo(f"Action {done['action_id'][:8]} marked done on {done['done_on']}")


# -- merge and backup -----------------------------------------------------------------------


@command("merge")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change, and change nothing.")
@db_option
def merge_cmd(file: Path, dry_run: bool, db_path: Path | None) -> None:
    """Merge another audit-tui database (or an interchange .json) into this one.

    New audits are added, audits changed only on the other side are updated, and audits
    changed on both sides are listed as CONFLICTS and left as they are here (exit code 2).
    """
    from audit_tui.exchange.interchange import InterchangeError
    from audit_tui.features.merge import merge

    if not file.exists():
        raise click.ClickException(f"no file at {file}")
    path = database_path(db_path)
    new = not path.exists()
    store = existing_store(db_path, create=True)
    if new:  # a mistyped --db would otherwise start a second database without a word
        click.echo(f"There was no database at {path}: a new one was made for this merge.", err=True)
    try:
        result = merge(store, file, dry_run=dry_run)
    except InterchangeError as exc:
        _problems(exc)
    finally:
        store.close()
    for line in result.lines():
        click.echo(line)
    if result.conflicts:
        click.echo(f"{len(result.conflicts)} conflict(s) left as they are here: resolve them by hand.", err=True)
        sys.exit(2)


@command("backup")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@db_option
def backup_cmd(file: Path, force: bool, db_path: Path | None) -> None:
    """Copy the database to FILE with SQLite's backup API (owner-only, integrity-checked).

    Restore: close audit-tui everywhere, then copy FILE over the database (and delete its
    -wal and -shm files). To look at a backup: audit-tui --db FILE.
    """
    from audit_tui.features.backup import backup

    with existing_store(db_path) as store:
        path = backup(store, file, overwrite=force)
    click.echo(f"Backup written to {path} (integrity check ok)")
