"""The report's big tables (action plan, appendix) are streamed into the .docx; read back, they are whole."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from audit_tui.report import docxkit as kit
from audit_tui.report import render
from audit_tui.report import streamed as streamed_module
from audit_tui.report.streamed import StreamedTables
from audit_tui.summary import Filters, compute_summary

from .factories import known_dataset

pytestmark = pytest.mark.xdist_group("report_streamed")  # its fixture: once, on one worker (--dist loadgroup)
ACTIONS = 700  # per team: more than one chunk of rows
HOSTILE = "<b>&\x0b bold?</b>\nsecond line"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The known data set's summary with 1,400 actions in two teams (one hostile) and 1,100 audits, rendered."""
    folder = tmp_path_factory.mktemp("streamed")
    store = known_dataset(folder / "audits.db")
    summary = compute_summary(store, Filters(as_of=date(2026, 3, 20)))
    store.close()
    action, audit = summary.action_plan[0], summary.appendix[0]
    summary.action_plan = [action.model_copy(update={"team": team, "case_ref": f"{team[-1]}-{n:04d}",
                                                     "description": f"Action {n}", "overdue": n % 3 == 0,
                                                     "status": "open"})
                           for team in ("Team A", "Team B") for n in range(ACTIONS)]
    summary.action_plan[5] = summary.action_plan[5].model_copy(update={"description": HOSTILE, "owner": "Tab\there"})
    summary.appendix = [audit.model_copy(update={"case_ref": f"AP-{n:05d}"}) for n in range(1100)]
    render(summary, folder / "big.docx")
    return summary, folder / "big.docx"


def tables_with(doc, *header: str):
    return [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(header)]


def fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd"))
    return None if shd is None else shd.get(qn("w:fill"))


def test_every_action_is_in_the_plan_with_overdue_rows_shaded(big):
    summary, path = big
    doc = Document(str(path))
    tables = tables_with(doc, "Case", "Action", "Owner", "Due", "Status")
    assert [len(t.rows) - 1 for t in tables] == [ACTIONS, ACTIONS]
    rows = [row for t in tables for row in t.rows[1:]]
    assert [row.cells[0].text for row in rows] == [r.case_ref for r in summary.action_plan]
    for n, (row, action) in enumerate(zip(rows, summary.action_plan)):
        expected = kit.OVERDUE_FILL if action.overdue else (kit.ZEBRA_FILL if n % ACTIONS % 2 else None)
        assert {fill(c) for c in row.cells} == {expected}, n
        assert (row.cells[4].text == "OVERDUE") == action.overdue
    assert "Team A: 700 open actions, 234 overdue" in [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]


def test_hostile_text_is_written_safely(big):
    _, path = big
    row = tables_with(Document(str(path)), "Case", "Action", "Owner", "Due", "Status")[0].rows[6]
    assert row.cells[1].text == "<b>& bold?</b>\nsecond line"
    assert row.cells[2].text == "Tab here"


def test_appendix_has_one_row_per_audit_and_headers_repeat(big):
    summary, path = big
    doc = Document(str(path))
    [appendix] = tables_with(doc, "Case", "Team", "Audited", "Auditor", "Summary")
    assert [row.cells[0].text for row in appendix.rows[1:]] == [a.case_ref for a in summary.appendix]
    header, first = appendix.rows[0]._tr.trPr, appendix.rows[1]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None and first.find(qn("w:cantSplit")) is not None


def test_no_placeholder_is_left(big):
    _, path = big
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        assert b"<!--" not in package.read("word/document.xml")


@pytest.mark.parametrize("ahead", [False, True], ids=["at-save", "rendered-ahead"])
@pytest.mark.parametrize("count", [3, 40, 1200])
def test_a_streamed_table_is_the_table_held_in_memory(tmp_path, monkeypatch, count, ahead):
    """Short tables (kept on one page) and long ones (chunks), their rows generated as the file is
    saved or rendered ahead (spooled; past 4 KiB here, to a temporary file): the same XML either way."""
    monkeypatch.setattr(streamed_module, "SPOOL_BYTES", 4096)
    rows = [[f"CL-{n}", HOSTILE if n == 1 else f"row {n}", n] for n in range(count)]
    fills = [kit.OVERDUE_FILL if n == 2 else None for n in range(count)]
    doc, streamed = kit.new_document(), StreamedTables()
    for later in (None, streamed):
        kit.table(doc, ["Case", "Text", "Number"], iter(rows), widths=[3, 8, 2], fills=iter(fills), numeric=(2,),
                  bold_first=True, streamed=later)
    if ahead:
        streamed.render()
        rows[:] = fills[:] = []  # rendered: nothing is read from them any more
    with open(tmp_path / "t.docx", "wb") as handle:
        streamed.save(doc, handle)
    held, written = Document(str(tmp_path / "t.docx")).tables
    assert len(written.rows) == len(held.rows) == count + 1
    assert etree.tostring(held._tbl) == etree.tostring(written._tbl)


def test_a_lost_placeholder_is_an_error(tmp_path):
    doc, streamed = kit.new_document(), StreamedTables()
    table = kit.table(doc, ["Case"], [["CL-1"]], streamed=streamed)
    table._tbl.getparent().remove(table._tbl)
    with open(tmp_path / "t.docx", "wb") as handle, pytest.raises(RuntimeError, match="placeholder"):
        streamed.save(doc, handle)
