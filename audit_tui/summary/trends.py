"""Trends of the headline measures across rounds, against the quality lead's targets, and the lead's
improvement plan of the round a summary covers.

Rounds are the names counted audits carry, in the order they started (their first audit's date),
selected by the summary's filters but for round and dates, up to the selected round (else the
latest), the last `MAX_ROUNDS` of them. A trend is shown with `MIN_ROUNDS` or more. Each round's
figure of a measure is counted as `headline` counts it (summary.headline): answered questions
carrying the measure, n/a and uncounted levels left out, moderated grades final.
"""

from __future__ import annotations

from decimal import Decimal

from audit_tui.domain.models import NA, Template
from audit_tui.summary.headline import LABELS, counts_for_measures, measure_label
from audit_tui.summary.measures import pct
from audit_tui.summary.shapes import (
    Filters,
    HeadlineFigure,
    ImprovementPlan,
    Recommendation,
    TrendMeasure,
    TrendPoint,
    TrendRound,
    Trends,
)

MIN_ROUNDS = 3
MAX_ROUNDS = 12
AMBER_POINTS = 5


def rag(good: int, answered: int, target: float | None) -> str | None:
    """green at or above the target, amber less than AMBER_POINTS below, red further below (unrounded)."""
    if target is None or not answered:
        return None
    value = Decimal(good) * 100 / Decimal(answered)
    goal = Decimal(str(target))
    if value >= goal:
        return "green"
    return "amber" if value > goal - AMBER_POINTS else "red"


def ordered_rounds(conn, filters: Filters) -> list[tuple[str, str, int]]:
    """(round, first audit date, counted audits) of the rounds `filters` selects, in the order they started."""
    where, params = filters.where("a")
    return [tuple(r) for r in conn.execute(
        f"""SELECT a.round, min(a.audited_on), count(*) FROM audit_facts a WHERE {where} AND a.round != ''
            GROUP BY a.round ORDER BY 2, 1""", params)]


def trend_series(conn, filters: Filters, headline: list[HeadlineFigure]) -> Trends | None:
    """Each measure across the trend's rounds (None with fewer than MIN_ROUNDS rounds)."""
    others = filters.model_copy(update={"round": None, "date_from": None, "date_to": None})
    rounds = ordered_rounds(conn, others)
    if filters.round:
        last = next((i for i, r in enumerate(rounds) if r[0].lower() == filters.round.lower()), None)
        rounds = rounds[:last + 1] if last is not None else []
    rounds = rounds[-MAX_ROUNDS:]
    if len(rounds) < MIN_ROUNDS:
        return None
    counts = _counts(conn, others, [r[0] for r in rounds])
    found = {m for per_round in counts.values() for m in per_round}
    order = [h.id for h in headline] + [m for m in LABELS if m in found and m not in {h.id for h in headline}]
    order += sorted(found - set(order))
    targets = dict(conn.execute("SELECT measure, target FROM measure_targets"))
    labels = {h.id: h.label for h in headline}
    measures = []
    for measure in order:
        target = targets.get(measure)
        points = []
        for name, _, _ in rounds:
            answered, good = counts.get(name, {}).get(measure, (0, 0))
            points.append(TrendPoint(round=name, answered=answered, good_or_better=good, pct=pct(good, answered),
                                     rag=rag(good, answered, target)))
        measures.append(TrendMeasure(id=measure, label=labels.get(measure) or measure_label(measure), target=target,
                                     points=points))
    return Trends(rounds=[TrendRound(name=n, first_audit=first, audits=k) for n, first, k in rounds], measures=measures)


def _counts(conn, filters: Filters, names: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """round -> measure -> (answered, good or better), over the measured questions' counted answers."""
    where, params = filters.where("a")
    named = {f"t_round{i}": name for i, name in enumerate(names)}
    rows = conn.execute(
        f"""SELECT a.round, f.template_id, f.version, f.question, f.grade, count(*), sum(f.gob)
            FROM audit_facts a JOIN answer_facts f ON f.no = a.no
            WHERE {where} AND a.round IN ({", ".join(":" + k for k in named)}) AND f.grade != '{NA}'
            GROUP BY 1, 2, 3, 4, 5""", {**params, **named}).fetchall()
    templates: dict[tuple[str, int], Template | None] = {}
    result: dict[str, dict[str, tuple[int, int]]] = {}
    for round_name, template_id, version, key, grade, n, gob in rows:
        if (template_id, version) not in templates:
            body = conn.execute("SELECT body FROM templates WHERE id = ? AND version = ?",
                                [template_id, version]).fetchone()
            templates[(template_id, version)] = Template.model_validate_json(body[0]) if body else None
        template = templates[(template_id, version)]
        if template is None or not counts_for_measures(template, key, grade):
            continue
        per_round = result.setdefault(round_name, {})
        for measure in template.question(key).measures:
            before = per_round.get(measure, (0, 0))
            per_round[measure] = (before[0] + n, before[1] + (gob or 0))
    return result


def improvement_plan(conn, filters: Filters) -> ImprovementPlan | None:
    """The lead's commentary and recommendations on the selected round, else on the latest round selected."""
    name = filters.round
    if not name:
        rounds = ordered_rounds(conn, filters)
        if not rounds:
            return None
        name = rounds[-1][0]
    commentary = conn.execute("SELECT commentary FROM round_commentary WHERE round = ? COLLATE NOCASE",
                              [name]).fetchone()
    recommendations = [Recommendation(id=r[0], what=r[1], lead=r[2], outcome=r[3], due=r[4], rag=r[5])
                       for r in conn.execute(
                           "SELECT id, what, lead, outcome, due, rag FROM recommendations WHERE round = ? "
                           "COLLATE NOCASE ORDER BY created_at, rowid", [name])]
    return ImprovementPlan(round=name, commentary=commentary[0] if commentary else "", recommendations=recommendations)
