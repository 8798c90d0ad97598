"""Action tracking: filters, overdue, mark done (on completed audits too), exports, CLI and screen."""

from __future__ import annotations

import csv
import os
import stat
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.exchange.exports import ExportError
from audit_tui.features.actions import ActionFilter, export_actions, list_actions, mark_done
from audit_tui.storage.store import StoreError

from .factories import base, make_audit

AS_OF = date(2026, 3, 20)


@pytest.fixture
def tracked(store):
    """Three actions: one overdue (Team A), one due later (Team B, another round), one hostile text."""
    make_audit(store, "CL-0001", base(**{"practice.quality": "requires_improvement"}), audited_on=date(2026, 2, 10))
    make_audit(store, "CL-0002", base(**{"practice.voice": "inadequate"}), team="Team B", round="2026-05 week",
               audited_on=date(2026, 3, 1),
               actions=[{"description": "=HYPERLINK(\"http://x\") meet the young person",
                         "owner": "-Sam Worker", "due": date(2026, 6, 1), "question": "practice.voice"}])
    return store


def test_list_filters_and_overdue(tracked):
    rows = list_actions(tracked, ActionFilter(as_of=AS_OF))
    assert [r["case_ref"] for r in rows] == ["CL-0001", "CL-0002"]  # overdue first
    assert [r["overdue"] for r in rows] == [True, False]  # due 2026-03-12 < as of 2026-03-20
    assert [r["case_ref"] for r in list_actions(tracked, ActionFilter(overdue=True, as_of=AS_OF))] == ["CL-0001"]
    assert [r["case_ref"] for r in list_actions(tracked, ActionFilter(team="team b"))] == ["CL-0002"]
    assert [r["case_ref"] for r in list_actions(tracked, ActionFilter(round="2026-05 week"))] == ["CL-0002"]
    assert [r["case_ref"] for r in list_actions(tracked, ActionFilter(owner="Team manager"))] == ["CL-0001"]
    assert list_actions(tracked, ActionFilter(status="done")) == []


def test_actions_view_flags_overdue_against_today(tracked):
    tracked.db.execute("UPDATE actions SET due = date('now', '+1 day') WHERE owner = '-Sam Worker'")
    rows = {r["case_ref"]: r for r in tracked.db.query("SELECT * FROM actions_view")}
    assert rows["CL-0001"]["overdue"] == 1 and rows["CL-0001"]["days_overdue"] > 0  # due 2026-03-12
    assert rows["CL-0002"]["overdue"] == 0 and rows["CL-0002"]["days_overdue"] is None
    assert rows["CL-0002"]["team"] == "Team B" and rows["CL-0002"]["round"] == "2026-05 week"


def test_training_audits_are_left_out(tracked):
    from audit_tui.features.training import mark_training

    audit_id = make_audit(tracked, "CL-0101", base(**{"practice.voice": "inadequate"}), round="Training")
    mark_training(tracked, audit_id, "CL-0101", "Tara Trainee")
    assert "CL-0101" not in {r["case_ref"] for r in list_actions(tracked)}
    assert "CL-0101" not in {r["case_ref"] for r in tracked.db.query("SELECT case_ref FROM actions_view")}
    assert "CL-0101" not in {r["case_ref"] for r in tracked.db.query("SELECT case_ref FROM answers_view")}


def test_mark_done_on_a_completed_audit_is_logged(tracked):
    row = list_actions(tracked, ActionFilter(team="Team A"))[0]
    assert tracked.get_audit(row["audit_id"]).status == "completed"
    mark_done(tracked, row["action_id"][:8], "Plan rewritten with the young person", date(2026, 3, 15))
    done = list_actions(tracked, ActionFilter(status="done", as_of=AS_OF))
    assert [(r["done_on"], r["note"], r["overdue"]) for r in done] == [
        ("2026-03-15", "Plan rewritten with the young person", False)]
    fields = [r["field"] for r in tracked.history(row["audit_id"])]
    assert any(f.endswith(":status") for f in fields) and any(f.endswith(":done_on") for f in fields)
    with pytest.raises(StoreError, match="already done"):
        mark_done(tracked, row["action_id"], "again")
    with pytest.raises(StoreError, match="note is needed"):
        mark_done(tracked, list_actions(tracked, ActionFilter(status="open"))[0]["action_id"], " ")


def test_export_neutralises_formulas_owner_only_and_refuses_overwrite(tracked, tmp_path):
    rows = list_actions(tracked, ActionFilter(as_of=AS_OF))
    path = tmp_path / "actions.csv"
    assert export_actions(rows, path) == 2
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with path.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    hostile = next(r for r in lines if r["case_ref"] == "CL-0002")
    assert hostile["description"].startswith("'=HYPERLINK") and hostile["owner"] == "'-Sam Worker"
    assert lines[0]["overdue"] == "yes"
    with pytest.raises(ExportError, match="already exists"):
        export_actions(rows, path)
    export_actions(rows, path, overwrite=True)
    from openpyxl import load_workbook

    xlsx = tmp_path / "actions.xlsx"
    export_actions(rows, xlsx)
    sheet = load_workbook(xlsx).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["action_id", "case_ref", "round"]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for row in values for v in row)
    assert stat.S_IMODE(os.stat(xlsx).st_mode) == 0o600


def test_cli_actions_list_done_and_export(tracked, tmp_path):
    tracked.close()
    db = str(tmp_path / "audits.db")
    runner = CliRunner()
    result = runner.invoke(main, ["--db", db, "actions", "--overdue", "--as-of", "2026-03-20"])
    assert result.exit_code == 0, result.output
    assert "OVERDUE" in result.output and "CL-0001" in result.output and "CL-0002" not in result.output
    action_id = result.output.split()[0]
    result = runner.invoke(main, ["--db", db, "actions", "done", action_id, "--note", "Done", "--on", "2026-03-18"])
    assert result.exit_code == 0, result.output
    assert "marked done on 2026-03-18" in result.output
    result = runner.invoke(main, ["--db", db, "actions", "--status", "done"])
    assert "CL-0001" in result.output and "CL-0002" not in result.output
    out = tmp_path / "a.xlsx"
    assert runner.invoke(main, ["--db", db, "actions", "--xlsx", str(out)]).exit_code == 0
    again = runner.invoke(main, ["--db", db, "actions", "--xlsx", str(out)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    wrong = runner.invoke(main, ["--db", db, "actions", "done", "zzzzzz", "--note", "x"])
    assert wrong.exit_code == 1 and "no action with id zzzzzz" in wrong.stderr


async def test_action_tracker_screen_marks_done(tracked):
    from audit_tui.files.settings import Settings
    from audit_tui.tui.app import AuditApp
    from audit_tui.tui.screens.action_tracker import ActionTrackerScreen, DoneDialog

    app = AuditApp(tracked, settings=Settings(auditor_name="Quinn Lead"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActionTrackerScreen)
        table = screen.query_one("#tracker")
        assert table.get_row_at(0)[1].plain == "OVERDUE" and "red" in str(table.get_row_at(0)[1].style)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DoneDialog)
        await pilot.press(*"Done", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert [r["case_ref"] for r in screen.rows.values()] == ["CL-0002"]  # the open list no longer has it
    assert [r["note"] for r in list_actions(tracked, ActionFilter(status="done"))] == ["Done"]
