"""Promise 4: stored text is only text.

Markup (`[bold]`, `[/`, `[link=…]`, `[@click=app.quit]`) is shown literally; terminal
escapes (OSC title and clipboard, ESC[2J), bidi overrides and NUL are removed by the
store on every write path (and again when read, for files written by anything else);
spreadsheets get no formulas; the Word report takes any text. The rule, stated once:
stored text = the text given, minus C0 controls other than tab/newline/CR, DEL, C1
controls, bidi embedding/override/isolate characters (U+202A–E, U+2066–9) and lone
surrogates (`models.clean_text`).
"""

from __future__ import annotations

import csv
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import Select

from audit_tui.domain.models import clean_text
from audit_tui.domain.templates import parse_template
from audit_tui.storage.store import Store, StoreError
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.history import HistoryScreen
from audit_tui.tui.screens.new_audit import NewAuditScreen
from audit_tui.tui.screens.review import ReviewScreen

from .helpers.app import make_app

ESCAPES = "\x1b]0;pwned title\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202eevil\u202c\x00"
MARKUP = ["[bold]B1[/bold]", "[@click=app.quit]Q2[/]", "[link=https://e.x]L3[/link]", "[/", "[red"]
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
DUE = date.today() + timedelta(days=20)

HOSTILE_TEMPLATE = """\
id: hostile
version: 1
title: "Hostile [bold]T1[/bold] template"
themes:
  - {id: plans, label: "Plans [@click=app.quit]T2[/]", keywords: ["pathway plan"]}
scales:
  - id: hostile_scale
    levels:
      - {id: good, label: "Good [link=https://e.x]T3[/link]", good_or_better: true, description: "Level [/ T4"}
      - {id: poor, label: "Poor [red T5", good_or_better: false}
sections:
  - id: plan
    title: "Plan [b]S1[/b]"
    guidance: "Section [/ guidance"
    questions:
      - id: quality
        text: "Is the [bold]Q1[/bold] plan good? [@click=app.quit]Q2[/]"
        guidance: "Look for [link=https://e.x]G1[/link] and [/"
        scale: hostile_scale
        themes: [plans]
      - id: second
        text: "Second [i]Q3[/i] question"
"""


def hostile(label: str) -> str:
    return f"{label} {' '.join(MARKUP)} {ESCAPES} end"


def shown(text: str) -> str:
    return clean_text(text)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_safe_screen(app, *literals: str) -> str:
    text = screen_text(app)
    assert not UNSAFE.search(text), repr(UNSAFE.search(text))
    for literal in literals:
        assert literal in text, f"{literal!r} not shown literally"
    assert app.is_running
    return text


