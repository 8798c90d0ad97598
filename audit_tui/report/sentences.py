"""Sentences generated from the Summary's figures (executive summary, findings)."""

from __future__ import annotations

from audit_tui.summary import HeadlineFigure, Summary, ThemeFigure, pct
from audit_tui.report.docxkit import long_date

MIN_BASE = 5  # fewer answers than this: the count is shown, the percentage left out
SMALL_BASE_NOTE = (f"* Fewer than {MIN_BASE} answers: the count is shown without a percentage, as so few "
                   "answers cannot show a pattern.")

def fmt_pct(value: float | None) -> str:
    """85.0 → '85%', 60.5 → '60.5%', None → '–'."""
    if value is None:
        return "–"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def share(part: int, whole: int) -> str:
    """'62.5% (5 of 8)'; '3 of 4*' on fewer than MIN_BASE (see SMALL_BASE_NOTE); '–' on none."""
    if not whole:
        return "–"
    if whole < MIN_BASE:
        return f"{part} of {whole}*"
    return f"{fmt_pct(pct(part, whole))} ({part} of {whole})"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def top_strengths(summary: Summary, n: int = 3) -> list[ThemeFigure]:
    return sorted((t for t in summary.themes if t.strength), key=lambda t: (-t.strength, t.label))[:n]


def top_improvements(summary: Summary, n: int = 3) -> list[ThemeFigure]:
    return sorted((t for t in summary.themes if t.improvement), key=lambda t: (-t.improvement, t.label))[:n]


def scope_sentence(summary: Summary) -> str:
    counts = summary.audits
    text = f"This report covers {plural(counts.completed, 'completed audit')}"
    if counts.moderated:
        text += f" ({counts.moderated} of them moderated)"
    if summary.scope.first_audit:
        if summary.scope.first_audit == summary.scope.last_audit:
            text += f", carried out on {long_date(summary.scope.first_audit)}"
        else:
            text += (f", carried out between {long_date(summary.scope.first_audit)} and "
                     f"{long_date(summary.scope.last_audit)}")
    text += f" ({summary.scope.filters})."
    if counts.draft:
        text += f" {plural(counts.draft, 'draft audit')} {'is' if counts.draft == 1 else 'are'} not counted."
    return text


def executive_summary(summary: Summary) -> list[str]:
    """The executive summary as a list of sentences/paragraphs."""
    n = summary.audits.completed
    if not n:
        return [scope_sentence(summary),
                "No completed audits match these filters, so there are no figures to report yet."]
    out = headline_sentences(summary) + [scope_sentence(summary)]
    graded = sum(summary.overall_grades.values())
    good = sum(c for g, c in summary.overall_grades.items() if summary.grade_good_or_better.get(g))
    grade_bits = [f"{count} {summary.grade_labels.get(g, g).lower()}" for g, count in summary.overall_grades.items()
                  if count]
    if graded:
        out.append(f"{good} of {graded} audits ({fmt_pct(summary.overall_good_or_better_pct)}) judged the work "
                   f"good or better overall ({join_words(grade_bits)}).")
    strengths, improvements = top_strengths(summary), top_improvements(summary)
    if strengths:
        out.append("The most frequent strengths were " + join_words(
            [f"{t.label.lower()} ({plural(t.strength, 'audit')})" for t in strengths]) + ".")
    if improvements:
        out.append("The most frequent areas for improvement were " + join_words(
            [f"{t.label.lower()} ({plural(t.improvement, 'audit')})" for t in improvements]) + ".")
    judged = [q for q in summary.questions if q.judged and q.answered >= MIN_BASE]
    if len(judged) >= 2:
        best = max(judged, key=lambda q: (q.good_or_better_pct, q.answered))
        worst = min(judged, key=lambda q: (q.good_or_better_pct, -q.answered))
        if best.good_or_better_pct != worst.good_or_better_pct:
            out.append(f"Practice was strongest on “{best.text}” ({share(best.good_or_better, best.answered)} good "
                       f"or better) and weakest on “{worst.text}” ({share(worst.good_or_better, worst.answered)}).")
    acts = summary.actions
    if acts.total:
        out.append(f"The audits set {plural(acts.total, 'action')}: {acts.open} open and {acts.done} done; "
                   f"{plural(acts.overdue, 'open action')} {'was' if acts.overdue == 1 else 'were'} overdue at "
                   f"{long_date(summary.scope.as_of)}.")
    else:
        out.append("The audits set no actions.")
    talks = summary.conversations
    if talks is not None and talks.audits:
        text = f"A feedback conversation with the worker was held in {talks.held} of {plural(talks.audits, 'audit')}"
        if talks.held:
            agrees = talks.worker_agrees
            text += (f"; the worker agreed with the grades in {agrees['yes']}, partly in {agrees['partly']} and "
                     f"not in {agrees['no']}")
        out.append(text + ".")
    if summary.open_concerns:
        k = len(summary.open_concerns)
        out.append(f"{plural(k, 'safeguarding concern')} {'is' if k == 1 else 'are'} still open, whatever "
                   "this report's filters (listed first in this report).")
    out.append("How well the audits themselves were written (narratives substantive, actions clear) is reported "
               "separately under Audit quality: it is not a finding about practice.")
    return out


