"""The Word report from the TUI: a key, progress in a thread, the path shown when done."""

from __future__ import annotations

import docx

from audit_tui.files.settings import Settings
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.report import ReportScreen

from ..test_store import complete_answers


async def test_report_built_from_home_in_a_worker(store, mini_template, tmp_path):
    audit_id = store.create_audit(mini_template, case_ref="CL-77", team="Leaving Care 1", round="2026-02 week")
    complete_answers(store, audit_id)
    store.complete(audit_id, "good")
    out = tmp_path / "report.docx"
    app = AuditApp(store, settings=Settings(organisation="Northbridge Council"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        screen.query_one("#r-path").value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(screen.query_one("#r-status").render()).startswith("✓ Written to")
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "Northbridge Council" in text


async def test_feedback_document_for_one_audit(store, mini_template, tmp_path):
    audit_id = store.create_audit(mini_template, case_ref="CL-78")
    complete_answers(store, audit_id)
    out = tmp_path / "feedback.docx"
    app = AuditApp(store, settings=Settings())
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#r-path").value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    body = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "CL-78" in body and "Plan written with Jo" in body + "".join(
        c.text for t in docx.Document(out).tables for r in t.rows for c in r.cells)
