"""The store's writes for running a practice week: rounds and their case lists, moderations, training audits.

A part of `Store` (like FollowUp, Practice and Governance): each method is one transaction, logged in
the history trail. The features (features/rounds.py, moderation.py, training.py) decide what to write
and check it; only these methods write it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from audit_tui.domain.values import now_iso
from audit_tui.storage.part import Part

ALLOCATION_FIELDS = ("case_ref", "service_area", "team", "worker", "auditor", "template_id")


class Casework(Part):
    """Rounds, allocations, moderations and training audits (a part the Store owns: `store.casework`)."""

    # -- rounds and their case lists --------------------------------------------------

    def add_round(self, name: str, starts: date, ends: date, templates: Sequence[str]) -> None:
        """A new round (the caller has checked the name is free, inside its transaction)."""
        with self.store.transaction():
            self.db.execute("INSERT INTO rounds (name, starts, ends, templates, created_at) VALUES (?, ?, ?, ?, ?)",
                            [name, starts.isoformat(), ends.isoformat(), json.dumps(list(templates)), now_iso()])
            self.trail.log(None, f"round:{name}", None,
                      f"created {starts} to {ends}; templates {', '.join(templates) or 'any'}")

    def save_allocations(self, round_name: str, added: Sequence[dict[str, Any]],
                         updated: Sequence[tuple[int, dict[str, Any]]], *, source: str) -> None:
        """Add and update a round's allocated cases (each a dict of ALLOCATION_FIELDS), logged as one line."""
        stamp = now_iso()
        with self.store.transaction():
            for row in added:
                self.db.execute(
                    f"""INSERT INTO allocations (round, {', '.join(ALLOCATION_FIELDS)}, created_at, updated_at)
                        VALUES (?, {', '.join('?' * len(ALLOCATION_FIELDS))}, ?, ?)""",
                    [round_name, *[row[f] for f in ALLOCATION_FIELDS], stamp, stamp])
            for allocation_id, row in updated:
                self.db.execute(
                    f"UPDATE allocations SET {', '.join(f'{f} = ?' for f in ALLOCATION_FIELDS)}, updated_at = ? "
                    "WHERE id = ?", [*[row[f] for f in ALLOCATION_FIELDS], stamp, allocation_id])
            self.trail.log(None, f"round:{round_name}", None,
                      f"case list {source}: {len(added)} added, {len(updated)} updated")

    def link_allocation(self, allocation_id: int, audit_id: str, note: str) -> None:
        """Record that an allocated case's audit has started (`note`: the round and auditor, for the trail)."""
        with self.store.transaction():
            self.db.execute("UPDATE allocations SET audit_id = ?, updated_at = ? WHERE id = ?",
                            [audit_id, now_iso(), allocation_id])
            self.trail.log(audit_id, "allocation", None, note)

    # -- moderation -----------------------------------------------------------------------

    def record_moderation(self, audit_id: str, *, moderator: str, moderated_on: date, overall_grade: str,
                          comment: str, changed: Sequence[tuple[str, str, str, str]], before_overall: str) -> None:
        """A moderation of a completed audit: changed grades are (question, grade, why, auditor's grade)."""
        with self.store.transaction():
            self.db.execute(
                "INSERT INTO moderations (audit_id, moderator, moderated_on, overall_grade, comment) "
                "VALUES (?, ?, ?, ?, ?)", [audit_id, moderator, moderated_on.isoformat(), overall_grade, comment])
            self.db.conn.executemany(
                "INSERT INTO moderated_answers (audit_id, question, grade, comment) VALUES (?, ?, ?, ?)",
                [(audit_id, q, g, w) for q, g, w, _ in changed])
            self.db.execute("UPDATE audits SET status = 'moderated', updated_at = ? WHERE id = ?",
                            [now_iso(), audit_id])
            self.trail.log(audit_id, "moderation", None, f"by {moderator} on {moderated_on.isoformat()}: overall "
                      f"{overall_grade}" + (f" — {comment}" if comment else ""))
            for question, grade, why, before in changed:
                self.trail.log(audit_id, f"{question}:moderated_grade", before, f"{grade} — {why}")
            if overall_grade != before_overall:
                self.trail.log(audit_id, "moderated_overall_grade", before_overall, overall_grade)
            self.trail.log(audit_id, "status", "completed", "moderated")

    # -- training ---------------------------------------------------------------------------

    def mark_training(self, audit_id: str, sample_case: str, trainee: str, started_at: str | None = None) -> None:
        """Record an audit as a trainee's audit of a sample case (kept apart from live work)."""
        with self.store.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO training_audits (audit_id, sample_case, trainee, started_at) "
                "VALUES (?, ?, ?, ?)", [audit_id, sample_case, trainee, started_at or now_iso()])
            self.trail.log(audit_id, "training", None, f"{trainee}'s training audit of {sample_case}")
