"""The executive summary, themes that inform and moderation a lead can use, through the real commands.

The data set is an interchange file imported with `audit-tui import`: 14 completed audits of one
template in three teams (A: 6, B: 6, C: 2), three of them moderated. Every expected figure below is
counted by hand from the rules in README "Reports" (executive summary, themes, moderation).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from docx import Document

from audit_tui.domain import gates
from audit_tui.domain.models import AuditRecord
from audit_tui.domain.templates import parse_template
from tests.helpers.cli import invoke

ROUND, AS_OF = "2026-01 round", "2026-06-01"
pytestmark = pytest.mark.xdist_group("executive")  # its fixture: once, on one worker (--dist loadgroup)
GAMMA = {
    "id": "gamma", "version": 1, "title": "Gamma audit", "service_areas": ["care leavers"],
    "themes": [{"id": "voice", "label": "Voice of the child", "keywords": ["wishes and feelings"]},
               {"id": "plans", "label": "Pathway plans", "keywords": ["pathway plan"]},
               {"id": "oversight", "label": "Management oversight", "keywords": ["supervision"]}],
    "sections": [
        {"id": "voice", "title": "Voice", "questions": [
            {"id": "lived", "text": "How well does the record show the young person's daily life?", "scale": "ilacs",
             "measures": ["lived_experience"], "themes": ["voice"]},
            {"id": "wishes", "text": "Are the young person's wishes known?", "scale": "ilacs", "themes": ["voice"]}]},
        {"id": "plan", "title": "Planning", "questions": [
            {"id": "quality", "text": "How good is the plan?", "scale": "ilacs", "measures": ["planning"],
             "themes": ["plans"]},
            {"id": "smart", "text": "Is the plan specific?", "scale": "yes_partly_no", "measures": ["planning"]}]},
        {"id": "oversight", "title": "Oversight", "questions": [
            {"id": "oversight", "text": "How good is management oversight?", "scale": "ilacs",
             "measures": ["management_oversight"], "themes": ["oversight"]}]}]}

LIVED = "Sam said she feels safe in her flat and wants to stay near her sister; she told us college is going well."
IMPACT = "Because of the work Sam is now settled in her flat and her rent arrears have reduced this spring."
STOCK = "Partners raised the voice of the child at the last meeting."  # pasted into three audits
PASTED = "The record describes the flat, not the child, and her wishes and feelings are not recorded."
SAM = "Sam said she wants to stay near her sister, and the plan was changed so that she sees her every Saturday."
OWN_WORDS = "Her wishes and feelings are recorded in her own words at every visit, with a drawing of her family."
POSITIVE = "Jo enjoys football and has a close friend at school, and goes to a youth club."
NO_WORK = "There is no direct work with the child since March, so her views about moving school are unknown."


def action(question: str, owner: str, due: str, status: str = "open") -> dict:
    return {"description": f"Review {question} with the young person and record the outcome", "owner": owner,
            "due": due, "question": question, "status": status, "done_on": "2026-03-01" if status == "done" else None}


def audit(ref: str, team: str, auditor: str, *, lived="good", wishes="good", quality="good", oversight="good",
          overall="good", evidence=None, actions=(), moderation=None, redact=()):
    grades = {"voice.lived": lived, "voice.wishes": wishes, "plan.quality": quality, "plan.smart": "yes",
              "oversight.oversight": oversight}
    evidence = evidence or {}
    return {"id": f"audit-{ref}", "case_ref": f"CASE-{ref}", "template_id": "gamma", "template_version": 1,
            "round": ROUND, "service_area": "care leavers", "team": team, "worker": "Pat Worker",
            "auditor": auditor, "audited_on": "2026-01-15", "status": "moderated" if moderation else "completed",
            "overall_grade": overall, "overall_reason": "The auditor's judgement of the whole file",
            "lived_experience": LIVED, "impact": IMPACT,
            "answers": [{"question": q, "grade": g, "evidence": evidence.get(q, f"Evidence for {q}."),
                         "na_reason": None} for q, g in grades.items()],
            "actions": list(actions), "moderation": moderation, "safeguarding": "no_risk",
            "redact_names": list(redact)}


def moderated(question: str, grade: str) -> dict:
    return {"moderator": "Mo Derator", "moderated_on": "2026-01-25", "overall_grade": None, "comment": "",
            "answers": [{"question": question, "grade": grade, "comment": "Seen differently at moderation."}]}


RI = "requires_improvement"


def data_set() -> dict:
    ann, ben, cy = "Ann Auditor", "Ben Auditor", "Cy Auditor"
    audits = [
        # Team A: lived experience good in all 6; oversight good in 4; overall good. Ann grades A1's wishes and
        # A2's plan outstanding, which the moderator lowers to good (the auditor graded higher).
        audit("A1", "Team A", ann, wishes="outstanding", evidence={"voice.wishes": SAM}, redact=["Sam Jones"],
              moderation=moderated("voice.wishes", "good")),
        audit("A2", "Team A", ann, quality="outstanding", evidence={"voice.lived": OWN_WORDS},
              moderation=moderated("plan.quality", "good")),
        audit("A3", "Team A", ann, evidence={"voice.wishes": STOCK}),
        audit("A4", "Team A", ann, evidence={"voice.wishes": STOCK}),
        audit("A5", "Team A", ann, oversight=RI, evidence={"voice.wishes": STOCK},
              actions=[action("oversight.oversight", "Dee Owner", "2026-02-21")]),  # 100 days overdue
        audit("A6", "Team A", ann, oversight=RI, actions=[action("oversight.oversight", "Eve Owner", "2026-07-01")]),
        # Team B: lived experience below good in B1-B5; oversight good in 3; overall requires improvement.
        # Ben grades B1's wishes good, which the moderator raises to outstanding (the auditor graded lower).
        audit("B1", "Team B", ben, lived=RI, overall=RI, evidence={"voice.lived": POSITIVE},
              actions=[action("voice.lived", "Bea Owner", "2026-05-22")],  # 10 days overdue
              moderation=moderated("voice.wishes", "outstanding")),
        audit("B2", "Team B", ben, lived=RI, overall=RI, evidence={"voice.lived": PASTED},
              actions=[action("voice.lived", "Bea Owner", "2026-05-12")]),  # 20
        audit("B3", "Team B", ben, lived=RI, overall=RI, evidence={"voice.lived": PASTED},
              actions=[action("voice.lived", "Bea Owner", "2026-05-02")]),  # 30
        audit("B4", "Team B", ben, lived=RI, oversight=RI, overall=RI, evidence={"voice.lived": NO_WORK},
              actions=[action("voice.lived", "Cal Owner", "2026-05-27"),  # 5
                       action("oversight.oversight", "Eve Owner", "2026-07-01")]),
        audit("B5", "Team B", ben, lived=RI, oversight=RI, overall=RI, evidence={"voice.lived": "Not seen alone."},
              actions=[action("voice.lived", "Cal Owner", "2026-04-22"),  # 40
                       action("oversight.oversight", "Fay Owner", "2026-03-01", "done")]),
        audit("B6", "Team B", ben, oversight=RI, overall=RI,
              actions=[action("oversight.oversight", "Fay Owner", "2026-03-01", "done")]),
        # Team C: two audits, too few to compare
        audit("C1", "Team C", cy),
        audit("C2", "Team C", cy, oversight=RI, actions=[action("oversight.oversight", "Fay Owner", "2026-03-01", "done")]),
    ]
    return {"format": "audit-tui/1", "templates": [GAMMA], "audits": audits}


def run(*args):
    """The command in this process: these tests are about its figures (test_cli runs the real script)."""
    result = invoke(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    folder = tmp_path_factory.mktemp("executive")
    (folder / "set.json").write_text(json.dumps(data_set()), encoding="utf-8")
    db = str(folder / "audits.db")
    run("import", str(folder / "set.json"), "--db", db)
    filters = ["--round", ROUND, "--as-of", AS_OF]
    figures = json.loads(run("summary", "--json", "--db", db, *filters))
    run("report", "-o", str(folder / "r.docx"), "--db", db, *filters)
    return figures, Document(str(folder / "r.docx")), db


def test_the_data_set_passes_the_gates():
    template = parse_template(json.dumps(GAMMA), "gamma")
    for raw in data_set()["audits"]:
        assert gates.gate_failures(template, AuditRecord.model_validate(raw)) == [], raw["case_ref"]


def _executive_text(doc) -> list[str]:
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    start = paragraphs.index(("Heading 1", "Executive summary"))
    end = next(i for i, (style, _) in enumerate(paragraphs) if i > start and style == "Heading 1")
    return [text for _, text in paragraphs[start + 1:end]]


def test_strongest_and_weakest_areas_by_measure_and_section(known):
    figures, doc, _ = known
    ex = figures["executive"]
    # candidates on 5 answers or more: lived experience 9 of 14 audits (64.3%), planning 28 of 28 answers (100%),
    # management oversight 8 of 14 audits (57.1%); the Voice section 9 + 14 = 23 of 28 answers (82.1%); the
    # Planning and Oversight sections hold exactly the planning and oversight measures' answers (named once)
    assert [(a["kind"], a["label"], a["good_or_better"], a["answered"]) for a in ex["strongest"]] == [
        ("measure", "Planning good or better", 28, 28), ("section", "Voice", 23, 28)]
    assert [(a["kind"], a["label"], a["good_or_better"], a["answered"]) for a in ex["weakest"]] == [
        ("measure", "Management oversight good or better", 8, 14), ("measure", "Lived experience evident", 9, 14)]
    text = _executive_text(doc)
    assert ("Strongest: planning good or better in 100% (28 of 28 answers); the Voice section, 82.1% (23 of 28 "
            "answers) good or better.") in text
    assert ("Weakest: management oversight good or better in 57.1% (8 of 14 audits); lived experience evident in "
            "64.3% (9 of 14 audits).") in text


def test_a_section_named_with_the_is_not_given_a_second_the(tmp_path):
    """A section titled "The voice of the young person" is "the voice of the young person section", never
    "the The voice of the young person section"."""
    data = data_set()
    data["templates"][0]["sections"][0]["title"] = "The voice of the young person"
    (tmp_path / "set.json").write_text(json.dumps(data), encoding="utf-8")
    db = str(tmp_path / "audits.db")
    run("import", str(tmp_path / "set.json"), "--db", db)
    run("report", "-o", str(tmp_path / "r.docx"), "--db", db, "--round", ROUND, "--as-of", AS_OF)
    text = _executive_text(Document(str(tmp_path / "r.docx")))
    assert ("Strongest: planning good or better in 100% (28 of 28 answers); the voice of the young person section, "
            "82.1% (23 of 28 answers) good or better.") in text
    assert not any("the The" in paragraph for paragraph in text)


def test_team_differences_of_fifteen_points_on_bases_of_five(known):
    figures, doc, _ = known
    ex = figures["executive"]
    assert ex["teams_compared"] == ["Team A", "Team B"] and ex["teams_too_small"] == ["Team C"]
    # overall good or better: A 6 of 6, B 0 of 6, C 2 of 2; lived experience A 6/6, B 1/6, C 2/2;
    # oversight A 4/6 against 4/8 (+16.7, listed), B 3/6 against 5/8 (-12.5, under 15: not listed)
    assert [(d["team"], d["measure"], d["good_or_better"], d["answered"], d["others_good_or_better"],
             d["others_answered"], d["difference"]) for d in ex["team_differences"]] == [
        ("Team B", "overall", 0, 6, 8, 8, -100.0),
        ("Team B", "lived_experience", 1, 6, 8, 8, -83.3),
        ("Team A", "overall", 6, 6, 2, 8, 75.0),
        ("Team A", "lived_experience", 6, 6, 3, 8, 62.5),
        ("Team A", "management_oversight", 4, 6, 4, 8, 16.7)]
    text = _executive_text(doc)
    assert ("Team B: lived experience evident 16.7% (1 of 6 audits) against 100% (8 of 8) in the other teams: "
            "83.3 points below.") in text
    assert any("1 team with fewer than 5 audits is not compared." in line for line in text)
    assert not any("Team C:" in line for line in text)


def test_overdue_actions_with_median_days_and_owners(known):
    figures, doc, _ = known
    overdue = figures["executive"]["overdue"]
    # open and due before 1 June 2026: 10, 20, 30 (Bea), 5, 40 (Cal), 100 days (Dee); median (20 + 30) / 2
    assert overdue == {"overdue": 6, "median_days_overdue": 25.0, "most_days_overdue": 100,
                       "owners": [{"owner": "Bea Owner", "overdue": 3}, {"owner": "Cal Owner", "overdue": 2},
                                  {"owner": "Dee Owner", "overdue": 1}], "owners_with_overdue": 3}
    assert figures["actions"]["overdue"] == 6
    assert ("Actions. The audits set 11 actions: 8 open and 3 done. 6 open actions were overdue at 1 June 2026, by a "
            "median of 25 days (the longest 100 days). Most are held by Bea Owner (3), Cal Owner (2) and Dee Owner "
            "(1), of 3 owners with overdue actions.") in _executive_text(doc)


def test_the_executive_summary_leads_with_practice_and_points_to_the_lead_conclusions(known):
    _, doc, _ = known
    text = _executive_text(doc)
    assert text[0].startswith("Practice, as the auditors graded it")
    assert text[1:4] == ["Lived experience evident in 9 of 14 audits (64.3%).",
                         "Management oversight good or better in 8 of 14 audits (57.1%).",
                         "Planning good or better in 28 of 28 answers (100.0%)."]
    assert "Safeguarding. No safeguarding concern raised during an audit is open." in text
    # the lead's conclusions: where they are (none recorded for this round), then the Improvement plan
    assert ("The quality lead's conclusions. None recorded yet for this round: the Improvement plan section that "
            "follows says where they go.") in text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[headings.index("Executive summary") + 1] == "Improvement plan"


def _kappa(pairs: list[tuple[int, int]], levels: int) -> tuple[float, float]:
    """Observed and chance disagreement with linear weights |i - j| / (levels - 1) (Cohen's weighted kappa)."""
    n = len(pairs)
    weight = lambda i, j: abs(i - j) / (levels - 1)  # noqa: E731
    rows, cols = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    return (sum(weight(a, b) for a, b in pairs),
            sum(rows[i] * cols[j] * weight(i, j) for i in rows for j in cols) / n)


def test_moderation_sample_agreement_kappa_and_direction(known):
    figures, doc, db = known
    mod = figures["moderation"]
    assert (mod["moderated_audits"], mod["completed_audits"], mod["sample_pct"]) == (3, 14, 21.4)
    every = mod["agreement"]["all_questions"]
    # 5 graded answers in each of 3 moderated audits; 3 grades changed, each by one level
    assert (every["pairs"], every["agreed"], every["exact_agreement_pct"], every["adjacent_agreement_pct"]) == (
        15, 12, 80.0, 100.0)
    assert (every["auditor_higher"], every["auditor_lower"], every["direction"]) == (2, 1, "higher")
    # four-point ranks (outstanding 0 … inadequate 3), auditor then moderator: A1, A2, B1 (lived, wishes,
    # quality, oversight); yes/partly/no: three yes-yes pairs (no chance disagreement to add)
    ilacs = [(1, 1), (0, 1), (1, 1), (1, 1), (1, 1), (1, 1), (0, 1), (1, 1), (2, 2), (1, 0), (1, 1), (1, 1)]
    observed, expected = _kappa(ilacs, 4)
    assert every["weighted_kappa"] == round(1 - observed / expected, 3)
    auditors = {a["auditor"]: a for a in mod["agreement"]["auditors"]}
    assert {name: (a["moderated_audits"], a["pairs"], a["agreed"], a["auditor_higher"], a["auditor_lower"],
                   a["direction"]) for name, a in auditors.items()} == {
        "Ann Auditor": (2, 10, 8, 2, 0, "higher"), "Ben Auditor": (1, 5, 4, 0, 1, "lower")}
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "3 of 14 completed audits (21.4%) were moderated." in text
    assert ("The moderator gave the same grade as the auditor for 12 of 15 grades (80% exact agreement) and a grade "
            f"at most one level apart for 100%; weighted kappa {1 - observed / expected:.2f}") in text
    assert "Where they differed, auditors graded higher than the moderator 2 times and lower 1 time." in text
    table = next([[c.text for c in row.cells] for row in t.rows] for t in doc.tables
                 if t.rows[0].cells[0].text == "Auditor")
    assert table[1:] == [["Ann Auditor", "2", "10", "80% (8 of 10)", "2", "0", "100% (10 of 10)"],
                         ["Ben Auditor", "1", "5", "80% (4 of 5)", "0", "1", "100% (5 of 5)"]]
    run("rounds", "create", ROUND, "--from", "2026-01-12", "--to", "2026-01-16", "--db", db)
    shown = run("rounds", "show", ROUND, "--db", db)
    assert "Ann Auditor: 2 moderated, 8 of 10 grades the same, auditor higher 2, lower 0" in shown


def test_theme_quotes_are_specific_distinct_on_the_right_side_and_use_initials(known):
    figures, doc, _ = known
    voice = next(t for t in figures["themes"] if t["id"] == "voice")
    # a strength in all 14 audits (wishes good or better), an area for improvement in B1-B5
    assert (voice["strength"], voice["improvement"]) == (14, 5)
    strengths = {q["case_ref"]: q["text"] for q in voice["strength_quotes"]}
    # A3-A5's pasted stock phrase and the 4-word default evidence are never quoted; Sam becomes S.
    assert strengths == {"CASE-A2": OWN_WORDS, "CASE-A1": SAM.replace("Sam", "S.", 1)}
    # B1's evidence is positive (not an improvement), B2 and B3 carry the same pasted text, B5's is too short
    assert voice["improvement_quotes"] == [{"case_ref": "CASE-B4", "text": NO_WORK}]
    rows = next([[c.text for c in row.cells] for row in t.rows] for t in doc.tables
                if [c.text for c in t.rows[0].cells] == ["Rank", "Theme", "Audits", "For example"])
    # strengths in 14 audits each: pathway plans, then voice of the child (by name)
    assert [r[1] for r in rows[1:3]] == ["Pathway plans", "Voice of the child\n(also an area for improvement in 5 audits)"]
    assert rows[2][3] == f"“{SAM.replace('Sam', 'S.', 1)}” (CASE-A1)\n“{OWN_WORDS}” (CASE-A2)"
    body = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert STOCK not in body and POSITIVE not in body and PASTED not in body
