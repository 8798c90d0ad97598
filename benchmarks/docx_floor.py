"""The report's floor: a plain python-docx script writing the same tables and images.

    python benchmarks/docx_floor.py SUMMARY.json OUT.docx

It reads the figures (`audit-tui summary --json`) and writes the report's tables
(same rows and columns) with python-docx's ordinary API (`add_table`, `add_row`,
`cell.text`), and the report's three charts drawn with matplotlib: no styling,
shading, contents field or wording. The report costs more than this only by what
it adds.
"""

from __future__ import annotations

import io
import json
import sys

CHART_BARS = 15  # bars per chart, as audit_tui.report.figures


def _table(doc, header, rows) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = "" if value is None else str(value)


def _chart(groups: list[tuple[str, dict[str, int]]], horizontal: bool = True) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 1.2 + 0.5 * max(len(groups), 1)), dpi=150)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(1, 1, 1)
    names = [name for name, _ in groups]
    grades = list(dict.fromkeys(g for _, counts in groups for g in counts))
    left = [0.0] * len(groups)
    for grade in grades:
        values = [counts.get(grade, 0) for _, counts in groups]
        if horizontal:
            ax.barh(names, values, left=left, label=grade)
        else:
            ax.bar(names, values, bottom=left, label=grade)
        left = [a + b for a, b in zip(left, values)]
    ax.legend(fontsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def write(summary: dict, out: str) -> None:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    doc.add_heading("Case audit report", 0)
    doc.add_heading("Open safeguarding concerns", 1)
    _table(doc, ["Case", "Team", "Raised", "By", "Concern"],
           ([c["case_ref"], c["team"], c["raised_at"], c["raised_by"], c["description"]]
            for c in summary["open_concerns"]))
    doc.add_heading("Scope", 1)
    for key in ("teams", "service_areas", "templates"):
        _table(doc, [key, "Audits"], summary["scope"][key].items())
    doc.add_heading("The three inspection tests", 1)
    _table(doc, ["Test", "How it was measured", "Audits meeting it", "%"],
           ([t["label"], t["measured_by"], f"{t['met']} of {t['audits']}", t["pct"]]
            for t in summary["inspection_tests"]))
    doc.add_heading("Casework figures by question", 1)
    for template in dict.fromkeys(q["template"] for q in summary["questions"]):
        _table(doc, ["Section", "Question", "Answered", "n/a", "Good or better", "%"],
               ([q["section_title"], q["text"], q["answered"], q["na"], q["good_or_better"], q["good_or_better_pct"]]
                for q in summary["questions"] if q["template"] == template and q["judged"]))
    doc.add_heading("Grade distributions", 1)
    overall = summary["overall_grades"]
    doc.add_picture(io.BytesIO(_chart([(g, {g: n}) for g, n in overall.items()], horizontal=False)), width=Cm(13))
    _table(doc, ["Overall grade", "Audits"], overall.items())
    # as the report: one chart per CHART_BARS bars, section charts per template
    sections = summary["sections"]
    blocks = [[d for d in sections if d["template"] == t] for t in dict.fromkeys(d["template"] for d in sections)]
    for groups in [*blocks, summary["teams"]]:
        for start in range(0, len(groups), CHART_BARS):
            chunk = groups[start:start + CHART_BARS]
            doc.add_picture(io.BytesIO(_chart([(d["name"], d["grades"]) for d in chunk])), width=Cm(16))
        grades = list(dict.fromkeys(g for d in groups for g in d["grades"]))
        _table(doc, ["Name", "Audits", "Graded", *grades, "Good or better"],
               ([d["name"], d["audits"], d["answered"], *(d["grades"].get(g, 0) for g in grades),
                 d["good_or_better_pct"]] for d in groups))
    _table(doc, ["Team", "Audits", *overall, "Good or better"],
           ([d["name"], d["audits"], *(d["overall_grades"].get(g, 0) for g in overall), d["good_or_better_pct"]]
            for d in summary["teams"]))
    doc.add_heading("Themes", 1)
    for kind, quotes in (("strength", "strength_quotes"), ("improvement", "improvement_quotes")):
        ranked = sorted((t for t in summary["themes"] if t[kind]), key=lambda t: (-t[kind], t["label"]))
        _table(doc, ["Rank", "Theme", "Audits", "Audits with the theme"],
               ([i, t["label"], t[kind], t["audits"]] for i, t in enumerate(ranked, 1)))
        for theme in ranked:
            doc.add_paragraph(theme["label"])
            for quote in theme[quotes]:
                doc.add_paragraph(f"“{quote['text']}” ({quote['case_ref']})")
    doc.add_heading("Action plan", 1)
    teams: dict[str, list] = {}
    for row in summary["action_plan"]:
        teams.setdefault(row["team"], []).append(row)
    for team, rows in teams.items():
        doc.add_heading(team or "(no team)", 2)
        _table(doc, ["Case", "Action", "Owner", "Due", "Status"],
               ([r["case_ref"], r["description"], r["owner"], r["due"], "OVERDUE" if r["overdue"] else r["status"]]
                for r in rows))
    doc.add_heading("Moderation agreement", 1)
    if summary.get("moderation"):
        _table(doc, ["Question", "Auditor's grade", "Moderator's grade", "Answers"],
               ([c["question"], c["from"], c["to"], c["count"]] for c in summary["moderation"]["changed"]))
    doc.add_heading("Change since the previous round", 1)
    if summary.get("change_since_previous_round"):
        _table(doc, ["Measure", "Previous", "Current", "Change"],
               ([r["measure"], r["previous"], r["current"], r["change"]]
                for r in summary["change_since_previous_round"]["rows"]))
    doc.add_heading("Appendix: one summary per audit", 1)
    _table(doc, ["Case", "Team", "Audited", "Auditor", "Summary"],
           ([a["case_ref"], a["team"], a["audited_on"], a["auditor"],
             f"{a['overall_grade']}. {a['good_or_better']} of {a['answered']} graded answers good or better; "
             f"{a['actions']} actions ({a['open_actions']} open, {a['overdue_actions']} overdue)."]
            for a in summary["appendix"]))
    doc.save(out)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        write(json.load(handle), sys.argv[2])
