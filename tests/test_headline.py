"""Headline measures of practice, audit quality and open concerns, through the real commands.

The data set is an interchange file imported with `audit-tui import`; every expected figure below
is counted by hand from the rule in README "Reports" (a measure counts every answered question that
carries it, across the selected templates, over completed and moderated audits, moderated grades
final; n/a and `too_early` left out of the base).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from docx import Document

from audit_tui.domain import gates
from audit_tui.domain.models import AuditRecord
from audit_tui.domain.templates import parse_template
from audit_tui.summary.headline import change_points
from tests.helpers.cli import invoke

EARLIER, LATER = "2026-02 round", "2026-05 round"
pytestmark = pytest.mark.xdist_group("headline")  # its fixture: once, on one worker (--dist loadgroup)
AS_OF = "2026-05-20"

ALPHA = {
    "id": "alpha", "version": 1, "title": "Alpha audit", "service_areas": ["care leavers"],
    "sections": [
        {"id": "voice", "title": "Voice", "questions": [
            {"id": "lived", "text": "How well does the record show the young person's daily life?",
             "scale": "ilacs", "measures": ["lived_experience"]},
            {"id": "impact", "text": "What difference has the work made?", "scale": "impact",
             "measures": ["impact"]}]},
        {"id": "plan", "title": "Planning", "questions": [
            {"id": "quality", "text": "How good is the plan?", "scale": "ilacs", "measures": ["planning"]},
            {"id": "smart", "text": "Is the plan specific?", "scale": "yes_partly_no", "measures": ["planning"]},
            {"id": "other", "text": "How good is the health work?", "scale": "ilacs"}]}]}
BETA = {
    "id": "beta", "version": 1, "title": "Beta audit", "service_areas": ["children in need"],
    "sections": [
        {"id": "child", "title": "The child", "questions": [
            {"id": "seen", "text": "How well is the child's daily life known?", "scale": "ilacs",
             "measures": ["lived_experience"]},
            {"id": "difference", "text": "What difference has the work made?", "scale": "impact",
             "measures": ["impact"]}]},
        {"id": "oversight", "title": "Oversight", "questions": [
            {"id": "oversight", "text": "How good is management oversight?", "scale": "ilacs",
             "measures": ["management_oversight"]}]}]}

# Every narrative is substantive and quotes the young person: the lived-experience narrative check is
# met by all 5 counted audits of the later round (100%), while practice shows lived experience in 2 of 5.
LIVED = "Sam said she feels safe in her flat and wants to stay near her sister; she told us college is going well."
IMPACT = "Because of the work Sam is now settled in her flat and her rent arrears have reduced this spring."
ACTIVITY = "The worker visited monthly, attended the review meeting, completed the assessment and referred her on."
BELOW = {"requires_improvement", "inadequate", "partly", "no", "no_change", "worse"}


def audit(n: int, template: str, round_: str, on: str, grades: dict, *, status="completed", moderation=None,
          impact=IMPACT, concerns=(), extra_actions=()):
    answers, actions = [], list(extra_actions)
    for question, grade in grades.items():
        answers.append({"question": question, "grade": grade, "evidence": f"Evidence for {question}.",
                        "na_reason": "Not relevant in this period." if grade == "n/a" else None})
        if grade in BELOW:
            actions.append({"description": f"Review {question} with the young person and record the outcome",
                            "owner": "Pat Worker", "due": "2026-06-30", "question": question})
    return {"id": f"audit-{n}", "case_ref": f"CASE-{n}", "template_id": template, "template_version": 1,
            "round": round_, "service_area": "care leavers", "team": "Team A", "worker": "Pat Worker",
            "auditor": "Alex Auditor", "audited_on": on, "status": status, "overall_grade": "good",
            "overall_reason": "The auditor's judgement of the whole file",  # (may differ from the suggested)
            "lived_experience": LIVED, "impact": impact, "answers": answers, "actions": actions,
            "concerns": list(concerns), "moderation": moderation,
            "safeguarding": None if status == "draft" else "concern_raised" if concerns else "no_risk"}


def data_set() -> dict:
    later, earlier = "2026-05-12", "2026-02-10"
    concern = {"id": "concern-1", "raised_at": "2026-02-10T10:00:00+00:00", "raised_by": "Alex Auditor",
               "description": "Adult visiting the flat is a risk to the young person"}
    urgent = {"id": "urgent-1", "description": "URGENT safeguarding: strategy discussion about the visiting adult",
              "owner": "Tess Manager", "due": "2026-02-11", "note": "safeguarding concern"}
    return {"format": "audit-tui/1", "templates": [ALPHA, BETA], "audits": [
        # the later round (selected): four counted alpha/beta audits, one moderated, one draft
        audit(1, "alpha", LATER, later, {"voice.lived": "good", "voice.impact": "improved",
                                         "plan.quality": "requires_improvement", "plan.smart": "yes",
                                         "plan.other": "good"}),
        audit(2, "alpha", LATER, later, {"voice.lived": "requires_improvement", "voice.impact": "too_early",
                                         "plan.quality": "good", "plan.smart": "n/a", "plan.other": "inadequate"}),
        audit(3, "alpha", LATER, later, {"voice.lived": "outstanding", "voice.impact": "no_change",
                                         "plan.quality": "good", "plan.smart": "partly", "plan.other": "good"},
              status="moderated", moderation={
                  "moderator": "Mo Derator", "moderated_on": "2026-05-19", "overall_grade": "good", "comment": "",
                  "answers": [{"question": "voice.lived", "grade": "requires_improvement",
                               "comment": "The record describes the flat, not the young person."}]}),
        audit(4, "alpha", LATER, later, {"voice.lived": "good", "voice.impact": "improved"}, status="draft"),
        audit(5, "beta", LATER, later, {"child.seen": "good", "child.difference": "some_improvement",
                                        "oversight.oversight": "good"}),
        audit(6, "beta", LATER, later, {"child.seen": "inadequate", "child.difference": "worse",
                                        "oversight.oversight": "requires_improvement"}, impact=ACTIVITY),
        # the earlier round, with a safeguarding concern still open
        audit(7, "alpha", EARLIER, earlier, {"voice.lived": "good", "voice.impact": "improved",
                                             "plan.quality": "good", "plan.smart": "yes", "plan.other": "good"}),
        audit(8, "alpha", EARLIER, earlier, {"voice.lived": "requires_improvement", "voice.impact": "no_change",
                                             "plan.quality": "requires_improvement", "plan.smart": "no",
                                             "plan.other": "good"},
              concerns=[concern], extra_actions=[urgent]),
    ]}


def run(*args):
    """The command in this process: these tests are about its figures (test_cli runs the real script)."""
    result = invoke(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """The data set imported, its later round's summary (JSON and text) and report."""
    folder = tmp_path_factory.mktemp("headline")
    (folder / "set.json").write_text(json.dumps(data_set()), encoding="utf-8")
    db = str(folder / "audits.db")
    run("import", str(folder / "set.json"), "--db", db)
    filters = ["--round", LATER, "--as-of", AS_OF]
    figures = json.loads(run("summary", "--json", "--db", db, *filters))
    text = run("summary", "--db", db, *filters)
    run("report", "-o", str(folder / "r.docx"), "--db", db, *filters)
    return figures, text, Document(str(folder / "r.docx"))


