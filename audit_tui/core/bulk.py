"""The rows of whole audits, and inserting many rows at once (`Store.insert_audit_records`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from .models import AuditRecord, Template, clean_text
from .themes import answer_themes
from .values import new_id
from .values import stored_text as _text

_AUDIT_FIELDS = ("case_ref", "template_id", "template_version", "round", "service_area", "team", "worker", "auditor",
                 "audited_on", "status", "overall_grade", "overall_reason", "lived_experience", "impact")
# The tables an audit's rows go in, parents first, and their columns
COLUMNS = {
    "audits": ("id", *_AUDIT_FIELDS, "created_at", "updated_at", "completed_at"),
    "answers": ("audit_id", "question", "grade", "na_reason", "evidence", "themes", "updated_at", "rationale"),
    "answer_themes": ("audit_id", "question", "theme", "source"),
    "actions": ("id", "audit_id", "description", "owner", "due", "status", "question", "done_on", "note",
                "created_at", "updated_at"),
    "concerns": ("id", "audit_id", "raised_at", "raised_by", "description", "handled_at", "handled_by"),
    "moderations": ("audit_id", "moderator", "moderated_on", "overall_grade", "comment"),
    "moderated_answers": ("audit_id", "question", "grade", "comment"),
    "history": ("at", "who", "audit_id", "field", "old", "new"),
}
ROWS_PER_STATEMENT = 100  # a statement per row takes a third longer


def audit_rows(records: Iterable[AuditRecord], template_of: Callable[[AuditRecord], Template], *, stamp: str,
               actor: str, note: str) -> dict[str, list[Any]]:
    """table → the values of its rows, one row after another: every row of the audits (their text
    cleaned as on every write, `answer_themes` filled in) and a history row each, logged as `note`."""
    rows: dict[str, list[Any]] = {table: [] for table in COLUMNS}
    audits, answers, themes, actions = rows["audits"], rows["answers"], rows["answer_themes"], rows["actions"]
    for record in records:
        audit_id, template = record.id, template_of(record)
        audits += (audit_id, *(_text(getattr(record, f)) for f in _AUDIT_FIELDS), stamp, stamp,
                   None if record.status == "draft" else stamp)
        for answer in record.answers:
            answers += (audit_id, answer.question, answer.grade, _text(answer.na_reason), clean_text(answer.evidence),
                        json.dumps(sorted(set(answer.themes))) if answer.themes else "[]", stamp,
                        clean_text(answer.rationale))
            for theme, source in answer_themes(template, answer).items():
                themes += (audit_id, answer.question, theme, source)
        for action in record.actions:
            actions += (action.id or new_id(), audit_id, clean_text(action.description), clean_text(action.owner),
                        _text(action.due), _text(action.status), _text(action.question), _text(action.done_on),
                        clean_text(action.note), stamp, stamp)
        for concern in record.concerns:
            rows["concerns"] += (concern.id or new_id(), audit_id, concern.raised_at, _text(concern.raised_by),
                                 _text(concern.description), concern.handled_at, _text(concern.handled_by))
        mod = record.moderation
        if mod:
            rows["moderations"] += (audit_id, _text(mod.moderator), _text(mod.moderated_on), mod.overall_grade,
                                    _text(mod.comment))
            for changed in mod.answers:
                rows["moderated_answers"] += (audit_id, changed.question, changed.grade, _text(changed.comment))
        rows["history"] += (stamp, actor, audit_id, note, None,
                            _text(f"{record.case_ref} ({record.template_id} v{record.template_version})"))
    return rows


def insert_rows(conn: sqlite3.Connection, rows: dict[str, list[Any]]) -> None:
    """Insert the rows of `audit_rows`, ROWS_PER_STATEMENT to a statement, in order. A row that breaks
    a constraint rolls back the whole transaction (INSERT OR ROLLBACK)."""
    for table, columns in COLUMNS.items():
        values, width = rows[table], len(columns)
        step = ROWS_PER_STATEMENT * width
        whole = len(values) // step * step
        if whole:
            conn.executemany(_insert(table, ROWS_PER_STATEMENT), (values[i:i + step] for i in range(0, whole, step)))
        if whole < len(values):
            conn.execute(_insert(table, (len(values) - whole) // width), values[whole:])


def _insert(table: str, count: int) -> str:
    row = f"({', '.join('?' * len(COLUMNS[table]))})"
    return f"INSERT OR ROLLBACK INTO {table} ({', '.join(COLUMNS[table])}) VALUES {', '.join([row] * count)}"
