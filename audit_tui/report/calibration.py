"""The calibration report as a Word document: each trainee against the reference audits, with a
readiness line against the trainer's threshold, and the questions most often graded differently with
the reference auditor's reasoning.

Uses the report's reference document (styles, page set-up) through `report.docxkit`.
"""

from __future__ import annotations

from pathlib import Path

from audit_tui.domain.models import BUILTIN_SCALES
from audit_tui.exchange.exports import private_output
from audit_tui.features.calibration import MIN_KAPPA, CalibrationReport

READY_AT = 80.0  # exact agreement (%) a trainee needs to be ready, unless the trainer sets another
MIN_READY = 20  # questions compared before readiness is judged
GRADE_LABELS = {level.id: level.label for scale in BUILTIN_SCALES.values() for level in scale.levels}


def _pct(value) -> str:
    return "—" if value is None else (f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%")


def _grade(grade: str | None) -> str:
    return GRADE_LABELS.get(grade or "", (grade or "none").replace("_", " ").capitalize())


def _leaning(t: dict) -> str:
    """Whether the trainee grades higher (more favourably) or lower than the reference, in words."""
    higher, lower, compared = t["graded_higher"], t["graded_lower"], t["compared"]
    if not higher and not lower:
        return "Graded every compared question as the reference did."
    if higher > lower:
        lean = "Tends to grade higher than the reference"
    elif lower > higher:
        lean = "Tends to grade lower than the reference"
    else:
        lean = "Grades higher and lower than the reference equally often"
    return f"{lean}: higher on {higher}, lower on {lower} of {compared} questions."


def readiness(t: dict, ready_at: float) -> str:
    """One line: ready or not yet against `ready_at` % exact agreement, or too few comparisons to say."""
    if t["compared"] < MIN_READY:
        return (f"Not yet judged: {t['compared']} questions compared, fewer than the {MIN_READY} needed "
                f"(threshold {_pct(ready_at)} exact agreement).")
    met = (t["exact_pct"] or 0) >= ready_at
    return (f"{'Ready' if met else 'Not yet ready'}: {_pct(t['exact_pct'])} exact agreement over {t['compared']} "
            f"questions, against a threshold of {_pct(ready_at)}.")


def build_document(report: CalibrationReport, *, organisation: str = "", ready_at: float = READY_AT,
                   version_label: str | None = None):
    """The document (`organisation` and `version_label` default as `report.branding` says)."""
    from audit_tui.report import branding, circulation
    from audit_tui.report import docxkit as kit

    organisation = branding.organisation_name(organisation)
    version = branding.version_label(version_label)
    doc = kit.new_document()
    branding.logo(doc, organisation)
    kit.heading(doc, "Auditor calibration", 0)
    branding.version_paragraph(doc, version)
    kit.para(doc, " · ".join(p for p in (organisation, f"Figures as at {kit.long_date(report.as_of)}") if p))
    kit.para(doc, f"{len(report.audits)} completed training audit{'s' if len(report.audits) != 1 else ''} of "
                  f"fictional sample cases by {len(report.trainees)} trainee{'s' if len(report.trainees) != 1 else ''}"
                  f"; {report.in_progress} in progress.")
    kit.para(doc, "Each trainee's grades are compared with the reference audit of the same case, question by "
                  "question. Exact: the same grade. Adjacent: at most one level apart. Higher: a better grade than "
                  "the reference gave. n/a answers and fact questions are not counted.", italic=True)
    kit.para(doc, f"Weighted kappa says how far agreement is better than chance (1 is perfect, 0 no better than "
                  f"chance); it is shown only over {MIN_KAPPA} or more comparisons, as fewer cannot support it.",
             italic=True)
    if report.audits:
        _findings(doc, report, ready_at)
    else:
        kit.para(doc, "No completed training audits yet.")
    circulation.page_number_footer(doc, title_page=False)
    branding.header_logo(doc, organisation)
    circulation.for_circulation(doc, title="Calibration of trainee auditors", organisation=organisation,
                        subject="Trainees' grades against the reference audits", version=version)
    return doc


def _findings(doc, report: CalibrationReport, ready_at: float) -> None:
    """Agreement by trainee (with readiness), the questions most often graded differently, agreement by
    question and each training audit."""
    from audit_tui.report import docxkit as kit

    kit.heading(doc, "Agreement by trainee", 1)
    kit.table(doc, ["Trainee", "Audits", "Questions compared", "Exact", "Adjacent", "Weighted kappa"],
              [(t["trainee"], t["audits"], t["compared"], _pct(t["exact_pct"]), _pct(t["adjacent_pct"]),
                "—" if t["kappa"] is None else f"{t['kappa']:.2f}") for t in report.trainees],
              widths=[4.5, 1.8, 2.8, 2.2, 2.2, 2.5], numeric=(1, 2, 3, 4, 5), bold_first=True,
              title="Agreement of each trainee with the reference audits")
    for t in report.trainees:
        kit.heading(doc, t["trainee"], 2)
        kit.para(doc, readiness(t, ready_at), bold=True)
        kit.para(doc, _leaning(t))
    different = report.most_different(5)
    if different:
        kit.heading(doc, "Questions most often graded differently", 1)
        kit.para(doc, "The reference auditor's reasoning for each, to go through with the trainees."
                 ).paragraph_format.keep_with_next = True
        for q in different:
            kit.para(doc, q["text"], bold=True).paragraph_format.keep_with_next = True
            kit.para(doc, f"{q['template_title']}: graded differently in {q['different']} of {q['compared']} "
                          f"comparisons ({_pct(q['exact_pct'])} exact).").paragraph_format.keep_with_next = True
            kit.para(doc, q.get("reference_reasoning") or "The reference audit gives no reasoning for this question.",
                     "Quote")
    kit.heading(doc, "Agreement by question", 1)
    for title in dict.fromkeys(q["template_title"] for q in report.questions):
        rows = [q for q in report.questions if q["template_title"] == title]
        kit.heading(doc, title, 2)
        kit.table(doc, ["Question", "Compared", "Exact", "Adjacent", "Kappa"],
                  [(q["text"], q["compared"], _pct(q["exact_pct"]), _pct(q["adjacent_pct"]),
                    "—" if q["kappa"] is None else f"{q['kappa']:.2f}") for q in rows],
                  widths=[8.9, 2.4, 1.6, 1.9, 1.6], numeric=(1, 2, 3, 4), title=f"Agreement by question: {title}")
    kit.heading(doc, "Training audits", 1)
    kit.table(doc, ["Case", "Trainee", "Audited", "Exact", "Adjacent", "Overall grade: trainee", "Reference"],
              [(a["case_ref"], a["trainee"], kit.long_date(a["audited_on"]), _pct(a["exact_pct"]),
                _pct(a["adjacent_pct"]), _grade(a["overall"]["trainee"]), _grade(a["overall"]["reference"]))
               for a in report.audits],
              widths=[2.0, 2.8, 2.6, 1.5, 1.8, 2.9, 2.8], numeric=(3, 4), title="Each training audit")
    for problem in report.problems:
        kit.para(doc, f"Not counted: {problem}", italic=True)


def write_calibration_docx(report: CalibrationReport, path: str | Path, *, overwrite: bool = False,
                           organisation: str = "", ready_at: float = READY_AT, version_label: str | None = None) -> Path:
    """Write the document atomically (owner-only); refuses to replace a file unless `overwrite`."""
    doc = build_document(report, organisation=organisation, ready_at=ready_at, version_label=version_label)
    with private_output(path, overwrite=overwrite) as handle:
        doc.save(handle)
    return Path(path)