def test_the_data_set_passes_the_gates():
    templates = {t["id"]: parse_template(json.dumps(t), t["id"]) for t in (ALPHA, BETA)}
    for raw in data_set()["audits"]:
        record = AuditRecord.model_validate(raw)
        if record.status != "draft":
            assert gates.gate_failures(templates[record.template_id], record) == [], record.case_ref


def test_headline_figures_counted_by_hand(known):
    figures, _, _ = known
    headline = {h["id"]: h for h in figures["headline"]}
    assert [h["id"] for h in figures["headline"]] == ["lived_experience", "impact", "management_oversight", "planning"]
    # lived experience: alpha voice.lived good, RI, outstanding moderated to RI; beta child.seen good, inadequate
    lived = headline["lived_experience"]
    assert (lived["answered"], lived["good_or_better"], lived["pct"], lived["counted_in"]) == (5, 2, 40.0, "audits")
    # impact: improved, too_early (left out), no_change; some_improvement, worse
    impact = headline["impact"]
    assert (impact["answered"], impact["good_or_better"], impact["pct"]) == (4, 2, 50.0)
    # management oversight: beta only, good and RI
    oversight = headline["management_oversight"]
    assert (oversight["answered"], oversight["good_or_better"], oversight["pct"]) == (2, 1, 50.0)
    assert oversight["previous_pct"] is None and oversight["change"] is None  # not measured in the earlier round
    # planning: two alpha questions per audit: quality RI, good, good; smart yes, n/a (left out), partly
    planning = headline["planning"]
    assert (planning["answered"], planning["good_or_better"], planning["pct"], planning["counted_in"]) == (
        5, 3, 60.0, "answers")
    # change since the earlier round (lived 1 of 2, impact 1 of 2, planning 2 of 4)
    assert (lived["previous_pct"], lived["change"]) == (50.0, -10.0)
    assert (impact["previous_pct"], impact["change"]) == (50.0, 0.0)
    assert (planning["previous_pct"], planning["change"]) == (50.0, 10.0)
    # the narrative check of the same audits, kept under its old key as audit quality
    tests = {t["id"]: t for t in figures["inspection_tests"]}
    assert (tests["lived_experience"]["met"], tests["lived_experience"]["audits"]) == (5, 5)
    assert (tests["impact"]["met"], tests["impact"]["audits"]) == (4, 5)


