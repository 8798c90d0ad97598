"""Rounds and case lists: import from CSV/XLSX (every bad row by line number, all or nothing), progress."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.features import rounds
from audit_tui.features.rounds import RoundError

from .factories import base, make_audit, template

ROUND = "2026-02 practice week"
GOOD_CSV = """\
Case Reference,Service area,Team,Social worker,Allocated Auditor,Template,Notes
CL-0001,care leavers,Team A,Dan Okafor,Ann Auditor,test-audit,first
CL-0002,care leavers,Team A,Dan Okafor,Ann Auditor,,
CL-0003,care leavers,Team B,Sue Li,Bob Auditor,test-audit,
"""
BAD_CSV = """\
case ref,team,auditor,template
CL-0001,Team A,Ann Auditor,test-audit
,Team A,Ann Auditor,test-audit
"CL 0002",Team A,,test-audit
CL-0001,Team B,Bob Auditor,test-audit
CL-0004,Team B,Bob Auditor,no-such-template
"""


@pytest.fixture
def lead(store):
    store.save_template(template())
    rounds.create_round(store, ROUND, "2026-02-09", "2026-02-13", ["test-audit"])
    return store


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(tmp_path, name, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_create_round_checks_name_dates_and_uniqueness(store):
    with pytest.raises(RoundError) as err:
        rounds.create_round(store, "", "2026-02-13", "2026-02-09", ["Not Kebab"])
    assert len(err.value.problems) == 3  # no name, ends before it starts, bad template id
    rounds.create_round(store, ROUND, "2026-02-09", "13/02/2026", [])
    with pytest.raises(RoundError, match="already a round"):
        rounds.create_round(store, ROUND.upper(), "2026-02-09", "2026-02-13")
    assert [r["name"] for r in rounds.list_rounds(store)] == [ROUND]


def test_csv_case_list_with_header_variants_imports(lead, tmp_path):
    result = rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    assert result.ignored_columns == ["Notes"]
    cases = {r["case_ref"]: r for r in rounds.allocations(lead, ROUND)}
    assert cases["CL-0002"]["template_id"] == "test-audit"  # the round's only template
    assert cases["CL-0003"]["worker"] == "Sue Li" and cases["CL-0003"]["auditor"] == "Bob Auditor"
    again = rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(lead, tmp_path):
    path = write(tmp_path, "bad.csv", BAD_CSV)
    with pytest.raises(RoundError) as err:
        rounds.import_cases(lead, ROUND, path, known_templates={"test-audit"})
    problems = err.value.problems
    assert problems == [
        f"{path}:3: no case ref",
        f"{path}:4: case ref “CL 0002”: letters, digits and - / _ . only (at most 40)",
        f"{path}:4: no allocated auditor",
        f"{path}:5: case ref CL-0001 is already on line 2",
        f"{path}:6: template no-such-template is not one of the round's (test-audit)",
    ]
    assert rounds.allocations(lead, ROUND) == []


def test_missing_required_column_is_named(lead, tmp_path):
    with pytest.raises(RoundError, match=r"bad.csv:1: no auditor column"):
        rounds.import_cases(lead, ROUND, write(tmp_path, "bad.csv", "case ref,team\nCL-1,A\n"))


def test_xlsx_case_list_good_and_bad(lead, tmp_path):
    good = write_xlsx(tmp_path, "cases.xlsx", [
        ["Case ref", "Service area", "Team", "Worker", "Auditor", "Template"],
        ["CL-0001", "care leavers", "Team A", "Dan Okafor", "Ann Auditor", "test-audit"],
        [None, None, None, None, None, None],  # blank rows are skipped
        [1234, "care leavers", "Team B", "Sue Li", "Bob Auditor", None],  # a number typed as a case ref
    ])
    result = rounds.import_cases(lead, ROUND, good, known_templates={"test-audit"})
    assert result.added == 2
    assert {r["case_ref"] for r in rounds.allocations(lead, ROUND)} == {"CL-0001", "1234"}
    bad = write_xlsx(tmp_path, "bad.xlsx", [
        ["Case ref", "Team", "Allocated auditor"],
        ["CL-0009", "Team A", "Ann Auditor"],
        ["CL-0010", "Team A", None],
    ])
    with pytest.raises(RoundError) as err:
        rounds.import_cases(lead, ROUND, bad, known_templates={"test-audit"})
    assert err.value.problems == [f"{bad}:3: no allocated auditor"]
    assert len(rounds.allocations(lead, ROUND)) == 2


def test_started_allocation_cannot_change_but_others_update(lead, tmp_path):
    rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    make_audit(lead, "CL-0001", base(), round=ROUND, auditor="Ann Auditor", complete=False)
    moved = GOOD_CSV.replace("CL-0001,care leavers,Team A,Dan Okafor,Ann Auditor",
                             "CL-0001,care leavers,Team A,Dan Okafor,Bob Auditor")
    with pytest.raises(RoundError, match=":2: CL-0001's audit has started"):
        rounds.import_cases(lead, ROUND, write(tmp_path, "moved.csv", moved), known_templates={"test-audit"})
    moved = GOOD_CSV.replace("Sue Li,Bob Auditor", "Sue Li,Ann Auditor")
    result = rounds.import_cases(lead, ROUND, write(tmp_path, "moved.csv", moved), known_templates={"test-audit"})
    assert (result.updated, result.unchanged) == (1, 2)


def test_dashboard_counts_by_auditor_team_and_overall(lead, tmp_path):
    rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    make_audit(lead, "CL-0001", base(), round=ROUND, auditor="Ann Auditor")  # completed
    draft = make_audit(lead, "CL-0003", base(), round=ROUND, team="Team B", auditor="Bob Auditor", complete=False)
    make_audit(lead, "CL-0009", base(), round="another round")  # not allocated: not counted
    figures = rounds.dashboard(lead, ROUND)
    assert figures["overall"] == {"name": "all", "allocated": 3, "not_started": 1, "in_progress": 1,
                                  "completed": 1, "moderated": 0}
    by_auditor = {r["name"]: r for r in figures["auditors"]}
    assert by_auditor["Ann Auditor"]["completed"] == 1 and by_auditor["Ann Auditor"]["not_started"] == 1
    assert by_auditor["Bob Auditor"]["in_progress"] == 1
    assert {r["name"]: r["allocated"] for r in figures["teams"]} == {"Team A": 2, "Team B": 1}
    mine = rounds.my_allocations(lead, "ann auditor")
    assert [r["case_ref"] for r in mine] == ["CL-0002"]
    assert [r["found_audit"] for r in rounds.my_allocations(lead, "Bob Auditor")] == [draft]


def test_cli_rounds_create_import_show(tmp_path):
    db = tmp_path / "cli.db"
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db), "rounds", "create", ROUND, "--from", "2026-02-09",
                                  "--to", "2026-02-13", "--template", "care-leavers"])
    assert result.exit_code == 0, result.output
    cases = write(tmp_path, "cases.csv", GOOD_CSV.replace("test-audit", "care-leavers"))
    result = runner.invoke(main, ["rounds", "import-cases", ROUND, str(cases), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "3 case(s) added" in result.output and "ignored column(s): Notes" in result.output
    bad = write(tmp_path, "bad.csv", BAD_CSV)
    result = runner.invoke(main, ["--db", str(db), "rounds", "import-cases", ROUND, str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: no case ref" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(main, ["--db", str(db), "rounds", "show", ROUND])
    assert result.exit_code == 0
    assert "Ann Auditor" in result.output and "Moderation: no audits moderated yet." in result.output
    result = runner.invoke(main, ["--db", str(db), "rounds", "list"])
    assert ROUND in result.output and "3 case(s)" in result.output
    result = runner.invoke(main, ["--db", str(db), "rounds", "show", "nope"])
    assert result.exit_code == 1 and "no round called" in result.stderr


async def test_starting_an_allocated_case_prefills_the_form(lead, tmp_path):
    from textual.widgets import Input, Select

    from audit_tui.files.settings import Settings
    from audit_tui.tui.app import AuditApp
    from audit_tui.tui.screens.audit import AuditScreen
    from audit_tui.tui.screens.new_audit import NewAuditScreen
    from audit_tui.tui.screens.rounds import RoundsScreen

    rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    app = AuditApp(lead, settings=Settings(auditor_name="Bob Auditor"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        strip = app.screen.query_one("#my-cases")
        assert strip.display and "CL-0003" in str(strip.render())
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RoundsScreen)
        cases = app.screen.query_one("#cases")
        assert cases.get_row_at(0)[0].plain == "▶ CL-0003"  # Bob's own case first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)
        form = app.screen
        assert form.query_one("#case_ref", Input).value == "CL-0003"
        assert form.query_one("#worker", Input).value == "Sue Li"
        assert form.query_one("#round", Input).value == ROUND
        assert form.templates[form.query_one("#template", Select).value].id == "test-audit"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
    row = next(r for r in rounds.allocations(lead, ROUND) if r["case_ref"] == "CL-0003")
    assert row["audit_id"] and row["progress"] == "in progress"
    assert lead.get_audit(row["audit_id"]).audited_on == date.today()


async def test_the_dashboard_counts_moderation_agreement_on_a_thread(lead, tmp_path, monkeypatch):
    """The agreement line may need the stored facts built first: the screen shows its progress at once
    and the line when a worker, on its own connection, has counted it."""
    import threading

    from textual.widgets import Static

    from audit_tui.features.moderation import save_moderation
    from audit_tui.tui.app import AuditApp
    from audit_tui.tui.screens import rounds as screen_module
    from audit_tui.tui.screens.rounds import RoundsScreen

    rounds.import_cases(lead, ROUND, write(tmp_path, "cases.csv", GOOD_CSV), known_templates={"test-audit"})
    audit_id = make_audit(lead, "CL-0001", base(**{"practice.quality": "requires_improvement"}), overall="good")
    save_moderation(lead, audit_id, overall_grade="requires_improvement", comment="Plan not good enough",
                    changes={"practice.quality": ("inadequate", "No plan at all")})
    counted_on = []
    real = screen_module.moderation_agreement
    monkeypatch.setattr(screen_module, "moderation_agreement",
                        lambda db, filters: counted_on.append((threading.current_thread(), db)) or real(db, filters))
    app = AuditApp(lead)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(RoundsScreen(ROUND))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#rounds-overall", Static).render())
        assert "Overall: 3 allocated" in text
        assert "Moderation of 1 audit(s)" in text and "counting" not in text
    assert counted_on and all(thread is not threading.main_thread() and db is not lead for thread, db in counted_on)
