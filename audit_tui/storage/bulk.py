"""The rows of whole audits, and inserting many rows at once (`Store.insert_audit_records`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from audit_tui.domain.models import AuditRecord, Template, clean_text
from audit_tui.domain.themes import answer_themes
from audit_tui.domain.values import derived_id
from audit_tui.domain.values import stored_text as _text
from audit_tui.storage.ahead import made_ahead, quick_switches
from audit_tui.storage.followup import stored_questions
from audit_tui.storage.practice import COLUMNS as CONVERSATION_COLUMNS
from audit_tui.storage.practice import row_of

_AUDIT_FIELDS = ("case_ref", "template_id", "template_version", "round", "service_area", "team", "worker", "auditor",
                 "audited_on", "status", "overall_grade", "overall_reason", "lived_experience", "impact",
                 "safeguarding")
# The tables an audit's rows go in, parents first, and their columns
COLUMNS = {
    "audits": ("id", *_AUDIT_FIELDS, "created_at", "updated_at", "completed_at", "follows", "followup_impact",
               "followup_note", "reaudit_due"),
    "answers": ("audit_id", "question", "grade", "na_reason", "evidence", "themes", "updated_at", "rationale",
                "no_action"),
    "answer_themes": ("audit_id", "question", "theme", "source"),
    "actions": ("id", "audit_id", "description", "owner", "due", "status", "question", "done_on", "note",
                "created_at", "updated_at", "kind", "questions"),
    "concerns": ("id", "audit_id", "raised_at", "raised_by", "description", "handled_at", "handled_by", "action_id",
                 "told_who", "told_at", "told_how", "team_manager", "service_manager", "route", "outcome"),
    "moderations": ("audit_id", "moderator", "moderated_on", "overall_grade", "comment"),
    "moderated_answers": ("audit_id", "question", "grade", "comment"),
    "history": ("at", "who", "audit_id", "field", "old", "new", "ref"),
    "conversations": ("audit_id", *CONVERSATION_COLUMNS, "updated_at"),
    "audit_privacy": ("audit_id", "redact_names"),
}
_CONCERN_DETAILS = ("told_who", "told_at", "told_how", "team_manager", "service_manager", "route", "outcome")
# A statement per row takes a third longer, and each statement hands the GIL over (1000 rows of audits:
# 18,000 values, within SQLite's 32,766 since 3.32)
ROWS_PER_STATEMENT = 1000
CHUNK = 500  # audits whose rows are built while those of the chunk before are inserted
_AHEAD = 2  # chunks built ahead at most
_SWITCH_SECONDS = 0.0001  # the longest the inserting thread waits for the GIL after a statement


def insert_audits(conn: sqlite3.Connection, audits: Sequence[tuple[AuditRecord, Template]], *, stamp: str,
                  actor: str, note: str) -> None:
    """Insert the rows of whole audits (each with its template), CHUNK audits at a time: a thread
    builds the rows of the next chunks (pure Python) while this one inserts (SQLite lets go of the
    GIL while a statement runs). That thread never touches the database; each chunk goes in parents
    first. A failure on either side raises here, inside the caller's transaction, which then rolls back."""
    if len(audits) <= CHUNK:
        insert_rows(conn, audit_rows(audits, stamp=stamp, actor=actor, note=note))
        return

    def chunks() -> Iterator[dict[str, list[Any]]]:
        for start in range(0, len(audits), CHUNK):
            yield audit_rows(audits[start:start + CHUNK], stamp=stamp, actor=actor, note=note)

    with quick_switches(_SWITCH_SECONDS):  # the builder hands the GIL back as soon as a statement ends
        for rows in made_ahead(chunks, depth=_AHEAD, name="audit-rows"):
            insert_rows(conn, rows)


