"""What follows the answers: actions, completing and reopening, safeguarding concerns.

A mixin of the Store (it uses the store's transaction, trail and row helpers), kept
apart so each module stays readable.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from . import gates
from .errors import GatesNotMet, StoreError, validated
from .models import Action, clean_text
from .values import new_id, now_iso
from .values import stored_text as _text

ACTION_FIELDS = ("description", "owner", "due", "status", "question", "done_on", "note")


class FollowUp:
    """Actions, completion and concerns; mixed into Store."""

    # -- actions ------------------------------------------------------------------

    def add_action(self, audit_id: str, **fields: Any) -> str:
        action = validated(Action, **fields)
        action_id = new_id()
        stamp = now_iso()
        with self.transaction():
            row = self._editable(audit_id)
            self._check_question(row, action.question)
            self.db.execute(
                """INSERT INTO actions (id, audit_id, description, owner, due, status, question, note,
                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [action_id, audit_id, _text(action.description), _text(action.owner), _text(action.due),
                 action.status, action.question, _text(action.note), stamp, stamp])
            self._log(audit_id, f"action:{action_id[:8]}", None, action.description)
            self._touch(audit_id)
        return action_id

    def update_action(self, action_id: str, *, expected: dict[str, Any] | None = None, **changes: Any) -> None:
        """Edit an action. Status, done date and note may change on any audit (action tracking).
        `expected` as for `update_audit`: a field another session saved meanwhile raises EditConflict."""
        unknown = set(changes) - set(ACTION_FIELDS)
        if unknown:
            raise StoreError(f"unknown action field(s): {', '.join(sorted(unknown))}")
        with self.transaction():
            row = self._action_row(action_id)
            if set(changes) - {"status", "done_on", "note"}:
                self._editable(row["audit_id"])
            validated(Action, **{**{k: row[k] for k in ACTION_FIELDS if row[k] is not None}, **changes})
            if changes.get("question"):
                self._check_question(self._audit_row(row["audit_id"]), changes["question"])
            for field, value in changes.items():
                value = _text(value)
                self._unchanged_since_seen(row["audit_id"], f"action:{action_id[:8]}:{field}", row[field], expected,
                                           field, value)
                if value != row[field]:
                    self.db.execute(f"UPDATE actions SET {field} = ?, updated_at = ? WHERE id = ?",
                                    [value, now_iso(), action_id])
                    self._log(row["audit_id"], f"action:{action_id[:8]}:{field}", row[field], value)
            self._touch(row["audit_id"])

    def delete_action(self, action_id: str) -> None:
        with self.transaction():
            row = self._action_row(action_id)
            self._editable(row["audit_id"])
            self.db.execute("DELETE FROM actions WHERE id = ?", [action_id])
            self._log(row["audit_id"], f"action:{action_id[:8]}", row["description"], None)
            self._touch(row["audit_id"])

    def _check_question(self, audit_row: dict[str, Any], question: str | None) -> None:
        """An action may be linked only to a question of its audit's template."""
        if question and self.template(audit_row["template_id"], audit_row["template_version"]).question(
                question) is None:
            raise StoreError("an action can only be linked to a question of this audit's template")

    def _action_row(self, action_id: str) -> dict[str, Any]:
        rows = list(self._query("SELECT * FROM actions WHERE id = ?", [action_id]))
        if not rows:
            raise StoreError("that action no longer exists")
        return rows[0]

    # -- completing, reopening, concerns ----------------------------------------------

    def complete(self, audit_id: str, overall_grade: str, reason: str = "") -> None:
        """Complete an audit if every gate is met; otherwise raise GatesNotMet."""
        with self.transaction():
            self._editable(audit_id)
            audit = self.get_audit(audit_id)
            template = self.template_of(audit)
            findings = gates.gate_failures(template, audit)
            suggested = gates.suggested_overall_grade(template, audit)
            if template.overall_scale().level(overall_grade) is None:
                findings.append(gates.Finding("Choose an overall grade", ("overall", "")))
            elif overall_grade != suggested and not reason.strip():
                findings.append(gates.Finding(
                    "The overall grade differs from the suggested one: give a reason", ("overall", "")))
            if findings:
                raise GatesNotMet(findings)
            self.update_audit(audit_id, overall_grade=overall_grade, overall_reason=reason)
            self.db.execute("UPDATE audits SET status = 'completed', completed_at = ? WHERE id = ?",
                            [now_iso(), audit_id])
            self._log(audit_id, "status", "draft", "completed")

    def reopen(self, audit_id: str, reason: str) -> None:
        """Return a completed audit to draft; explicit and logged with the reason."""
        if not reason.strip():
            raise StoreError("give a reason for reopening")
        with self.transaction():
            row = self._audit_row(audit_id)
            if row["status"] == "draft":
                return
            if row["status"] == "moderated":
                raise StoreError("a moderated audit cannot be reopened")
            self.db.execute("UPDATE audits SET status = 'draft', completed_at = NULL WHERE id = ?", [audit_id])
            self._log(audit_id, "status", row["status"], "draft")
            self._log(audit_id, "reopen_reason", None, reason)
            self._touch(audit_id)

    def raise_concern(self, audit_id: str, description: str, team_manager: str) -> str:
        """Record a safeguarding concern at once, with an urgent action due next working day."""
        if not clean_text(description).strip():
            raise StoreError("describe the concern")
        concern_id = new_id()
        stamp = now_iso()
        with self.transaction():
            row = self._audit_row(audit_id)
            action_id = new_id()
            self.db.execute(
                """INSERT INTO actions (id, audit_id, description, owner, due, status, question, note,
                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', NULL, 'safeguarding concern', ?, ?)""",
                [action_id, audit_id, _text("URGENT safeguarding: " + description), _text(team_manager or "Team manager"),
                 next_working_day(date.today()).isoformat(), stamp, stamp])
            self.db.execute(
                "INSERT INTO concerns (id, audit_id, raised_at, raised_by, description, action_id) VALUES (?, ?, ?, ?, ?, ?)",
                [concern_id, audit_id, stamp, self.actor, _text(description), action_id])
            self._log(row["id"], "concern", None, description)
            self._touch(audit_id)
        return concern_id

    def handle_concern(self, concern_id: str) -> None:
        with self.transaction():
            rows = list(self._query("SELECT * FROM concerns WHERE id = ?", [concern_id]))
            if not rows:
                raise StoreError("that concern no longer exists")
            self.db.execute("UPDATE concerns SET handled_at = ?, handled_by = ? WHERE id = ?",
                            [now_iso(), self.actor, concern_id])
            self._log(rows[0]["audit_id"], "concern_handled", None, rows[0]["description"])

    def open_concerns(self) -> list[dict[str, Any]]:
        return list(self._query(
            """SELECT c.id, c.audit_id, a.case_ref, c.raised_at, c.raised_by, c.description
               FROM concerns c JOIN audits a ON a.id = c.audit_id WHERE c.handled_at IS NULL ORDER BY c.raised_at"""))


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
