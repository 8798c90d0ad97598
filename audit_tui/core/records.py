"""Whole audits read from the database a batch at a time, and written as an interchange file.

`audit_records` reads the rows of many audits with one query per table per batch (instead of
six queries an audit), and `write_interchange` streams them to the `audit-tui/1` file one audit
per line, so an export of any size holds one batch in memory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import IO, Any

from .errors import StoreError
from .followup import ACTION_FIELDS
from .models import Action, Answer, AuditRecord, Concern, ModeratedAnswer, Moderation

FORMAT = "audit-tui/1"
BATCH = 500  # audits read at a time (and at most this many values in one IN list)
_AUDIT_KEYS = ("id", "case_ref", "template_id", "template_version", "round", "service_area", "team", "worker",
               "auditor", "audited_on", "status", "overall_grade")
_TABLES = {  # table -> the order of an audit's rows in it
    "answers": "rowid", "actions": "created_at, rowid", "concerns": "raised_at, rowid",
    "moderations": "rowid", "moderated_answers": "rowid",
}


def audit_records(store, ids: Sequence[str], *, batch: int = BATCH) -> Iterator[AuditRecord]:
    """The whole audit of each id, in the order given (StoreError for an id with no audit)."""
    for start in range(0, len(ids), batch):
        chunk = list(ids[start:start + batch])
        marks = ", ".join("?" * len(chunk))
        audits = {row["id"]: row  # noqa: SLF001 - the store's reading, text cleaned
                  for row in store._query(f"SELECT * FROM audits WHERE id IN ({marks})", chunk)}
        rows: dict[str, dict[str, list[dict]]] = {}
        for table, order in _TABLES.items():
            grouped: dict[str, list[dict]] = defaultdict(list)
            for row in store._query(  # noqa: SLF001 - the store's reading, text cleaned
                    f"SELECT * FROM {table} WHERE audit_id IN ({marks}) ORDER BY {order}", chunk):
                grouped[row["audit_id"]].append(row)
            rows[table] = grouped
        for audit_id in chunk:
            if audit_id not in audits:
                raise StoreError(f"no audit with id {audit_id}")
            yield _record(audits[audit_id], {table: rows[table].get(audit_id, []) for table in _TABLES})


def _record(row: dict[str, Any], rows: dict[str, list[dict]]) -> AuditRecord:
    """An AuditRecord from its audits row and its rows of the other tables."""
    answers = [Answer(question=r["question"], grade=r["grade"], na_reason=r["na_reason"], evidence=r["evidence"] or "",
                      themes=json.loads(r["themes"] or "[]"), rationale=r.get("rationale") or "")
               for r in rows["answers"]]
    actions = [Action(**{k: r[k] for k in ("id", *ACTION_FIELDS) if r[k] is not None}) for r in rows["actions"]]
    concerns = [Concern(**{k: v for k, v in r.items() if k not in ("audit_id", "action_id")})
                for r in rows["concerns"]]
    moderation = None
    if rows["moderations"]:
        mod = rows["moderations"][0]
        changed = [ModeratedAnswer(question=r["question"], grade=r["grade"], comment=r["comment"])
                   for r in rows["moderated_answers"]]
        moderation = Moderation(moderator=mod["moderator"], moderated_on=mod["moderated_on"],
                                overall_grade=mod["overall_grade"], comment=mod["comment"] or "", answers=changed)
    return AuditRecord(**{k: row[k] for k in _AUDIT_KEYS}, overall_reason=row["overall_reason"] or "",
                       lived_experience=row["lived_experience"] or "", impact=row["impact"] or "",
                       answers=answers, actions=actions, concerns=concerns, moderation=moderation)


def write_interchange(store, handle: IO[bytes], ids: Sequence[str]) -> int:
    """Write the audits of `ids` (in that order) and the templates they use as an `audit-tui/1`
    file: the header indented, then one audit per line. Returns the number of audits."""
    from .templates import template_to_dict  # (loads PyYAML: not needed to open an audit)

    keys = set()
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        keys.update(store.db.execute(
            f"SELECT DISTINCT template_id, template_version FROM audits WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk).fetchall())
    templates = [template_to_dict(store.template(*key)) for key in sorted(keys)]
    head = json.dumps({"format": FORMAT, "templates": templates}, indent=2, ensure_ascii=False)
    handle.write(head[:-len("\n}")].encode("utf-8") + b',\n  "audits": [')
    lines = []
    for n, record in enumerate(audit_records(store, ids), 1):
        lines.append(json.dumps(record.model_dump(mode="json"), ensure_ascii=False))
        if len(lines) == BATCH or n == len(ids):
            handle.write(("\n    " if n <= BATCH else ",\n    ").encode() + ",\n    ".join(lines).encode("utf-8"))
            lines = []
    handle.write(b"\n  ]\n}\n" if ids else b"]\n}\n")
    return len(ids)
