"""Flat CSV and XLSX exports: read back, formula neutralisation, owner-only files, no overwrite."""

from __future__ import annotations

import csv
import os
import stat

import pytest
from openpyxl import load_workbook

from audit_tui.exchange.exports import ExportError, export_csv, export_xlsx, neutralise
from audit_tui.storage.store import Store
from audit_tui.summary import Filters

from .factories import base, make_audit

FORMULA = "=HYPERLINK(\"http://evil.example\", \"click\")"


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "audits.db", actor="tester")
    make_audit(store, "CL-0101", base(**{"practice.quality": "requires_improvement"}),
               evidence={"practice.quality": FORMULA, "practice.voice": "+44 7700 900000 called; she said she is fine",
                         "oversight.supervision": "@supervisor: -reflective- notes"})
    make_audit(store, "CL-0102", base(), team="Team B")
    make_audit(store, "CL-0103", {}, complete=False, team="Team B")  # a draft without answers
    yield store
    store.close()


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_one_row_per_answer_with_audit_fields(store, tmp_path):
    rows_written = export_csv(store, tmp_path / "out.csv")
    rows = read_csv(tmp_path / "out.csv")
    assert rows_written == len(rows) == 5 + 5 + 1
    first = [r for r in rows if r["case_ref"] == "CL-0101"]
    assert [r["question"] for r in first] == ["practice.quality", "practice.voice", "practice.compliance",
                                              "circumstances.in_custody", "oversight.supervision"]
    quality = first[0]
    assert (quality["team"], quality["status"], quality["grade"], quality["auditor_grade"]) == (
        "Team A", "completed", "requires_improvement", "requires_improvement")
    assert quality["themes"] == "plans"
    draft = next(r for r in rows if r["case_ref"] == "CL-0103")
    assert draft["status"] == "draft" and draft["question"] == ""


def test_csv_neutralises_formulas(store, tmp_path):
    export_csv(store, tmp_path / "out.csv")
    rows = {r["question"]: r for r in read_csv(tmp_path / "out.csv") if r["case_ref"] == "CL-0101"}
    assert rows["practice.quality"]["evidence"] == "'" + FORMULA
    assert rows["practice.voice"]["evidence"].startswith("'+44")
    assert rows["oversight.supervision"]["evidence"].startswith("'@supervisor")
    assert rows["practice.compliance"]["evidence"].startswith("Record reviewed")


def test_neutralise_rules():
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx", "ok", 5, None)] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", 5, None]


def test_xlsx_sheets_read_back(store, tmp_path):
    assert export_xlsx(store, tmp_path / "out.xlsx") == 3
    book = load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["audits", "answers", "actions"]
    audits = list(book["audits"].values)
    assert audits[0][:3] == ("audit_id", "case_ref", "template_id")
    assert sorted(r[1] for r in audits[1:]) == ["CL-0101", "CL-0102", "CL-0103"]
    answers = list(book["answers"].values)
    header = answers[0]
    evidence = {r[header.index("question")]: r[header.index("evidence")] for r in answers[1:]
                if r[1] == "CL-0101"}
    assert evidence["practice.quality"] == "'" + FORMULA
    assert len(answers) - 1 == 10
    actions = list(book["actions"].values)
    assert len(actions) == 2 and actions[1][1] == "CL-0101"
    due = actions[1][actions[0].index("due")]
    assert due.year == 2026 and due.month == 3  # a real date cell


def test_filters_apply(store, tmp_path):
    export_csv(store, tmp_path / "b.csv", Filters(team="Team B"))
    assert {r["case_ref"] for r in read_csv(tmp_path / "b.csv")} == {"CL-0102", "CL-0103"}


@pytest.mark.parametrize("export", [export_csv, export_xlsx])
def test_owner_only_and_no_overwrite(store, tmp_path, export):
    path = tmp_path / ("out." + ("csv" if export is export_csv else "xlsx"))
    export(store, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(ExportError, match="already exists"):
        export(store, path)
    export(store, path, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_missing_folder(store, tmp_path):
    with pytest.raises(ExportError, match="no folder"):
        export_csv(store, tmp_path / "nope" / "out.csv")
