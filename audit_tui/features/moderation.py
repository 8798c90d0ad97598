"""Moderation: a quality lead's second look at a completed audit, and how far auditors and moderators agree.

The moderator agrees with each of the auditor's grades by default; a different grade
needs a comment. Only changed grades are stored (`moderated_answers`); the auditor's
grades stay as they were, and the moderator's are final in every figure.

How far auditors and moderators agree is a figure of the summary (summary.moderation).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_tui.domain.models import NA, clean_text
from audit_tui.storage.store import Store, StoreError

WEIGHTS = "linear"


class ModerationError(StoreError):
    """A moderation the app refuses; the message is for the user."""


# -- recording a moderation -----------------------------------------------------------


def save_moderation(store: Store, audit_id: str, *, overall_grade: str | None, comment: str = "",
                    changes: dict[str, tuple[str, str]] | None = None, moderator: str | None = None,
                    moderated_on: date | None = None) -> dict[str, Any]:
    """Moderate a completed audit.

    `changes` maps a question to (grade, comment) for every grade the moderator chose;
    those equal to the auditor's are agreements and are not stored. A changed grade needs
    a comment; so does an overall grade different from the auditor's. `overall_grade`
    None means agreeing with the auditor's. Returns what was stored.
    """
    changes = {question: (grade, clean_text(why or "")) for question, (grade, why) in (changes or {}).items()}
    moderator = clean_text(moderator or store.actor).strip()
    comment = clean_text(comment or "")
    moderated_on = moderated_on or date.today()
    with store.transaction():
        audit = store.get_audit(audit_id)
        if audit.status == "moderated":
            raise ModerationError(f"the audit of {audit.case_ref} is already moderated")
        if audit.status != "completed":
            raise ModerationError(f"the audit of {audit.case_ref} is a draft: only completed audits are moderated")
        template = store.template_of(audit)
        answers = {a.question: a for a in audit.answers}
        problems, changed = [], []
        for question, (grade, why) in changes.items():
            grade, why = (grade or "").strip(), (why or "").strip()
            if template.question(question) is None:
                problems.append(f"{question} is not a question of template {template.id}")
                continue
            auditor = answers.get(question)
            if not grade or grade == (auditor.grade if auditor else None):
                continue
            if auditor is None or not auditor.grade:
                problems.append(f"{question} was not answered by the auditor: there is no grade to moderate")
                continue
            if grade != NA and template.scale_of(question).level(grade) is None:
                problems.append(f"'{grade}' is not a grade of {question}'s scale")
            elif not why:
                problems.append(f"{question}: say why the grade differs (a comment is needed)")
            else:
                changed.append((question, grade, why, auditor.grade))
        overall = (overall_grade or "").strip() or audit.overall_grade
        if template.overall_scale().level(overall or "") is None:
            problems.append("choose the moderated overall grade")
        elif overall != audit.overall_grade and not comment.strip():
            problems.append("the overall grade differs from the auditor's: give a comment")
        if not moderator:
            problems.append("the moderator's name is needed")
        if problems:
            raise ModerationError("; ".join(problems))
        store.record_moderation(audit_id, moderator=moderator, moderated_on=moderated_on, overall_grade=overall,
                                comment=comment.strip(), changed=changed, before_overall=audit.overall_grade)
    return {"audit_id": audit_id, "moderator": moderator, "overall_grade": overall,
            "changed": [{"question": q, "grade": g, "comment": w} for q, g, w, _ in changed]}


def moderation_rows(store: Store, audit_id: str) -> list[dict[str, Any]]:
    """What the moderation screen shows: each answered question with the auditor's grade and evidence."""
    audit = store.get_audit(audit_id)
    template = store.template_of(audit)
    answers = {a.question: a for a in audit.answers}
    final = {m.question: m for m in (audit.moderation.answers if audit.moderation else [])}
    rows = []
    for number, (key, section, question) in enumerate(template.questions(), start=1):
        answer = answers.get(key)
        if answer is None or not answer.grade:
            continue
        scale = template.scale_of(key)
        rows.append({"question": key, "number": number, "section": section.title, "text": question.text,
                     "graded": scale.graded, "levels": [(lv.id, lv.label) for lv in scale.levels],
                     "grade": answer.grade, "na_reason": answer.na_reason or "", "evidence": answer.evidence,
                     "moderated": final[key].grade if key in final else None,
                     "moderation_comment": final[key].comment if key in final else ""})
    return rows
