"""CLI commands for the quality lead's outputs: report, summary, export, import.

Heavy modules (python-docx, openpyxl; matplotlib in the report's chart workers) are imported
inside the commands.
Every failure raises an exception whose message the group in cli.py prints as one
line `audit-tui: error: …` with a non-zero exit.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from audit_tui.cli.options import command, database_path, date_option, db_option, existing_store, given_db, open_store


def filter_options(func):
    """--round --from --to --team --service-area --template --as-of."""
    options = [
        click.option("--as-of", "as_of", metavar="DATE",
                     help="Count actions overdue as at this date (YYYY-MM-DD; default today)."),
        click.option("--template", "template", metavar="ID", help="Only audits made with this template id."),
        click.option("--service-area", "service_area", metavar="NAME", help="Only this service area."),
        click.option("--team", "team", metavar="NAME", help="Only this team."),
        click.option("--to", "date_to", metavar="DATE", help="Only audits on or before this date (YYYY-MM-DD)."),
        click.option("--from", "date_from", metavar="DATE", help="Only audits on or after this date (YYYY-MM-DD)."),
        click.option("--round", "round_", metavar="NAME", help="Only this audit round."),
    ]
    for option in options:
        func = option(func)
    return func


def filter_values(round_=None, date_from=None, date_to=None, team=None, service_area=None, template=None,
                  as_of=None) -> dict:
    """The filter options checked (dates parsed, blanks dropped), as the fields of summary.Filters."""
    values = {"round": round_, "team": team, "service_area": service_area, "template": template}
    values = {name: (value.strip() or None) if value else None for name, value in values.items()}
    values.update(date_from=date_option(date_from, "--from"), date_to=date_option(date_to, "--to"), as_of=date_option(as_of, "--as-of"))
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        raise click.ClickException("--from is after --to")
    return values


def make_filters(**filter_args):
    from audit_tui.summary import Filters

    return Filters(**filter_values(**filter_args))


@command()
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .docx file to write.")
@click.option("--audit", "audit_id", metavar="ID", help="Write the feedback document of one audit instead.")
@click.option("--organisation", metavar="NAME", help="Organisation name for the title page (default: settings).")
@click.option("--version-label", metavar="TEXT",
              help="The version on the cover, before the date (default: settings, else 'Version 1.0 — draft').")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@filter_options
@db_option
def report(output: Path, audit_id: str | None, organisation: str | None, version_label: str | None, force: bool,
           db_path: Path | None, **filter_args) -> None:
    """Write the aggregated Word report (or one audit's feedback document with --audit)."""
    if output.suffix.lower() != ".docx":
        raise click.ClickException(f"{output}: the report is a Word file; give a name ending in .docx")
    if audit_id is not None and not audit_id.strip():
        raise click.ClickException("--audit is empty: give the audit's id (its first 6 characters are enough), "
                           "or leave --audit out for the whole report")
    pictures = ahead = None
    if audit_id is None and database_path(db_path).exists():
        from audit_tui.report.pictures import Pictures

        pictures = Pictures()  # its workers start first: they import matplotlib while the rest loads
        ahead = _scan_ahead(db_path, filter_values(**filter_args))  # and the figures are read meanwhile
    try:
        _report(output, audit_id, (organisation, version_label), force, db_path, (pictures, ahead), filter_args)
    finally:
        if ahead is not None:
            ahead.close()
        if pictures is not None:
            pictures.close()


def _report(output: Path, audit_id: str | None, labels: tuple[str | None, str | None], force: bool,
            db_path: Path | None, started: tuple, filter_args: dict) -> None:
    """The report with the chart workers and the scan `report` started, or one audit's feedback;
    `labels`: the organisation and version label given (None: as `branding` says)."""
    organisation, version_label = labels
    filters = make_filters(**filter_args)
    with existing_store(db_path) as store:
        if audit_id is not None:
            from audit_tui.report import build_audit_feedback

            path = build_audit_feedback(store, store.resolve_id("audits", audit_id), output, overwrite=force, organisation=organisation or "",
                                        as_of=filters.as_of, version_label=version_label)
        else:
            from audit_tui.report import build_report

            pictures, ahead = started
            path = build_report(store, output, filters, organisation=organisation or "", overwrite=force,
                                pictures=pictures, ahead=ahead, version_label=version_label)
    click.echo(f"Report written to {path}")
    warn_what_it_lacks(organisation)


def warn_what_it_lacks(organisation: str | None) -> None:
    """Once a document is written, say on stderr, a sentence each, what it lacks (organisation, logo)."""
    from audit_tui.report.branding import warnings

    for line in warnings(organisation):
        click.echo(f"Warning: {line}", err=True)


@command()
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON (for BI teams and scripts).")
@click.option("--rows", is_flag=True,
              help="With --json, add the report's tables: action_plan (a row per action) and appendix (per audit).")
@filter_options
@db_option
def summary(as_json: bool, rows: bool, db_path: Path | None, **filter_args) -> None:
    """The report's figures: as JSON with --json, else a short text summary."""
    ahead = _scan_ahead(db_path, filter_values(**filter_args))
    try:
        from audit_tui.summary import compute_summary

        filters = make_filters(**filter_args)
        with existing_store(db_path) as store:
            figures = compute_summary(store, filters, rows=rows, ahead=ahead)
    finally:
        if ahead is not None:
            ahead.close()
    if as_json:
        click.echo(figures.to_json(rows=rows))
        return
    from audit_tui.report.executive import executive_summary
    from audit_tui.report.sentences import audit_quality_sentence

    for sentence in [*executive_summary(figures), audit_quality_sentence(figures)]:
        click.echo(sentence)


def _scan_ahead(db_path: Path | None, values: dict):
    """Start reading the figures on a thread while the models load (core.scans.ScanAhead); None if no file."""
    from audit_tui.storage.dbfile import DatabaseError
    from audit_tui.storage.sharing import check_side_files
    from audit_tui.summary.scans import ScanAhead, filter_where

    path = database_path(db_path)
    if not path.is_file():
        return None
    try:
        check_side_files(path)
    except DatabaseError:
        return None  # opening the store says why
    where, params = filter_where("a", **{k: v for k, v in values.items() if k != "as_of"})
    return ScanAhead(path, where, params, (values["as_of"] or date.today()).isoformat())


def _kind(path: Path) -> str:
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("json", "csv", "xlsx"):
        raise click.ClickException(f"{path}: give a file name ending in .json, .csv or .xlsx")
    return kind


@command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--redact", is_flag=True,
              help="For circulation (.json): each audit's names to redact are replaced by their initials.")
