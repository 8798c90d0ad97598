"""The figures an executive summary makes its case with, beyond the headline measures.

- **Strongest and weakest areas**: among the headline measures and the sections of each template,
  each on a base of at least MIN_BASE answers, the AREAS (at most half of them each) with the highest
  and the lowest share good or better (exact fractions compared; a larger base first on a tie; a
  weakest area is below every strongest one). A section whose figure is exactly a measure's is the
  same answers, named once as the measure. Single questions are never candidates: a 100% on ten
  answers says little.
- **Team differences that matter**: for each headline measure and for audits good or better
  overall, a team with at least MIN_BASE counted audits whose figure (on at least MIN_BASE answers)
  is TEAM_GAP points or more above or below that of all the other teams together (at least MIN_BASE
  answers too), largest difference first, at most TEAM_LINES. Teams with fewer audits are named as
  not compared.
- **Overdue actions**: open actions due before the as-of date, the median and the most days
  overdue, and the OWNERS owners holding most of them.
"""

from __future__ import annotations

import statistics
from datetime import date
from fractions import Fraction

from audit_tui.domain.models import NA, Template
from audit_tui.summary.headline import change_points, tagged_questions
from audit_tui.summary.measures import pct
from audit_tui.summary.shapes import (
    AreaFigure,
    Distribution,
    Executive,
    Filters,
    HeadlineFigure,
    OverdueFigures,
    OwnerOverdue,
    TeamDifference,
)

MIN_BASE = 5
TEAM_GAP = 15.0  # points
AREAS = 2
TEAM_LINES = 6
OWNERS = 3
OVERALL = ("overall", "Audits good or better overall")
NO_TEAM = "(no team)"


def executive_figures(conn, filters: Filters, headline: list[HeadlineFigure], sections: list[Distribution],
                      teams: list[Distribution], templates: dict[tuple[str, int], Template],
                      grade_good: dict[str, bool]) -> Executive:
    strongest, weakest = _areas(headline, sections)
    compared = [d.name for d in teams if d.audits >= MIN_BASE]
    return Executive(
        strongest=strongest, weakest=weakest, min_base=MIN_BASE,
        team_differences=_team_differences(conn, filters, headline, teams, templates, grade_good, compared),
        team_gap_points=TEAM_GAP, teams_compared=compared,
        teams_too_small=[d.name for d in teams if d.audits < MIN_BASE],
        overdue=_overdue(conn, filters))


def _fraction(area: AreaFigure) -> Fraction:
    return Fraction(area.good_or_better, area.answered)


