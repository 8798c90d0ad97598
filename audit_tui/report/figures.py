"""Report sections rendering the casework figures: questions, grade distributions, themes."""

from __future__ import annotations

from functools import partial

from audit_tui.report import charts
from audit_tui.report.docxkit import annex_heading, heading, note, para, table
from audit_tui.report.pictures import Pictures
from audit_tui.report.sentences import MIN_BASE, SMALL_BASE_NOTE, fmt_pct, plural, share
from audit_tui.summary import Distribution, Summary, ThemeFigure

SHORT_GRADES = {"outstanding": "Outst.", "good": "Good", "requires_improvement": "RI", "inadequate": "Inad.",
                "yes": "Yes", "partly": "Partly", "no": "No", "adequate": "Adeq.", "improved": "Improved",
                "some_improvement": "Some impr.", "no_change": "No change", "worse": "Worse", "too_early": "Too early"}
CHART_BARS = 15  # bars per chart, so a chart always fits on a page


def _short(summary: Summary, grade: str) -> str:
    return SHORT_GRADES.get(grade, summary.grade_labels.get(grade, grade))


def _below(summary: Summary) -> set[str]:
    return {g for g, good in summary.grade_good_or_better.items() if not good}


def questions_annex(doc, summary: Summary, letter: str) -> None:
    """Annex: the share good or better of every judged question, a table per template (6 pages of the
    demo's body before it moved here)."""
    annex_heading(doc, f"Annex {letter}: Casework figures by question")
    para(doc, "For each judged question: the share of answered questions graded good or better (outstanding or "
              "good; yes on yes/partly/no questions), with its base: “62.5% (5 of 8)” means 5 of 8 answers. Not "
              "applicable answers are left out of the base and counted in their own column. Moderated grades "
              "replace the auditor's. The counts at each grade are in the spreadsheet export.")
    templates = list(dict.fromkeys(q.template for q in summary.questions))
    facts = [q for q in summary.questions if not q.judged]
    small = False
    for template in templates:
        rows = [q for q in summary.questions if q.template == template and q.judged]
        title = summary.scope.template_titles.get(template, template)
        if len(templates) > 1:
            heading(doc, title, 2)
        small = small or any(0 < q.answered < MIN_BASE for q in rows)
        table(doc, ["Section", "Question", "n/a", "Good or better"],
              ([q.section_title if i == 0 or rows[i - 1].section_title != q.section_title else "", q.text,
                q.na, share(q.good_or_better, q.answered)] for i, q in enumerate(rows)),
              widths=[3.0, 9.3, 1.0, 3.1], numeric=(2, 3), title=f"Good or better by question: {title}")
    if small:
        note(doc, SMALL_BASE_NOTE)
    if facts:
        para(doc, "Questions that record a fact rather than judge practice (for example whether the young person "
                  "is in custody) are not graded and are left out of these figures: "
                  + "; ".join(f"{q.text} ({', '.join(f'{summary.grade_labels.get(g, g)} {n}' for g, n in q.grades.items())})"
                              for q in facts) + ".", "Caption")


def _scales(summary: Summary, groups: list[tuple[str, dict[str, int]]]) -> list[tuple[str, list[str]]]:
    """The graded scales the groups' grades use, each with its level ids (never two scales in one chart)."""
    scales = summary.grade_scales or {"Grades": list(summary.grade_labels)}
    return [(name, levels) for name, levels in scales.items()
            if any(grades.get(g) for _, grades in groups for g in levels)]


def _on_scale(grades: dict[str, int], levels: list[str]) -> dict[str, int]:
    return {g: grades.get(g, 0) for g in levels}


def _scale_table(doc, summary: Summary, groups: list[tuple[str, dict[str, int]]], first: str, levels: list[str],
                 title: str, audits: dict[str, int] | None = None) -> bool:
    """A table of `groups` on one scale's `levels`: answers at each grade and the share good or better;
    returns whether a base was under MIN_BASE."""
    grades = [g for g in levels if any(gr.get(g) for _, gr in groups)]
    header = ([first] + (["Audits"] if audits else []) + ["n"] + [_short(summary, g) for g in grades]
              + ["Good or better"])
    # each count column as wide as its header's longest word needs in bold 9 pt (so no word breaks),
    # the share column as "53.3% (64 of 120)"; the name column takes what is left of the 16.4 cm
    numbers = [max(1.1, 0.45 + 0.19 * max(len(word) for word in text.split())) for text in header[1:-1]]
    last = 3.2
    name = max(3.0, 16.4 - sum(numbers) - last)
    good = summary.grade_good_or_better
    rows, small = [], False
    for group, counts in groups:
        n = sum(counts.get(g, 0) for g in levels)
        if not n:
            continue
        small = small or n < MIN_BASE
        rows.append([group] + ([audits.get(group, 0)] if audits else []) + [n] + [counts.get(g, 0) for g in grades]
                    + [share(sum(counts.get(g, 0) for g in levels if good.get(g)), n)])
    table(doc, header, rows, widths=[name, *numbers, last],
          numeric=tuple(range(1, len(header))), title=title)
    return small