def test_too_early_is_left_out_of_the_question_figure(known):
    figures, _, _ = known
    question = next(q for q in figures["questions"] if q["template"] == "alpha" and q["question"] == "voice.impact")
    assert (question["answered"], question["excluded"], question["good_or_better"], question["good_or_better_pct"]) \
        == (2, 1, 1, 50.0)
    assert question["grades"]["too_early"] == 1


def test_executive_summary_leads_with_the_headline_read_back_from_the_docx(known):
    _, _, doc = known
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    start = paragraphs.index(("Heading 1", "Executive summary")) + 1
    assert paragraphs[start][1].startswith("Practice, as the auditors graded it")
    assert [text for _, text in paragraphs[start + 1:start + 5]] == [
        f"Lived experience evident in 2 of 5 audits (40.0%), down 10.0 points since “{EARLIER}” (50.0%).",
        f"Positive impact of the work in 2 of 4 audits (50.0%), the same as in “{EARLIER}”.",
        "Management oversight good or better in 1 of 2 audits (50.0%).",
        f"Planning good or better in 3 of 5 answers (60.0%), up 10.0 points since “{EARLIER}” (50.0%)."]


NARRATIVE_FIGURES = re.compile(r"\b5 of 5\b|\b100%|\b4 of 5\b|\b80%")


