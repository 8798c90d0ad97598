"""The executive summary: the case a director reads first, from the Summary's figures only.

Each part is a short paragraph led by a bold label (in the text summary, a line): the headline
measures of practice with their bases and change, the overall grades, the strongest and weakest
areas (by measure and section), team differences that matter, the themes, overdue actions,
safeguarding concerns, moderation and feedback conversations; then where the quality lead's
commentary and recommendations are (report.plan renders them). Every figure is one the body or the
annexes show too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit_tui.report import docxkit as kit
from audit_tui.report.sentences import fmt_pct, headline_sentence, join_words, moderation_sentences, plural
from audit_tui.summary import Summary, pct
from audit_tui.summary.shapes import AreaFigure, TeamDifference

THEMES_NAMED = 3


@dataclass
class Part:
    label: str
    text: str
    bullets: list[str] = field(default_factory=list)


def scope_sentence(summary: Summary) -> str:
    counts = summary.audits
    text = f"This report covers {plural(counts.completed, 'completed audit')}"
    if counts.moderated:
        text += f" ({counts.moderated} of them moderated)"
    if summary.scope.first_audit:
        if summary.scope.first_audit == summary.scope.last_audit:
            text += f", carried out on {kit.long_date(summary.scope.first_audit)}"
        else:
            text += (f", carried out between {kit.long_date(summary.scope.first_audit)} and "
                     f"{kit.long_date(summary.scope.last_audit)}")
    text += f" ({summary.scope.filters})."
    if counts.draft:
        text += f" {plural(counts.draft, 'draft audit')} {'is' if counts.draft == 1 else 'are'} not counted."
    return text


def _area(summary: Summary, area: AreaFigure) -> str:
    """'planning good or better in 100% (28 of 28 answers)'; 'the Voice section, 82.1% good or better (…)'."""
    noun = "audit" if area.counted_in == "audits" else "answer"
    base = f"{fmt_pct(pct(area.good_or_better, area.answered))} ({area.good_or_better} of {plural(area.answered, noun)})"
    if area.kind == "measure":
        return f"{area.label.lower()} in {base}"
    label = area.label[4:] if area.label.lower().startswith("the ") else area.label  # never "the The … section"
    name = f"the {label} section"
    if len(summary.scope.template_titles) > 1:
        name += f" of the {summary.scope.template_titles.get(area.template, area.template).lower()}"
    return f"{name}, {base} good or better"


def _team(difference: TeamDifference) -> str:
    noun = "audit" if difference.counted_in == "audits" else "answer"
    side = "above" if difference.difference > 0 else "below"
    return (f"{difference.team}: {difference.label.lower()} {fmt_pct(pct(difference.good_or_better, difference.answered))} "
            f"({difference.good_or_better} of {plural(difference.answered, noun)}) against "
            f"{fmt_pct(pct(difference.others_good_or_better, difference.others_answered))} "
            f"({difference.others_good_or_better} of {difference.others_answered}) in the other teams: "
            f"{abs(difference.difference):.1f} points {side}.")


def _themes(summary: Summary) -> Part | None:
    strengths = sorted((t for t in summary.themes if t.strength), key=lambda t: (-t.strength, t.label))
    weaker = sorted((t for t in summary.themes if t.improvement), key=lambda t: (-t.improvement, t.label))
    if not strengths and not weaker:
        return None
    bits = []
    if strengths:
        bits.append("The strengths recorded most often were " + join_words(
            [f"{t.label.lower()} ({plural(t.strength, 'audit')})" for t in strengths[:THEMES_NAMED]]) + ".")
    if weaker:
        bits.append("The areas for improvement recorded most often were " + join_words(
            [f"{t.label.lower()} ({plural(t.improvement, 'audit')})" for t in weaker[:THEMES_NAMED]]) + ".")
    both = [t for t in strengths[:THEMES_NAMED] if t in weaker[:THEMES_NAMED]]
    if both:
        bits.append(join_words([t.label for t in both]).capitalize()
                    + (" is" if len(both) == 1 else " are") + " both: done well in some audits and not in others "
                    "(see Themes).")
    return Part("Themes", " ".join(bits))


def _actions(summary: Summary) -> Part:
    acts = summary.actions
    if not acts.total:
        return Part("Actions", "The audits set no actions.")
    text = f"The audits set {plural(acts.total, 'action')}: {acts.open} open and {acts.done} done."
    overdue = summary.executive.overdue if summary.executive else None
    as_of = kit.long_date(summary.scope.as_of)
    if not acts.overdue:
        return Part("Actions", text + f" No open action was overdue at {as_of}.")
    text += f" {plural(acts.overdue, 'open action')} {'was' if acts.overdue == 1 else 'were'} overdue at {as_of}"
    if overdue and overdue.median_days_overdue is not None:
        median = overdue.median_days_overdue
        text += (f", by a median of {median:g} {'day' if median == 1 else 'days'} "
                 f"(the longest {plural(overdue.most_days_overdue or 0, 'day')})")
        if overdue.owners:
            held = [f"{o.owner} ({o.overdue})" for o in overdue.owners]
            text += (f". Most are held by {join_words(held)}, of "
                     f"{plural(overdue.owners_with_overdue, 'owner')} with overdue actions")
    return Part("Actions", text + ".")


def _moderation(summary: Summary) -> Part:
    return Part("Moderation", " ".join(moderation_sentences(summary, brief=True)))


def executive_parts(summary: Summary) -> list[Part]:
    """The executive summary, part by part."""
    if not summary.audits.completed:
        return [Part("", scope_sentence(summary)),
                Part("", "No completed audits match these filters, so there are no figures to report yet.")]
    parts = []
    change = summary.change_since_previous_round
    if summary.headline:
        parts.append(Part("", "Practice, as the auditors graded it (moderated grades final; n/a and “too early to "
                              "say” answers are left out of each base):",
                          [headline_sentence(h, change.previous_round if change else None) for h in summary.headline]))
    parts.append(Part("", scope_sentence(summary)))
    graded = sum(summary.overall_grades.values())
    if graded:
        good = sum(c for g, c in summary.overall_grades.items() if summary.grade_good_or_better.get(g))
        grade_bits = [f"{count} {summary.grade_labels.get(g, g).lower()}"
                      for g, count in summary.overall_grades.items() if count]
        parts.append(Part("Overall", f"{good} of {graded} audits ({fmt_pct(summary.overall_good_or_better_pct)}) "
                                     f"judged the work good or better overall ({join_words(grade_bits)})."))
    ex = summary.executive
    if ex and ex.strongest and ex.weakest:
        parts.append(Part("Strongest and weakest areas",
                          f"Of the headline measures and the sections of each template, each on at least "
                          f"{ex.min_base} answers:",
                          [f"Strongest: {'; '.join(_area(summary, a) for a in ex.strongest)}.",
                           f"Weakest: {'; '.join(_area(summary, a) for a in ex.weakest)}."]))
    if ex and (ex.teams_compared or ex.teams_too_small):
        parts.append(_teams_part(ex))
    themes = _themes(summary)
    if themes:
        parts.append(themes)
    parts.append(_actions(summary))
    k = len(summary.open_concerns)
    parts.append(Part("Safeguarding", f"{plural(k, 'safeguarding concern')} {'is' if k == 1 else 'are'} still open, "
                                      "whatever this report's filters (listed first in this report)." if k else
                      "No safeguarding concern raised during an audit is open."))
    parts.append(_moderation(summary))
    talks = summary.conversations
    if talks is not None and talks.audits:
        text = f"A feedback conversation with the worker was held in {talks.held} of {plural(talks.audits, 'audit')}"
        if talks.held:
            agrees = talks.worker_agrees
            text += (f"; the worker agreed with the grades in {agrees['yes']}, partly in {agrees['partly']} and "
                     f"not in {agrees['no']}")
        parts.append(Part("Feedback to workers", text + "."))
    parts.append(_lead(summary))
    parts.append(Part("", "How well the audits themselves were written (narratives substantive, actions clear) is "
                          "reported separately under Audit quality: it is not a finding about practice."))
    return parts


def _lead(summary: Summary) -> Part:
    """Where the quality lead's conclusions are (the Improvement plan section that follows)."""
    plan = summary.improvement_plan
    if plan is None or (not plan.commentary.strip() and not plan.recommendations):
        return Part("The quality lead's conclusions", "None recorded yet for this round: the Improvement plan "
                                                       "section that follows says where they go.")
    rag = {r: sum(x.rag == r for x in plan.recommendations) for r in ("red", "amber", "green")}
    text = "The quality lead's commentary" if plan.commentary.strip() else "No commentary yet"
    if plan.recommendations:
        text += (f" and {plural(len(plan.recommendations), 'service-level recommendation')} ("
                 + ", ".join(f"{n} {r}" for r, n in rag.items() if n) + ")")
    return Part("The quality lead's conclusions", f"{text} on {plan.round} follow under Improvement plan.")