def audit_quality_sentence(summary: Summary) -> str:
    """The narrative checks, named as what they are: how well the audits were written."""
    checks = [f"{t.label.lower()} in {t.met} of {plural(t.audits, 'audit')} ({fmt_pct(t.pct)})"
              for t in summary.inspection_tests]
    return "Audit quality (how well the audits were written, not a finding about practice): " + "; ".join(checks) + "."


def headline_sentence(figure: HeadlineFigure, previous_round: str | None = None) -> str:
    """'Lived experience evident in 34 of 40 audits (85.0%), up 4.2 points since …'."""
    if not figure.answered:
        return f"{figure.label}: no answered question measures this yet."
    noun = "audit" if figure.counted_in == "audits" else "answer"
    text = (f"{figure.label} in {figure.good_or_better} of {plural(figure.answered, noun)} "
            f"({figure.pct:.1f}%)")
    if figure.change is not None and previous_round:
        if figure.change == 0:
            text += f", the same as in “{previous_round}”"
        else:
            text += (f", {'up' if figure.change > 0 else 'down'} {abs(figure.change):.1f} points since "
                     f"“{previous_round}” ({figure.previous_pct:.1f}%)")
    return text + "."


def headline_sentences(summary: Summary) -> list[str]:
    """The practice measures the executive summary leads with, each with its base."""
    if not summary.headline:
        return []
    change = summary.change_since_previous_round
    out = ["Practice, as the auditors graded it (moderated grades final; n/a and “too early to say” answers are "
           "left out of each base):"]
    out += [headline_sentence(figure, change.previous_round if change else None) for figure in summary.headline]
    return out


def moderation_sentences(summary: Summary) -> list[str]:
    mod = summary.moderation
    if mod is None:
        return ["None of these audits has been moderated, so there is no moderation agreement to report."]
    out = [f"{plural(mod.moderated_audits, 'audit')} {'was' if mod.moderated_audits == 1 else 'were'} moderated. "
           f"The moderator agreed with {mod.answers_agreed} of {mod.answers_compared} question grades "
           f"({fmt_pct(mod.answer_agreement_pct)} exact agreement)."]
    if mod.overall_compared:
        out.append(f"The overall grade was confirmed in {mod.overall_agreed} of {mod.overall_compared} moderated "
                   f"audits ({fmt_pct(mod.overall_agreement_pct)}). Where the moderator changed a grade, the "
                   "moderator's grade is used in every figure of this report.")
    return out


def change_sentences(summary: Summary) -> list[str]:
    change = summary.change_since_previous_round
    if change is None:
        if not summary.scope.round:
            return ["No round was selected, so there is no previous round to compare with."]
        return [f"There is no earlier round to compare “{summary.scope.round}” with: this is the first round "
                "with completed audits for these filters."]
    first = next((r for r in change.rows if r.measure == "Audits good or better overall (%)"), None)
    text = (f"Compared with the previous round, “{change.previous_round}” "
            f"({plural(change.previous_audits, 'completed audit')}). Changes in points are worked out from the "
            "unrounded figures.")
    if first and first.change is not None:
        direction = "up" if first.change > 0 else "down" if first.change < 0 else "unchanged"
        text += (f" Audits good or better overall: {fmt_pct(first.current)}, "
                 + (f"{direction} from {fmt_pct(first.previous)}." if direction != "unchanged"
                    else f"the same as before ({fmt_pct(first.previous)})."))
    return [text]