def _units(doc) -> list[tuple[str, str]]:
    """(heading 1 it sits under, text) of every paragraph and table row, in document order."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    units, section = [], ""
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, doc)
            if paragraph.style is not None and paragraph.style.name == "Heading 1":
                section = paragraph.text
            units.append((section, paragraph.text))
        elif element.tag == qn("w:tbl"):
            units += [(section, " | ".join(c.text for c in row.cells)) for row in Table(element, doc).rows]
    return units


def test_no_narrative_check_is_labelled_as_a_practice_figure(known):
    figures, text, doc = known
    # summary JSON: the narrative checks say what they are
    for test in figures["inspection_tests"]:
        assert test["measured_by"].startswith("Audit quality, not a judgement of practice")
        assert "narrative" in test["label"].lower() or "written" in test["label"].lower()
    # report and text summary: a narrative check's figures (lived-experience narratives met by 5 of 5 audits,
    # impact narratives by 4 of 5) only ever appear named as audit quality or as a narrative
    checked = 0
    for section, unit in [*_units(doc), *(("", line) for line in text.splitlines())]:
        if NARRATIVE_FIGURES.search(unit) and re.search(r"lived.experience|impact", unit, re.I):
            checked += 1
            assert "narrative" in unit.lower() or "audit quality" in unit.lower(), (section, unit)
    assert checked >= 3  # the Audit quality table's rows and the text summary's audit quality line
    assert "Audit quality" in [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]


def test_open_concern_from_an_earlier_round_leads_a_report_filtered_to_a_later_round(known):
    figures, _, doc = known
    assert [(c["case_ref"], c["round"], c["days_open"], c["action_owner"], c["action_status"])
            for c in figures["open_concerns"]] == [("CASE-8", EARLIER, 99, "Tess Manager", "overdue")]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Open safeguarding concerns"
    first = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert first[0] == ["Case", "Team", "Raised", "Days open", "Concern", "Urgent action (owner: status)"]
    assert first[1][0] == "CASE-8" and first[1][3] == "99" and first[1][5] == "Tess Manager: OVERDUE"
    assert EARLIER in first[1][1]


def test_change_in_points_is_worked_out_from_unrounded_values():
    # 1 of 3 (33.3%) against 1 of 16 (6.25%, shown 6.3%): 27.083 points → 27.1, not 33.3 − 6.3 = 27.0
    assert change_points((1, 3), (1, 16)) == 27.1
    assert change_points((1, 2), (1, 2)) == 0.0
    assert change_points((0, 0), (1, 2)) is None


def test_too_early_needs_no_action_but_no_change_does():
    template = parse_template(json.dumps(ALPHA), "alpha.yaml")
    record = AuditRecord.model_validate(audit(9, "alpha", LATER, "2026-05-12", {
        "voice.lived": "good", "voice.impact": "too_early", "plan.quality": "good", "plan.smart": "yes",
        "plan.other": "good"}))
    assert gates.gate_failures(template, record) == []
    record.answers[1].grade = "no_change"
    assert [f.message for f in gates.gate_failures(template, record)] == [
        "Voice Q2: graded below good, so it needs at least one action"]


@pytest.mark.parametrize("change, message", [
    (lambda t: t["sections"][0]["questions"][0].update(measures=["Lived Experience"]),
     "sections.0.questions.0.measures.0: String should match pattern"),
    (lambda t: t["sections"][1]["questions"][2].update(measures=["planning", "planning"]),
     "measure 'planning' is listed twice"),
    (lambda t: t.update(scales=[{"id": "judged", "levels": [
        {"id": "fine", "label": "Fine", "good_or_better": True},
        {"id": "later", "label": "Later", "good_or_better": True, "counted": False}]}]),
     "cannot also be good or better"),
])
def test_bad_measures_and_levels_are_clear_template_errors(tmp_path, change, message):
    template = json.loads(json.dumps(ALPHA))
    change(template)
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "audit_tui", "templates", "validate", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_every_built_in_template_tags_lived_experience_and_impact():
    run("templates", "list")
    from audit_tui.domain.templates import discover_templates

    templates, problems = discover_templates()
    assert not problems
    for template in templates:
        measures = {m: q.scale for _, _, q in template.questions() for m in q.measures}
        assert measures.get("lived_experience") == "ilacs" and measures.get("impact") == "impact", template.id
        impact = template.question("voice.impact")
        assert impact.guidance.startswith("Compare then and now with evidence; activity is not impact.")
        assert template.version >= 2


def test_a_measure_counts_only_where_the_audits_own_template_version_tags_it(tmp_path):
    """Audits keep the version they were made with: version 1 of alpha tags nothing, version 2 tags
    voice.lived, so only the version 2 audits' answers count (and the version 1 audits still load)."""
    untagged = json.loads(json.dumps(ALPHA))
    for section in untagged["sections"]:
        for question in section["questions"]:
            question.pop("measures", None)
    tagged = {**json.loads(json.dumps(ALPHA)), "version": 2}
    grades = {"voice.lived": "good", "voice.impact": "improved", "plan.quality": "good", "plan.smart": "yes",
              "plan.other": "good"}
    audits = [audit(1, "alpha", LATER, "2026-05-12", grades), audit(2, "alpha", LATER, "2026-05-12", grades),
              audit(3, "alpha", LATER, "2026-05-12", {**grades, "voice.lived": "inadequate"})]
    audits[2]["template_version"] = 2
    (tmp_path / "set.json").write_text(json.dumps({"format": "audit-tui/1", "templates": [untagged, tagged],
                                                   "audits": audits}), encoding="utf-8")
    db = str(tmp_path / "audits.db")
    run("import", str(tmp_path / "set.json"), "--db", db)
    figures = json.loads(run("summary", "--json", "--db", db, "--as-of", AS_OF))
    lived = next(h for h in figures["headline"] if h["id"] == "lived_experience")
    assert (lived["answered"], lived["good_or_better"], lived["pct"]) == (1, 0, 0.0)
    assert figures["audits"]["completed"] == 3


def test_too_early_is_left_out_of_moderation_agreement_like_n_a(tmp_path):
    """'Too early to say' is no grade: a moderator judging impact where the auditor said too early is not
    counted as an agreement or a disagreement (kappa would read it as a grade worse than 'worse')."""
    grades = {"voice.lived": "good", "voice.impact": "too_early", "plan.quality": "good", "plan.smart": "yes",
              "plan.other": "good"}
    moderated = audit(1, "alpha", LATER, "2026-05-12", grades, status="moderated", moderation={
        "moderator": "Mo Derator", "moderated_on": "2026-05-19", "overall_grade": "good", "comment": "",
        "answers": [{"question": "voice.impact", "grade": "improved", "comment": "Attendance is up since March."}]})
    (tmp_path / "set.json").write_text(json.dumps({"format": "audit-tui/1", "templates": [ALPHA],
                                                   "audits": [moderated]}), encoding="utf-8")
    db = str(tmp_path / "audits.db")
    run("import", str(tmp_path / "set.json"), "--db", db)
    agreement = json.loads(run("summary", "--json", "--db", db, "--as-of", AS_OF))["moderation"]["agreement"]
    assert [q["question"] for q in agreement["questions"]] == ["voice.lived", "plan.quality", "plan.smart",
                                                               "plan.other"]
    assert (agreement["all_questions"]["pairs"], agreement["all_questions"]["agreed"]) == (4, 4)
