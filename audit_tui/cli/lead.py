"""CLI commands for the quality lead's conclusions, under `audit-tui rounds`: the round's commentary,
its service-level recommendations (the report's improvement plan) and the headline measures' targets."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit_tui.cli.options import db_option, existing_store
from audit_tui.cli.rounds import rounds

RAG_CHOICE = click.Choice(["red", "amber", "green"], case_sensitive=False)


def _recommendation_line(rec: dict) -> str:
    return (f"{rec['id'][:8]}  {rec['rag'].upper():<5}  due {rec['due']}  {rec['what']}  "
            f"(lead: {rec['lead']}; outcome: {rec['outcome']})")


@rounds.command("commentary")
@click.argument("round_name", metavar="ROUND")
@click.option("--set", "text", metavar="TEXT", default=None,
              help="The quality lead's commentary on the round (replaces it; \"\" clears it).")
@db_option
def rounds_commentary(round_name: str, text: str | None, db_path: Path | None) -> None:
    """Show the lead's commentary on a round, or set it with --set (printed in the report's improvement plan)."""
    with existing_store(db_path) as store:
        name = store.known_round(round_name)
        if text is not None:
            store.set_round_commentary(name, text)
            click.echo(f"Commentary on “{name}” saved" if text.strip() else f"Commentary on “{name}” cleared")
            return
        click.echo(store.round_commentary(name) or f"No commentary on “{name}” yet (add one with --set TEXT)")


@rounds.command("recommend")
@click.argument("round_name", metavar="ROUND")
@click.option("--what", required=True, help="What will be done, e.g. \"Supervision records the child's plan\".")
@click.option("--lead", required=True, help="Who leads it (a named manager).")
@click.option("--outcome", required=True, help="The measurable outcome, e.g. \"90% of plans updated within 6 weeks\".")
@click.option("--due", required=True, metavar="DATE", help="When it is due (14/12/2026 or 2026-12-14).")
@click.option("--rag", type=RAG_CHOICE, default="red", show_default=True, help="RAG status: red, amber or green.")
@db_option
def rounds_recommend(round_name: str, what: str, lead: str, outcome: str, due: str, rag: str,
                     db_path: Path | None) -> None:
    """Add a service-level recommendation to a round's improvement plan."""
    with existing_store(db_path) as store:
        rec_id = store.add_recommendation(round_name, what=what, lead=lead, outcome=outcome, due=due, rag=rag)
        click.echo(f"Recommendation {rec_id[:8]} added to “{store.recommendation(rec_id)['round']}”")


@rounds.command("recommendations")
@click.argument("round_name", metavar="ROUND")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@db_option
def rounds_recommendations(round_name: str, as_json: bool, db_path: Path | None) -> None:
    """List a round's recommendations: id, RAG status, due date, what, lead and outcome."""
    with existing_store(db_path) as store:
        name = store.known_round(round_name)
        found = store.recommendations(name)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"No recommendations for “{name}” yet: audit-tui rounds recommend \"{name}\" --what … "
                   "--lead … --outcome … --due DATE --rag red|amber|green")
    for rec in found:
        click.echo(_recommendation_line(rec))


@rounds.command("recommendation-edit")
@click.argument("rec_id", metavar="ID")
@click.option("--what", default=None, help="What will be done.")
@click.option("--lead", default=None, help="Who leads it.")
@click.option("--outcome", default=None, help="The measurable outcome.")
@click.option("--due", default=None, metavar="DATE", help="When it is due.")
@click.option("--rag", type=RAG_CHOICE, default=None, help="RAG status: red, amber or green.")
@db_option
def rounds_recommendation_edit(rec_id: str, db_path: Path | None, **changes: str | None) -> None:
    """Change a recommendation (give its id, or its first 6 or more characters, as the list shows)."""
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise click.UsageError("say what to change: --what, --lead, --outcome, --due or --rag")
    with existing_store(db_path) as store:
        rec = store.recommendation(rec_id)
        store.update_recommendation(rec["id"], **changes)
        click.echo(_recommendation_line(store.recommendation(rec["id"])))


@rounds.command("recommendation-remove")
@click.argument("rec_id", metavar="ID")
@db_option
def rounds_recommendation_remove(rec_id: str, db_path: Path | None) -> None:
    """Remove a recommendation from its round's improvement plan (logged in history)."""
    with existing_store(db_path) as store:
        rec = store.recommendation(rec_id)
        store.remove_recommendation(rec["id"])
        click.echo(f"Recommendation {rec['id'][:8]} removed from “{rec['round']}”")


@rounds.command("target")
@click.argument("measure", required=False)
@click.argument("percent", required=False)
@click.option("--clear", is_flag=True, help="Remove the measure's target.")
@db_option
def rounds_target(measure: str | None, percent: str | None, clear: bool, db_path: Path | None) -> None:
    """Set a headline measure's target, e.g. `rounds target lived_experience 85`; with no arguments, list them.

    Targets are drawn as a line on the report's trend chart, and each round's figure is rated
    against them: green at or above the target, amber less than 5 points below, red 5 or more below."""
    with existing_store(db_path) as store:
        if measure is None:
            targets = store.targets()
            for name in store.measures():
                value = targets.get(name)
                click.echo(f"{name:<24} {'no target' if value is None else f'{value:g}%'}")
            return
        if percent is None and not clear:
            raise click.UsageError("give the target as a percentage (e.g. 85), or --clear")
        store.set_target(measure, None if clear else percent)
        value = store.targets().get(measure.strip().lower())
        click.echo(f"Target for {measure.strip().lower()}: {'none' if value is None else f'{value:g}%'}")
