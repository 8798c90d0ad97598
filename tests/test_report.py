"""The Word report read back with python-docx: the same figures as `summary --json`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from audit_tui.cli.main import main
from audit_tui.files.settings import Settings, save_settings
from audit_tui.report import build_report
from audit_tui.report.make_reference import build_reference
from audit_tui.storage.store import Store
from audit_tui.summary import Filters

from .factories import known_dataset

pytestmark = pytest.mark.xdist_group("report")  # its fixture: once, on one worker (--dist loadgroup)
ROUND = "2026-02 practice week"
ARGS = ["--round", ROUND, "--as-of", "2026-03-20"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The known data set with an open concern and a control character, its report and its summary."""
    folder = tmp_path_factory.mktemp("report")
    store = known_dataset(folder / "audits.db")
    cl3 = store.list_audits(search="CL-0003")[0]["id"]
    store.raise_concern(cl3, "Adult visiting the flat is a risk to Sam", "Tess Manager")
    # text python-docx cannot store, written behind the store's back (as an old database might hold)
    store.db.execute("UPDATE answers SET evidence = ? WHERE question = 'practice.voice' AND audit_id = ?",
                     ["Bell\x07 and form feed\x0c inside", cl3])
    store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["report", "--db", str(folder / "audits.db"), "-o", str(folder / "r.docx"),
                                  "--organisation", "Northbridge Council", *ARGS])
    assert result.exit_code == 0, result.output
    figures = json.loads(runner.invoke(main, ["summary", "--json", "--db", str(folder / "audits.db"),
                                              *ARGS]).stdout)
    return folder, Document(str(folder / "r.docx")), figures


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def table_with(doc, *header: str):
    for table in doc.tables:
        first = [c.text for c in table.rows[0].cells]
        if first[:len(header)] == list(header):
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError(f"no table with header {header}")


def shown(part: int, whole: int) -> str:
    """A figure as the README says the report shows it: '62.5% (5 of 8)', or '3 of 4*' on fewer than 5."""
    if whole < 5:
        return f"{part} of {whole}*"
    value = round(100 * part / whole, 1)
    return f"{value:.0f}% ({part} of {whole})" if value.is_integer() else f"{value:.1f}% ({part} of {whole})"


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_sections_in_order(built):
    _, doc, _ = built
    assert headings(doc, 1) == [
        "Open safeguarding concerns", "Executive summary", "Improvement plan", "Scope",
        "Audit quality", "Grade distributions", "Themes", "Action plan", "Moderation agreement",
        "Change since the previous round", "Annex A: Grades by section", "Annex B: Themes in full",
        "Annex C: Open actions", "Annex D: One summary per audit", "Annex E: Casework figures by question"]
    assert "Strengths" in headings(doc, 2) and "Areas for improvement" in headings(doc, 2)


def test_title_page_and_contents(built):
    _, doc, _ = built
    assert doc.paragraphs[0].text == "Case audit report" and doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[1].text == ROUND
    text = all_text(doc)
    assert "Northbridge Council" in text
    assert "Audits carried out 10 February 2026 to 12 February 2026" in text
    contents = [p for p in doc.paragraphs if p.style.name == "TOC 1"]
    assert contents[0].text.startswith("Open safeguarding concerns")
    assert 'PAGEREF' in contents[0]._p.xml  # its page number, filled in by the reader (README, Contents)
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    footer = doc.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer


def test_open_concern_is_at_the_top(built):
    _, doc, _ = built
    rows = table_with(doc, "Case", "Team", "Raised", "Days open", "Concern", "Urgent action (owner: status)")
    assert rows[0][0] == "CL-0003" and rows[0][4] == "Adult visiting the flat is a risk to Sam"
    assert rows[0][5] == "Tess Manager: open"
    first_table_cell = doc.tables[0].rows[1].cells[0]
    assert first_table_cell.text == "CL-0003"


def test_executive_summary_sentences(built):
    _, doc, _ = built
    text = all_text(doc)
    assert "1 of 4 audits (25%) judged the work good or better overall" in text
    # the narrative checks are audit quality, in their own section, not in the executive summary
    assert "evidenced the young person's lived experience" not in text
    assert "Themes. The strengths recorded most often were supervision (3 audits), voice of the child (3 audits) " \
           "and pathway plans (2 audits)." in text
    assert "The areas for improvement recorded most often were pathway plans (2 audits)" in text


