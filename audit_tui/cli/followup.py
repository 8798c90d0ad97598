"""CLI commands for re-audit and follow-up: `case` (a case's audits side by side), `reaudit` (the date an
inadequate audit's case is audited again) and `followup` (what a follow-up audit follows and whether the
earlier actions made a difference).

Every failure raises an exception whose message the group in cli/main.py prints as one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit_tui.cli.options import command, db_option, existing_store


@command("case")
@click.argument("case_ref")
@click.option("--json", "as_json", is_flag=True, help="Print the audits and their grades as JSON.")
@db_option
def case(case_ref: str, as_json: bool, db_path: Path | None) -> None:
    """Show every audit of a case side by side: overall grade, each question's final grade, follow-up."""
    from audit_tui.domain.values import cut_keeping_number
    from audit_tui.features.casebook import case_comparison

    with existing_store(db_path) as store:
        compared = case_comparison(store, case_ref)
    if as_json:
        click.echo(json.dumps(compared, indent=2, ensure_ascii=False))
        return
    audits = compared["audits"]
    if not audits:
        click.echo(f"No audit of {case_ref}.")
        return
    width = 14
    click.echo(f"{'':<30}" + "".join(f"{a['audited_on']:<{width}}" for a in audits))
    for label, key in (("Auditor", "auditor"), ("Status", "status"), ("Overall", "overall_label"),
                       ("Follows up", "follows_on"), ("Actions made a difference", "followup_label"),
                       ("Re-audit due", "reaudit_due"), ("Actions (open)", "actions_text")):
        click.echo(f"{label:<30}" + "".join(f"{_cell(a.get(key)):<{width}}" for a in audits))
    for row in compared["questions"]:  # "Accommodation, staying… Q2": the number stays
        label = cut_keeping_number(row["label"], 29)
        click.echo(f"{label:<30}" + "".join(f"{_cell(g):<{width}}" for g in row["grades"]))


def _cell(value, width: int = 13) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


@command("reaudit")
@click.argument("audit_id", metavar="ID")
@click.option("--on", "on", metavar="DATE", help="When the case is to be audited again (e.g. 14/04/2026).")
@click.option("--clear", is_flag=True, help="Remove the re-audit date.")
@db_option
def reaudit(audit_id: str, on: str | None, clear: bool, db_path: Path | None) -> None:
    """Set when an inadequate audit's case is audited again (it then shows on the round dashboard)."""
    if bool(on) == clear:
        raise click.UsageError("give --on DATE or --clear")
    with existing_store(db_path) as store:
        full = store.resolve_id("audits", audit_id)
        store.schedule_reaudit(full, None if clear else on)
        row = store.case_audits(store.get_audit(full).case_ref)
    due = next(r["reaudit_due"] for r in row if r["id"] == full)
    click.echo(f"Re-audit of {full[:8]}: {'due ' + due if due else 'no date'} (logged).")


@command("followup")
@click.argument("audit_id", metavar="ID")
@click.option("--follows", metavar="EARLIER_ID", help="The earlier audit of the case this one follows up.")
@click.option("--impact", type=click.Choice(["improved", "some_improvement", "no_change", "worse", "too_early"]),
              help="Whether the earlier audit's actions made a difference.")
@click.option("--note", help="What shows it.")
@db_option
def followup(audit_id: str, follows: str | None, impact: str | None, note: str | None, db_path: Path | None) -> None:
    """Record, on a draft, which earlier audit it follows up and whether that audit's actions made a difference."""
    changes = {k: v for k, v in (("follows", follows), ("impact", impact), ("note", note)) if v is not None}
    if not changes:
        raise click.UsageError("give --follows, --impact or --note")
    with existing_store(db_path) as store:
        full = store.resolve_id("audits", audit_id)
        store.set_followup(full, **changes)
        record = store.get_audit(full)
    judged = record.followup.impact if record.followup else "not recorded"
    click.echo(f"Follow-up of {full[:8]}: follows {(record.follows or 'no audit')[:8]}; the actions: {judged} "
               "(logged).")
