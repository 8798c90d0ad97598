"""A case's audits side by side (`audit-tui case REF`, and `c` on the home screen): each audit's date,
auditor, status, final overall grade, the audit it follows up and whether those actions made a
difference, its re-audit date and actions, and every question's final grade (the moderator's where
changed) in one row across the audits. And the re-audits a round's inadequate audits need, for the
round dashboard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_tui.domain.gates import question_label
from audit_tui.domain.models import IMPACT, NA, clean_text
from audit_tui.storage.store import Store

SHORT = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Req. improv.",
         "inadequate": "Inadequate", "some_improvement": "Some improv.", NA: "n/a"}
"""Grades as a narrow column shows them (others by their label)."""


def short_grade(template, key: str | None, grade: str | None) -> str | None:
    """A grade in a few characters: SHORT, else its level's label (None when not answered)."""
    if not grade:
        return None
    if grade in SHORT:
        return SHORT[grade]
    scale = template.scale_of(key) if key else template.overall_scale()
    level = scale.level(grade)
    return level.label if level else grade


def case_comparison(store: Store, case_ref: str) -> dict[str, Any]:
    """The audits of `case_ref`, oldest first, and one row per question with each audit's final grade."""
    rows = store.case_audits(case_ref)
    dates = {row["id"]: row["audited_on"] for row in rows}
    audits: list[dict[str, Any]] = []
    questions: dict[str, str] = {}
    grades: list[dict[str, str]] = []
    for row in rows:
        record = store.get_audit(row["id"])
        template = store.template_of(record)
        moderated = {m.question: m.grade for m in record.moderation.answers} if record.moderation else {}
        final = {a.question: moderated.get(a.question, a.grade) for a in record.answers if a.grade}
        for key, _, _ in template.questions():
            if key in final:
                questions.setdefault(key, question_label(template, key))
        grades.append({key: short_grade(template, key, grade) for key, grade in final.items()})
        open_actions = sum(a.status == "open" for a in record.actions)
        level = IMPACT.level(row["followup_impact"] or "")
        audits.append({
            "id": row["id"], "audited_on": row["audited_on"], "auditor": row["auditor"], "round": row["round"],
            "status": row["status"], "overall": row["overall"],
            "overall_label": short_grade(template, None, row["overall"]),
            "follows": row["follows"], "follows_on": dates.get(row["follows"] or "", row["follows"]),
            "followup_impact": row["followup_impact"], "followup_label": level.label if level else None,
            "followup_note": row["followup_note"] or "", "reaudit_due": row["reaudit_due"],
            "actions": len(record.actions), "open_actions": open_actions,
            "actions_text": f"{len(record.actions)} ({open_actions})"})
    return {"case_ref": rows[0]["case_ref"] if rows else case_ref.strip(), "audits": audits,
            "questions": [{"question": key, "label": label, "grades": [g.get(key) for g in grades]}
                          for key, label in questions.items()]}



def reaudits(store: Store, round_name: str, as_of: date | None = None) -> list[dict[str, Any]]:
    """The re-audits a round's inadequate audits need (final overall grade inadequate), those not yet done
    first, then by due date (those without a date first): case ref, audit id and date, the re-audit date, `done` once a completed or
    moderated audit follows it up, `overdue` when not done and due before `as_of` (default today), and
    `followup`: the latest audit that follows it up, draft or not (None until one is started), with its
    date (`followup_on`) and whether the actions made a difference (`followup_impact`, a level's id)."""
    today = (as_of or date.today()).isoformat()
    rows = store.db.execute(
        """SELECT a.case_ref, a.id, a.audited_on, a.reaudit_due,
                  EXISTS (SELECT 1 FROM audits b WHERE b.follows = a.id AND b.status IN ('completed', 'moderated')),
                  f.id, f.audited_on, f.followup_impact
           FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
           LEFT JOIN audits f ON f.id = (SELECT b.id FROM audits b WHERE b.follows = a.id
                                         ORDER BY b.audited_on DESC, b.created_at DESC LIMIT 1)
           WHERE a.round = ? AND a.status IN ('completed', 'moderated')
             AND COALESCE(m.overall_grade, a.overall_grade) = 'inadequate'
             AND NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)
           ORDER BY 5, a.reaudit_due IS NOT NULL, a.reaudit_due, a.case_ref""", [round_name]).fetchall()
    return [{"case_ref": clean_text(case_ref), "audit_id": audit_id, "audited_on": audited_on, "due": due,
             "done": bool(done), "overdue": not done and due is not None and due < today, "followup": followup,
             "followup_on": followup_on, "followup_impact": impact}
            for case_ref, audit_id, audited_on, due, done, followup, followup_on, impact in rows]


def followup_defaults(store: Store, audit_id: str) -> dict[str, str]:
    """The new-audit form's fields for a follow-up of `audit_id`: its case, service area, team, worker and
    template (the auditor, round and date are the new audit's own)."""
    row = store.get_audit(audit_id)
    return {"case_ref": row.case_ref, "service_area": row.service_area or "", "team": row.team or "",
            "worker": row.worker or "", "template_id": row.template_id}


def reaudit_state(row: dict[str, Any]) -> str:
    """A re-audit's state in a few words: re-audited, started (overdue), overdue, due or no date yet."""
    if row["done"]:
        return "re-audited"
    if row["followup"]:
        return "started (overdue)" if row["overdue"] else "started"
    return "overdue" if row["overdue"] else "due" if row["due"] else "no date yet"


def followup_words(row: dict[str, Any]) -> str:
    """A re-audit's follow-up audit: its date and whether the actions made a difference ('' before one)."""
    if not row["followup"]:
        return ""
    level = IMPACT.level(row["followup_impact"] or "")
    return f"{row['followup_on']}: " + (level.label if level else "difference not yet said")


def reaudit_line(row: dict[str, Any]) -> str:
    """One re-audit in words: 'CL-0009 (audited 2026-02-10): due 2026-04-14, overdue' (', re-audit started'
    once its follow-up is a draft)."""
    parts = [f"due {row['due']}"] if row["due"] else [] if row["done"] else ["no date yet: the lead sets it"]
    if row["done"]:
        parts.append("re-audited")
    elif row["overdue"]:
        parts.append("overdue")
    if row["followup"] and not row["done"]:
        parts.append("re-audit started")
    return f"{row['case_ref']} (audited {row['audited_on']}): {', '.join(parts)}"
