"""Sentences generated from the Summary's figures (headline, moderation, change)."""

from __future__ import annotations

from audit_tui.summary import HeadlineFigure, Summary, pct

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


def moderation_sentences(summary: Summary, *, brief: bool = False) -> list[str]:
    """The sample rate, agreement (exact, adjacent, weighted kappa) and its direction; `brief` for the
    executive summary (without the overall grades)."""
    mod, completed = summary.moderation, summary.audits.completed
    if mod is None or not mod.moderated_audits:
        return [f"None of the {plural(completed, 'completed audit')} has been moderated, so there is no moderation "
                "agreement to report." if completed else "No completed audit has been moderated."]
    out = [f"{mod.moderated_audits} of {plural(completed, 'completed audit')} ({fmt_pct(mod.sample_pct)}) "
           f"{'was' if mod.moderated_audits == 1 else 'were'} moderated."]
    every = (mod.agreement or {}).get("all_questions")
    if every and every["pairs"]:
        kappa = every["weighted_kappa"]
        out.append(f"The moderator gave the same grade as the auditor for {every['agreed']} of {every['pairs']} "
                   f"grades ({fmt_pct(every['exact_agreement_pct'])} exact agreement) and a grade at most one level "
                   f"apart for {fmt_pct(every['adjacent_agreement_pct'])}; weighted kappa "
                   + ("cannot be worked out (every grade the same)" if kappa is None else f"{kappa:.2f}")
                   + (" (1 is perfect agreement, 0 what chance alone would give)." if not brief else "."))
        out.append(direction_sentence(every["auditor_higher"], every["auditor_lower"], "auditors"))
    if not brief and mod.overall_compared:
        out.append(f"The overall grade was confirmed in {mod.overall_agreed} of {mod.overall_compared} moderated "
                   f"audits ({fmt_pct(mod.overall_agreement_pct)}). Where the moderator changed a grade, the "
                   "moderator's grade is used in every figure of this report.")
    return out


def direction_sentence(higher: int, lower: int, who: str) -> str:
    """Whether `who` graded higher or lower than the moderators where they differed."""
    if not higher and not lower:
        return f"The moderators changed none of the {who}' grades."
    return (f"Where they differed, {who} graded higher than the moderator {plural(higher, 'time')} and lower "
            f"{plural(lower, 'time')}.")


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