def audit_rows(records: Iterable[tuple[AuditRecord, Template]], *, stamp: str, actor: str,
               note: str) -> dict[str, list[Any]]:
    """table → the values of its rows, one row after another: every row of the audits (their text
    cleaned as on every write, `answer_themes` filled in) and a history row each, logged as `note`.
    An action or concern the record gives without an id gets one derived from the audit's id and its
    position, so the same file gives the same ids in every database."""
    rows: dict[str, list[Any]] = {table: [] for table in COLUMNS}
    audits, answers, themes, actions = rows["audits"], rows["answers"], rows["answer_themes"], rows["actions"]
    for record, template in records:
        audit_id = record.id
        followup = record.followup
        audits += (audit_id, *(_text(getattr(record, f)) for f in _AUDIT_FIELDS), stamp, stamp,
                   None if record.status == "draft" else stamp, _text(record.follows),
                   followup.impact if followup else None, clean_text(followup.note) or None if followup else None,
                   _text(record.reaudit_due))
        for answer in record.answers:
            answers += (audit_id, answer.question, answer.grade, _text(answer.na_reason), clean_text(answer.evidence),
                        json.dumps(sorted(set(answer.themes))) if answer.themes else "[]", stamp,
                        clean_text(answer.rationale), clean_text(answer.no_action))
            for theme, source in answer_themes(template, answer).items():
                themes += (audit_id, answer.question, theme, source)
        for n, action in enumerate(record.actions):
            actions += (action.id or derived_id(audit_id, "actions", str(n)), audit_id, clean_text(action.description), clean_text(action.owner),
                        _text(action.due), _text(action.status), _text(action.question), _text(action.done_on),
                        clean_text(action.note), stamp, stamp, action.kind, stored_questions(action.questions))
        for n, concern in enumerate(record.concerns):
            rows["concerns"] += (concern.id or derived_id(audit_id, "concerns", str(n)), audit_id, concern.raised_at,
                                 _text(concern.raised_by), _text(concern.description), concern.handled_at,
                                 _text(concern.handled_by), _urgent_action(record, concern.action_id),
                                 *(clean_text(getattr(concern, k)) for k in _CONCERN_DETAILS))
        if record.redact_names:
            rows["audit_privacy"] += (audit_id, json.dumps([clean_text(n) for n in record.redact_names]))
        talked = row_of(record.conversation, record.family_feedback)
        if talked is not None:
            rows["conversations"] += (audit_id, *talked, stamp)
        mod = record.moderation
        if mod:
            rows["moderations"] += (audit_id, _text(mod.moderator), _text(mod.moderated_on), mod.overall_grade,
                                    _text(mod.comment))
            for changed in mod.answers:
                rows["moderated_answers"] += (audit_id, changed.question, changed.grade, _text(changed.comment))
        rows["history"] += (stamp, actor, audit_id, note, None,
                            _text(f"{record.case_ref} ({record.template_id} v{record.template_version})"),
                            file_ref(record))
    return rows


def file_ref(record: AuditRecord) -> str:
    """The `ref` of the history row an import writes: derived from the audit as the file gives it, so
    the same file imported into two databases gives the same row's ref in both (see merge)."""
    return "file:" + hashlib.blake2b(record.model_dump_json().encode(), digest_size=16).hexdigest()


def _urgent_action(record: AuditRecord, action_id: str | None) -> str | None:
    """A concern's link to its urgent action, kept when that action comes with the audit (as its id)."""
    return action_id if action_id and any(a.id == action_id for a in record.actions) else None


def insert_rows(conn: sqlite3.Connection, rows: dict[str, list[Any]]) -> None:
    """Insert the rows of `audit_rows`, ROWS_PER_STATEMENT to a statement, in order. A row that breaks
    a constraint rolls back the whole transaction (INSERT OR ROLLBACK). The statements' values are
    a list, not a generator: no Python code runs between two statements to give the GIL away.
    Fewer rows go to a statement where SQLite allows fewer values (999 before SQLite 3.32)."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    for table, columns in COLUMNS.items():
        values, width = rows[table], len(columns)
        per_statement = max(1, min(ROWS_PER_STATEMENT, limit // width))
        step = per_statement * width
        whole = len(values) // step * step
        if whole:
            conn.executemany(_insert(table, per_statement), [values[i:i + step] for i in range(0, whole, step)])
        if whole < len(values):
            conn.execute(_insert(table, (len(values) - whole) // width), values[whole:])


def _insert(table: str, count: int) -> str:
    row = f"({', '.join('?' * len(COLUMNS[table]))})"
    return f"INSERT OR ROLLBACK INTO {table} ({', '.join(COLUMNS[table])}) VALUES {', '.join([row] * count)}"
