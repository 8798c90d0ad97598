"""Report sections rendering the casework figures: questions, grade distributions, themes."""

from __future__ import annotations

from functools import partial

from ..summary import Distribution, Summary, ThemeFigure
from . import charts
from .docxkit import heading, para, table
from .pictures import Pictures
from .sentences import fmt_pct, plural

SHORT_GRADES = {"outstanding": "Outst.", "good": "Good", "requires_improvement": "RI", "inadequate": "Inad.",
                "yes": "Yes", "partly": "Partly", "no": "No", "adequate": "Adeq."}
CHART_BARS = 15  # bars per chart, so a chart always fits on a page


def _short(summary: Summary, grade: str) -> str:
    return SHORT_GRADES.get(grade, summary.grade_labels.get(grade, grade))


def _below(summary: Summary) -> set[str]:
    return {g for g, good in summary.grade_good_or_better.items() if not good}


def questions_section(doc, summary: Summary) -> None:
    heading(doc, "Casework figures by question", 1)
    para(doc, "For each question: how many completed audits answered it, how many marked it not applicable, and "
              "the share of answered questions graded good or better (outstanding or good; yes on yes/partly/no "
              "questions). Moderated grades replace the auditor's.")
    templates = list(dict.fromkeys(q.template for q in summary.questions))
    facts = [q for q in summary.questions if not q.judged]
    for template in templates:
        rows = [q for q in summary.questions if q.template == template and q.judged]
        if len(templates) > 1:
            heading(doc, summary.scope.template_titles.get(template, template), 2)
        table(doc, ["Section", "Question", "Answered", "n/a", "Good or better", "%"],
              ([q.section_title if i == 0 or rows[i - 1].section_title != q.section_title else "", q.text,
                q.answered, q.na, q.good_or_better, fmt_pct(q.good_or_better_pct)] for i, q in enumerate(rows)),
              widths=[2.7, 7.0, 2.0, 1.1, 1.9, 1.5], numeric=(2, 3, 4, 5))
    if facts:
        para(doc, "Questions that record a fact rather than judge practice (for example whether the young person "
                  "is in custody) are not graded and are left out of these figures: "
                  + "; ".join(f"{q.text} ({', '.join(f'{summary.grade_labels.get(g, g)} {n}' for g, n in q.grades.items())})"
                              for q in facts) + ".", "Caption")


def _grade_columns(summary: Summary, groups: list[Distribution]) -> list[str]:
    return [g for g in dict.fromkeys(g for d in groups for g in d.grades) if any(d.grades.get(g) for d in groups)]


def _distribution_table(doc, summary: Summary, groups: list[Distribution], first: str, *, audits: bool) -> None:
    grades = _grade_columns(summary, groups)
    header = ([first] + (["Audits"] if audits else []) + ["n"] + [_short(summary, g) for g in grades]
              + ["Good or better"])
    # numbers need ~1.3 cm at 9 pt; the name column takes what is left of the 16.4 cm text width
    number, last = 1.45, 1.8
    name = max(3.0, 16.4 - number * (len(header) - 2) - last)
    widths = [name] + [number] * (len(header) - 2) + [last]
    table(doc, header,
          ([d.name] + ([d.audits] if audits else []) + [d.answered] + [d.grades.get(g, 0) for g in grades]
           + [fmt_pct(d.good_or_better_pct)] for d in groups),
          widths=widths, numeric=tuple(range(1, len(header))))


def distributions_section(doc, summary: Summary, progress, pictures: Pictures) -> None:
    heading(doc, "Grade distributions", 1)
    below = _below(summary)
    labels = summary.grade_labels
    para(doc, "Final grades of every graded answer, by section of the template and by team. Charts use a "
              "colour-blind-safe palette; grades below good are hatched. n is the number of graded answers; "
              "the other columns count answers at each grade (RI: requires improvement to be good).")
    heading(doc, "Overall grades", 2)
    if sum(summary.overall_grades.values()):
        pictures.add(doc, partial(charts.overall_grades_chart, summary.overall_grades, labels, below), width_cm=13.0,
                     caption="Figure 1. Overall grades of the completed audits.",
                     alt=_alt("Bar chart of the overall grades of the completed audits",
                              [("Overall", summary.overall_grades)], labels, below))
    table(doc, ["Overall grade", "Audits", "%"],
          ([labels.get(g, g), n, fmt_pct(100 * n / total if (total := sum(summary.overall_grades.values())) else None)]
           for g, n in summary.overall_grades.items()), widths=[8, 3, 3], numeric=(1, 2))
    progress(0.45, "Charts by section")
    heading(doc, "By section", 2)
    if not summary.sections:
        para(doc, "No graded answers.")
    templates = list(dict.fromkeys(d.template for d in summary.sections))
    figure = 2
    for template in templates:
        groups = [d for d in summary.sections if d.template == template]
        title = summary.scope.template_titles.get(template, template)
        if len(templates) > 1:
            heading(doc, title, 3)
        figure = _charts(doc, pictures, [(d.name, d.grades) for d in groups], labels, below,
                         f"Grades by section: {title}", "Section", figure, f"by section of the {title.lower()}")
        _distribution_table(doc, summary, groups, "Section", audits=False)
    progress(0.55, "Charts by team")
    heading(doc, "By team", 2)
    if summary.teams:
        figure = _charts(doc, pictures, [(d.name, d.grades) for d in summary.teams], labels, below, "Grades by team",
                         "Team", figure, "by team")
        _distribution_table(doc, summary, summary.teams, "Team", audits=True)
        heading(doc, "Overall grades by team", 3)
        grades = list(summary.overall_grades)
        table(doc, ["Team", "Audits"] + [_short(summary, g) for g in grades] + ["Good or better"],
              ([d.name, d.audits] + [d.overall_grades.get(g, 0) for g in grades]
               + [fmt_pct(_overall_pct(summary, d))] for d in summary.teams),
              widths=[5.0, 1.8] + [1.7] * len(grades) + [2.4], numeric=tuple(range(1, len(grades) + 3)))
    else:
        para(doc, "No completed audits.")