def _areas(headline: list[HeadlineFigure], sections: list[Distribution]) -> tuple[list[AreaFigure], list[AreaFigure]]:
    candidates = [AreaFigure(kind="measure", id=h.id, label=h.label, answered=h.answered,
                             good_or_better=h.good_or_better, pct=h.pct, counted_in=h.counted_in)
                  for h in headline if h.answered >= MIN_BASE]
    candidates += [AreaFigure(kind="section", id=f"{d.template}:{d.name}", label=d.name, template=d.template,
                              answered=d.answered, good_or_better=d.good_or_better, pct=d.good_or_better_pct)
                   for d in sections if d.answered >= MIN_BASE]
    measured = {(h.good_or_better, h.answered) for h in headline}
    # a section with exactly a measure's figure holds the same answers: it is named once, as the measure
    candidates = [c for c in candidates if c.kind == "measure" or (c.good_or_better, c.answered) not in measured]
    if len(candidates) < 2 or len({_fraction(c) for c in candidates}) < 2:
        return [], []
    best = sorted(candidates, key=lambda c: (-_fraction(c), -c.answered, c.label))[:min(AREAS, len(candidates) // 2)]
    worst = [c for c in sorted(candidates, key=lambda c: (_fraction(c), -c.answered, c.label)) if c not in best]
    floor = _fraction(best[-1])
    return best, [c for c in worst if _fraction(c) < floor][:AREAS]


def _team_counts(conn, filters: Filters, templates: dict[tuple[str, int], Template]
                 ) -> dict[str, dict[str, tuple[int, int]]]:
    """measure -> team -> (answered, good or better), counted like the headline measures."""
    tagged = tagged_questions(templates)
    keys = sorted({k for versions in tagged.values() for ks in versions.values() for k in ks})
    if not keys:
        return {}
    named = {f"x_key{i}": key for i, key in enumerate(keys)}
    where, params = filters.where("a")
    rows: dict[tuple[str, int, str], list[tuple[str, int, int]]] = {}
    for team, template_id, version, key, n, gob in conn.execute(
            f"""SELECT f.team, f.template_id, f.version, f.question, count(*), sum(f.gob) FROM answer_facts f
                WHERE f.judged AND f.grade != '{NA}' AND f.question IN ({", ".join(":" + k for k in named)})
                  AND f.no IN (SELECT a.no FROM audit_facts a WHERE {where})
                GROUP BY 1, 2, 3, 4""", {**params, **named}):
        rows.setdefault((template_id, version, key), []).append((team or NO_TEAM, n, gob or 0))
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for measure, versions in tagged.items():
        per_team = counts.setdefault(measure, {})
        for (template_id, version), ks in versions.items():
            for key in ks:
                for team, n, gob in rows.get((template_id, version, key), []):
                    before = per_team.get(team, (0, 0))
                    per_team[team] = (before[0] + n, before[1] + gob)
    return counts


def _team_differences(conn, filters: Filters, headline: list[HeadlineFigure], teams: list[Distribution],
                      templates, grade_good: dict[str, bool], compared: list[str]) -> list[TeamDifference]:
    if not compared:
        return []
    measures = [(h.id, h.label, h.counted_in) for h in headline]
    counts = _team_counts(conn, filters, templates)
    counts[OVERALL[0]] = {d.name: (sum(d.overall_grades.values()),
                                   sum(n for g, n in d.overall_grades.items() if grade_good.get(g)))
                          for d in teams}
    found = []
    for measure, label, counted_in in [*measures, (*OVERALL, "audits")]:
        per_team = counts.get(measure, {})
        total = (sum(n for n, _ in per_team.values()), sum(g for _, g in per_team.values()))
        for team in compared:
            n, gob = per_team.get(team, (0, 0))
            others = (total[0] - n, total[1] - gob)
            if n < MIN_BASE or others[0] < MIN_BASE:
                continue
            gap = change_points((gob, n), (others[1], others[0]))
            if gap is not None and abs(gap) >= TEAM_GAP:
                found.append(TeamDifference(
                    team=team, measure=measure, label=label, answered=n, good_or_better=gob, pct=pct(gob, n),
                    others_answered=others[0], others_good_or_better=others[1], others_pct=pct(others[1], others[0]),
                    difference=gap, counted_in=counted_in))
    found.sort(key=lambda d: (-abs(Fraction(d.good_or_better, d.answered)
                                   - Fraction(d.others_good_or_better, d.others_answered)), d.team, d.measure))
    return found[:TEAM_LINES]


def _overdue(conn, filters: Filters) -> OverdueFigures:
    as_of = filters.effective_as_of()
    where, params = filters.where("a")
    rows = conn.execute(
        f"""SELECT COALESCE(NULLIF(x.owner, ''), '(no owner)'), f.due FROM action_facts f
            JOIN actions x ON x.id = f.action_id
            WHERE f.status = 'open' AND f.due != '' AND f.due < :x_as_of
              AND f.no IN (SELECT a.no FROM audit_facts a WHERE {where})""",
        {**params, "x_as_of": as_of.isoformat()}).fetchall()
    days, owners = [], {}
    for owner, due in rows:
        try:
            days.append((as_of - date.fromisoformat(due)).days)
        except ValueError:
            continue
        owners[owner] = owners.get(owner, 0) + 1
    ranked = sorted(owners.items(), key=lambda o: (-o[1], o[0].lower()))
    return OverdueFigures(overdue=len(rows), median_days_overdue=float(statistics.median(days)) if days else None,
                          most_days_overdue=max(days, default=None),
                          owners=[OwnerOverdue(owner=o, overdue=n) for o, n in ranked[:OWNERS]],
                          owners_with_overdue=len(owners))
