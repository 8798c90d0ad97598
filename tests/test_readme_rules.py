"""The README's rules, as tables written from the README (not from the code under test).

Each rule goes through the store's public methods, as the app uses them: the suggested overall
grade is the grade `complete` accepts without a reason; a narrative is substantive when
`complete` accepts it; history lines are read back from the file.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from audit_tui.domain.templates import parse_template
from audit_tui.storage.errors import GatesNotMet
from audit_tui.storage.store import Store

FIVE = """
id: five
version: 1
title: Five practice questions
service_areas: [care leavers]
sections:
  - id: s
    title: Practice
    questions:
      - {id: q1, text: "One?"}
      - {id: q2, text: "Two?"}
      - {id: q3, text: "Three?"}
      - {id: q4, text: "Four?"}
      - {id: q5, text: "Five?"}
"""
TWELVE = "Jo told us she feels safe with her carers and wants to stay near school."  # 15 words
DUE = (date.today() + timedelta(days=14)).isoformat()
G, O, RI, I, NA = "good", "outstanding", "requires_improvement", "inadequate", "n/a"


@pytest.fixture
def five():
    return parse_template(FIVE, "five.yaml")


def audit_with(store: Store, template, grades: list[str], *, lived: str = TWELVE, impact: str = TWELVE) -> str:
    audit_id = store.create_audit(template, case_ref="CL-0001")
    for n, grade in enumerate(grades, start=1):
        question = f"s.q{n}"
        if grade == NA:
            store.set_answer(audit_id, question, grade="n/a", na_reason="Not relevant to this young person")
            continue
        store.set_answer(audit_id, question, grade=grade, evidence=f"Evidence on file for question {n}")
        if grade in (RI, I):
            store.add_action(audit_id, description=f"Review the plan for question {n} with the young person by the date",
                             owner="Team manager", due=DUE, question=question)
    store.update_audit(audit_id, lived_experience=lived, impact=impact)
    store.set_safeguarding(audit_id, "no_risk")  # (raising a concern changes it to "a concern was raised")
    return audit_id


# README "The suggested overall grade": 1. inadequate if any inadequate or a concern is open;
# 2. requires improvement if a quarter or more of graded answers are below good; 3. outstanding
# if at least half are outstanding and none below good; 4. good. n/a is not counted.
SUGGESTED = [
    ([G, G, G, G, G], None, G),
    ([O, O, O, G, G], None, O),          # 3 of 5 outstanding: at least half
    ([O, O, G, G, G], None, G),          # 2 of 5: less than half
    ([O, O, O, O, RI], None, G),         # 1 of 5 below good: under a quarter, but not "none below"
    ([G, G, G, RI, RI], None, RI),       # 2 of 5: a quarter or more
    ([G, G, G, RI, NA], None, RI),       # 1 of 4 graded (n/a not counted): exactly a quarter
    ([O, O, O, O, I], None, I),          # any inadequate
    ([G, G, G, G, G], "open", I),        # an open safeguarding concern
    ([O, O, O, O, O], "open", I),
    ([G, G, G, G, G], "handled", G),     # a handled concern no longer counts
]


@pytest.mark.parametrize("grades, concern, expected", SUGGESTED)
def test_suggested_overall_grade_is_the_one_accepted_without_a_reason(store, five, grades, concern, expected):
    audit_id = audit_with(store, five, grades)
    if concern:
        concern_id = store.raise_concern(audit_id, "Nobody is acting on the risk from an adult at home", "Team manager")
        if concern == "handled":
            store.handle_concern(concern_id, "Strategy discussion held; the adult no longer visits")
    for other in sorted({G, O, RI, I} - {expected}):
        with pytest.raises(GatesNotMet) as info:
            store.complete(audit_id, other)
        assert [f.message for f in info.value.findings] == [
            "The overall grade differs from the suggested one: give a reason"]
    store.complete(audit_id, expected)
    assert store.get_audit(audit_id).status == "completed"


MIXED = """
id: mixed
version: 1
title: Four-point, yes/partly/no and impact questions, one of them limiting
sections:
  - id: s
    title: Practice
    questions:
      - {id: q1, text: "Is the risk understood?", limiting: true}
      - {id: q2, text: "Two?"}
      - {id: q3, text: "Three?"}
      - {id: q4, text: "Four?"}
      - {id: c1, text: "Was a copy given?", scale: yes_partly_no}
      - {id: c2, text: "What difference did the work make?", scale: impact}
