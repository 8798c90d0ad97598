"""Whole audits read from the database a batch at a time, and written as an interchange file.

`audit_records` reads the rows of many audits with one query per table per batch (instead of
six queries an audit), and `write_interchange` streams them to the `audit-tui/1` file one audit
per line, so an export of any size holds one batch in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from audit_tui.domain.models import AuditRecord, clean_text
from audit_tui.storage.errors import StoreError
from audit_tui.storage.followup import ACTION_FIELDS
from audit_tui.storage.practice import COLUMNS as CONVERSATION_COLUMNS
from audit_tui.storage.practice import parts_of

if TYPE_CHECKING:
    from audit_tui.storage.store import Store

FORMAT = "audit-tui/1"
BATCH = 500  # audits read at a time (and at most this many values in one IN list)
_AUDIT_KEYS = ("id", "case_ref", "template_id", "template_version", "round", "service_area", "team", "worker",
               "auditor", "audited_on", "status", "overall_grade", "overall_reason", "lived_experience", "impact",
               "safeguarding", "follows", "followup_impact", "followup_note", "reaudit_due")
_CONCERN_KEYS = ("id", "raised_at", "raised_by", "description", "handled_at", "handled_by", "action_id", "told_who", "told_at",
                 "told_how", "team_manager", "service_manager", "route", "outcome")
_TABLES = {  # table -> (the columns read, audit_id first; the order of an audit's rows)
    "answers": ("audit_id, question, grade, na_reason, evidence, themes, rationale, no_action", "rowid"),
    "actions": (f"audit_id, id, {', '.join(ACTION_FIELDS)}", "created_at, rowid"),
    "concerns": (f"audit_id, {', '.join(_CONCERN_KEYS)}", "raised_at, rowid"),
    "moderations": ("audit_id, moderator, moderated_on, overall_grade, comment", "rowid"),
    "moderated_answers": ("audit_id, question, grade, comment", "rowid"),
    "conversations": (f"audit_id, {', '.join(CONVERSATION_COLUMNS)}", "rowid"),
    "audit_privacy": ("audit_id, redact_names", "rowid"),
}


def audit_records(store: Store, ids: Sequence[str], *, batch: int = BATCH) -> Iterator[AuditRecord]:
    """The whole audit of each id, in the order given (StoreError for an id with no audit); the
    rows of one batch of `batch` audits are read, and held, at a time."""
    conn = store.db.conn
    for start in range(0, len(ids), batch):
        chunk = list(ids[start:start + batch])
        marks = ", ".join("?" * len(chunk))
        audits = {row[0]: row for row in _cleaned_rows(
            conn, f"SELECT {', '.join(_AUDIT_KEYS)} FROM audits WHERE id IN ({marks})", chunk)}
        rows: dict[str, dict[str, list[tuple]]] = {}
        for table, (columns, order) in _TABLES.items():
            grouped: dict[str, list[tuple]] = defaultdict(list)  # (sorted by audit_id first: the index's order)
            for row in _cleaned_rows(
                    conn, f"SELECT {columns} FROM {table} WHERE audit_id IN ({marks}) ORDER BY audit_id, {order}", chunk):
                grouped[row[0]].append(row)
            rows[table] = grouped
        themes = _ThemeLists()
        for audit_id in chunk:
            if audit_id not in audits:
                raise StoreError(f"no audit with id {audit_id}")
            yield _record(audits[audit_id], {table: rows[table].get(audit_id, []) for table in _TABLES}, themes)


def _cleaned_rows(conn: sqlite3.Connection, sql: str, params: list[str]) -> list[tuple]:
    """The rows of a query, their text cleaned as `Store.rows` cleans it (`clean_text`), a column
    at a time: a column whose text, joined, has nothing to remove (the usual case) is kept as read."""
    rows = conn.execute(sql, params).fetchall()
    columns = list(zip(*rows))
    dirty = False
    for n, values in enumerate(columns):
        try:
            joined = "".join(filter(None, values))  # (clean_text removes single characters)
        except TypeError:  # numbers: not only text and NULLs
            joined = None
        if joined is None or clean_text(joined) != joined:
            columns[n] = tuple(clean_text(v) if isinstance(v, str) else v for v in values)
            dirty = True
    return list(zip(*columns)) if dirty else rows


class _ThemeLists(dict):
    """An answer's stored theme tags (JSON text) → the list, each text parsed once: answers share a few.
    (Validation copies each list into its answer.)"""

    def __missing__(self, tags: str | None) -> list[str]:
        self[tags] = json.loads(tags or "[]")
        return self[tags]


def _record(row: tuple, rows: dict[str, list[tuple]], themes: _ThemeLists) -> AuditRecord:
    """An AuditRecord from its audits row and its rows of the other tables, validated as one."""
    data: dict[str, Any] = dict(zip(_AUDIT_KEYS, row))
    for key in ("overall_reason", "lived_experience", "impact"):
        data[key] = data[key] or ""
    impact, note = data.pop("followup_impact"), data.pop("followup_note")
    data["followup"] = {"impact": impact, "note": note or ""} if impact else None
    data["answers"] = [
        {"question": question, "grade": grade, "na_reason": na_reason, "evidence": evidence or "",
         "themes": themes[tags], "rationale": rationale or "", "no_action": no_action or ""}
        for _, question, grade, na_reason, evidence, tags, rationale, no_action in rows["answers"]]
    data["actions"] = [{k: json.loads(v) if k == "questions" else v for k, v in zip(("id", *ACTION_FIELDS), r[1:])
                        if v is not None} for r in rows["actions"]]
    data["concerns"] = [{k: v for k, v in zip(_CONCERN_KEYS, r[1:]) if v is not None or k in ("handled_at", "handled_by")}
                        for r in rows["concerns"]]
    data["moderation"] = None
    if rows["moderations"]:
        _, moderator, moderated_on, overall_grade, comment = rows["moderations"][0]
        data["moderation"] = {
            "moderator": moderator, "moderated_on": moderated_on, "overall_grade": overall_grade,
            "comment": comment or "",
            "answers": [dict(zip(("question", "grade", "comment"), r[1:])) for r in rows["moderated_answers"]]}
    data["conversation"], data["family_feedback"] = parts_of(
        rows["conversations"][0][1:] if rows["conversations"] else None)
    data["redact_names"] = json.loads(rows["audit_privacy"][0][1]) if rows["audit_privacy"] else []
    return AuditRecord.model_validate(data)


def write_interchange(store: Store, handle: IO[bytes], ids: Sequence[str], *, redact: bool = False,
                      conclusions: dict[str, Any] | None = None) -> int:
    """Write the audits of `ids` (in that order) and the templates they use as an `audit-tui/1`
    file: the header indented, then one audit per line. Returns the number of audits. With `redact`
    (a file for circulation), each audit's names to redact are replaced by initials, and the list left out.
    `conclusions`: the lead's conclusions and targets (exchange.conclusions), written before the audits."""
    from audit_tui.domain.templates import template_to_dict  # (loads PyYAML: not needed to open an audit)
    from audit_tui.storage.governance import redact_record

    keys = set()
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        keys.update(store.db.execute(
            f"SELECT DISTINCT template_id, template_version FROM audits WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk).fetchall())
    templates = [template_to_dict(store.template(*key)) for key in sorted(keys)]
    head = json.dumps({"format": FORMAT, "templates": templates, **(conclusions or {})}, indent=2, ensure_ascii=False)
    handle.write(head[:-len("\n}")].encode("utf-8") + b',\n  "audits": [')
    lines = []
    for n, record in enumerate(audit_records(store, ids), 1):
        record = redact_record(record) if redact else record
        lines.append(json.dumps(record.model_dump(mode="json"), ensure_ascii=False))
        if len(lines) == BATCH or n == len(ids):
            handle.write(("\n    " if n <= BATCH else ",\n    ").encode() + ",\n    ".join(lines).encode("utf-8"))
            lines = []
    handle.write(b"\n  ]\n}\n" if ids else b"]\n}\n")
    return len(ids)