def test_inspection_tests_table_matches_summary(built):
    _, doc, figures = built
    rows = table_with(doc, "Check of the audit", "How it was checked", "Audits meeting it")
    assert [(r[0], r[2]) for r in rows] == [(t["label"], shown(t["met"], t["audits"]))
                                            for t in figures["inspection_tests"]]
    assert rows[0][2].endswith(" of 4*")  # 4 audits: too few for a percentage, and the note says so
    note = "* Fewer than 5 audits: the count is shown without a percentage"
    assert note in all_text(doc)


def test_question_table_matches_summary(built):
    _, doc, figures = built
    rows = table_with(doc, "Section", "Question", "n/a", "Good or better")
    expected, section = [], None
    for q in figures["questions"]:
        if q["judged"]:
            expected.append(["" if q["section_title"] == section else q["section_title"], q["text"],
                             str(q["na"]), shown(q["good_or_better"], q["answered"])])
            section = q["section_title"]
    assert rows == expected
    assert ["", "Is the plan up to date?", "1", "2 of 3*"] in rows
    assert rows[0][0] == "Practice"


def test_theme_rows_and_quotes(built):
    _, doc, _ = built
    body = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Rank", "Theme", "Audits", "For example"]]
    annex = [t for t in doc.tables
             if [c.text for c in t.rows[0].cells] == ["Rank", "Theme", "Audits", "Audits with the theme"]]
    strong = [["1", "Supervision", "3 of 4*"], ["2", "Voice of the child", "3 of 4*"], ["3", "Pathway plans", "2 of 4*"]]
    weak = [["1", "Pathway plans", "2 of 4*"], ["2", "Supervision", "1 of 4*"], ["3", "Voice of the child", "1 of 4*"]]
    for tables in (body, annex):
        strengths = [[c.text for c in row.cells][:3] for row in tables[0].rows[1:]]
        improvements = [[c.text for c in row.cells][:3] for row in tables[1].rows[1:]]
        if tables is annex:
            assert strengths == strong and improvements == weak
        else:  # every theme here is both: the body says so, with the other count
            also = {"Supervision": (1, 3), "Voice of the child": (1, 3), "Pathway plans": (2, 2)}
            assert strengths == [[r, f"{t}\n(also an area for improvement in {also[t][0]} audit{'s' * (also[t][0] > 1)})",
                                  n] for r, t, n in strong]
            assert improvements == [[r, f"{t}\n(also a strength in {also[t][1]} audits)", n] for r, t, n in weak]
    assert body[1].rows[1].cells[3].text == "“The pathway plan was not updated after the remand.” (CL-0002)"
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert "“The pathway plan was not updated after the remand.” (CL-0002)" in quotes


def test_action_rows_with_overdue_shaded(built):
    _, doc, figures = built
    team_a = table_with(doc, "Case", "Action", "Owner", "Due", "Status")
    assert team_a[0] == ["CL-0002", "Update the record for practice.quality by the next review", "Team manager",
                         "12 March 2026", "OVERDUE"]
    tables = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Case", "Action", "Owner", "Due",
                                                                              "Status"]]
    statuses = [row.cells[4].text for t in tables for row in t.rows[1:]]
    # the annex lists the open actions only (the concern's urgent action too); done ones are counted
    assert statuses.count("OVERDUE") == figures["actions"]["overdue"] == 4
    assert len(statuses) == figures["actions"]["open"] and "Done" not in statuses
    assert figures["actions"]["done"] > 0
    assert f"{figures['actions']['total']} actions: {figures['actions']['open']} open, of which 4 overdue at " \
           f"20 March 2026 (open and due before that date), and {figures['actions']['done']} done." in all_text(doc)
    for table in tables:
        for row in table.rows[1:]:
            fill = row.cells[0]._tc.tcPr.find(qn("w:shd"))
            if row.cells[4].text == "OVERDUE":
                assert fill.get(qn("w:fill")) == "FCE4D6"
    assert "Team A: 2 open actions, 2 overdue" in headings(doc, 2)


