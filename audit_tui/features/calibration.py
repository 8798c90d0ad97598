"""Calibration: a trainee's audit of a sample case against its reference audit, and over all trainees.

Grades are compared by rank on the question's scale (0 = best). Only questions both
auditors graded on a graded scale count in the figures; n/a answers and fact
questions are shown but not counted. The weighted kappa of a trainee is over the
questions on the four-point judgement scale (`ilacs`), so that one kappa never mixes
scales of different lengths; a question's kappa is over its own scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit_tui.domain import gates
from audit_tui.domain.agreement import adjacent_agreement, exact_agreement, weighted_kappa
from audit_tui.domain.models import NA, Answer, AuditRecord, Template
from audit_tui.domain.themes import answer_themes
from audit_tui.features.samples import SampleError, load_reference
from audit_tui.features.training import sample_template, training_rows
from audit_tui.storage.store import Store

JUDGEMENT_SCALE = "ilacs"
MIN_KAPPA = 10  # comparisons below which a kappa is not worked out: too few to mean anything
VOICE = re.compile(r"[\"“”][^\"“”]{4,}[\"“”]|\b(said|says|told|tells|own words)\b", re.I)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _kappa(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class QuestionResult:
    """One question: the trainee's grade beside the reference grade, and why the reference chose it."""

    key: str
    number: str
    text: str
    scale: str
    levels: int
    graded_scale: bool
    trainee: str | None
    reference: str | None
    trainee_rank: int | None
    reference_rank: int | None
    rationale: str = ""
    reference_evidence: str = ""
    trainee_evidence: str = ""
    missed_themes: list[str] = field(default_factory=list)
    added_themes: list[str] = field(default_factory=list)

    @property
    def pair(self) -> tuple[int, int] | None:
        """(trainee rank, reference rank) when both graded on a graded scale."""
        if self.graded_scale and self.trainee_rank is not None and self.reference_rank is not None:
            return self.trainee_rank, self.reference_rank
        return None

    @property
    def agreement(self) -> str:
        """exact, adjacent, different, or not compared (n/a, fact question, not asked)."""
        pair = self.pair
        if pair is None:
            if self.trainee == self.reference and self.trainee is not None:
                return "exact"
            return "different" if self.trainee and self.reference else "not compared"
        gap = abs(pair[0] - pair[1])
        return "exact" if gap == 0 else "adjacent" if gap == 1 else "different"


@dataclass
class Comment:
    ok: bool
    text: str


@dataclass
class Calibration:
    """A trainee's audit against the reference audit of the same sample case."""

    template: Template
    trainee: AuditRecord
    reference: AuditRecord
    questions: list[QuestionResult]
    comments: list[Comment]

    def pairs(self, scale: str | None = None) -> list[tuple[int, int]]:
        return [q.pair for q in self.questions if q.pair is not None and (scale is None or q.scale == scale)]

    @property
    def exact(self) -> float | None:
        return exact_agreement(self.pairs())

    @property
    def adjacent(self) -> float | None:
        return adjacent_agreement(self.pairs())

    @property
    def kappa(self) -> float | None:
        levels = len(self.template.scale_map()[JUDGEMENT_SCALE].levels)
        return weighted_kappa(self.pairs(JUDGEMENT_SCALE), levels)

    def summary(self) -> dict[str, Any]:
        return {"questions_compared": len(self.pairs()), "exact_pct": _pct(self.exact),
                "adjacent_pct": _pct(self.adjacent), "kappa": _kappa(self.kappa),
                "overall": {"trainee": self.trainee.overall_grade, "reference": self.reference.overall_grade}}


def _numbers(template: Template) -> dict[str, str]:
    """'2.3' style numbers for question keys, as gate messages name them (section.question)."""
    out = {}
    for si, section in enumerate(template.sections, 1):
        for qi, question in enumerate(section.questions, 1):
            out[f"{section.id}.{question.id}"] = f"{si}.{qi}"
    return out


def _theme_ids(template: Template, answer: Answer | None) -> set[str]:
    if answer is None or not answer.grade or answer.grade == NA:
        return set()
    return set(answer_themes(template, answer))


