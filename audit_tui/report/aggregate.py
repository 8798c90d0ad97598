"""The aggregated Word report: renders a Summary (the summary computes, the report renders)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docx.shared import Pt

from audit_tui.exchange.exports import check_target, private_output
from audit_tui.report import branding, circulation
from audit_tui.report import docxkit as kit
from audit_tui.report.actionplan import actions_annex, actions_section
from audit_tui.report.contents import fill_contents
from audit_tui.report.executive import executive_section
from audit_tui.report.figures import (
    distributions_section,
    questions_annex,
    sections_annex,
    themes_annex,
    themes_section,
)
from audit_tui.report.pictures import Pictures
from audit_tui.report.plan import improvement_plan_section, trends_section
from audit_tui.report.rows import ReportRows
from audit_tui.report.sentences import SMALL_BASE_NOTE, change_sentences, fmt_pct, moderation_sentences, plural, share
from audit_tui.report.streamed import StreamedTables
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, Summary, read_source, summary_snapshot
from audit_tui.summary.scans import ScanAhead

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, message: str) -> None:
    pass


def title_page(doc, summary: Summary, organisation: str, version: str) -> None:
    branding.logo(doc, organisation)
    kit.para(doc, "Case audit report", "Title")
    kit.para(doc, summary.scope.round or "All audit rounds", "Subtitle")
    branding.version_paragraph(doc, version)
    lines = []
    if organisation:
        lines.append(organisation)
    if summary.scope.first_audit:
        first, last = kit.long_date(summary.scope.first_audit), kit.long_date(summary.scope.last_audit)
        lines.append(f"Audits carried out {first}" + (f" to {last}" if last != first else ""))
    lines.append(f"{plural(summary.audits.completed, 'completed audit')}; figures as at "
                 f"{kit.long_date(summary.scope.as_of)}")
    lines.append(f"Scope: {summary.scope.filters}")
    for line in lines:
        paragraph = kit.para(doc, line)
        paragraph.runs[0].font.size = Pt(12)
    if summary.open_concerns:
        paragraph = kit.para(doc, f"{plural(len(summary.open_concerns), 'safeguarding concern')} "
                                  f"{'is' if len(summary.open_concerns) == 1 else 'are'} open: see the first "
                                  "section.", bold=True)
        paragraph.paragraph_format.space_before = Pt(24)
    kit.para(doc, "Produced with audit-tui. Contains personal information about children: handle under your "
                  "organisation's data protection policy.", "Caption")
    kit.page_break(doc)


def concerns_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Open safeguarding concerns", 1)
    if not summary.open_concerns:
        kit.para(doc, "No safeguarding concern raised during any audit is open.")
        return
    kit.para(doc, "These concerns were raised by auditors who found a child at risk that nobody was acting on. "
                  "Every open concern is listed here, whatever this report's filters (an earlier round's too), with "
                  f"the days it has been open at {kit.long_date(summary.scope.as_of)} and its urgent action. They "
                  "stay at the top of every report until marked handled.")

    def action(c) -> str:
        if not c.action_status:
            return "No urgent action recorded"
        return f"{c.action_owner or 'no owner'}: {c.action_status.upper() if c.action_status == 'overdue' else c.action_status}"

    kit.table(doc, ["Case", "Team", "Raised", "Days open", "Concern", "Urgent action (owner: status)"],
              ([c.case_ref, c.team + (f" ({c.round})" if c.round else ""), kit.long_date(c.raised_at),
                "–" if c.days_open is None else str(c.days_open), c.description, action(c)]
               for c in summary.open_concerns),
              widths=[1.9, 2.8, 2.2, 1.4, 5.2, 2.9], fills=(kit.CONCERN_FILL for _ in summary.open_concerns),
              numeric=(3,), title="Open safeguarding concerns")


def scope_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Scope", 1)
    counts = summary.audits
    kit.para(doc, f"Selected: {summary.scope.filters}. {plural(counts.total, 'audit')} in total: "
                  f"{counts.completed} completed (of which {counts.moderated} moderated) and {counts.draft} draft. "
                  "Only completed and moderated audits are counted in the figures. Percentages are of answered "
                  "questions (not applicable answers excluded), rounded to one decimal place. The share good or better "
                  "of every judged question, by template, is in Annex E.")
    for title, key, column in (("Audits by team", "teams", "Team"), ("Audits by service area", "service_areas",
                                                                      "Service area"),
                               ("Audits by template", "templates", "Template")):
        values = getattr(summary.scope, key)
        if key == "templates":
            titles = summary.scope.template_titles
            values = {f"{titles.get(k.rsplit(' v', 1)[0], k)} (version {k.rsplit(' v', 1)[-1]})": n
                      for k, n in values.items()}
        if values:
            kit.heading(doc, title, 2)
            kit.table(doc, [column, "Audits"], values.items(), widths=[10, 3], numeric=(1,), title=title)


def audit_quality_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Audit quality", 1)
    kit.para(doc, "How well the audits themselves were written: whether each audit's narratives are substantive and "
                  "its actions clear. Inspectors found case audits that “did not sufficiently evidence the lived "
                  "experience of care leavers or the impact of the work undertaken” and lacked “clarity as to the "
                  "actions required”. These checks read the auditor's own text; they are not findings about "
                  "practice (the practice measures lead the executive summary).")
    kit.table(doc, ["Check of the audit", "How it was checked", "Audits meeting it"],
              ([t.label, t.measured_by, share(t.met, t.audits)] for t in summary.inspection_tests),
              widths=[3.2, 9.8, 3.4], bold_first=True, numeric=(2,), title="Audit quality checks")
    if 0 < summary.audits.completed < 5:
        kit.note(doc, SMALL_BASE_NOTE.replace("answers", "audits"))


def moderation_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Moderation agreement", 1)
    for sentence in moderation_sentences(summary):
        kit.para(doc, sentence)
    auditors = (summary.moderation.agreement or {}).get("auditors") if summary.moderation else None
    if auditors:
        kit.table(doc, ["Auditor", "Moderated audits", "Grades compared", "Same grade", "Auditor higher",
                        "Auditor lower", "Within one level"],
                  ([a["auditor"], a["moderated_audits"], a["pairs"], share(a["agreed"], a["pairs"]),
                    a["auditor_higher"], a["auditor_lower"], share(a["adjacent"], a["pairs"])] for a in auditors),
                  widths=[3.0, 2.2, 2.0, 2.8, 1.8, 1.8, 2.8], numeric=(1, 2, 3, 4, 5, 6),
                  title="Agreement with the moderators by auditor: higher or lower means the auditor's grade "
                        "was above or below the moderator's")
        if any(0 < a["pairs"] < 5 for a in auditors):
            kit.para(doc, SMALL_BASE_NOTE.replace("answers", "grades"), "Caption")
    if summary.moderation and summary.moderation.changed:
        labels = summary.grade_labels
        texts = {}
        for q in summary.questions:
            texts.setdefault(q.question, q.text)
        kit.table(doc, ["Question", "Auditor's grade", "Moderator's grade", "Answers"],
                  ([texts.get(c["question"], c["question"]), labels.get(c["from"], c["from"]), labels.get(c["to"], c["to"]), c["count"]]
                   for c in summary.moderation.changed), widths=[6, 4, 4, 2], numeric=(3,),
                  title="Grades the moderator changed")


def change_section(doc, summary: Summary) -> None:
    kit.heading(doc, "Change since the previous round", 1)
    for sentence in change_sentences(summary):
        kit.para(doc, sentence)
    change = summary.change_since_previous_round
    if change:
        def base(value: float | None, counts: tuple[int, int] | None) -> str:
            return share(*counts) if counts else fmt_pct(value)

        kit.table(doc, ["Measure", change.previous_round, summary.scope.round or "This round", "Change (points)"],
                  ([r.measure.removesuffix(" (%)"), base(r.previous, r.previous_base), base(r.current, r.current_base),
                    "–" if r.change is None else ("0.0" if r.change == 0 else f"{r.change:+.1f}")]
                   for r in change.rows),
                  widths=[7.0, 3.4, 3.4, 2.6], numeric=(1, 2, 3),
                  title="Change since the previous round, each figure with its base")
        if any(b and 0 < b[1] < 5 for r in change.rows for b in (r.previous_base, r.current_base)):
            kit.note(doc, SMALL_BASE_NOTE)


def audits_annex(doc, summary: Summary, rows: ReportRows, streamed: StreamedTables, letter: str) -> None:
    kit.annex_heading(doc, f"Annex {letter}: One summary per audit")
    if not summary.audits.completed:
        kit.para(doc, "No completed audits.")
        return
    labels = summary.grade_labels

    def text(a) -> str:
        grade = labels.get(a.overall_grade or "", a.overall_grade or "no overall grade")
        if a.auditor_overall_grade and a.overall_grade != a.auditor_overall_grade:
            grade += f" (moderated from {labels.get(a.auditor_overall_grade, a.auditor_overall_grade).lower()})"
        checks = (("lived-experience narrative", a.lived_experience), ("impact narrative", a.impact),
                  ("actions written clearly", a.actions_clear))
        met = [name for name, ok in checks if ok]
        missed = [name for name, ok in checks if not ok]
        parts = [f"{grade}. {a.good_or_better} of {a.answered} graded answers good or better",
                 plural(a.actions, "action") + (f" ({a.open_actions} open, {a.overdue_actions} overdue)"
                                                 if a.actions else "")]
        tests = ("Audit quality met: " + ", ".join(met) if met else "No audit quality check met")
        if met and missed:
            tests += "; not met: " + ", ".join(missed)
        return "; ".join(parts) + ". " + tests + "."

    kit.table(doc, ["Case", "Team", "Audited", "Auditor", "Summary"],
              ([a.case_ref, a.team, kit.long_date(a.audited_on), a.auditor, text(a)] for a in rows.audits()),
              widths=[2.0, 2.6, 2.4, 2.4, 7.0], streamed=streamed, title="One summary per completed audit")


def render(summary: Summary, out_path: str | Path, *, organisation: str = "", progress: Progress = _no_progress,
           reference: str | Path | None = None, overwrite: bool = False, pictures: Pictures | None = None,
           rows: ReportRows | None = None, version_label: str | None = None) -> Path:
    """Write the report for an already computed Summary: its long tables from `rows`, else from the
    summary's own lists (computed with rows); charts drawn by `pictures`, else by a new one.
    `organisation` and `version_label` default as `branding` says."""
    with pictures or Pictures() as pictures:
        return _render(summary, Path(out_path), branding.organisation_name(organisation, reference),
                       branding.version_label(version_label), progress, reference, overwrite, pictures,
                       rows or ReportRows.listed(summary))


def _render(summary: Summary, out_path: Path, organisation: str, version: str, progress: Progress,
            reference: str | Path | None, overwrite: bool, pictures: Pictures, rows: ReportRows) -> Path:
    doc = kit.new_document(reference)
    streamed = StreamedTables()
    progress(0.2, "Title page and contents")
    title_page(doc, summary, organisation, version)
    toc_anchor = doc.add_paragraph()
    kit.page_break(doc)
    concerns_section(doc, summary)
    executive_section(doc, summary)
    improvement_plan_section(doc, summary)
    scope_section(doc, summary)
    audit_quality_section(doc, summary)
    progress(0.4, "Grade distributions")
    distributions_section(doc, summary, progress, pictures)
    progress(0.65, "Themes")
    themes_section(doc, summary)
    progress(0.75, "Action plan")
    actions_section(doc, summary, rows, "C")
    moderation_section(doc, summary)
    change_section(doc, summary)
    trends_section(doc, summary, pictures)
    progress(0.8, "Annexes")
    sections_annex(doc, summary, pictures, "A")
    themes_annex(doc, summary, "B")
    actions_annex(doc, summary, rows, streamed, "C")
    audits_annex(doc, summary, rows, streamed, "D")
    questions_annex(doc, summary, "E")
    progress(0.9, "Charts")
    streamed.render()  # the long tables' rows, while the last charts are drawn
    pictures.place()
    fill_contents(doc, toc_anchor)
    circulation.page_number_footer(doc)
    branding.header_logo(doc, organisation)
    circulation.for_circulation(doc, title=f"Case audit report: {summary.scope.round or 'all rounds'}",
                        organisation=organisation, subject="Aggregated case audit findings", version=version)
    progress(0.95, "Saving")
    with private_output(out_path, overwrite=overwrite) as handle:
        streamed.save(doc, handle)
    progress(1.0, f"Report written to {out_path}")
    return out_path


def build_report(store: Store, out_path: str | Path, filters: Filters | None = None, *,
                 organisation: str = "", progress: Progress | None = None, reference: str | Path | None = None,
                 overwrite: bool = False, pictures: Pictures | None = None, ahead: ScanAhead | None = None,
                 version_label: str | None = None) -> Path:
    """Compute the summary and write the aggregated report; returns the path written.

    From a worker thread, give it a Store opened in that thread (SQLite connections stay in their
    thread). `progress(fraction, message)` is called as the report is built. The charts are
    drawn by `pictures` (started early by the caller) or by a new `Pictures`; it is closed after.
    `ahead` is the scan of the figures, started early too (see summary.read_source).
    """
    check_target(out_path, overwrite=overwrite)
    progress = progress or _no_progress
    progress(0.0, "Computing figures")
    filters = (filters or Filters()).dated()
    with pictures or Pictures() as pictures:  # its workers import matplotlib while the figures are computed
        # the action plan and appendix are read as the file is saved, from the figures' snapshot
        with read_source(store, filters, ahead) as source, summary_snapshot(source, filters) as summary:
            progress(0.15, "Figures computed")
            return render(summary, out_path, organisation=organisation, progress=progress, reference=reference,
                          overwrite=overwrite, pictures=pictures,
                          rows=ReportRows.streamed(source.conn, filters, summary), version_label=version_label)


__all__ = ["build_report", "render"]
