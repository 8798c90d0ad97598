"""Re-audit and follow-up: the audits of one case side by side, the re-audit an inadequate audit needs
(its date set by the quality lead), and, at the follow-up audit, whether the earlier actions made a
difference (the impact scale).

A part the Store owns (`store.reaudits`; see storage.part). Every change is
committed at once and logged in history: `reaudit_due` on the inadequate audit, `followup:follows`,
`followup:impact` and `followup:note` on the follow-up audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_tui.domain.models import IMPACT, clean_text, parse_date
from audit_tui.storage.errors import StoreError
from audit_tui.storage.part import Part

FOLLOWUP_FIELDS = {"follows": "follows", "impact": "followup_impact", "note": "followup_note"}
"""set_followup's fields → their `audits` columns."""


def final_overall(row: dict[str, Any]) -> str | None:
    """An audit's final overall grade: the moderator's when moderated, else the auditor's."""
    return row.get("moderated_overall") or row.get("overall_grade")


class Reaudit(Part):
    """Linked audits of a case, re-audit dates and follow-up judgements; a part the Store owns (`store.reaudits`)."""

    def case_audits(self, case_ref: str) -> list[dict[str, Any]]:
        """Every audit of a case (its ref, any case), oldest first, training audits aside: date, auditor,
        status, final overall grade, which audit it follows up, its follow-up judgement and re-audit date."""
        return list(self.store.rows(
            """SELECT a.id, a.case_ref, a.audited_on, a.auditor, a.round, a.team, a.status, a.template_id,
                      a.template_version, COALESCE(m.overall_grade, a.overall_grade) AS overall, a.follows,
                      a.followup_impact, a.followup_note, a.reaudit_due
               FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
               WHERE lower(a.case_ref) = lower(?) AND NOT EXISTS (
                   SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)
               ORDER BY a.audited_on, a.created_at, a.id""", [case_ref.strip()]))

    def schedule_reaudit(self, audit_id: str, due: date | str | None) -> None:
        """Set (or, with None, clear) when an inadequate audit's case is to be audited again. Only for a
        completed or moderated audit whose final overall grade is inadequate; the date is on or after the
        audit date. Allowed whatever the audit's status (the lead sets it after completion)."""
        if isinstance(due, str):
            try:
                due = parse_date(due) if due.strip() else None
            except ValueError as exc:
                raise StoreError(f"the re-audit date: {exc}") from None
        with self.store.transaction():
            row = self.store.audit_row(audit_id)
            moderated = self.db.execute("SELECT overall_grade FROM moderations WHERE audit_id = ?",
                                        [audit_id]).fetchone()
            overall = (moderated[0] if moderated else None) or row["overall_grade"]
            if row["status"] == "draft" or overall != "inadequate":
                raise StoreError("a re-audit is scheduled for a completed audit whose overall grade is inadequate")
            if due is not None and due.isoformat() < row["audited_on"]:
                raise StoreError(f"the re-audit date is before the audit date ({row['audited_on']})")
            value = due.isoformat() if due else None
            if value != row["reaudit_due"]:
                self.db.execute("UPDATE audits SET reaudit_due = ? WHERE id = ?", [value, audit_id])
                self.trail.log(audit_id, "reaudit_due", row["reaudit_due"], value)
                self.trail.touch(audit_id)

    def set_followup(self, audit_id: str, **changes: Any) -> None:
        """On a draft: which earlier audit of the same case it follows up (`follows`, an id or its first
        characters; '' unlinks), and whether that audit's actions made a difference (`impact`, a level of
        the impact scale; `note`, what shows it). Saved at once and logged."""
        unknown = set(changes) - set(FOLLOWUP_FIELDS)
        if unknown:
            raise StoreError(f"unknown follow-up field(s): {', '.join(sorted(unknown))}")
        with self.store.transaction():
            row = self.store.editable(audit_id)
            values = {field: self._followup_value(row, field, value) for field, value in changes.items()}
            for field, value in values.items():
                column = FOLLOWUP_FIELDS[field]
                if value != row[column]:
                    self.db.execute(f"UPDATE audits SET {column} = ? WHERE id = ?", [value, audit_id])
                    self.trail.log(audit_id, f"followup:{field}", row[column], value)
            self.trail.touch(audit_id)

    def _followup_value(self, row: dict[str, Any], field: str, value: Any) -> str | None:
        if field == "note":
            return " ".join(clean_text(str(value or "")).split()) or None
        if field == "impact":
            if value in (None, ""):
                return None
            if IMPACT.level(str(value)) is None:
                raise StoreError("whether the actions made a difference is one of: "
                                 + ", ".join(level.id for level in IMPACT.levels))
            return str(value)
        if not value:
            return None
        earlier = self.store.audit_row(self.store.resolve_id("audits", str(value)))
        if earlier["id"] == row["id"] or earlier["case_ref"].lower() != row["case_ref"].lower():
            raise StoreError(f"a follow-up follows an earlier audit of {row['case_ref']}")
        if earlier["audited_on"] > row["audited_on"] or earlier["status"] == "draft":
            raise StoreError("a follow-up follows a completed audit made on or before its own date")
        return earlier["id"]