def compare(template: Template, trainee: AuditRecord, reference: AuditRecord) -> Calibration:
    """Question by question, the trainee's answers beside the reference's, with comments on the gates."""
    mine = {a.question: a for a in trainee.answers}
    theirs = {a.question: a for a in reference.answers}
    asked = set(gates.active_questions(template, mine)) | set(gates.active_questions(template, theirs))
    numbers = _numbers(template)
    labels = template.theme_map()
    results = []
    for key, _, question in template.questions():
        if key not in asked:
            continue
        scale = template.scale_of(key)
        a, r = mine.get(key), theirs.get(key)
        grade_a, grade_r = (a.grade if a else None), (r.grade if r else None)
        rank_a = scale.rank(grade_a) if grade_a and grade_a != NA else -1
        rank_r = scale.rank(grade_r) if grade_r and grade_r != NA else -1
        both = a is not None and r is not None
        themes_a, themes_r = _theme_ids(template, a), _theme_ids(template, r)
        results.append(QuestionResult(
            key=key, number=numbers[key], text=question.text, scale=scale.id, levels=len(scale.levels),
            graded_scale=scale.graded, trainee=grade_a, reference=grade_r,
            trainee_rank=rank_a if rank_a >= 0 else None, reference_rank=rank_r if rank_r >= 0 else None,
            rationale=r.rationale if r else "", reference_evidence=r.evidence if r else "",
            trainee_evidence=a.evidence if a else "",
            missed_themes=sorted(labels[t].label if t in labels else t for t in themes_r - themes_a) if both else [],
            added_themes=sorted(labels[t].label if t in labels else t for t in themes_a - themes_r) if both else [],
        ))
    return Calibration(template, trainee, reference, results, comments(template, trainee, reference))


def comments(template: Template, trainee: AuditRecord, reference: AuditRecord) -> list[Comment]:
    """The quality of the trainee's narratives and actions, against the gates and the reference."""
    out: list[Comment] = []
    for field_name, label in (("lived_experience", "Lived experience"), ("impact", "Impact")):
        text = getattr(trainee, field_name)
        words = len(re.findall(r"\w+", text))
        if not gates.is_substantive(text):
            out.append(Comment(False, f"{label}: not substantive ({words} words); write at least "
                                      f"{gates.MIN_NARRATIVE_WORDS} words about the child, not the process."))
        else:
            theirs = len(re.findall(r"\w+", getattr(reference, field_name)))
            out.append(Comment(True, f"{label}: substantive ({words} words; the reference used {theirs})."))
    if trainee.lived_experience and not VOICE.search(trainee.lived_experience):
        out.append(Comment(False, "Lived experience: the child's own words are neither quoted nor reported; "
                                  "the record has them — use them where you can."))
    warning = gates.impact_warning(trainee.impact)
    if warning:
        out.append(Comment(False, f"Impact: {warning.split(': ')[-1] if ': ' in warning else warning}. "
                                  "Say what changed for the child."))
    actions = trainee.actions
    problems = [(n, problem) for n, action in enumerate(actions, 1)
                for problem in gates.action_problems(action, trainee.audited_on)]
    vague = [n for n, action in enumerate(actions, 1) if gates.action_warning(action)]
    clear = len(actions) - len({n for n, _ in problems} | set(vague))
    out.append(Comment(not problems and not vague,
                       f"Actions: {clear} of {len(actions)} specific, owned and dated without a vague verb "
                       f"(the reference set {len(reference.actions)})."))
    for n, problem in problems:
        out.append(Comment(False, f"Action {n} {problem}."))
    for n in vague:
        out.append(Comment(False, f"Action {n} ({actions[n - 1].description[:60]}) "
                                  f"{gates.action_warning(actions[n - 1])}."))
    covered = {a.question for a in actions if a.question}
    missing = [a.question for a in reference.actions if a.question and a.question not in covered]
    numbers = _numbers(template)
    if missing:
        shown = ", ".join(numbers.get(k, k) for k in dict.fromkeys(missing))
        out.append(Comment(False, f"The reference set actions on questions you did not: {shown}."))
    ref_concern, my_concern = bool(reference.concerns), bool(trainee.concerns)
    if ref_concern and not my_concern:
        out.append(Comment(False, "The reference auditor raised a safeguarding concern at once (ctrl+f); you "
                                  "did not. A child at risk that nobody is acting on cannot wait for the end of "
                                  "the round."))
    elif ref_concern and my_concern:
        out.append(Comment(True, "You raised a safeguarding concern, as the reference auditor did."))
    elif my_concern:
        out.append(Comment(True, "You raised a safeguarding concern; the reference did not. Talk it through "
                                 "with your trainer: raising one when unsure is the right instinct."))
    if trainee.overall_grade == reference.overall_grade:
        out.append(Comment(True, f"Overall grade: the same as the reference ({_label(reference.overall_grade)})."))
    else:
        reason = f" Reference reason: {reference.overall_reason}" if reference.overall_reason else ""
        out.append(Comment(False, f"Overall grade: you gave {_label(trainee.overall_grade)}, the reference "
                                  f"{_label(reference.overall_grade)}.{reason}"))
    return out


def _label(grade: str | None) -> str:
    return (grade or "none").replace("_", " ")