"""
BELOW = {RI, I, "partly", "no", "no_change", "worse"}

# README "The suggested overall grade": only four-point answers count (yes/partly/no and impact do
# not); an inadequate on a limiting question makes it inadequate; an inadequate on another question
# makes it requires improvement at best.
SUGGESTED_MIXED = [
    ([G, G, G, G, "no", "worse"], G),              # yes/partly/no and impact are not counted
    ([O, O, G, G, "partly", "no_change"], O),      # 2 of 4 four-point answers outstanding
    ([I, G, G, G, "yes", "improved"], I),          # the limiting question is inadequate
    ([G, I, G, G, "yes", "improved"], RI),         # inadequate on a question that is not limiting
    ([O, O, O, I, "yes", "improved"], RI),
    ([G, G, G, RI, "yes", "improved"], RI),        # 1 of 4 four-point answers: a quarter
    ([O, O, O, G, "no", "no_change"], O),
]


@pytest.mark.parametrize("grades, expected", SUGGESTED_MIXED)
def test_suggested_grade_counts_four_point_answers_and_limiting_questions(store, grades, expected):
    template = parse_template(MIXED, "mixed.yaml")
    audit_id = store.create_audit(template, case_ref="CL-0003")
    for key, grade in zip(("s.q1", "s.q2", "s.q3", "s.q4", "s.c1", "s.c2"), grades):
        store.set_answer(audit_id, key, grade=grade, evidence=f"Evidence on file for {key}")
        if grade in BELOW:
            store.add_action(audit_id, description=f"Review {key} with the young person and record it",
                             owner="Team manager", due=DUE, question=key)
    store.update_audit(audit_id, lived_experience=TWELVE, impact=TWELVE)
    store.set_safeguarding(audit_id, "no_risk")
    for other in sorted({G, O, RI, I} - {expected}):
        with pytest.raises(GatesNotMet):
            store.complete(audit_id, other)
    store.complete(audit_id, expected)
    assert store.get_audit(audit_id).overall_grade == expected


# README "Completing an audit": evidence must not be a placeholder such as "ok", "tbc" or "see file".
EVIDENCE = [("ok", False), ("OK.", False), ("tbc", False), ("See file", False), ("see file.", False),
            ("Seen alone on 3 March; said she feels safe at home", True)]


@pytest.mark.parametrize("evidence, accepted", EVIDENCE)
def test_placeholder_evidence_does_not_complete(store, five, evidence, accepted):
    audit_id = audit_with(store, five, [G] * 5)
    store.set_answer(audit_id, "s.q3", evidence=evidence)
    if accepted:
        store.complete(audit_id, G)
        return
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, G)
    assert [f.target for f in info.value.findings] == [("question", "s.q3")]
    assert "placeholder" in info.value.findings[0].message


# README: "substantive: at least 12 words, and not a placeholder"
NARRATIVES = [
    ("one two three four five six seven eight nine ten eleven", False),
    ("one two three four five six seven eight nine ten eleven twelve", True),
    ("She said she wants to see her brother more often than she does now.", True),  # 14 words
    ("See file.", False),
]


@pytest.mark.parametrize("text, substantive", NARRATIVES)
@pytest.mark.parametrize("field", ["lived", "impact"])
def test_narratives_of_twelve_words_complete_and_of_eleven_do_not(store, five, text, substantive, field):
    audit_id = audit_with(store, five, [G] * 5, **{field: text})
    if substantive:
        store.complete(audit_id, G)
    else:
        with pytest.raises(GatesNotMet) as info:
            store.complete(audit_id, G)
        wanted = "lived experience" if field == "lived" else "impact"
        assert any(wanted in str(f.message).lower() for f in info.value.findings), info.value.findings


def history_rows(path, field: str) -> list[tuple[str, str | None, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT who, old, new FROM history WHERE field = ? ORDER BY id", [field]).fetchall()
    finally:
        conn.close()


def test_typing_burst_is_one_line_per_person_never_across_people(tmp_path, five):
    """README (history): one person typing in one field makes one line, old value → latest; another
    person's keystrokes in between start a line of their own, credited to them."""
    path = tmp_path / "audits.db"
    ann, ben = Store(path, actor="Ann"), Store(path, actor="Ben")
    audit_id = ann.create_audit(five, case_ref="CL-0002")
    for text in ("S", "Sh", "She"):
        ann.set_answer(audit_id, "s.q1", evidence=text)
    assert history_rows(path, "s.q1:evidence") == [("Ann", "", "She")]
    ben.set_answer(audit_id, "s.q1", evidence="She s")
    ann.set_answer(audit_id, "s.q1", evidence="She sa")
    ben.set_answer(audit_id, "s.q1", evidence="She said")
    assert history_rows(path, "s.q1:evidence") == [
        ("Ann", "", "She"), ("Ben", "She", "She s"), ("Ann", "She s", "She sa"), ("Ben", "She sa", "She said")]


