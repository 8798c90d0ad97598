"""The per-audit feedback document for the social worker and their manager."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx.shared import Cm, Pt

from audit_tui.domain import gates
from audit_tui.domain.models import ACTION_KINDS, NA
from audit_tui.exchange.exports import check_target, private_output
from audit_tui.report import branding, circulation
from audit_tui.report import docxkit as kit
from audit_tui.report.sentences import plural
from audit_tui.storage.governance import redact_record
from audit_tui.storage.store import Store
from audit_tui.summary import TESTS, action_clear, impact_evidenced, lived_experience_evidenced


def _narrative(doc, text: str) -> None:
    blocks = [b.strip() for b in (text or "").split("\n\n") if b.strip()]
    if not blocks:
        kit.para(doc, "Not recorded.", italic=True)
    for block in blocks:
        kit.para(doc, block)


def _conversation(doc, audit) -> None:
    """The worker's reflection, child or carer feedback and the manager's sign-off, from the conversation."""
    talk, family = audit.conversation, audit.family_feedback
    start = len(doc.element.body) - 1  # (before the section properties)
    kit.heading(doc, "The worker's reflection", 1)
    if talk is None or talk.held_on is None:
        kit.para(doc, "No feedback conversation is recorded yet. The worker can write their reflection here: what "
                      "they recognise in this feedback, and what they will do next.", italic=True)
        kit.writing_lines(doc, 6)
    else:
        kit.para(doc, f"Feedback conversation held on {kit.long_date(talk.held_on)}"
                      + (f" with {talk.present}." if talk.present else "."))
        _narrative(doc, talk.reflection)
    if family is not None and (family.said or family.how):
        kit.heading(doc, "What the child, young person or carer said", 1)
        if family.how:
            kit.runs(kit.para(doc), [("How it was gathered: ", True), (family.how, False)])
        _narrative(doc, family.said)
    kit.keep_on_with_what_follows(doc, start)  # the sign-off never on a page of its own
    kit.heading(doc, "Manager's sign-off", 1)
    agrees = {"yes": "Yes", "partly": "Partly", "no": "No"}.get(talk.agrees if talk else None, "Not recorded")
    rows = [("Worker agrees with the grades", agrees),
            ("Challenge to the grades", (talk.challenge if talk else "") or "None recorded")]
    if talk is not None and talk.challenge:
        rows.append(("Auditor's response", talk.response or "Not yet recorded"))
    rows += [("Manager's comments", ""), ("Manager's signature", ""), ("Date", "")]
    sign_off = kit.table(doc, None, rows, widths=[5.0, 11.0], bold_first=True)
    for row, height in zip(sign_off.rows[-3:], (3.0, 1.2, 0.9)):  # room to write by hand
        row.height = Cm(height)


def _answer(doc, text: str, answer, moderation, grade_label, key: str) -> None:
    """One question: its text, final grade (the auditor's too when moderated), why n/a, evidence."""
    kit.para(doc, text, bold=True).paragraph_format.keep_with_next = True
    final = moderation.grade if moderation else answer.grade
    line = kit.para(doc)
    kit.runs(line, [("Grade: ", True), (grade_label(final, key), False)])
    if moderation:
        kit.runs(line, [(f" (moderated; the auditor graded {grade_label(answer.grade, key).lower()})", False)])
    if answer.grade == NA and answer.na_reason:
        kit.runs(kit.para(doc), [("Why not applicable: ", True), (answer.na_reason, False)])
    if answer.evidence.strip():
        kit.para(doc, answer.evidence, "Quote")
    if moderation and moderation.comment:
        kit.runs(kit.para(doc), [("Moderator: ", True), (moderation.comment, False)])


def _next_steps(doc, template, audit, as_of: date) -> None:
    """The actions, soonest due first (undated last), each of another kind than a case action named so;
    overdue ones shaded, 'as at' today's date. Then the grades below good that needed no new action, why."""
    kit.heading(doc, "Next steps", 1)
    for answer in audit.answers:
        if answer.no_action:
            kit.runs(kit.para(doc), [(f"No new action for {gates.question_label(template, answer.question)}: ", True),
                                     (answer.no_action, False)])
    if not audit.actions:
        kit.para(doc, "The audit set no actions.")
        return
    actions = sorted(audit.actions, key=lambda a: (a.due is None, a.due or as_of))
    overdue = [a.status == "open" and a.due is not None and a.due < as_of for a in actions]
    intro = kit.para(doc, f"The actions agreed, soonest due first. {plural(sum(overdue), 'action')} "
                          f"{'is' if sum(overdue) == 1 else 'are'} overdue as at {kit.long_date(as_of)} (open and "
                          "due before that date; shaded).")
    intro.paragraph_format.keep_with_next = True  # with the table
    kit.table(doc, ["Action", "Owner", "Due", "Status"],
              ([a.description if a.kind == "case" else f"{ACTION_KINDS[a.kind]}: {a.description}", a.owner,
                kit.long_date(a.due) or "no date",
                f"Overdue as at {kit.long_date(as_of)}" if late else a.status.capitalize()]
               for a, late in zip(actions, overdue)),
              widths=[7.4, 3.0, 2.6, 3.4], fills=(kit.OVERDUE_FILL if late else None for late in overdue))


def _audit_quality(doc, template, audit, finals: dict, active: set, grade_label) -> None:
    """The checks of how the audit was written, and where one and a practice grade tell different stories,
    why in plain words."""
    kit.heading(doc, "Audit quality: how well this audit was written", 1)
    clear = all(action_clear(a.description, a.owner, a.due.isoformat() if a.due else None,
                             audit.audited_on.isoformat()) for a in audit.actions)
    results = {"lived_experience": lived_experience_evidenced(audit.lived_experience),
               "impact": impact_evidenced(audit.impact), "actions_clear": clear}
    kit.table(doc, ["Check of the audit", "Result", "How it is checked"],
              ([label, "Met" if results[test_id] else "Not met", how] for test_id, (label, how) in TESTS.items()),
              widths=[3.5, 2.0, 10.5], bold_first=True)
    for test_id, what in (("lived_experience", "the lived-experience narrative"), ("impact", "the impact narrative")):
        for key, _, question in template.questions():
            if key not in active or key not in finals:
                continue
            if test_id not in question.measures or not gates.is_counted(template, finals[key]):
                continue
            good = not gates.below_good(template, finals[key])
            grade = grade_label(finals[key].grade, key).lower()
            if good and not results[test_id]:
                kit.para(doc, f"“{question.text}” is graded {grade}, but {what} does not meet its check. The "
                              "grade judges the work; the check is about how this audit was written, so the "
                              "narrative needs more (see how it is checked above), not the practice.")
            elif not good and results[test_id]:
                kit.para(doc, f"{what.capitalize()} meets its check, while “{question.text}” is graded {grade}. "
                              "A well-written narrative can describe work that still needs to improve: the grade "
                              "is the judgement of the work.")
    warnings = gates.warnings(template, audit)
    if warnings:
        kit.para(doc, "Points to consider:", bold=True)
        for finding in warnings:
            kit.bullet(doc, finding.message)


def build_audit_feedback(store: Store, audit_id: str, out_path: str | Path, *, overwrite: bool = False,
                         reference: str | Path | None = None, organisation: str = "",
                         as_of: date | None = None, version_label: str | None = None) -> Path:
    """Grades, evidence, narratives and actions of one audit, as a Word document (`organisation` and
    `version_label` default as `branding` says)."""
    check_target(out_path, overwrite=overwrite)
    audit = redact_record(store.get_audit(audit_id))  # names the auditor listed become initials
    template = store.template_of(audit)
    as_of = as_of or date.today()
    moderated = {m.question: m for m in audit.moderation.answers} if audit.moderation else {}
    subject = "young person" if any("leaver" in a.lower() for a in template.service_areas) else "child"
    organisation = branding.organisation_name(organisation, reference)
    version = branding.version_label(version_label)
    doc = kit.new_document(reference)

    branding.logo(doc, organisation)
    title = kit.para(doc, "Case audit feedback", "Title")
    title.paragraph_format.space_before = Pt(0)
    kit.para(doc, f"{audit.case_ref} · {template.title}", "Subtitle").paragraph_format.space_after = Pt(6)
    branding.version_paragraph(doc, version, 11)
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
    suggested = gates.suggested_overall_grade(template, audit)
    if suggested and audit.overall_grade and suggested != audit.overall_grade:
        details.append(("Grade the answers suggest", f"{grade_label(suggested)}: {gates.OVERALL_RULE}"))
        details.append(("Why the auditor graded differently", audit.overall_reason or "No reason recorded."))
    elif audit.overall_reason:
        details.append(("Reason for the overall grade", audit.overall_reason))
    kit.table(doc, None, [(k, v) for k, v in details if v], widths=[4.5, 11.5], bold_first=True)
    kit.para(doc, f"Thank you{', ' + audit.worker if audit.worker else ''}, for your work with this {subject} and "
                  "for the time you gave to this audit. This feedback starts with what is working well, then what "
                  "needs to change and the next steps agreed.")

    open_concerns = [c for c in audit.concerns if c.handled_at is None]
    if open_concerns:
        kit.heading(doc, "Open safeguarding concerns", 1)
        kit.table(doc, ["Raised", "By", "Concern"],
                  ([kit.long_date(c.raised_at), c.raised_by, c.description] for c in open_concerns),
                  widths=[3, 3, 10], fills=(kit.CONCERN_FILL for _ in open_concerns))

    answers = {a.question: a for a in audit.answers}
    finals = {key: (a.model_copy(update={"grade": moderated[key].grade}) if key in moderated else a)
              for key, a in answers.items()}
    active = set(gates.active_questions(template, answers))
    kinds = {key: ("well" if gates.is_counted(template, a) and not gates.below_good(template, a) else
                   "change" if gates.below_good(template, a) else "other") for key, a in finals.items()}

    def answers_of(kind: str) -> None:
        for section in template.sections:
            keys = [f"{section.id}.{q.id}" for q in section.questions
                    if f"{section.id}.{q.id}" in active and kinds.get(f"{section.id}.{q.id}") == kind]
            if not keys:
                continue
            kit.heading(doc, section.title, 2)
            for question in section.questions:
                key = f"{section.id}.{question.id}"
                if key in keys:
                    _answer(doc, question.text, answers[key], moderated.get(key), grade_label, key)

    kit.heading(doc, "What is working well", 1)
    if any(k == "well" for key, k in kinds.items() if key in active):
        answers_of("well")
    else:
        kit.para(doc, "No question was graded good or better in this audit.")
    kit.heading(doc, "What needs to change", 1)
    if any(k == "change" for key, k in kinds.items() if key in active):
        answers_of("change")
    else:
        kit.para(doc, "No question was graded below good in this audit.")
    _next_steps(doc, template, audit, as_of)
    if any(k == "other" for key, k in kinds.items() if key in active):
        kit.heading(doc, "Questions not graded", 1)
        kit.para(doc, "Not applicable, too early to say, or a fact rather than a judgement of practice.")
        answers_of("other")

    kit.heading(doc, f"What life is like for the {subject}", 1)
    _narrative(doc, audit.lived_experience)
    kit.heading(doc, "The impact of the work", 1)
    _narrative(doc, audit.impact)
    _audit_quality(doc, template, audit, finals, active, grade_label)

    if audit.moderation:
        kit.heading(doc, "Moderation", 1)
        mod = audit.moderation
        changed = len(mod.answers)
        kit.para(doc, f"Moderated by {mod.moderator} on {kit.long_date(mod.moderated_on)}. "
                      + (f"The moderator changed {plural(changed, 'grade')}, shown above; the moderator's grades "
                         "are the final ones." if changed else "The moderator confirmed the auditor's grades."))
        if mod.comment:
            kit.para(doc, mod.comment, "Quote")

    _conversation(doc, audit)

    circulation.page_number_footer(doc, title_page=False)
    branding.header_logo(doc, organisation)
    circulation.for_circulation(doc, title=f"Case audit feedback: {audit.case_ref}", organisation=organisation,
                        subject="Feedback on one case audit, for the social worker and their manager", version=version)
    out_path = Path(out_path)
    with private_output(out_path, overwrite=overwrite) as handle:
        doc.save(handle)
    return out_path
