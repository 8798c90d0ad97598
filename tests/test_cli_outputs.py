"""`audit-tui report | summary | export | import` through the real CLI entry point."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main

from .factories import known_dataset


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "audits.db"
    known_dataset(path).close()
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("audit-tui: error: ")
    assert "Traceback" not in result.output
    return lines[0]


def test_export_import_round_trip_through_the_cli(db, tmp_path):
    first = run("export", tmp_path / "a.json", "--db", db)
    assert first.exit_code == 0 and first.stdout.strip() == f"Exported 6 audit(s) to {tmp_path / 'a.json'}"
    imported = run("import", tmp_path / "a.json", "--db", tmp_path / "new.db")
    assert imported.stdout.strip() == f"Imported 6 audit(s) from {tmp_path / 'a.json'}; 1 template(s) added"
    again = run("import", tmp_path / "a.json", "--db", tmp_path / "new.db")
    assert "Imported 0 audit(s)" in again.stdout and "6 already present and unchanged" in again.stdout
    run("export", tmp_path / "b.json", "--db", tmp_path / "new.db")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    as_of = ["--as-of", "2026-03-20"]
    assert json.loads(run("summary", "--json", "--db", db, *as_of).stdout) == \
        json.loads(run("summary", "--json", "--db", tmp_path / "new.db", *as_of).stdout)


def test_db_option_before_the_command(db):
    result = run("--db", db, "summary", "--json", "--as-of", "2026-03-20")
    assert result.exit_code == 0 and json.loads(result.stdout)["audits"]["total"] == 6


def test_flat_exports_by_extension(db, tmp_path):
    assert run("export", tmp_path / "a.csv", "--db", db, "--team", "Team B").stdout.strip() == \
        f"Exported 10 row(s) to {tmp_path / 'a.csv'}"
    assert run("export", tmp_path / "a.xlsx", "--db", db).stdout.strip() == \
        f"Exported 6 audit(s) to {tmp_path / 'a.xlsx'}"


def test_force_replaces(db, tmp_path):
    (tmp_path / "a.csv").write_text("old")
    assert "already exists; use --force" in one_error_line(run("export", tmp_path / "a.csv", "--db", db))
    assert run("export", tmp_path / "a.csv", "--db", db, "--force").exit_code == 0
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").startswith("audit_id,")


def test_bad_import_names_audit_and_field(db, tmp_path):
    run("export", tmp_path / "a.json", "--db", db)
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    # a draft (the completion gates would add lines of their own), with one grade that is no grade
    data["audits"][1].update(status="draft", moderation=None)
    data["audits"][1]["answers"][2]["grade"] = "superb"
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    line = one_error_line(run("import", tmp_path / "bad.json", "--db", tmp_path / "new.db"))
    assert line.startswith(f"audit-tui: error: audit 1 ({data['audits'][1]['case_ref']}), field answers[2].grade: "
                           "'superb' is not a grade")
    assert not (tmp_path / "new.db").exists()  # a failed import leaves no database behind


@pytest.mark.parametrize("args, words", [
    (["summary", "--json", "--from", "2026-13-01"], "--from '2026-13-01' is not a date"),
    (["summary", "--json", "--from", "2026-03-01", "--to", "2026-02-01"], "--from is after --to"),
    (["export", "out.txt"], "give a file name ending in .json, .csv or .xlsx"),
    (["import", "in.csv"], "only .json interchange files can be imported"),
    (["import", "missing.json"], "no file at missing.json"),
    (["report", "-o", "out.pdf"], "give a name ending in .docx"),
    (["report", "-o", "OUT.docx", "--audit", "no-such-audit"], "no audit with id no-such-audit"),
])
def test_failures_are_one_line(db, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    assert words in one_error_line(run(*args, "--db", db))


def test_missing_database_is_not_created(tmp_path):
    line = one_error_line(run("summary", "--json", "--db", tmp_path / "none.db"))
    assert line.endswith(f"no database at {tmp_path / 'none.db'}: check the path given to --db")
    assert not (tmp_path / "none.db").exists()


def test_a_short_file_given_as_the_database_says_to_check_the_path(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Visit notes for CL-0042\n")
    line = one_error_line(run("summary", "--json", "--db", notes))
    assert line.endswith(f"{notes} is too short to be a database (another kind of file, or a damaged database); it "
                         "was left untouched — check the path, or restore a backup if it is your database")
    assert notes.read_text() == "Visit notes for CL-0042\n"