@pytest.mark.parametrize("change", ["who = 'Mallory'", "old = 'forged'", "field = 'other'", "audit_id = 'x'"])
def test_the_newest_history_line_cannot_be_rewritten_only_extended(store, five, change):
    audit_id = store.create_audit(five, case_ref="CL-0003")
    store.set_answer(audit_id, "s.q1", evidence="First words")
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(f"UPDATE history SET {change} WHERE id = (SELECT max(id) FROM history)")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM history WHERE id = (SELECT max(id) FROM history)")
    finally:
        conn.close()


# README "Completing an audit": every required question has a grade, or n/a with a reason.
ANSWERED = [
    ({"grade": G, "evidence": "Seen alone on 3 March; said she feels safe"}, []),
    ({"grade": "n/a", "na_reason": "No brother or sister in the family"}, []),
    ({"grade": "n/a", "na_reason": "   "}, ["Practice Q3: n/a needs a reason"]),
    ({"grade": "n/a"}, ["Practice Q3: n/a needs a reason"]),
    (None, ["Practice Q3: not answered"]),
]


@pytest.mark.parametrize("answer, findings", ANSWERED)
def test_every_required_question_has_a_grade_or_na_with_a_reason(store, five, answer, findings):
    audit_id = audit_with(store, five, [G, G, G, G, G])
    if answer is None:  # a fresh audit of the same template, question 3 never answered
        audit_id = store.create_audit(five, case_ref="CL-0004")
        for n in (1, 2, 4, 5):
            store.set_answer(audit_id, f"s.q{n}", grade=G, evidence=f"Evidence on file for question {n}")
        store.update_audit(audit_id, lived_experience=TWELVE, impact=TWELVE)
        store.set_safeguarding(audit_id, "no_risk")
    else:
        store.set_answer(audit_id, "s.q3", **({"evidence": ""} | answer))
    if not findings:
        store.complete(audit_id, G)
        return
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, G)
    assert [f.message for f in info.value.findings] == findings


ASKED = """
id: asked
version: 1
title: A question asked only on one answer
sections:
  - id: s
    title: Practice
    questions:
      - {id: q1, text: "One?"}
      - {id: c1, text: "Is the young person in custody?", scale: yes_partly_no}
      - id: c2
        text: "Is release planned?"
        scale: yes_partly_no
        only_if: {question: s.c1, answer_in: ["yes"]}
"""


