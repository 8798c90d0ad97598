"""How far auditors and moderators agree, over the moderated audits a summary selects.

Agreement (`moderation_agreement`) compares, over moderated audits, the auditor's
grade with the final grade of every answer on a graded scale (n/a on either side is
left out), per question and for all questions together, and the overall grades:

- exact agreement: the share of pairs graded the same (a percentage, one decimal);
- adjacent agreement: the share at most one level apart;
- weighted kappa (Cohen's, linear weights): 1 is perfect agreement, 0 what chance
  would give. For all questions together the pairs are pooled per scale: observed and
  chance disagreement are summed over scales (each weighted by its number of pairs),
  so a yes/partly/no question never counts as a four-level one. None when undefined
  (no pairs, or every grade on both sides the same level).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from audit_tui.domain.agreement import (
    Pairs,
    adjacent_agreement,
    disagreements,
    exact_agreement,
    pair_counts,
    weighted_kappa,
)
from audit_tui.domain.models import NA, Template
from audit_tui.summary.scans import Agreement, agreement_rows

if TYPE_CHECKING:
    from audit_tui.storage.store import Store

WEIGHTS = "linear"


def _pct(share: float | None) -> float | None:
    if share is None:
        return None
    return float((Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _round3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def pooled_kappa(strata: Sequence[tuple[Pairs, int]]) -> float | None:
    """Weighted kappa over several scales: 1 - Σ observed / Σ expected disagreement (per-scale weights)."""
    observed = expected = 0.0
    for pairs, levels in strata:
        if pair_counts(pairs) and levels >= 2:
            o, e = disagreements(pairs, levels)
            observed, expected = observed + o, expected + e
    if expected == 0:
        return None
    return 1 - observed / expected


def _figures(pairs: Pairs, levels: int | None) -> dict[str, Any]:
    counts = pair_counts(pairs)
    return {"pairs": sum(counts.values()), "agreed": sum(k for (a, b), k in counts.items() if a == b),
            "adjacent": sum(k for (a, b), k in counts.items() if abs(a - b) <= 1),
            "exact_agreement_pct": _pct(exact_agreement(counts)),
            "adjacent_agreement_pct": _pct(adjacent_agreement(counts)),
            "weighted_kappa": _round3(weighted_kappa(counts, levels, weights=WEIGHTS)) if levels else None,
            **direction(counts)}


def direction(pairs: Pairs) -> dict[str, Any]:
    """Whether auditors graded higher (a better level) or lower than the moderator's final grade: the
    pairs each way, and 'higher', 'lower' or 'even' (as many each way, or none)."""
    counts = pair_counts(pairs)
    higher = sum(k for (a, b), k in counts.items() if a < b)  # rank 0 is the best level
    lower = sum(k for (a, b), k in counts.items() if a > b)
    return {"auditor_higher": higher, "auditor_lower": lower,
            "direction": "higher" if higher > lower else "lower" if lower > higher else "even"}


def _filters(filters: Any):
    from audit_tui.summary import Filters

    if filters is None:
        return Filters()
    if isinstance(filters, dict):
        return Filters(**filters)
    return filters


def moderation_agreement(store: Store, filters: Any = None) -> dict[str, Any]:
    """Agreement between auditors and moderators over the moderated audits `filters` selects in `store`.

    `filters` is a summary.Filters, a dict of its fields, or None for every audit. Like every figure, it
    counts the answers of the stored facts (answers to questions not asked are left out).
    """
    from audit_tui.summary.facts import ensure_facts

    conn, check = store.db.conn, store.db.deferred_check
    ensure_facts(conn, check.wait if check is not None else None)
    return agreement_figures(agreement_rows(conn, *_filters(filters).where("a")))


def agreement_figures(rows: Agreement) -> dict[str, Any]:
    """The agreement figures (see `moderation_agreement`) from the rows `scans.agreement_rows` reads."""
    templates = {(template_id, version): Template.model_validate_json(body)
                 for template_id, version, body in rows.templates}
    overall_pairs: Counter[tuple[int, int]] = Counter()
    auditor_overall_pairs: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for template_id, version, auditor_overall, moderated_overall, auditor, n in rows.overall:
        template = templates.get((template_id, version))
        if template is not None:
            scale = template.overall_scale()
            before, after = scale.rank(auditor_overall or ""), scale.rank(moderated_overall or auditor_overall or "")
            if before >= 0 and after >= 0:
                overall_pairs[(before, after)] += n
                auditor_overall_pairs[auditor][(before, after)] += n
    per_question: dict[tuple[str, int, str], Counter[tuple[int, int]]] = defaultdict(Counter)
    per_auditor: dict[str, dict[tuple[str, int], Counter[tuple[int, int]]]] = defaultdict(lambda: defaultdict(Counter))
    question_levels: dict[tuple[str, int, str], tuple[str, int]] = {}
    for template_id, version, question, grade, final, auditor, n in rows.answers:
        template = templates.get((template_id, version))
        if template is None or template.question(question) is None or NA in (grade, final) or not grade:
            continue
        scale = template.scale_of(question)
        ordinal = [lv.id for lv in scale.levels if lv.counted]  # `too_early` is no grade: left out like n/a
        if scale.graded and grade in ordinal and final in ordinal:
            pair = (ordinal.index(grade), ordinal.index(final))
            per_question[(template_id, version, question)][pair] += n
            question_levels[(template_id, version, question)] = (scale.id, len(ordinal))
            per_auditor[auditor][(scale.id, len(ordinal))][pair] += n
    questions = []
    for (template_id, version), template in sorted(templates.items()):
        for key, section, question in template.questions():
            pairs = per_question.get((template_id, version, key))
            if pairs:
                scale_id, levels = question_levels[(template_id, version, key)]
                questions.append({"template": template_id, "template_version": version, "question": key,
                                  "section": section.title, "text": question.text, "scale": scale_id,
                                  **_figures(pairs, levels)})
    strata: dict[tuple[str, int], Counter[tuple[int, int]]] = defaultdict(Counter)
    everything: Counter[tuple[int, int]] = Counter()
    for key, pairs in per_question.items():
        strata[question_levels[key]].update(pairs)
        everything.update(pairs)
    pooled = _figures(everything, None)
    pooled["weighted_kappa"] = _round3(pooled_kappa([(p, levels) for (_, levels), p in strata.items()]))
    overall_levels = max((len(t.overall_scale().levels) for t in templates.values()), default=4)
    return {"moderated_audits": rows.audits, "weights": WEIGHTS, "all_questions": pooled,
            "overall_grade": _figures(overall_pairs, overall_levels), "questions": questions,
            "auditors": [_auditor(name, audits, per_auditor.get(name, {}), auditor_overall_pairs.get(name, Counter()))
                         for name, audits in rows.auditors]}


def _auditor(name: str, audits: int, strata: dict[tuple[str, int], Counter[tuple[int, int]]],
             overall: Counter[tuple[int, int]]) -> dict[str, Any]:
    """One auditor's agreement with the moderators: every grade pooled (kappa per scale), and the direction."""
    pooled: Counter[tuple[int, int]] = Counter()
    for pairs in strata.values():
        pooled.update(pairs)
    figures = _figures(pooled, None)
    figures["weighted_kappa"] = _round3(pooled_kappa([(p, levels) for (_, levels), p in strata.items()]))
    overall_direction = direction(overall)
    return {"auditor": name or "(not recorded)", "moderated_audits": audits, **figures,
            "overall_higher": overall_direction["auditor_higher"], "overall_lower": overall_direction["auditor_lower"]}


def agreement_line(figures: dict[str, Any]) -> str:
    """The agreement figures in one line of words (dashboard, CLI)."""
    if not figures["moderated_audits"]:
        return "Moderation: no audits moderated yet."
    every, overall = figures["all_questions"], figures["overall_grade"]

    def part(f: dict[str, Any]) -> str:
        kappa = "—" if f["weighted_kappa"] is None else f"{f['weighted_kappa']:.2f}"
        pct = "—" if f["exact_agreement_pct"] is None else f"{f['exact_agreement_pct']:.1f}%"
        near = "—" if f["adjacent_agreement_pct"] is None else f"{f['adjacent_agreement_pct']:.1f}%"
        return (f"{pct} exact, {near} within one level, κw {kappa} ({f['pairs']} compared; auditor higher "
                f"{f['auditor_higher']}, lower {f['auditor_lower']})")

    return (f"Moderation of {figures['moderated_audits']} audit(s) — grades: {part(every)}; "
            f"overall grades: {part(overall)}")
