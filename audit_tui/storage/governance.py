"""Data governance: names redacted to initials in documents and circulated exports, and the
retention deletion (`audit-tui retention`), which is explicit and logged.

A part the Store owns (`store.governance`; see storage.part).

History is append-only (a trigger refuses every DELETE). The one way round it is this module's
`delete_audits_before`: inside one transaction it lists the audits to delete in
`retention_pending`, which the history trigger reads, deletes every row of those audits (their
history too), empties the list and writes a row in `deletion_log` (who, when, how many), a table
that is append-only itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from audit_tui.domain.models import AuditRecord, clean_text
from audit_tui.domain.values import now_iso
from audit_tui.storage.errors import StoreError
from audit_tui.storage.part import Part

# Values that are codes, dates or ids, never free text: redaction leaves them alone
_KEEP = {"id", "case_ref", "template_id", "template_version", "question", "grade", "status", "overall_grade",
         "audited_on", "due", "done_on", "raised_at", "handled_at", "moderated_on", "held_on", "agrees",
         "safeguarding", "route", "themes", "action_id", "redact_names", "kind", "questions", "follows", "impact",
         "reaudit_due"}


def initials(name: str) -> str:
    """'Sam Jones' → 'S.J.' (a name's words, first letters)."""
    return "".join(word[0].upper() + "." for word in re.findall(r"[^\W\d_]+", name)) or "…"


def redactor(names: list[str]) -> Callable[[str], str]:
    """A function replacing each of `names` (whole words, any case; longest first) with its initials."""
    names = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not names:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
    lookup = {n.lower(): initials(n) for n in names}
    return lambda text: pattern.sub(lambda m: lookup[m.group(0).lower()], text)


def redact_record(record: AuditRecord) -> AuditRecord:
    """The audit with each of its names to redact replaced by initials in every text, and the list itself
    left out (it is the names)."""
    if not record.redact_names:
        return record
    redact = redactor(record.redact_names)

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and key not in _KEEP:
            return redact(value)
        return value

    data = walk(record.model_dump(mode="json"))
    data["redact_names"] = []
    return AuditRecord.model_validate(data)


def names_list(value: Any) -> list[str]:
    """Names to redact as given (a list, or text separated by commas or new lines), cleaned."""
    items = value if isinstance(value, list) else re.split(r"[,\n;]", str(value or ""))
    names: list[str] = []
    for item in items:
        name = " ".join(clean_text(str(item)).split())
        if name and name.lower() not in (n.lower() for n in names):
            if len(name) > 80:
                raise StoreError("a name to redact is at most 80 characters")
            names.append(name)
    return names


class Governance(Part):
    """Names to redact and the retention deletion; a part the Store owns (`store.governance`)."""

    def set_redact_names(self, audit_id: str, names: Any) -> None:
        """The names to replace with initials in this audit's documents and circulated exports (logged)."""
        names = names_list(names)
        with self.store.transaction():
            self.store.audit_row(audit_id)
            row = self.db.execute("SELECT redact_names FROM audit_privacy WHERE audit_id = ?", [audit_id]).fetchone()
            old = json.loads(row[0]) if row else []
            if old == names:
                return
            self.db.execute("INSERT INTO audit_privacy (audit_id, redact_names) VALUES (?, ?) ON CONFLICT (audit_id) "
                            "DO UPDATE SET redact_names = excluded.redact_names", [audit_id, json.dumps(names)])
            self.trail.log(audit_id, "redact_names", "; ".join(old) or None, "; ".join(names) or None)
            self.trail.touch(audit_id)

    def audits_before(self, before: date) -> int:
        """How many audits are dated before `before` (what `delete_audits_before` would delete)."""
        return self.db.execute("SELECT count(*) FROM audits WHERE audited_on < ?", [before.isoformat()]).fetchone()[0]

    def delete_audits_before(self, before: date, *, kind: str = "retention") -> tuple[int, int]:
        """Delete every audit dated before `before` with all its rows (answers, actions, concerns,
        conversations, moderation, case-list rows, facts, history), in one transaction, and log it in
        `deletion_log`. Returns (audits, history rows) deleted."""
        with self.store.transaction():
            conn = self.db.conn
            conn.execute("DELETE FROM retention_pending")
            conn.execute("INSERT INTO retention_pending (audit_id) SELECT id FROM audits WHERE audited_on < ?",
                         [before.isoformat()])
            audits = conn.execute("SELECT count(*) FROM retention_pending").fetchone()[0]
            history = conn.execute(
                "DELETE FROM history WHERE audit_id IN (SELECT audit_id FROM retention_pending)").rowcount
            for table in _audit_tables(conn):
                conn.execute(f"DELETE FROM {table} WHERE audit_id IN (SELECT audit_id FROM retention_pending)")
            conn.execute("DELETE FROM audits WHERE id IN (SELECT audit_id FROM retention_pending)")
            conn.execute("DELETE FROM retention_pending")
            conn.execute(
                "INSERT INTO deletion_log (at, who, kind, detail, audits, history_rows) VALUES (?, ?, ?, ?, ?, ?)",
                [now_iso(), self.trail.actor, kind, f"audits dated before {before.isoformat()}", audits, history])
        return audits, history

    def deletion_log(self) -> list[dict[str, Any]]:
        return list(self.store.rows("SELECT at, who, kind, detail, audits, history_rows FROM deletion_log ORDER BY id"))


def _audit_tables(conn) -> list[str]:
    """Every table with an `audit_id` column but the history and the pending list (children of audits)."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('history', 'retention_pending') "
        "AND name NOT LIKE 'sqlite_%'")]
    return [t for t in tables if any(c[1] == "audit_id" for c in conn.execute(f"PRAGMA table_info({t})"))]