def _teams_part(ex) -> Part:
    small = (f" {plural(len(ex.teams_too_small), 'team')} with fewer than {ex.min_base} audits "
             f"{'is' if len(ex.teams_too_small) == 1 else 'are'} not compared.") if ex.teams_too_small else ""
    if not ex.teams_compared:
        return Part("Teams", "No team has enough audits to compare." + small)
    if not ex.team_differences:
        return Part("Teams", f"No team's figure differs by {ex.team_gap_points:g} points or more from the other teams' "
                             f"together ({plural(len(ex.teams_compared), 'team')} compared, each with at least "
                             f"{ex.min_base} audits)." + small)
    return Part("Teams", f"Where a team's figure is {ex.team_gap_points:g} points or more above or below the other "
                         f"teams' together (teams with at least {ex.min_base} audits; each figure on at least "
                         f"{ex.min_base} answers)." + small, [_team(d) for d in ex.team_differences])


def executive_summary(summary: Summary) -> list[str]:
    """The executive summary as lines of text (the text summary)."""
    out = []
    for part in executive_parts(summary):
        out.append(f"{part.label}. {part.text}" if part.label else part.text)
        out += part.bullets
    return out


def executive_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Executive summary", 1)
    for part in executive_parts(summary):
        paragraph = kit.para(doc)
        kit.runs(paragraph, [(part.label + ". ", True), (part.text, False)] if part.label else [(part.text, False)])
        for line in part.bullets:
            kit.bullet(doc, line)


__all__ = ["Part", "executive_parts", "executive_section", "executive_summary", "scope_sentence"]