def test_action_plan_body_counts_open_actions_by_team_and_owner(built):
    folder, doc, _ = built
    rows = table_with(doc, "Team", "Owner", "Open", "Overdue", "Over 30 days", "Over 90 days", "Most days overdue")
    with sqlite3.connect(folder / "audits.db") as conn:
        stored = conn.execute("SELECT a.team, x.owner, x.due FROM actions x JOIN audits a ON a.id = x.audit_id "
                              "WHERE a.round = ? AND a.status != 'draft' AND x.status = 'open'", [ROUND]).fetchall()
    expected: dict[tuple[str, str], list[int]] = {}
    for team, owner, due in stored:
        late = max(0, (date(2026, 3, 20) - date.fromisoformat(due)).days)
        expected.setdefault((team, owner), []).append(late)
    assert {(r[0], r[1]): r[2:] for r in rows} == {
        key: [str(len(days)), str(sum(d > 0 for d in days)), str(sum(d > 30 for d in days)),
              str(sum(d > 90 for d in days)), str(max(d for d in days)) if any(days) else "–"]
        for key, days in expected.items()}
    # the body stops before the first annex and holds no row per action
    body = doc.element.body
    annex = next(p for p in doc.paragraphs if p.text.startswith("Annex A") and p.style.name == "Heading 1")
    before = list(body).index(annex._p)
    tables_before = [t for t in doc.tables if list(body).index(t._tbl) < before]
    assert tables_before and not any([c.text for c in t.rows[0].cells] == ["Case", "Action", "Owner", "Due", "Status"]
                   for t in tables_before)


def test_moderation_change_and_appendix(built):
    _, doc, _ = built
    text = all_text(doc)
    # CL-0004 moderated: its graded answers outstanding → requires improvement (two levels), good, good
    # (compliance n/a is left out); linear weighted kappa 1 - (2/3) / (2/3) = 0
    assert "1 of 4 completed audits (25%) was moderated." in text
    assert ("The moderator gave the same grade as the auditor for 2 of 3 grades (66.7% exact agreement) and a grade "
            "at most one level apart for 66.7%; weighted kappa 0.00") in text
    assert "Where they differed, auditors graded higher than the moderator 1 time and lower 0 times." in text
    assert "Compared with the previous round, “2025-11 practice week” (1 completed audit)." in text
    change = table_with(doc, "Measure", "2025-11 practice week", ROUND, "Change (points)")
    # both rounds' bases: 0 of 1 audit before, 1 of 4 now (too few for percentages)
    assert change[0] == ["Audits good or better overall", "0 of 1*", "1 of 4*", "+25.0"]
    appendix = table_with(doc, "Case", "Team", "Audited", "Auditor", "Summary")
    assert [r[0] for r in appendix] == ["CL-0001", "CL-0002", "CL-0003", "CL-0004"]
    assert appendix[3][4].startswith("Requires improvement to be good (moderated from good).")


SCALES = [{"Outstanding", "Good", "Requires improvement to be good", "Inadequate"}, {"Yes", "Partly", "No"}]


def test_charts_and_control_characters(built):
    _, doc, _ = built
    # overall grades, by team and by section (annex A); no chart mixes the four-point scale with yes/partly/no
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert len(alts) >= 3
    for alt in alts:
        used = [scale for scale in SCALES if any(f" {label} " in alt.replace(",", " ").replace(":", " ")
                                                 for label in scale - {"Good"})]
        assert len(used) <= 1, alt
    text = all_text(doc)
    assert "\x07" not in text and "\x0c" not in text


def test_without_round_says_there_is_no_previous_round(built, tmp_path):
    folder, _, _ = built
    with Store(folder / "audits.db", create=False) as store:
        build_report(store, tmp_path / "all.docx", Filters(), organisation="")
    doc = Document(str(tmp_path / "all.docx"))
    assert "No round was selected, so there is no previous round to compare with." in all_text(doc)


def test_progress_is_reported(built, tmp_path):
    folder, _, _ = built
    seen = []
    with Store(folder / "audits.db", create=False) as store:
        build_report(store, tmp_path / "p.docx", Filters(round=ROUND),
                     progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert str(tmp_path / "p.docx") in seen[-1][1]


REASON = ("The answers suggest a lower grade, but the young person's own account of the last six months, the "
          "pathway plan reviewed with them on 1 February and the stability of their flat show practice that is "
          "making a real difference; the gaps are in recording, not in the work, and they are set as actions. "
          "This sentence is here so that the reason is long: it must be shown in full, never cut short.")


def test_feedback_document(built, tmp_path):
    folder, _, _ = built
    store = Store(folder / "audits.db")
    audit_id = store.list_audits(search="CL-0004")[0]["id"]
    store.close()
    result = CliRunner().invoke(main, ["report", "--db", str(folder / "audits.db"), "-o", str(tmp_path / "f.docx"),
                                       "--audit", audit_id[:10], "--as-of", "2026-03-20"])
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "f.docx"))
    # strengths first, then what needs to change and the next steps; the conversation's sections last
    assert headings(doc, 1)[:3] == ["What is working well", "What needs to change", "Next steps"]
    assert headings(doc, 1)[-2:] == ["The worker's reflection", "Manager's sign-off"]
    text = all_text(doc)
    assert "Thank you, " in text and "for your work with this young person" in text
    assert "Requires improvement to be good (moderated; the auditor graded outstanding)" in text
    assert "CL-0004" in text and "Team B" in text
    assert "grade(s)" not in text


