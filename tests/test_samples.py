"""The fictional sample cases: every case loads and its reference audit passes every gate."""

from __future__ import annotations

import json

import pytest

from audit_tui.domain import gates
from audit_tui.domain.models import Interchange
from audit_tui.features.samples import (
    SAMPLES_DIR,
    SampleError,
    builtin_templates,
    case_template,
    list_sample_cases,
    load_case,
    load_reference,
    record_text,
)

CASES = list_sample_cases()
REFS = [case.case_ref for case in CASES]


def test_there_are_at_least_fourteen_cases_across_service_areas_and_templates():
    assert len(CASES) >= 14
    assert {c.service_area for c in CASES} >= {"care leavers", "children looked after", "child protection",
                                               "children in need"}
    assert {c.template for c in CASES} == {t.id for t in builtin_templates()}, "every built-in template has a case"
    assert {c.practice for c in CASES} == {"strong", "mixed", "weak"}


@pytest.mark.parametrize("ref", REFS)
def test_case_loads(ref):
    case = load_case(ref)
    assert case.case_ref == ref and case.learning_points
    text = record_text(ref)
    assert text.startswith(f"# Case record: {ref}") and "fictional" in text
    assert case_template(case).id == case.template


@pytest.mark.parametrize("ref", REFS)
def test_reference_audit_passes_every_gate(ref):
    case = load_case(ref)
    reference = load_reference(ref)
    template = case_template(case, reference.template_version)
    assert reference.template_id == case.template and reference.template_version == case_template(case).version == 3
    assert reference.status == "completed" and reference.auditor == "Reference auditor"
    assert gates.gate_failures(template, reference) == []
    answers = {a.question: a for a in reference.answers}
    active = gates.active_questions(template, answers)
    assert sorted(answers) == sorted(active), "answers exactly the questions asked (only_if applied)"
    for answer in reference.answers:
        assert answer.rationale.strip(), f"{answer.question} has no rationale"
    for action in reference.actions:
        assert action.due >= reference.audited_on
    suggested = gates.suggested_overall_grade(template, reference)
    assert reference.overall_grade == suggested or reference.overall_reason.strip()


def test_reference_grades_follow_the_practice_level():
    for case in CASES:
        reference = load_reference(case.case_ref)
        template = case_template(case, reference.template_version)
        graded = [a for a in reference.answers if gates.is_graded(template, a)]
        below = sum(gates.below_good(template, a) for a in graded) / len(graded)
        expected = {"strong": (0, 0.25), "mixed": (0.2, 0.8), "weak": (0.8, 1.0)}[case.practice]
        assert expected[0] <= below <= expected[1], (case.case_ref, below)


def test_reference_file_is_interchange_format_and_keeps_rationale():
    raw = json.loads((SAMPLES_DIR / "CL-0101" / "reference.json").read_text(encoding="utf-8"))
    assert raw["format"] == "audit-tui/1" and raw["templates"] == [] and len(raw["audits"]) == 1
    data = Interchange.model_validate(raw)
    dumped = data.audits[0].model_dump(mode="json")
    assert dumped["answers"][0]["rationale"] == raw["audits"][0]["answers"][0]["rationale"]


def test_rationale_round_trips_through_the_store(store):
    reference = load_reference("CIN-0401")
    store.save_template(case_template(load_case("CIN-0401")))
    store.insert_audit_record(reference)
    back = store.get_audit(reference.id)
    assert [a.rationale for a in back.answers] == [a.rationale for a in reference.answers]


def test_unknown_case_is_a_clear_error():
    with pytest.raises(SampleError, match="no sample case"):
        load_case("../etc")
    with pytest.raises(SampleError, match="no sample case"):
        load_reference("XX-9999")


def _names(level) -> set[str]:
    """How a rationale may name a grade: its label (up to "to be good"), or its id in words."""
    label = level.label.lower().split(" to be ")[0]
    return {label, level.id.replace("_", " ")}


@pytest.mark.parametrize("ref", REFS)
def test_reference_rationales_name_the_grade_and_what_separates_it_from_the_next(ref):
    """Issue 21 item 6: each graded answer's rationale names its grade (the descriptor it meets) and,
    below the top of its scale, what separates it from the next grade up or what would make it good
    ("Not outstanding: …", "Good would need …", "Yes would need …")."""
    case = load_case(ref)
    reference = load_reference(ref)
    template = case_template(case, reference.template_version)
    missing = []
    for answer in reference.answers:
        if not gates.is_graded(template, answer):
            continue
        scale = template.scale_of(answer.question)
        level = scale.levels[scale.rank(answer.grade)]
        text = answer.rationale.lower()
        if not any(name in text for name in _names(level)):
            missing.append(f"{answer.question}: does not name {level.label!r}")
        top = scale.rank(answer.grade) == 0
        if not top and not any(mark in text for mark in (" would ", "not outstanding", "rather than outstanding",
                                                          "not only", "not just")):
            missing.append(f"{answer.question}: does not say what separates it from the next grade")
    assert missing == []
