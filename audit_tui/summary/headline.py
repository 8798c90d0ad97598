"""The headline measures: judgements of practice, counted from the graded questions that carry them.

A template question may name the measures it feeds (`measures: [lived_experience]`). A measure's
figure counts every answered question carrying it, across all the templates of the selected
completed and moderated audits, with the moderator's grade final: `answered` leaves out `n/a`
and levels that are not counted (the impact scale's `too_early`), and `good_or_better` counts
the positive levels among them. These are the figures a report leads with. The narrative
checks (`inspection_tests`) say how well the audits were written, and are never headline figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from audit_tui.domain.models import NA, Template
from audit_tui.summary.measures import pct
from audit_tui.summary.scans import Scan
from audit_tui.summary.shapes import Filters, HeadlineFigure

LABELS = {  # in this order first; a measure a template adds is named from its id
    "lived_experience": "Lived experience evident",
    "impact": "Positive impact of the work",
    "management_oversight": "Management oversight good or better",
    "planning": "Planning good or better",
    "actions": "Case actions specific, owned and followed through",
}


def measure_label(measure: str) -> str:
    return LABELS.get(measure) or measure.replace("_", " ").replace("-", " ").capitalize() + " good or better"


def tagged_questions(templates: dict[tuple[str, int], Template]) -> dict[str, dict[tuple[str, int], list[str]]]:
    """measure -> (template id, version) -> the keys of its questions carrying it; measures in report order."""
    tagged: dict[str, dict[tuple[str, int], list[str]]] = {}
    for key, template in sorted(templates.items()):
        for question_key, _, question in template.questions():
            for measure in question.measures:
                tagged.setdefault(measure, {}).setdefault(key, []).append(question_key)
    order = [*(m for m in LABELS if m in tagged), *sorted(m for m in tagged if m not in LABELS)]
    return {m: tagged[m] for m in order}


def headline_figures(conn, filters: Filters, rows: Scan, templates: dict[tuple[str, int], Template]) -> list[HeadlineFigure]:
    """Each measure any selected audit's template tags, with its base and positive answers."""
    tagged = tagged_questions(templates)
    if not tagged:
        return []
    counts = _counts(conn, filters, rows, templates)
    result = []
    for measure in tagged:
        answered = good = 0
        for (template_id, version), keys in tagged[measure].items():
            for key in keys:
                n, gob = counts.get((template_id, version, key), (0, 0))
                answered, good = answered + n, good + gob
        per_audit = all(len(keys) == 1 for keys in tagged[measure].values())
        result.append(HeadlineFigure(
            id=measure, label=measure_label(measure), answered=answered, good_or_better=good,
            pct=pct(good, answered), counted_in="audits" if per_audit else "answers",
            questions=sorted({f"{t}: {k}" for (t, _), keys in tagged[measure].items() for k in keys})))
    return result


def counts_for_measures(template, key: str, grade: str) -> bool:
    """Whether an answer (`key` graded `grade`) counts in the headline measures: its question carries
    a measure and the grade is a judgement on a graded scale (not a fact, not `too_early`)."""
    question = template.question(key) if template else None
    if question is None or not question.measures:
        return False
    scale = template.scale_of(key)
    level = scale.level(grade)
    return scale.graded and (level is None or level.counted)


def _counts(conn, filters: Filters, rows: Scan, templates) -> dict[tuple[str, int, str], tuple[int, int]]:
    """(template, version, question) -> (counted answers, good or better) of the measured questions."""
    versions: dict[str, list[int]] = {}
    for template_id, version in templates:
        versions.setdefault(template_id, []).append(version)
    counts: dict[tuple[str, int, str], tuple[int, int]] = {}
    # a template selected in one version: the answers' pass (per template and question) has every count
    for template_id, key, grade, n, gob in rows.questions:
        if len(versions.get(template_id, ())) != 1 or grade == NA:
            continue
        version = versions[template_id][0]
        if not counts_for_measures(templates[(template_id, version)], key, grade):
            continue
        before = counts.get((template_id, version, key), (0, 0))
        counts[(template_id, version, key)] = (before[0] + n, before[1] + (gob or 0))
    # several versions of a template (audits keep the version they were made with): a question counts
    # for a measure only where its audit's version tags it, so its answers are counted per version
    where, params = filters.where("a")
    for template_id, selected in versions.items():
        keys = sorted({key for v in selected for key, _, q in templates[(template_id, v)].questions() if q.measures})
        if len(selected) == 1 or not keys:
            continue
        named = {f"m_key{i}": key for i, key in enumerate(keys)}
        for version, key, n, gob in conn.execute(
                f"""SELECT f.version, f.question, count(*), sum(f.gob) FROM answer_facts f
                    WHERE f.template_id = :m_template AND f.question IN ({", ".join(":" + k for k in named)})
                      AND f.judged AND f.grade != '{NA}' AND f.no IN (SELECT a.no FROM audit_facts a WHERE {where})
                    GROUP BY 1, 2""", {**params, **named, "m_template": template_id}):
            counts[(template_id, version, key)] = (n, gob or 0)
    return counts


def change_points(now: tuple[int, int], before: tuple[int, int]) -> float | None:
    """The change in percentage points between two (part, whole) fractions, worked out unrounded and then
    rounded half-up (away from zero) to one decimal; None when either whole is 0."""
    if not now[1] or not before[1]:
        return None
    diff = (Decimal(now[0]) / Decimal(now[1]) - Decimal(before[0]) / Decimal(before[1])) * 100
    return float(diff.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + 0.0
