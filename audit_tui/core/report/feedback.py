"""The per-audit feedback document for the social worker and their manager."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx.shared import Pt

from .. import gates
from ..governance import redact_record
from ..exports import check_target, private_output
from ..models import NA
from ..store import Store
from ..summary import action_clear, impact_evidenced, lived_experience_evidenced, TESTS
from . import docxkit as kit


def _narrative(doc, text: str) -> None:
    blocks = [b.strip() for b in (text or "").split("\n\n") if b.strip()]
    if not blocks:
        kit.para(doc, "Not recorded.", italic=True)
    for block in blocks:
        kit.para(doc, block)


def _conversation(doc, audit) -> None:
    """The worker's reflection, child or carer feedback and the manager's sign-off, from the conversation."""
    talk, family = audit.conversation, audit.family_feedback
    kit.heading(doc, "The worker's reflection", 1)
    if talk is None or talk.held_on is None:
        kit.para(doc, "No feedback conversation is recorded yet.", italic=True)
    else:
        kit.para(doc, f"Feedback conversation held on {kit.long_date(talk.held_on)}"
                      + (f" with {talk.present}." if talk.present else "."))
        _narrative(doc, talk.reflection)
    if family is not None and (family.said or family.how):
        kit.heading(doc, "What the child, young person or carer said", 1)
        if family.how:
            kit.runs(kit.para(doc), [("How it was gathered: ", True), (family.how, False)])
        _narrative(doc, family.said)
    kit.heading(doc, "Manager's sign-off", 1)
    agrees = {"yes": "Yes", "partly": "Partly", "no": "No"}.get(talk.agrees if talk else None, "Not recorded")
    rows = [("Worker agrees with the grades", agrees),
            ("Challenge to the grades", (talk.challenge if talk else "") or "None recorded")]
    if talk is not None and talk.challenge:
        rows.append(("Auditor's response", talk.response or "Not yet recorded"))
    rows += [("Manager's signature", ""), ("Date", "")]
    kit.table(doc, None, rows, widths=[5.0, 11.0], bold_first=True)


def build_audit_feedback(store: Store, audit_id: str, out_path: str | Path, *, overwrite: bool = False,
                         reference: str | Path | None = None, organisation: str = "",
                         as_of: date | None = None) -> Path:
    """Grades, evidence, narratives and actions of one audit, as a Word document."""
    check_target(out_path, overwrite=overwrite)
    audit = redact_record(store.get_audit(audit_id))  # names the auditor listed become initials
    template = store.template_of(audit)
    as_of = as_of or date.today()
    moderated = {m.question: m for m in audit.moderation.answers} if audit.moderation else {}
    subject = "young person" if any("leaver" in a.lower() for a in template.service_areas) else "child"
    doc = kit.new_document(reference)

    title = kit.para(doc, "Case audit feedback", "Title")
    title.paragraph_format.space_before = Pt(0)
    kit.para(doc, f"{audit.case_ref} · {template.title}", "Subtitle")
    overall_scale = template.overall_scale()

    def grade_label(grade: str | None, question: str | None = None) -> str:
        if not grade:
            return "not graded"
        if grade == NA:
            return "Not applicable"
        scale = template.scale_of(question) if question else overall_scale
        level = scale.level(grade)
        return level.label if level else grade

    final_overall = (audit.moderation.overall_grade if audit.moderation and audit.moderation.overall_grade
                     else audit.overall_grade)
    overall_text = grade_label(final_overall)
    if final_overall != audit.overall_grade and audit.overall_grade:
        overall_text += f" (moderated; the auditor graded {grade_label(audit.overall_grade).lower()})"
    details = [("Case", audit.case_ref), ("Organisation", organisation), ("Round", audit.round),
               ("Service area", audit.service_area), ("Team", audit.team), ("Worker", audit.worker),
               ("Auditor", audit.auditor), ("Audited on", kit.long_date(audit.audited_on)),
               ("Template", f"{template.title} (version {template.version})"), ("Status", audit.status.capitalize()),
               ("Overall grade", overall_text)]
    if audit.overall_reason:
        details.append(("Reason for the overall grade", audit.overall_reason))
    kit.table(doc, None, [(k, v) for k, v in details if v], widths=[4.5, 11.5], bold_first=True)

    open_concerns = [c for c in audit.concerns if c.handled_at is None]
    if open_concerns:
        kit.heading(doc, "Open safeguarding concerns", 1)
        kit.table(doc, ["Raised", "By", "Concern"],
                  ([kit.long_date(c.raised_at), c.raised_by, c.description] for c in open_concerns),
                  widths=[3, 3, 10], fills=(kit.CONCERN_FILL for _ in open_concerns))

    kit.heading(doc, f"What life is like for the {subject}", 1)
    _narrative(doc, audit.lived_experience)
    kit.heading(doc, "The impact of the work", 1)
    _narrative(doc, audit.impact)

    kit.heading(doc, "Audit quality: how well this audit was written", 1)
    clear = all(action_clear(a.description, a.owner, a.due.isoformat() if a.due else None,
                             audit.audited_on.isoformat()) for a in audit.actions)
    results = {"lived_experience": lived_experience_evidenced(audit.lived_experience),
               "impact": impact_evidenced(audit.impact), "actions_clear": clear}
    kit.table(doc, ["Check of the audit", "Result", "How it is checked"],
              ([label, "Met" if results[test_id] else "Not met", how] for test_id, (label, how) in TESTS.items()),
              widths=[3.5, 2.0, 10.5], bold_first=True)
    warnings = gates.warnings(template, audit)
    if warnings:
        kit.para(doc, "Points to consider:", bold=True)
        for finding in warnings:
            kit.bullet(doc, finding.message)

    kit.heading(doc, "Grades and evidence", 1)
    answers = {a.question: a for a in audit.answers}
    active = set(gates.active_questions(template, answers))
    for section in template.sections:
        keys = [f"{section.id}.{q.id}" for q in section.questions if f"{section.id}.{q.id}" in active]
        if not any(k in answers for k in keys):
            continue
        kit.heading(doc, section.title, 2)
        for question in section.questions:
            key = f"{section.id}.{question.id}"
            answer = answers.get(key)
            if key not in active or answer is None:
                continue
            kit.para(doc, question.text, bold=True)
            final = moderated[key].grade if key in moderated else answer.grade
            line = kit.para(doc)
            kit.runs(line, [("Grade: ", True), (grade_label(final, key), False)])
            if key in moderated:
                kit.runs(line, [(f" (moderated; the auditor graded {grade_label(answer.grade, key).lower()})", False)])
            if answer.grade == NA and answer.na_reason:
                kit.runs(kit.para(doc), [("Why not applicable: ", True), (answer.na_reason, False)])
            if answer.evidence.strip():
                kit.para(doc, answer.evidence, "Quote")
            if key in moderated and moderated[key].comment:
                kit.runs(kit.para(doc), [("Moderator: ", True), (moderated[key].comment, False)])

    kit.heading(doc, "Actions", 1)
    if audit.actions:
        overdue = [a.status == "open" and a.due is not None and a.due < as_of for a in audit.actions]
        kit.table(doc, ["Action", "Owner", "Due", "Status"],
                  ([a.description, a.owner, kit.long_date(a.due) or "no date",
                    "OVERDUE" if late else a.status.capitalize()] for a, late in zip(audit.actions, overdue)),
                  widths=[8.0, 3.2, 2.6, 2.4], fills=(kit.OVERDUE_FILL if late else None for late in overdue))
    else:
        kit.para(doc, "The audit set no actions.")

    _conversation(doc, audit)

    if audit.moderation:
        kit.heading(doc, "Moderation", 1)
        mod = audit.moderation
        kit.para(doc, f"Moderated by {mod.moderator} on {kit.long_date(mod.moderated_on)}. "
                      f"{len(mod.answers)} grade(s) changed. The moderator's grades are the final ones.")
        if mod.comment:
            kit.para(doc, mod.comment, "Quote")

    kit.page_number_footer(doc)
    for section in doc.sections:
        section.different_first_page_header_footer = False
    kit.for_circulation(doc, title=f"Case audit feedback: {audit.case_ref}", organisation=organisation,
                        subject="Feedback on one case audit, for the social worker and their manager")
    out_path = Path(out_path)
    with private_output(out_path, overwrite=overwrite) as handle:
        doc.save(handle)
    return out_path