def all_text_cells(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    cells = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        for row in conn.execute(f"SELECT * FROM {table}"):
            cells += [(table, col, value) for col, value in zip(columns, row) if isinstance(value, str)]
    conn.close()
    return cells


@pytest.fixture
def hostile_template():
    return parse_template(HOSTILE_TEMPLATE, "hostile.yaml")


def fill_hostile(store: Store, template) -> str:
    """Hostile text through every write path of the store."""
    audit_id = store.create_audit(template, case_ref="CL-666", team=hostile("team"), worker=hostile("worker"),
                                  auditor=hostile("auditor"), round=hostile("round"),
                                  service_area=hostile("area"))
    store.update_audit(audit_id, lived_experience=hostile("lived"), impact=hostile("impact"),
                       overall_reason=hostile("reason"))
    store.set_answer(audit_id, "plan.quality", grade="poor", evidence=hostile("evidence pathway plan"))
    store.set_answer(audit_id, "plan.second", grade="n/a", na_reason=hostile("na"))
    action = store.add_action(audit_id, description=hostile("action"), owner=hostile("owner"), due=DUE,
                              note=hostile("note"), question="plan.quality")
    store.update_action(action, note=hostile("note2"))
    store.raise_concern(audit_id, hostile("concern"), hostile("manager"))
    return audit_id


def test_every_write_path_stores_only_text(tmp_path, hostile_template):
    store = Store(tmp_path / "h.db", actor=hostile("actor"))
    audit_id = fill_hostile(store, hostile_template)
    store.db.execute("UPDATE audits SET status = 'completed' WHERE id = ?", [audit_id])
    store.reopen(audit_id, hostile("reopen"))
    store.close()
    cells = all_text_cells(tmp_path / "h.db")
    assert not [(t, c) for t, c, v in cells if UNSAFE.search(v)]
    values = {v for _, _, v in cells}
    assert shown(hostile("evidence pathway plan")) in values  # markup kept, literally
    assert any("[@click=app.quit]Q2[/]" in v for t, c, v in cells if t == "history")
    store = Store(tmp_path / "h.db", actor="t")
    audit = store.get_audit(audit_id)
    assert audit.answers[0].evidence == shown(hostile("evidence pathway plan"))
    assert audit.actions[0].description == shown(hostile("action"))
    assert store.history(audit_id)[0]["who"] == " ".join(shown(hostile("actor")).split())
    store.close()


def test_text_written_by_something_else_is_cleaned_when_read(tmp_path, hostile_template):
    store = Store(tmp_path / "raw.db", actor="t")
    audit_id = store.create_audit(hostile_template, case_ref="CL-1")
    store.db.execute("UPDATE audits SET team = ?, lived_experience = ? WHERE id = ?",
                     ["Team \x1b[2J\u202eA", "Lived \x1b]52;c;eA==\x07", audit_id])
    assert store.list_audits()[0]["team"] == "Team [2JA"
    assert store.get_audit(audit_id).lived_experience == "Lived ]52;c;eA=="
    store.close()


def test_unknown_theme_tags_and_question_links_are_refused(store, hostile_template):
    audit_id = store.create_audit(hostile_template, case_ref="CL-2")
    with pytest.raises(StoreError, match="theme"):
        store.set_answer(audit_id, "plan.quality", themes=["[bold]x[/bold]"])
    with pytest.raises(StoreError, match="question of this audit"):
        store.add_action(audit_id, description="Do it by Friday", owner="A", due=DUE, question="\x1b[2J")


def test_error_messages_never_echo_evidence(store, hostile_template):
    audit_id = store.create_audit(hostile_template, case_ref="CL-3")
    secret = "Secret disclosure by the child"
    for call in (lambda: store.set_answer(audit_id, "plan.quality", grade="nonsense", evidence=secret),
                 lambda: store.set_answer(audit_id, "plan.nope", evidence=secret),
                 lambda: store.add_action(audit_id, description=secret, due="not a date " + secret),
                 lambda: store.update_audit(audit_id, case_ref="", lived_experience=secret)):
        with pytest.raises(StoreError) as info:
            call()
        assert "Secret" not in str(info.value), str(info.value)


def test_templates_with_escape_characters_are_refused_with_file_and_line():
    from audit_tui.domain.templates import TemplateError

    text = HOSTILE_TEMPLATE.replace('guidance: "Section [/ guidance"', 'guidance: "Section \\e]0;x\\a"')
    with pytest.raises(TemplateError) as info:
        parse_template(text, "evil.yaml")
    assert info.value.problems == [
        "evil.yaml:14: sections.0.guidance: contains control, escape or bidi-override characters; remove them"]
    bidi = HOSTILE_TEMPLATE.replace("Second [i]Q3[/i] question", "Second \u202eQ3 question")
    with pytest.raises(TemplateError, match=r"hostile.yaml:22: sections.0.questions.1.text: contains control"):
        parse_template(bidi, "hostile.yaml")


async def test_every_screen_shows_hostile_text_literally(tmp_path, hostile_template):
    store = Store(tmp_path / "tui.db", actor="Alex Auditor")
    audit_id = fill_hostile(store, hostile_template)
    app = make_app(store)
    async with app.run_test(size=(250, 60)) as pilot:
        await pilot.pause()
        # Home: the list and the safeguarding banner.
        assert_safe_screen(app, "[bold]B1[/bold]", "[@click=app.quit]Q2[/]", "[link=https://e.x]L3[/link]",
                           "concern [bold]B1[/bold]", "]0;pwned title]52;c;cHduZWQ=[2Jevil")
        # The walk-through: title, banner, question, guidance, level description, theme hint, evidence.
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        screen = app.screen
        screen.show_question("plan.quality")
        await pilot.pause()
        assert_safe_screen(app, "Hostile [bold]T1[/bold] template", "Is the [bold]Q1[/bold] plan good?",
                           "[@click=app.quit]Q2[/]", "[link=https://e.x]G1[/link] and [/",
                           "Good [link=https://e.x]T3[/link]", "Poor [red T5", "Plan [b]S1[/b]",
                           "Plans [@click=app.quit]T2[/]", "concern [bold]B1[/bold]")
        assert screen.query_one("#q-evidence").text == shown(hostile("evidence pathway plan"))
        screen.show_question("plan.second")
        await pilot.pause()
        assert screen.query_one("#q-na-reason").value == shown(hostile("na"))
        assert_safe_screen(app, "Second [i]Q3[/i] question")
        # Narratives and the actions list.
        screen.action_narratives()
        await pilot.pause()
        assert_safe_screen(app, "lived [bold]B1[/bold]")
        screen.action_actions()
        await pilot.pause()
        assert_safe_screen(app, "action [bold]B1[/bold]", "owner [bold]B1[/bold]")
        # The action dialog, with the description in its input and the question list.
        await pilot.press("enter")
        await pilot.pause()
        assert_safe_screen(app, "[link=https://e.x]L3[/link]")
        await pilot.press("escape")
        await pilot.pause()
        # History.
        app.push_screen(HistoryScreen(audit_id))
        await pilot.pause()
        assert_safe_screen(app, "[bold]B1[/bold]")
        app.pop_screen()
        await pilot.pause()
        # Review: the concern button quotes the concern; findings name the hostile section title.
        app.push_screen(ReviewScreen(audit_id))
        await pilot.pause()
        assert_safe_screen(app, "Close concern (outcome): concern [bold]B1[/bold]")
        app.pop_screen()
        await pilot.pause()
        app.push_screen(ReviewScreen(store.create_audit(hostile_template, case_ref="CL-667")))
        await pilot.pause()
        assert_safe_screen(app, "Plan [b]S1[/b] Q1: not answered")
        app.pop_screen()
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        # New audit: the template list and the "already audited" notice.
        app.push_screen(NewAuditScreen())
        await pilot.pause()
        select = app.screen.query_one("#template", Select)
        select.value = next(i for i, t in enumerate(app.screen.templates) if t.id == "hostile")
        app.screen.query_one("#case_ref").value = "CL-666"
        await pilot.pause()
        assert_safe_screen(app, "Hostile [bold]T1[/bold] template", "by auditor [bold]B1[/bold]")
    store.close()


# -- exports and reports ------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://e.x\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def formula_store(path: Path, template) -> tuple[Store, str]:
    store = Store(path, actor="t")
    audit_id = fill_hostile(store, template)
    store.set_answer(audit_id, "plan.quality", evidence=FORMULAS[0])
    for n, formula in enumerate(FORMULAS):
        store.add_action(audit_id, description=formula, owner=formula, due=DUE, note=f"n{n}")
    return store, audit_id


def test_csv_and_xlsx_cells_never_start_a_formula(tmp_path, hostile_template):
    import audit_tui.exchange.exports as exports
    store, _ = formula_store(tmp_path / "x.db", hostile_template)
    exports.export_csv(store, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [cell for cell in cells if UNSAFE.search(cell)]
    exports.export_xlsx(store, tmp_path / "out.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "out.xlsx")
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("'+1+1") for v in values)
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    store.close()


def test_reports_take_any_text(tmp_path, hostile_template):
    import audit_tui.report.aggregate as report
    import audit_tui.report.feedback as feedback
    store, audit_id = formula_store(tmp_path / "r.db", hostile_template)
    report.build_report(store, tmp_path / "report.docx")
    feedback.build_audit_feedback(store, audit_id, tmp_path / "feedback.docx")
    from docx import Document

    for name in ("report.docx", "feedback.docx"):
        doc = Document(tmp_path / name)
        text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
            cell.text for table in doc.tables for row in table.rows for cell in row.cells)
        assert "[bold]B1[/bold]" in text, name
        assert not UNSAFE.search(text)
    store.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's abandoned writer
def test_exports_and_reports_are_owner_only_and_never_replace_a_file(tmp_path, hostile_template):
    import audit_tui.exchange.exports as exports
    import audit_tui.exchange.interchange as interchange
    import audit_tui.report.aggregate as report
    store, _ = formula_store(tmp_path / "m.db", hostile_template)
    writers = {"out.csv": lambda p, **kw: exports.export_csv(store, p, **kw),
               "out.xlsx": lambda p, **kw: exports.export_xlsx(store, p, **kw),
               "out.json": lambda p, **kw: interchange.export_json(store, p, **kw),
               "out.docx": lambda p, **kw: report.build_report(store, p, **kw)}
    import audit_tui.features.backup as backup
    writers["backup.db"] = lambda p, **kw: backup.backup(store, p, **kw)
    for name, write in writers.items():
        path = tmp_path / name
        path.write_text("precious")
        with pytest.raises(Exception, match="already exists"):
            write(path)
        assert path.read_text() == "precious", name
        write(path, overwrite=True)
        assert path.stat().st_mode & 0o077 == 0, f"{name} is {oct(path.stat().st_mode)}"
    store.close()


def test_moderation_and_training_store_only_text(tmp_path, mini_template):
    import audit_tui.features.moderation as moderation
    import audit_tui.features.training as training
    from audit_tui.domain import gates

    store = Store(tmp_path / "mod.db", actor="t")
    audit_id = store.create_audit(mini_template, case_ref="CL-MOD", audited_on=date.today())
    for key in ("plan.quality", "oversight.supervision"):
        store.set_answer(audit_id, key, grade="good", evidence="Seen in the plan.")
    store.set_answer(audit_id, "plan.in_custody", grade="no", evidence="No.")
    narrative = "Jo says her flat is home now; she cooks on Sundays and is training to be a chef next year."
    store.update_audit(audit_id, lived_experience=narrative, impact=narrative)
    store.set_safeguarding(audit_id, "no_risk")
    store.complete(audit_id, gates.suggested_overall_grade(mini_template, store.get_audit(audit_id)))
    moderation.save_moderation(store, audit_id, overall_grade="requires_improvement", comment=hostile("comment"),
                               moderator=hostile("moderator"),
                               changes={"plan.quality": ("requires_improvement", hostile("why"))})
    training.start_training(store, "CL-0101", hostile("trainee"))
    store.close()
    assert not [(t, c) for t, c, v in all_text_cells(tmp_path / "mod.db") if UNSAFE.search(v)]
