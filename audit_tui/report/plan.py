"""The quality lead's part of the report: the improvement plan (commentary and service-level
recommendations) after the executive summary, and the trends of the headline measures against targets."""

from __future__ import annotations

from functools import partial

from audit_tui.report import charts
from audit_tui.report import docxkit as kit
from audit_tui.report.pictures import Pictures
from audit_tui.report.sentences import SMALL_BASE_NOTE, fmt_pct, plural, share
from audit_tui.summary import Summary

RAG_FILLS = {"red": "F4CCCC", "amber": "FCE5B6", "green": "D9EAD3"}


def improvement_plan_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Improvement plan", 1)
    plan = summary.improvement_plan
    if plan is None:
        kit.para(doc, "No audit round is in this report's selection, so there is no improvement plan: the quality "
                      "lead records the conclusions of each round on its round screen.")
        return
    own = bool(summary.scope.round)
    kit.para(doc, f"The quality lead's conclusions on {plan.round}" + ("" if own else " (the latest round in this "
                                                                        "report)") + ".", bold=True)
    if plan.commentary:
        for part in (p.strip() for p in plan.commentary.split("\n\n")):
            if part:
                kit.para(doc, part)
    else:
        kit.para(doc, "The quality lead has not written a commentary on this round yet.", italic=True)
    if plan.recommendations:
        rag = {r: sum(x.rag == r for x in plan.recommendations) for r in ("red", "amber", "green")}
        # a short sentence of its own before the table (kept with it), so the commentary above is free to
        # stay on the page before: kept with the table, it once left half a page empty
        statuses = ", ".join(f"{n} {r}" for r, n in rag.items() if n)
        kit.para(doc, f"{plural(len(plan.recommendations), 'service-level recommendation')}, each with its lead, "
                      "measurable outcome and due date" + (f": {statuses}." if statuses else "."))
        rows = [[r.what, r.lead, r.outcome, kit.long_date(r.due), r.rag.capitalize()] for r in plan.recommendations]
        kit.table(doc, ["Recommendation", "Lead", "Measurable outcome", "Due", "RAG"], rows,
                  widths=[5.4, 2.6, 5.0, 2.2, 1.4], fills=(RAG_FILLS.get(r.rag) for r in plan.recommendations),
                  title="Service-level recommendations, with their RAG status (red, amber or green)")
    else:
        kit.para(doc, "No service-level recommendations have been recorded for this round yet.", italic=True)
    kit.para(doc, "Case-level actions set by the auditors are listed in the action plan and its annex.", "Caption")


def trends_section(doc, summary: Summary, pictures: Pictures) -> None:
    """Each headline measure across the last rounds: a chart (targets as dashed lines) and a table with
    each round's figure, its base and its RAG status against the target. Only with 3 or more rounds."""
    trends = summary.trends
    if trends is None or not trends.measures:
        return
    kit.heading(doc, "Trends across rounds", 1)
    names = [r.name for r in trends.rounds]
    targets = [m for m in trends.measures if m.target is not None]
    intro = kit.para(doc, f"The headline measures in the last {len(names)} rounds, oldest first ({names[0]} to "
                  f"{names[-1]}). " + (
                      "Against each target the quality lead set, a round's figure is green at or above the target, "
                      "amber less than 5 points below it and red 5 or more points below."
                      if targets else "No targets are set yet (the quality lead sets them on the round screen)."))
    intro.paragraph_format.keep_with_next = True  # (the heading and this stay with the chart)
    series = [(m.label, [p.pct for p in m.points], m.target) for m in trends.measures]
    alt = "; ".join(f"{m.label}: " + ", ".join(fmt_pct(p.pct) for p in m.points)
                    + (f" (target {m.target:g}%)" if m.target is not None else "") for m in trends.measures)
    pictures.add(doc, partial(charts.trend_chart, names, series), width_cm=14.0, caption="Headline measures by round "
                 "(% good or better; dashed line: target)", alt=f"Line chart of the headline measures by round (% good or better), oldest first. {alt}")
    header = ["Round"] + [m.label + (f" (target {m.target:g}%)" if m.target is not None else "")
                          for m in trends.measures]
    width = 12.8 / max(len(trends.measures), 1)

    def cell(point) -> str:
        return share(point.good_or_better, point.answered) + (f"\n{point.rag.capitalize()}" if point.rag else "")

    rows = [[r.name] + [cell(m.points[i]) for m in trends.measures] for i, r in enumerate(trends.rounds)]
    kit.table(doc, header, rows, widths=[3.6] + [width] * len(trends.measures),
              numeric=tuple(range(1, len(header))), title="Headline measures by round, with bases and RAG status")
    if any(0 < p.answered < 5 for m in trends.measures for p in m.points):
        kit.note(doc, SMALL_BASE_NOTE)
