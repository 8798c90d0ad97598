"""CLI for training: `audit-tui calibration` — trainees' agreement with the reference audits."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit_tui.cli.options import command, db_option, existing_store


def _cell(value, pct: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}%" if pct else f"{value:g}"


@command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the calibration report as a Word document (.docx).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--ready-at", type=click.FloatRange(0, 100), default=80.0, show_default=True,
              help="Exact agreement (%) at which the Word document calls a trainee ready.")
@click.option("--version-label", metavar="TEXT",
              help="The Word document's version, before its date (default: settings, else 'Version 1.0 — draft').")
def calibration(db_path: Path | None, as_json: bool, output: Path | None, force: bool, ready_at: float,
                version_label: str | None) -> None:
    """Agreement of trainees with the reference audits: per trainee, per question, and the questions
    most often graded differently."""
    from audit_tui.features.calibration import calibration_report

    if output is not None and output.suffix.lower() != ".docx":
        raise click.ClickException(f"{output}: the calibration report is a Word document; name it .docx")
    with existing_store(db_path) as store:
        report = calibration_report(store)
    if output is not None:
        from audit_tui.cli.outputs import warn_what_it_lacks
        from audit_tui.report.calibration import write_calibration_docx

        write_calibration_docx(report, output, overwrite=force, ready_at=ready_at, version_label=version_label)
        warn_what_it_lacks(None)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    if output is not None:
        audits = len(report.audits)
        click.echo(f"Wrote {output} ({audits} training audit{'' if audits == 1 else 's'})")
        return
    _print_text(report)


def _print_text(report) -> None:
    click.echo(f"{len(report.audits)} completed training audit(s), {report.in_progress} in progress")
    if not report.audits:
        click.echo("No completed training audits yet: trainees start one with t on the home screen.")
        return
    click.echo("")
    click.echo(f"{'Trainee':<28} {'Audits':>6} {'Compared':>8} {'Exact':>7} {'Adjacent':>8} {'Kappa':>6}")
    for t in report.trainees:
        click.echo(f"{t['trainee'][:28]:<28} {t['audits']:>6} {t['compared']:>8} {_cell(t['exact_pct'], True):>7} "
                   f"{_cell(t['adjacent_pct'], True):>8} {_cell(t['kappa']):>6}")
    different = report.most_different()
    if different:
        click.echo("")
        click.echo("Questions most often graded differently")
        for q in different:
            click.echo(f"  {q['template'] + ' ' + q['question']:<58} {q['different']} of {q['compared']} different "
                       f"(exact {_cell(q['exact_pct'], True)})")
    for problem in report.problems:
        click.echo(f"not counted: {problem}", err=True)