def _charts(doc, pictures: Pictures, groups, labels, below, title: str, ylabel: str, figure: int,
            caption: str) -> int:
    """Stacked-bar charts of `groups`, CHART_BARS bars each; returns the next figure number."""
    chunks = [groups[i:i + CHART_BARS] for i in range(0, len(groups), CHART_BARS)]
    for n, chunk in enumerate(chunks, 1):
        suffix = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
        pictures.add(doc, partial(charts.stacked_distribution, chunk, labels, below, title=title + suffix,
                                  ylabel=ylabel),
                     caption=f"Figure {figure}. Share of graded answers at each grade, {caption}{suffix}.",
                     alt=_alt(f"Stacked bar chart of the share of graded answers at each grade, {caption}{suffix}",
                              chunk, labels, below))
        figure += 1
    return figure


def _alt(what: str, groups, labels: dict[str, str], below: set[str]) -> str:
    """A chart's text for screen readers: what it shows, then each bar's counts and its key figure."""
    parts = []
    for name, grades in groups:
        total = sum(grades.values())
        counts = ", ".join(f"{labels.get(g, g)} {n}" for g, n in grades.items() if n)
        good = sum(n for g, n in grades.items() if g not in below)
        share = f"{fmt_pct(100 * good / total)} good or better of {total}" if total else "none graded"
        parts.append(f"{name}: {counts or 'no grades'} ({share})")
    return f"{what}. " + "; ".join(parts) + "."


def _overall_pct(summary: Summary, d: Distribution) -> float | None:
    from ..summary import pct

    graded = sum(d.overall_grades.values())
    good = sum(n for g, n in d.overall_grades.items() if summary.grade_good_or_better.get(g))
    return pct(good, graded)


def _theme_block(doc, summary: Summary, themes: list[ThemeFigure], kind: str) -> None:
    n = summary.audits.completed
    count = (lambda t: t.strength) if kind == "strength" else (lambda t: t.improvement)
    ranked = sorted((t for t in themes if count(t)), key=lambda t: (-count(t), t.label))
    if not ranked:
        para(doc, "None of the audits recorded a theme as " + ("a strength." if kind == "strength"
                                                                  else "an area for improvement."))
        return
    table(doc, ["Rank", "Theme", "Audits", "% of audits", "Audits with the theme"],
          ([i, t.label, count(t), fmt_pct(100 * count(t) / n if n else None), t.audits]
           for i, t in enumerate(ranked, 1)),
          widths=[1.3, 7.0, 2.0, 2.4, 3.5], numeric=(0, 2, 3, 4))
    for i, theme in enumerate(ranked, 1):
        quotes = theme.strength_quotes if kind == "strength" else theme.improvement_quotes
        title = para(doc, f"{i}. {theme.label} — {plural(count(theme), 'audit')}", bold=True)
        title.paragraph_format.keep_with_next = True
        if not quotes:
            para(doc, "No evidence text recorded.", "Quote")
        for quote in quotes:
            para(doc, f"“{quote.text}” ({quote.case_ref})", "Quote")


def themes_section(doc, summary: Summary) -> None:
    heading(doc, "Themes", 1)
    para(doc, "An audit has a theme when one of its graded answers carries it: the auditor tagged it, the "
              "question maps to it, or the evidence mentions one of its keywords. It is a strength of the audit "
              "when such an answer is good or better, and an area for improvement when one is below good (an "
              "audit can count as both). Themes are ranked by the number of audits; quotes are short extracts "
              "of evidence, attributed by case reference only.")
    heading(doc, "Strengths", 2)
    _theme_block(doc, summary, summary.themes, "strength")
    heading(doc, "Areas for improvement", 2)
    _theme_block(doc, summary, summary.themes, "improvement")