@filter_options
@db_option
def export_cmd(file: Path, force: bool, redact: bool, db_path: Path | None, **filter_args) -> None:
    """Export audits: .json (the audit-tui/1 interchange format), .csv or .xlsx (flat, for BI)."""
    kind = _kind(file)
    if redact and kind != "json":
        raise click.ClickException("--redact writes a .json file for circulation; give a file name ending .json")
    filters = make_filters(**filter_args)
    with existing_store(db_path) as store:
        if kind == "json":
            from audit_tui.exchange.interchange import export_json

            count = export_json(store, file, filters, overwrite=force, redact=redact)
            click.echo(f"Exported {count} audit(s) to {file}")
        elif kind == "csv":
            from audit_tui.exchange.exports import export_csv

            rows = export_csv(store, file, filters, overwrite=force)
            click.echo(f"Exported {rows} row(s) to {file}")
        else:
            from audit_tui.exchange.exports import export_xlsx

            count = export_xlsx(store, file, filters, overwrite=force)
            click.echo(f"Exported {count} audit(s) to {file}")


@command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-draft", is_flag=True,
              help="Import a completed or moderated audit that does not meet the completion gates as a draft "
                   "(else the whole import is refused).")
@db_option
def import_cmd(file: Path, as_draft: bool, db_path: Path | None) -> None:
    """Import an audit-tui/1 .json file: every audit, or none if anything is wrong."""
    from audit_tui.cli.options import print_problems
    from audit_tui.exchange.interchange import InterchangeError, import_json

    if _kind(file) != "json":
        raise click.ClickException(f"{file}: only .json interchange files can be imported")
    if not file.exists():
        raise click.ClickException(f"no file at {file}")
    path = database_path(db_path)
    if given_db(db_path) and not path.parent.is_dir():
        raise click.ClickException(f"no folder {path.parent} for the database; nothing was imported")
    new = not os.path.lexists(path)
    try:
        store = open_store(path)
        try:
            result = import_json(store, file, as_draft=as_draft)
        except InterchangeError as exc:
            print_problems(exc)  # (and exits)
        finally:
            store.close()  # (SQLite removes its journal files as the last session closes)
    except BaseException:
        if new:  # a failed import leaves no database behind
            path.unlink(missing_ok=True)
        raise
    note = f"; {result.unchanged} already present and unchanged" if result.unchanged else ""
    added = f"; {result.templates_added} template(s) added" if result.templates_added else ""
    if result.conclusions_added:
        added += f"; {result.conclusions_added} of the lead's commentaries, recommendations and targets added"
    click.echo(f"Imported {result.imported} audit(s) from {file}{note}{added}")
    if result.kept_as_draft:
        refs, more = result.kept_as_draft[:20], len(result.kept_as_draft) - 20
        click.echo(f"{len(result.kept_as_draft)} audit(s) imported as drafts, as they do not meet the completion "
                   f"gates: {', '.join(refs)}{f' and {more} more' if more > 0 else ''}")
