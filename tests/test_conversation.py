"""The feedback conversation with the worker and family feedback (README "Completing an audit"):
edited in the app (F5), counted in the report and `summary --json`, written into the feedback
document, carried losslessly by the audit-tui/1 file. Through Pilot, the CLI and files read back."""

from __future__ import annotations

import json
from datetime import date

import pytest
from docx import Document
from textual.widgets import Input, Select, TextArea

from audit_tui.files.settings import Settings
from audit_tui.storage.store import Store, StoreError
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.conversation import ConversationScreen

from .conftest import DATA
from .factories import base, make_audit
from .helpers.cli import invoke


def run(*args: str) -> str:
    done = invoke(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def talked(tmp_path):
    """Three completed audits and a draft: two conversations held (yes; partly, with a challenge), family
    feedback on one; the draft's conversation is not counted (drafts never are)."""
    db = tmp_path / "a.db"
    store = Store(db, actor="Ann Auditor")
    one = make_audit(store, "CL-0001", base())
    two = make_audit(store, "CL-0002", base())
    make_audit(store, "CL-0003", base())
    draft = make_audit(store, "CL-0004", base(), complete=False)
    store.set_conversation(one, held_on="2026-02-12", present="Dan Okafor (worker), Tess Manager", agrees="yes",
                           reflection="Dan said the audit matched his view of the plan.")
    store.set_conversation(two, held_on="13/02/2026", present="Dan Okafor", agrees="partly",
                           reflection="Dan felt the plan work was better than the grade.",
                           challenge="The plan was updated after the audit date.",
                           response="The grade stands: the audit judged the record on the day.",
                           family_how="Phone call with Sam", family_said="Sam said she likes her new worker.")
    store.set_conversation(draft, held_on="2026-02-14", agrees="no")
    store.close()
    return db, one, two


def test_summary_json_counts_held_conversations(talked):
    db, _, _ = talked
    figures = json.loads(run("summary", "--json", "--db", str(db)))
    assert figures["conversations"] == {"audits": 3, "held": 2, "worker_agrees": {"yes": 1, "partly": 1, "no": 0,
                                                                                    "not_recorded": 0},
                                       "challenged": 1, "family_feedback": 1}


def test_report_and_feedback_document_carry_the_conversation(talked, tmp_path):
    db, _, two = talked
    run("report", "-o", str(tmp_path / "r.docx"), "--db", str(db))
    text = "\n".join(p.text for p in Document(str(tmp_path / "r.docx")).paragraphs)
    assert ("A feedback conversation with the worker was held in 2 of 3 audits; the worker agreed with the grades "
            "in 1, partly in 1 and not in 0.") in text
    run("report", "-o", str(tmp_path / "f.docx"), "--audit", two[:8], "--db", str(db))
    doc = Document(str(tmp_path / "f.docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "The worker's reflection" in paragraphs and "Manager's sign-off" in paragraphs
    assert "Feedback conversation held on 13 February 2026 with Dan Okafor." in paragraphs
    assert "Dan felt the plan work was better than the grade." in paragraphs
    assert "Sam said she likes her new worker." in paragraphs
    cells = {(t.rows[i].cells[0].text, t.rows[i].cells[1].text) for t in doc.tables for i in range(len(t.rows))}
    assert ("Worker agrees with the grades", "Partly") in cells
    assert ("Challenge to the grades", "The plan was updated after the audit date.") in cells
    assert ("Auditor's response", "The grade stands: the audit judged the record on the day.") in cells


def test_export_import_round_trip_is_lossless(talked, tmp_path):
    db, one, two = talked
    run("export", str(tmp_path / "one.json"), "--db", str(db))
    data = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    by_ref = {a["case_ref"]: a for a in data["audits"]}
    assert by_ref["CL-0001"]["conversation"] == {
        "held_on": "2026-02-12", "present": "Dan Okafor (worker), Tess Manager",
        "reflection": "Dan said the audit matched his view of the plan.", "agrees": "yes", "challenge": "",
        "response": ""}
    assert by_ref["CL-0001"]["family_feedback"] is None
    assert by_ref["CL-0002"]["family_feedback"] == {"how": "Phone call with Sam",
                                                    "said": "Sam said she likes her new worker."}
    assert by_ref["CL-0003"]["conversation"] is None
    run("import", str(tmp_path / "one.json"), "--db", str(tmp_path / "b.db"))
    run("export", str(tmp_path / "two.json"), "--db", str(tmp_path / "b.db"))
    assert (tmp_path / "two.json").read_bytes() == (tmp_path / "one.json").read_bytes()


def test_every_change_is_logged_and_bad_values_are_refused(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.set_conversation(audit_id, held_on=date(2026, 2, 12), reflection="Talked it through")
    store.set_conversation(audit_id, reflection="Talked it through with Tess")
    rows = [(h["field"], h["old"], h["new"]) for h in store.history(audit_id) if h["field"].startswith("conversation")]
    assert rows == [("conversation:held_on", None, "2026-02-12"), ("conversation:reflection", None, "Talked it through"),
                    ("conversation:reflection", "Talked it through", "Talked it through with Tess")]
    with pytest.raises(StoreError, match="yes, partly or no"):
        store.set_conversation(audit_id, agrees="maybe")
    with pytest.raises(StoreError, match="use YYYY-MM-DD"):
        store.set_conversation(audit_id, held_on="next week")


async def test_the_conversation_is_edited_from_the_walk_through(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042")
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        screen.query_one("#cv-held_on", Input).value = "2026-02-12"
        screen.query_one("#cv-present", Input).value = "Dan Okafor"
        screen.query_one("#cv-agrees", Select).value = "no"
        screen.query_one("#cv-reflection", TextArea).text = "Dan disagreed about the plan grade."
        screen.query_one("#cv-challenge", TextArea).text = "The plan is reviewed monthly."
        screen.query_one("#cv-response", TextArea).text = "Reviews are not recorded on file."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        nav = app.screen.query_one("#nav")
        assert any("Feedback conversation ✓" in str(nav.get_option_at_index(i).prompt)
                   for i in range(nav.option_count))
    talk = store.get_audit(audit_id).conversation
    assert (talk.held_on, talk.present, talk.agrees) == (date(2026, 2, 12), "Dan Okafor", "no")
    assert (talk.challenge, talk.response) == ("The plan is reviewed monthly.", "Reviews are not recorded on file.")
    assert store.get_audit(audit_id).family_feedback is None  # never given: not recorded