def _by_scale(doc, summary: Summary, pictures: Pictures, groups: list[tuple[str, dict[str, int]]], what: str,
              first: str, audits: dict[str, int] | None = None) -> None:
    """For each scale the groups use: its charts, then its table."""
    labels, below = summary.grade_labels, _below(summary)
    scales = _scales(summary, groups)
    small = False
    for name, levels in scales:
        on_scale = [(group, _on_scale(grades, levels)) for group, grades in groups
                    if any(grades.get(g) for g in levels)]
        scale = f" ({name.lower()})" if len(scales) > 1 else ""
        _charts(doc, pictures, on_scale, labels, below, f"Grades {what}{scale}", first, f"{what}{scale}")
        small = _scale_table(doc, summary, on_scale, first, levels, f"Graded answers {what}{scale}", audits) or small
    if small:
        note(doc, SMALL_BASE_NOTE)


def distributions_section(doc, summary: Summary, progress, pictures: Pictures) -> None:
    """Overall grades and grades by team, each scale apart."""
    heading(doc, "Grade distributions", 1)
    labels = summary.grade_labels
    below = _below(summary)
    para(doc, "Final grades, overall and by team; grades by section of each template are in Annex A. Each chart "
              "and table shows one grade scale (the four-point scale apart from yes/partly/no). Charts use a "
              "colour-blind-safe palette; grades below good are hatched. n is the number of graded answers; "
              "the other columns count answers at each grade (RI: requires improvement to be good).")
    heading(doc, "Overall grades", 2)
    total = sum(summary.overall_grades.values())
    if total:
        pictures.add(doc, partial(charts.overall_grades_chart, summary.overall_grades, labels, below), width_cm=11.0,
                     caption="Overall grades of the completed audits.",
                     alt=_alt("Bar chart of the overall grades of the completed audits",
                              [("Overall", summary.overall_grades)], labels, below))
    table(doc, ["Overall grade", "Audits"], ([labels.get(g, g), share(n, total)]
                                             for g, n in summary.overall_grades.items()),
          widths=[9, 5], numeric=(1,), title="Overall grades of the completed audits")
    if summary.teams:
        heading(doc, "Overall grades by team", 3)
        grades = list(summary.overall_grades)
        table(doc, ["Team", "Audits"] + [_short(summary, g) for g in grades] + ["Good or better"],
              ([d.name, d.audits] + [d.overall_grades.get(g, 0) for g in grades]
               + [share(*_overall_base(summary, d))] for d in summary.teams),
              widths=[4.6, 1.6] + [1.5] * len(grades) + [4.2], numeric=tuple(range(1, len(grades) + 3)),
              title="Overall grades of the completed audits by team")
    progress(0.55, "Charts by team")
    heading(doc, "Graded answers by team", 2)
    if not summary.teams:
        para(doc, "No completed audits.")
        return
    _by_scale(doc, summary, pictures, [(d.name, d.grades) for d in summary.teams], "by team", "Team",
              audits={d.name: d.audits for d in summary.teams})


def sections_annex(doc, summary: Summary, pictures: Pictures, letter: str) -> None:
    """Annex: grades by section of each template, each scale apart."""
    annex_heading(doc, f"Annex {letter}: Grades by section")
    para(doc, "Final grades of every graded answer, by section of each template; one grade scale to a chart "
              "and table.")
    if not summary.sections:
        para(doc, "No graded answers.")
    templates = list(dict.fromkeys(d.template for d in summary.sections))
    for template in templates:
        title = summary.scope.template_titles.get(template, template)
        heading(doc, title, 2)
        groups = [(d.name, d.grades) for d in summary.sections if d.template == template]
        _by_scale(doc, summary, pictures, groups, f"by section of the {title.lower()}", "Section")


def _charts(doc, pictures: Pictures, groups, labels, below, title: str, ylabel: str, caption: str) -> None:
    """Stacked-bar charts of `groups`, CHART_BARS bars each."""
    chunks = [groups[i:i + CHART_BARS] for i in range(0, len(groups), CHART_BARS)]
    for n, chunk in enumerate(chunks, 1):
        suffix = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
        pictures.add(doc, partial(charts.stacked_distribution, chunk, labels, below, title=title + suffix,
                                  ylabel=ylabel),
                     caption=f"Share of graded answers at each grade, {caption}{suffix}.",
                     alt=_alt(f"Stacked bar chart of the share of graded answers at each grade, {caption}{suffix}",
                              chunk, labels, below))


