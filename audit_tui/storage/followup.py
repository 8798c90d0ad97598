"""What follows the answers: actions, completing and reopening, safeguarding concerns.

A part the Store owns (`store.followups`; see storage.part): it writes inside the store's
transactions and logs in its trail; the Store's methods of the same names call it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from audit_tui.domain import gates
from audit_tui.domain.models import CONCERN_ROUTES, SAFEGUARDING_STATEMENTS, URGENT_NOTE, Action, clean_text
from audit_tui.domain.values import new_id, now_iso
from audit_tui.domain.values import stored_text as _text
from audit_tui.storage.errors import GatesNotMet, StoreError, validated
from audit_tui.storage.part import Part

ACTION_FIELDS = ("description", "owner", "due", "status", "question", "done_on", "note", "kind", "questions")


class FollowUp(Part):
    """Actions, completion and concerns; a part the Store owns (`store.followups`)."""

    # -- actions ------------------------------------------------------------------

    def add_action(self, audit_id: str, **fields: Any) -> str:
        action = validated(Action, **fields)
        action_id = new_id()
        stamp = now_iso()
        with self.store.transaction():
            row = self.store.editable(audit_id)
            for question in action.questions:
                self._check_question(row, question)
            self.db.execute(
                """INSERT INTO actions (id, audit_id, description, owner, due, status, question, note,
                   created_at, updated_at, kind, questions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [action_id, audit_id, _text(action.description), _text(action.owner), _text(action.due),
                 action.status, action.question, _text(action.note), stamp, stamp, action.kind,
                 stored_questions(action.questions)])
            self.trail.log(audit_id, f"action:{action_id[:8]}", None, action.description)
            self.trail.touch(audit_id)
        return action_id

    def update_action(self, action_id: str, *, expected: dict[str, Any] | None = None, **changes: Any) -> None:
        """Edit an action. Status, done date and note may change on any audit (action tracking).
        `expected` as for `update_audit`: a field another session saved meanwhile raises EditConflict."""
        unknown = set(changes) - set(ACTION_FIELDS)
        if unknown:
            raise StoreError(f"unknown action field(s): {', '.join(sorted(unknown))}")
        if "questions" in changes:  # the first question it answers is its `question`
            changes["question"] = (changes["questions"] or [None])[0]
        if expected and "questions" in expected:  # compared as stored
            expected = {**expected, "questions": stored_questions(list(expected["questions"] or []))}
        with self.store.transaction():
            row = self.action(action_id)
            if set(changes) - {"status", "done_on", "note"}:
                self.store.editable(row["audit_id"])
            if "question" in changes and "questions" not in changes:
                changes["questions"] = [changes["question"]] if changes["question"] else []
            stored = {k: json.loads(v) if k == "questions" else v for k, v in row.items()
                      if k in ACTION_FIELDS and v is not None}
            action = validated(Action, **{**stored, **changes})
            for question in action.questions if "questions" in changes else []:
                self._check_question(self.store.audit_row(row["audit_id"]), question)
            for field, value in changes.items():
                value = stored_questions(action.questions) if field == "questions" else _text(value)
                self.trail.unchanged_since_seen(row["audit_id"], f"action:{action_id[:8]}:{field}", row[field], expected,
                                           field, value)
                if value != row[field]:
                    self.db.execute(f"UPDATE actions SET {field} = ?, updated_at = ? WHERE id = ?",
                                    [value, now_iso(), action_id])
                    self.trail.log(row["audit_id"], f"action:{action_id[:8]}:{field}", row[field], value)
            self.trail.touch(row["audit_id"])

    def delete_action(self, action_id: str) -> None:
        """Delete an action of a draft; a safeguarding concern's urgent action is never deleted."""
        with self.store.transaction():
            row = self.action(action_id)
            self.store.editable(row["audit_id"])
            if row["note"] == URGENT_NOTE or self.db.execute(
                    "SELECT 1 FROM concerns WHERE action_id = ?", [action_id]).fetchone():
                raise StoreError("This is the urgent action of a safeguarding concern, so it cannot be deleted; "
                                 "mark it done when it has happened")
            self.db.execute("DELETE FROM actions WHERE id = ?", [action_id])
            self.trail.log(row["audit_id"], f"action:{action_id[:8]}", row["description"], None)
            self.trail.touch(row["audit_id"])

    def _check_question(self, audit_row: dict[str, Any], question: str | None) -> None:
        """An action may be linked only to a question of its audit's template."""
        if question and self.store.template(audit_row["template_id"], audit_row["template_version"]).question(
                question) is None:
            raise StoreError("an action can only be linked to a question of this audit's template")

    def action(self, action_id: str) -> dict[str, Any]:
        """An action's stored row."""
        rows = list(self.store.rows("SELECT * FROM actions WHERE id = ?", [action_id]))
        if not rows:
            raise StoreError("that action no longer exists")
        return rows[0]

    def set_no_action(self, audit_id: str, question: str, reason: str) -> None:
        """Record why an answer below good needs no action ("no action because …", e.g. already in hand,
        with the evidence), or clear it with ''; on a draft, saved at once and logged as `QUESTION:no_action`."""
        reason = " ".join(clean_text(reason or "").split())
        with self.store.transaction():
            row = self.store.editable(audit_id)
            if self.store.template(row["template_id"], row["template_version"]).question(question) is None:
                raise StoreError("that is not a question of this audit's template")
            old = self.db.execute("SELECT no_action FROM answers WHERE audit_id = ? AND question = ?",
                                  [audit_id, question]).fetchone()
            if old is None:
                raise StoreError("grade the question first: a reason for no action goes with a grade below good")
            if (old[0] or "") != reason:
                self.db.execute("UPDATE answers SET no_action = ?, updated_at = ? WHERE audit_id = ? AND question = ?",
                                [reason, now_iso(), audit_id, question])
                self.trail.log(audit_id, f"{question}:no_action", old[0] or None, reason or None)
                self.trail.touch(audit_id)

    # -- completing, reopening, concerns ----------------------------------------------

    def complete(self, audit_id: str, overall_grade: str, reason: str = "") -> None:
        """Complete an audit if every gate is met; otherwise raise GatesNotMet."""
        with self.store.transaction():
            self.store.editable(audit_id)
            audit = self.store.get_audit(audit_id)
            template = self.store.template_of(audit)
            findings = gates.completion_failures(template, audit, overall_grade, reason)
            if findings:
                raise GatesNotMet(findings)
            self.store.update_audit(audit_id, overall_grade=overall_grade, overall_reason=reason)
            self.db.execute("UPDATE audits SET status = 'completed', completed_at = ? WHERE id = ?",
                            [now_iso(), audit_id])
            self.trail.log(audit_id, "status", "draft", "completed")

    def reopen(self, audit_id: str, reason: str) -> None:
        """Return a completed audit to draft; explicit and logged with the reason."""
        if not reason.strip():
            raise StoreError("give a reason for reopening")
        with self.store.transaction():
            row = self.store.audit_row(audit_id)
            if row["status"] == "draft":
                return
            if row["status"] == "moderated":
                raise StoreError("a moderated audit cannot be reopened")
            self.db.execute("UPDATE audits SET status = 'draft', completed_at = NULL WHERE id = ?", [audit_id])
            self.trail.log(audit_id, "status", row["status"], "draft")
            self.trail.log(audit_id, "reopen_reason", None, reason)
            self.trail.touch(audit_id)

    def set_safeguarding(self, audit_id: str, statement: str) -> None:
        """The auditor's safeguarding statement on a draft: `no_risk` or `concern_raised` (a completion gate)."""
        if statement not in SAFEGUARDING_STATEMENTS:
            raise StoreError("state either 'no unaddressed risk found' or 'a concern was raised'")
        with self.store.transaction():
            row = self.store.editable(audit_id)
            if row["safeguarding"] != statement:
                self.db.execute("UPDATE audits SET safeguarding = ? WHERE id = ?", [statement, audit_id])
                self.trail.log(audit_id, "safeguarding", row["safeguarding"], statement)
                self.trail.touch(audit_id)

    def raise_concern(self, audit_id: str, description: str, team_manager: str, *, service_manager: str = "",
                      told_who: str = "", told_at: str = "", told_how: str = "", route: str = "") -> str:
        """Record a safeguarding concern at once: who was told, when and how, and an urgent action for
        the team manager and the service manager, due the same working day. On a draft, the audit's
        safeguarding statement becomes 'a concern was raised'."""
        if not clean_text(description).strip():
            raise StoreError("describe the concern")
        if route and route not in CONCERN_ROUTES:
            raise StoreError("the route for a young person aged 18–25 is adult safeguarding or the exploitation panel")
        concern_id = new_id()
        stamp = now_iso()
        managers = [m.strip() for m in (team_manager, service_manager) if m and m.strip()]
        owner = " and ".join(managers) or "Team manager"
        with self.store.transaction():
            row = self.store.audit_row(audit_id)
            action_id = new_id()
            self.db.execute(
                """INSERT INTO actions (id, audit_id, description, owner, due, status, question, note,
                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', NULL, ?, ?, ?)""",
                [action_id, audit_id, _text("URGENT safeguarding: " + description), _text(owner),
                 same_working_day(date.today()).isoformat(), URGENT_NOTE, stamp, stamp])
            self.db.execute(
                """INSERT INTO concerns (id, audit_id, raised_at, raised_by, description, action_id, told_who, told_at,
                   told_how, team_manager, service_manager, route) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [concern_id, audit_id, stamp, self.trail.actor, _text(description), action_id,
                 *(_text(v.strip()) for v in (told_who, told_at, told_how, team_manager, service_manager)), route])
            self.trail.log(row["id"], "concern", None, description)
            if row["status"] == "draft" and row["safeguarding"] != "concern_raised":
                self.db.execute("UPDATE audits SET safeguarding = 'concern_raised' WHERE id = ?", [audit_id])
                self.trail.log(audit_id, "safeguarding", row["safeguarding"], "concern_raised")
            self.trail.touch(audit_id)
        return concern_id

    def handle_concern(self, concern_id: str, outcome: str) -> None:
        """Close a concern; only with its outcome (what was done), which is kept and logged."""
        outcome = clean_text(outcome or "").strip()
        if not outcome:
            raise StoreError("say what the outcome was: a concern can be closed only with its outcome")
        with self.store.transaction():
            rows = list(self.store.rows("SELECT * FROM concerns WHERE id = ?", [concern_id]))
            if not rows:
                raise StoreError("that concern no longer exists")
            if rows[0]["handled_at"]:
                raise StoreError("that concern is already closed")
            self.db.execute("UPDATE concerns SET handled_at = ?, handled_by = ?, outcome = ? WHERE id = ?",
                            [now_iso(), self.trail.actor, outcome, concern_id])
            self.trail.log(rows[0]["audit_id"], "concern_handled", None, rows[0]["description"])
            self.trail.log(rows[0]["audit_id"], "concern_outcome", None, outcome)

    def open_concern_details(self) -> list[dict[str, Any]]:
        """Open concerns with who was told (when, how), both managers and their urgent action's due date and status."""
        return list(self.store.rows(
            """SELECT c.id, c.audit_id, a.case_ref, c.raised_at, c.raised_by, c.description, c.told_who, c.told_at,
                      c.told_how, c.team_manager, c.service_manager, c.route, x.due AS action_due,
                      x.status AS action_status
               FROM concerns c JOIN audits a ON a.id = c.audit_id LEFT JOIN actions x ON x.id = c.action_id
               WHERE c.handled_at IS NULL ORDER BY c.raised_at"""))

    def open_concerns(self) -> list[dict[str, Any]]:
        return list(self.store.rows(
            """SELECT c.id, c.audit_id, a.case_ref, c.raised_at, c.raised_by, c.description
               FROM concerns c JOIN audits a ON a.id = c.audit_id WHERE c.handled_at IS NULL ORDER BY c.raised_at"""))


def stored_questions(questions: list[str]) -> str | None:
    """The `questions` column: JSON of every question an action answers, when more than one (else NULL)."""
    return json.dumps(questions) if len(questions) > 1 else None


def same_working_day(day: date) -> date:
    """The day itself on a weekday; else the next working day (a concern's urgent action is due then)."""
    return day if day.weekday() < 5 else next_working_day(day)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