def calibrate(store: Store, audit_id: str, case_ref: str) -> Calibration:
    """Calibration of one stored training audit against its case's reference audit."""
    trainee = store.get_audit(audit_id)
    reference = load_reference(case_ref)
    template = store.template(trainee.template_id, trainee.template_version)
    if (trainee.template_id, trainee.template_version) != (reference.template_id, reference.template_version):
        template = sample_template(store, case_ref)
    return compare(template, trainee, reference)


# -- over all trainees ---------------------------------------------------------------------

@dataclass
class Group:
    """Agreement over a set of (trainee, reference) rank pairs."""

    name: str
    audits: int = 0
    pairs: list[tuple[int, int]] = field(default_factory=list)
    judgement_pairs: list[tuple[int, int]] = field(default_factory=list)
    levels: int = 4
    text: str = ""
    template: str = ""
    template_title: str = ""
    reasoning: str = ""

    def figures(self) -> dict[str, Any]:
        """Exact and adjacent over every pair; kappa over the judgement-scale pairs (only on MIN_KAPPA or
        more); how often the trainee graded higher (better) or lower than the reference."""
        kappa = weighted_kappa(self.judgement_pairs, self.levels) if len(self.judgement_pairs) >= MIN_KAPPA else None
        return {"compared": len(self.pairs), "exact_pct": _pct(exact_agreement(self.pairs)),
                "adjacent_pct": _pct(adjacent_agreement(self.pairs)), "kappa": _kappa(kappa),
                "graded_higher": sum(a < b for a, b in self.pairs), "graded_lower": sum(a > b for a, b in self.pairs)}


@dataclass
class CalibrationReport:
    as_of: date
    audits: list[dict[str, Any]]
    trainees: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    in_progress: int
    problems: list[str]

    def most_different(self, count: int = 10) -> list[dict[str, Any]]:
        ranked = [q for q in self.questions if q["different"]]
        return sorted(ranked, key=lambda q: (-q["different"], q["exact_pct"] or 0, q["question"]))[:count]

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "training_audits": len(self.audits), "in_progress": self.in_progress,
                "trainees": self.trainees, "questions": self.questions,
                "most_often_different": [q["question"] for q in self.most_different()],
                "audits": self.audits, "problems": self.problems}


def calibration_report(store: Store, *, today: date | None = None) -> CalibrationReport:
    """Agreement per trainee and per question over every completed training audit."""
    trainees: dict[str, Group] = {}
    questions: dict[tuple[str, str], Group] = {}
    audits, problems = [], []
    rows = training_rows(store)
    for row in rows:
        if row["status"] not in ("completed", "moderated"):
            continue
        try:
            result = calibrate(store, row["audit_id"], row["sample_case"])
        except SampleError as exc:
            problems.append(f"{row['sample_case']}: {exc}")
            continue
        summary = result.summary()
        audits.append({"audit_id": row["audit_id"], "case_ref": row["sample_case"], "trainee": row["trainee"],
                       "audited_on": row["audited_on"], **summary})
        person = trainees.setdefault(row["trainee"], Group(row["trainee"]))
        person.audits += 1
        for q in result.questions:
            if q.pair is None:
                continue
            person.pairs.append(q.pair)
            if q.scale == JUDGEMENT_SCALE:
                person.judgement_pairs.append(q.pair)
            key = (result.template.id, q.key)
            group = questions.setdefault(key, Group(q.key, levels=q.levels, text=q.text, template=result.template.id,
                                                    template_title=result.template.title))
            group.pairs.append(q.pair)
            group.reasoning = group.reasoning or q.rationale
        for key in {(result.template.id, q.key) for q in result.questions if q.pair is not None}:
            questions[key].audits += 1
    trainee_rows = [{"trainee": g.name, "audits": g.audits, **g.figures()}
                    for g in sorted(trainees.values(), key=lambda g: g.name.lower())]
    question_rows = [{"template": g.template, "template_title": g.template_title, "question": g.name, "text": g.text,
                      "audits": g.audits, **_question_figures(g), "reference_reasoning": g.reasoning}
                     for _, g in sorted(questions.items())]
    in_progress = sum(1 for r in rows if r["status"] == "draft")
    return CalibrationReport(today or date.today(), audits, trainee_rows, question_rows, in_progress, problems)


def _question_figures(group: Group) -> dict[str, Any]:
    return {"compared": len(group.pairs), "exact_pct": _pct(exact_agreement(group.pairs)),
            "adjacent_pct": _pct(adjacent_agreement(group.pairs)),
            "kappa": _kappa(weighted_kappa(group.pairs, group.levels) if len(group.pairs) >= MIN_KAPPA else None),
            "different": sum(a != b for a, b in group.pairs)}