def test_feedback_shows_the_suggested_grade_and_the_reason_in_full(built, tmp_path):
    folder, _, _ = built
    shutil.copy(folder / "audits.db", tmp_path / "audits.db")
    store = Store(tmp_path / "audits.db")
    audit_id = store.list_audits(search="CL-0002")[0]["id"]  # answers below good: the rule never says outstanding
    store.reopen(audit_id, "Grade reconsidered")
    store.complete(audit_id, "outstanding", REASON)
    store.close()
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "audits.db"), "-o", str(tmp_path / "f.docx"),
                                       "--audit", audit_id[:10], "--as-of", "2026-03-20"])
    assert result.exit_code == 0, result.output
    details = {row.cells[0].text: row.cells[1].text for row in Document(str(tmp_path / "f.docx")).tables[0].rows}
    assert details["Overall grade"] == "Outstanding"
    suggested, rule = details["Grade the answers suggest"].split(": ", 1)
    assert suggested in ("Good", "Requires improvement to be good", "Inadequate") and rule.endswith("Otherwise Good.")
    assert details["Why the auditor graded differently"] == REASON


def test_feedback_next_steps_by_due_date_overdue_as_at(built, tmp_path):
    folder, _, _ = built
    store = Store(folder / "audits.db")
    audit_id = store.list_audits(search="CL-0002")[0]["id"]
    dues = sorted(a.due for a in store.get_audit(audit_id).actions if a.due)
    store.close()
    result = CliRunner().invoke(main, ["report", "--db", str(folder / "audits.db"), "-o", str(tmp_path / "f.docx"),
                                       "--audit", audit_id[:10], "--as-of", "2026-03-20"])
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "f.docx"))
    rows = table_with(doc, "Action", "Owner", "Due", "Status")
    assert [r[2] for r in rows] == [f"{d.day} {d:%B %Y}" for d in dues]
    for row in rows:
        late = row[3] != "Done" and row[2] and date(2026, 3, 20) > date.fromisoformat(
            next(d.isoformat() for d in dues if f"{d.day} {d:%B %Y}" == row[2]))
        assert (row[3] == "Overdue as at 20 March 2026") == bool(late)
    # no conversation recorded: lines to write the reflection on by hand
    lines = next(t for t in doc.tables if t._tbl.tblPr.find(qn("w:tblDescription")) is not None)
    assert lines._tbl.tblPr.find(qn("w:tblDescription")).get(qn("w:val")) == "Lines to write on"
    assert len(lines.rows) == 6  # a row each, ruled below (ruled paragraphs would merge into one box)
    assert lines._tbl.tblPr.find(f"{qn('w:tblBorders')}/{qn('w:insideH')}") is not None
    # the manager writes their comments, signature and date in the sign-off table
    sign_off = table_with(doc, "Worker agrees with the grades")
    assert [r[0] for r in sign_off[-3:]] == ["Manager's comments", "Manager's signature", "Date"]


def test_branded_reference_docx(built, tmp_path):
    folder, _, _ = built
    brand = tmp_path / "brand"
    brand.mkdir()
    build_reference(brand / "reference.docx")
    reference = Document(str(brand / "reference.docx"))
    reference.styles["Normal"].font.name = "Courier New"
    reference.sections[0].header.paragraphs[0].text = "Northbridge Children's Services"
    reference.save(str(brand / "reference.docx"))
    save_settings(Settings(template_dir=str(brand)))
    with Store(folder / "audits.db", create=False) as store:
        build_report(store, tmp_path / "b.docx", Filters(round=ROUND))
    doc = Document(str(tmp_path / "b.docx"))
    assert doc.styles["Normal"].font.name == "Courier New"
    # the organisation's header is kept; the protective marking (default OFFICIAL-SENSITIVE) comes first
    assert [p.text for p in doc.sections[0].header.paragraphs] == ["OFFICIAL-SENSITIVE",
                                                                   "Northbridge Children's Services"]


def test_refuses_to_overwrite_without_force(built, tmp_path):
    folder, _, _ = built
    shutil.copy(folder / "r.docx", tmp_path / "r.docx")
    result = CliRunner().invoke(main, ["report", "--db", str(folder / "audits.db"), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"audit-tui: error: {tmp_path / 'r.docx'} already exists; "
                                                  "use --force to replace it"]