# README: "A question with only_if is required only when it is asked."
@pytest.mark.parametrize("custody, blocked", [("yes", True), ("no", False)])
def test_a_question_with_only_if_is_required_only_when_asked(store, custody, blocked):
    template = parse_template(ASKED, "asked.yaml")
    audit_id = store.create_audit(template, case_ref="CL-0005")
    store.set_answer(audit_id, "s.q1", grade=G, evidence="Evidence on file for the first question")
    store.set_answer(audit_id, "s.c1", grade=custody, evidence="Remand recorded on the file")
    if custody == "no":
        store.add_action(audit_id, description="Record the custody position with the youth offending team",
                         owner="Team manager", due=DUE, question="s.c1")
    store.update_audit(audit_id, lived_experience=TWELVE, impact=TWELVE)
    store.set_safeguarding(audit_id, "no_risk")
    if not blocked:
        store.complete(audit_id, G)
        return
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, G)
    assert [f.message for f in info.value.findings] == ["Practice Q3: not answered"]


# README: "Every action has a specific description, an owner, and a due date on or after the audit date."
AUDITED = date(2026, 2, 10)
ACTIONS = [
    ({"description": "Review the plan with Jo", "owner": "Team manager", "due": AUDITED}, []),
    ({"description": "Review the plan", "owner": "Team manager", "due": AUDITED},
     ["needs a specific description (what will be done, at least a few words)"]),
    ({"description": "Review the plan with Jo", "owner": "  ", "due": AUDITED}, ["needs an owner"]),
    ({"description": "Review the plan with Jo", "owner": "Team manager", "due": None}, ["needs a due date"]),
    ({"description": "Review the plan with Jo", "owner": "Team manager", "due": AUDITED - timedelta(days=1)},
     ["due date 2026-02-09 is before the audit date 2026-02-10"]),
]


@pytest.mark.parametrize("action, problems", ACTIONS)
def test_every_action_is_specific_owned_and_dated(store, five, action, problems):
    audit_id = store.create_audit(five, case_ref="CL-0006", audited_on=AUDITED)
    for n in range(1, 6):
        store.set_answer(audit_id, f"s.q{n}", grade=G, evidence=f"Evidence on file for question {n}")
    store.update_audit(audit_id, lived_experience=TWELVE, impact=TWELVE)
    store.set_safeguarding(audit_id, "no_risk")
    store.add_action(audit_id, question="s.q1", **action)
    if not problems:
        store.complete(audit_id, G)
        return
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, G)
    assert [f.message for f in info.value.findings] == [f"Action 1: {p}" for p in problems]


# README "The review screen": warnings never block completion: "an impact narrative that lists only
# activity ("visited", "completed") without saying what changed, and vague actions ("continue to",
# "consider", "ensure" with nothing measurable)".
ACTIVITY_ONLY = "We visited Jo at home twice and completed the pathway plan review with her worker."
ACTIVITY_AND_CHANGE = "We visited Jo at home twice; she now feels safe and is settled with her carers."
WARNINGS = [
    (TWELVE, "Review the plan with Jo at her next visit", []),
    (ACTIVITY_ONLY, "Review the plan with Jo at her next visit", ["impact"]),
    (ACTIVITY_AND_CHANGE, "Review the plan with Jo at her next visit", []),
    (TWELVE, "Continue to support Jo with her college course", ["action"]),
    (TWELVE, "Consider a referral to the leaving care nurse", ["action"]),
    (TWELVE, "Ensure Jo knows her rights as a care leaver", ["action"]),
    (TWELVE, "Continue to visit Jo weekly at her flat", []),              # weekly: measurable
    (TWELVE, "Ensure the pathway plan is updated by 14 March", []),       # by a date
    (ACTIVITY_ONLY, "Consider a referral to the leaving care nurse", ["impact", "action"]),
]


