"""The calibration report as a Word document: a table of trainees and a table of questions.

Uses the report's reference document (styles, page set-up) through `report.docxkit`.
"""

from __future__ import annotations

from pathlib import Path

from .calibration import CalibrationReport
from .exports import private_output


def _n(value) -> str:
    return "—" if value is None else f"{value:g}"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def build_document(report: CalibrationReport, *, organisation: str = ""):
    from .report import docxkit as kit

    doc = kit.new_document()
    kit.heading(doc, "Auditor calibration", 0)
    kit.para(doc, " · ".join(p for p in (organisation, f"As at {kit.long_date(report.as_of)}") if p))
    kit.para(doc, f"{len(report.audits)} completed training audit(s) of fictional sample cases by "
                  f"{len(report.trainees)} trainee(s); {report.in_progress} in progress.")
    kit.para(doc, "Each trainee's grades are compared with the reference audit of the same case, question by "
                  "question. Exact: the same grade. Adjacent: at most one level apart. Weighted kappa (linear): 1 is "
                  "perfect agreement, 0 what chance alone would give; for a trainee it is over the four-point "
                  "judgement questions, for a question over its own scale. n/a answers and fact questions are not "
                  "counted.", italic=True)
    if not report.audits:
        kit.para(doc, "No completed training audits yet.")
        return doc
    kit.heading(doc, "Agreement by trainee", 1)
    kit.table(doc, ["Trainee", "Audits", "Questions compared", "Exact", "Adjacent", "Weighted kappa"],
              [(t["trainee"], t["audits"], t["compared"], _pct(t["exact_pct"]), _pct(t["adjacent_pct"]),
                _n(t["kappa"])) for t in report.trainees],
              widths=[4.5, 1.8, 2.8, 2.2, 2.2, 2.5], numeric=(1, 2, 3, 4, 5), bold_first=True)
    different = report.most_different()
    if different:
        kit.heading(doc, "Questions most often graded differently", 1)
        kit.table(doc, ["Question", "Template", "Different", "Compared", "Exact"],
                  [(q["question"], q["template"], q["different"], q["compared"], _pct(q["exact_pct"]))
                   for q in different],
                  widths=[6.0, 4.0, 2.2, 2.2, 2.2], numeric=(2, 3, 4))
    kit.heading(doc, "Agreement by question", 1)
    kit.table(doc, ["Question", "Template", "Compared", "Exact", "Adjacent", "Weighted kappa"],
              [(q["question"], q["template"], q["compared"], _pct(q["exact_pct"]), _pct(q["adjacent_pct"]),
                _n(q["kappa"])) for q in report.questions],
              widths=[5.5, 3.6, 2.0, 2.0, 2.2, 2.4], numeric=(2, 3, 4, 5))
    kit.heading(doc, "Training audits", 1)
    kit.table(doc, ["Case", "Trainee", "Audited", "Exact", "Adjacent", "Kappa", "Overall (trainee / reference)"],
              [(a["case_ref"], a["trainee"], a["audited_on"], _pct(a["exact_pct"]), _pct(a["adjacent_pct"]),
                _n(a["kappa"]), f"{_grade(a['overall']['trainee'])} / {_grade(a['overall']['reference'])}")
               for a in report.audits],
              widths=[2.2, 3.2, 2.4, 1.8, 2.0, 1.6, 4.0], numeric=(3, 4, 5))
    for problem in report.problems:
        kit.para(doc, f"Not counted: {problem}", italic=True)
    kit.for_circulation(doc, title="Calibration of trainee auditors", organisation=organisation,
                        subject="Trainees' grades against the reference audits")
    return doc


def _grade(grade: str | None) -> str:
    return (grade or "—").replace("_", " ")


def write_calibration_docx(report: CalibrationReport, path: str | Path, *, overwrite: bool = False,
                           organisation: str = "") -> Path:
    """Write the document atomically (owner-only); refuses to replace a file unless `overwrite`."""
    doc = build_document(report, organisation=organisation)
    with private_output(path, overwrite=overwrite) as handle:
        doc.save(handle)
    return Path(path)