def _alt(what: str, groups, labels: dict[str, str], below: set[str]) -> str:
    """A chart's text for screen readers: what it shows, then each bar's counts and its key figure."""
    parts = []
    for name, grades in groups:
        total = sum(grades.values())
        counts = ", ".join(f"{labels.get(g, g)} {n}" for g, n in grades.items() if n)
        good = sum(n for g, n in grades.items() if g not in below)
        part = f"{fmt_pct(100 * good / total)} good or better of {total}" if total else "none graded"
        parts.append(f"{name}: {counts or 'no grades'} ({part})")
    return f"{what}. " + "; ".join(parts) + "."


def _overall_base(summary: Summary, d: Distribution) -> tuple[int, int]:
    graded = sum(d.overall_grades.values())
    return sum(n for g, n in d.overall_grades.items() if summary.grade_good_or_better.get(g)), graded


def _ranked(summary: Summary, kind: str) -> list[tuple[ThemeFigure, int, list]]:
    """The themes recorded as `kind` ('strength' or 'improvement'): (theme, audits, quotes), most audits first."""
    if kind == "strength":
        found = [(t, t.strength, t.strength_quotes) for t in summary.themes if t.strength]
    else:
        found = [(t, t.improvement, t.improvement_quotes) for t in summary.themes if t.improvement]
    return sorted(found, key=lambda f: (-f[1], f[0].label))


THEME_KINDS = (("strength", "Strengths", "a strength"), ("improvement", "Areas for improvement",
                                                          "an area for improvement"))
THEMES_IN_BODY = 5


def _theme_kinds(doc, summary: Summary):
    """Strengths, then areas for improvement: a heading each, then (kind, title, ranked themes), or a line
    saying there are none."""
    for kind, title, what in THEME_KINDS:
        heading(doc, title, 2)
        ranked = _ranked(summary, kind)
        if ranked:
            yield kind, title, ranked
        else:
            para(doc, f"None of the audits recorded a theme as {what}.")


QUOTES_IN_BODY = 2


def _theme_cell(theme: ThemeFigure, kind: str) -> str:
    """The theme's name; when it is both a strength and an area for improvement, the other count too."""
    if kind == "strength" and theme.improvement:
        return f"{theme.label}\n(also an area for improvement in {plural(theme.improvement, 'audit')})"
    if kind == "improvement" and theme.strength:
        return f"{theme.label}\n(also a strength in {plural(theme.strength, 'audit')})"
    return theme.label


def themes_section(doc, summary: Summary) -> None:
    """The five most frequent strengths and areas for improvement, each with up to two quotes that the
    body shows nowhere else."""
    heading(doc, "Themes", 1)
    para(doc, "An audit has a theme when one of its graded answers carries it: the auditor tagged it, the "
              "question maps to it, or the evidence mentions one of its keywords. It is a strength of the audit "
              "when such an answer is good or better, and an area for improvement when one is below good (an "
              f"audit can count as both, and the table says so). The {THEMES_IN_BODY} most frequent of each are "
              "below, with extracts of evidence attributed by case reference only (names recorded for redaction "
              "shown as initials); every theme, with more quotes, is in Annex B.")
    n = summary.audits.completed
    shown: set[str] = set()

    def quotes_cell(quotes) -> str:
        picked = [q for q in quotes if q.text not in shown][:QUOTES_IN_BODY]
        shown.update(q.text for q in picked)
        return "\n".join(f"“{q.text}” ({q.case_ref})" for q in picked)

    for kind, title, ranked in _theme_kinds(doc, summary):
        table(doc, ["Rank", "Theme", "Audits", "For example"],
              ([i, _theme_cell(t, kind), share(count, n), quotes_cell(quotes)]
               for i, (t, count, quotes) in enumerate(ranked[:THEMES_IN_BODY], 1)),
              widths=[1.2, 3.6, 3.0, 8.6], numeric=(0, 2),
              title=f"{title}: the {min(len(ranked), THEMES_IN_BODY)} most frequent of {len(ranked)}")
    if 0 < n < MIN_BASE:
        note(doc, SMALL_BASE_NOTE.replace("answers", "audits"))


def themes_annex(doc, summary: Summary, letter: str) -> None:
    """Annex: every theme ranked, with its evidence quotes."""
    annex_heading(doc, f"Annex {letter}: Themes in full")
    n = summary.audits.completed
    for _, title, ranked in _theme_kinds(doc, summary):
        table(doc, ["Rank", "Theme", "Audits", "Audits with the theme"],
              ([i, t.label, share(count, n), t.audits] for i, (t, count, _) in enumerate(ranked, 1)),
              widths=[1.3, 8.0, 3.6, 3.5], numeric=(0, 2, 3), title=f"{title}: every theme")
        for i, (theme, count, quotes) in enumerate(ranked, 1):
            label = para(doc, f"{i}. {theme.label} — {plural(count, 'audit')}", bold=True)
            label.paragraph_format.keep_with_next = True
            if not quotes:
                para(doc, "No evidence text recorded.", "Quote")
            for quote in quotes:
                para(doc, f"“{quote.text}” ({quote.case_ref})", "Quote")