@pytest.mark.parametrize("impact, description, warned", WARNINGS)
def test_activity_only_impact_and_vague_actions_are_warned_of_and_never_block(store, five, impact, description,
                                                                              warned):
    from audit_tui.domain.gates import warnings

    audit_id = audit_with(store, five, [G, G, G, G, RI], impact=impact)
    action = store.get_audit(audit_id).actions[0]
    store.update_action(action.id, description=description)
    found = warnings(five, store.get_audit(audit_id))
    assert [f.target[0] if f.target[0] == "action" else f.target[1] for f in found] == warned
    store.complete(audit_id, G)  # a warning never blocks (1 of 5 below good: good is suggested)
    assert store.get_audit(audit_id).status == "completed"


# README "The suggested overall grade", step 2: "Requires improvement if any answer is inadequate" on a
# question that is not limiting, even when fewer than a quarter are below good (here 1 of 5).
FIVE_ONE_LIMITING = FIVE.replace('{id: q1, text: "One?"}', '{id: q1, text: "One?", limiting: true}')


def test_an_inadequate_answer_on_a_question_that_is_not_limiting_suggests_requires_improvement(store):
    template = parse_template(FIVE_ONE_LIMITING, "five.yaml")
    audit_id = audit_with(store, template, [G, G, G, G, I])
    for other in (O, G, I):
        with pytest.raises(GatesNotMet):
            store.complete(audit_id, other)
    store.complete(audit_id, RI)


# README "The review screen (ctrl+r) lists each unmet gate as a link to the place that needs fixing":
# each finding names its place: the question, the narrative, the action or the overall grade. Every
# unmet gate is listed, not only the first.
def test_every_unmet_gate_is_listed_with_the_place_that_needs_fixing(store, five):
    audit_id = store.create_audit(five, case_ref="CL-0007", audited_on=AUDITED)
    store.set_answer(audit_id, "s.q1", grade="n/a")                       # n/a without a reason
    # s.q2 never answered
    store.set_answer(audit_id, "s.q3", grade=G, evidence="")              # a grade without evidence
    store.set_answer(audit_id, "s.q4", grade=G, evidence="tbc")           # a placeholder
    store.set_answer(audit_id, "s.q5", grade=RI, evidence="Seen alone on 3 March; the plan is late")
    action = store.add_action(audit_id, description="Review the plan", owner="Team manager", due=AUDITED)
    store.update_audit(audit_id, lived_experience="Too short.", impact=TWELVE)
    store.set_safeguarding(audit_id, "no_risk")
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, "")
    places = [f.target for f in info.value.findings]
    assert places == [("question", "s.q1"), ("question", "s.q2"), ("question", "s.q3"), ("question", "s.q4"),
                      ("question", "s.q5"), ("narrative", "lived_experience"), ("action", action),
                      ("overall", "")]
    assert info.value.findings[-1].message == "Choose an overall grade"
    store.set_no_action(audit_id, "s.q5", "Already in hand")              # a reason, but too short
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, "")
    assert ("question", "s.q5") in [f.target for f in info.value.findings]


def test_a_grade_unlike_the_suggested_one_without_a_reason_points_at_the_overall_grade(store, five):
    audit_id = audit_with(store, five, [G] * 5)
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, O)
    assert [(f.message, f.target) for f in info.value.findings] == [
        ("The overall grade differs from the suggested one: give a reason", ("overall", ""))]


def test_an_optional_question_left_unanswered_does_not_stop_the_checks_after_it(store):
    template = parse_template(FIVE.replace('{id: q2, text: "Two?"}', '{id: q2, text: "Two?", required: false}'),
                              "five.yaml")
    audit_id = store.create_audit(template, case_ref="CL-0008")
    for n in (1, 3, 4, 5):
        store.set_answer(audit_id, f"s.q{n}", grade=G, evidence="" if n == 5 else f"Evidence on file for {n}")
    store.update_audit(audit_id, lived_experience=TWELVE, impact=TWELVE)
    store.set_safeguarding(audit_id, "no_risk")
    with pytest.raises(GatesNotMet) as info:
        store.complete(audit_id, G)
    assert [f.target for f in info.value.findings] == [("question", "s.q5")]
