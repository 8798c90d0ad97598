"""The store: the one way in for every change of data.

Every change runs in an immediate transaction, commits at once and is logged in
the append-only `history` table (who, when, audit, field, old → new).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils.utils import dedupe_keys  # noqa: E402,I001 - sqlite-utils is loaded by .db (without numpy)

from audit_tui.domain.models import NA, Answer, AuditRecord, Template, clean_text
from audit_tui.domain.themes import answer_themes
from audit_tui.domain.values import new_id, now_iso
from audit_tui.domain.values import stored_text as _text
from audit_tui.storage import bulk
from audit_tui.storage.casework import Casework
from audit_tui.storage.conclusions import Conclusions
from audit_tui.storage.copying import Copying
from audit_tui.storage.db import DatabaseError, connect, open_read_only
from audit_tui.storage.errors import (
    AuditLocked,
    DatabaseBusy,
    EditConflict,
    GatesNotMet,
    StorageError,
    StoreError,
    validated,
)
from audit_tui.storage.errors import store_error as _store_error
from audit_tui.storage.followup import FollowUp, next_working_day
from audit_tui.storage.governance import Governance
from audit_tui.storage.part import delegate
from audit_tui.storage.practice import Practice
from audit_tui.storage.reaudit import Reaudit
from audit_tui.storage.records import audit_records
from audit_tui.storage.trail import Trail

AUDIT_FIELDS = ("case_ref", "round", "service_area", "team", "worker", "auditor", "audited_on",
                "lived_experience", "impact", "overall_grade", "overall_reason")


class Store:
    """Audits, answers, actions and templates in one SQLite file. The store owns its history trail
    (`trail`) and its parts (storage.part: `followups`, `practice`, `governance`, `conclusions`,
    `reaudits`, `casework`, `copying`); its methods below the audits hand each call to its part."""

    def __init__(self, path: str | Path, *, actor: str = "", create: bool = True,
                 busy_timeout: float | None = None, read_only: bool = False):
        """Open (or create) the database at `path`; `read_only` opens another copy to read (merge), never
        creating, migrating or writing it."""
        self.path = Path(path)
        self.db = (open_read_only(self.path) if read_only else
                   connect(self.path, create=create, busy_timeout=busy_timeout, defer_check=True))
        self.trail = Trail(self.db, " ".join(clean_text(actor or "").split()) or "unknown")
        self._templates: dict[tuple[str, int], Template] = {}
        self.followups = FollowUp(self)
        self.practice = Practice(self)
        self.governance = Governance(self)
        self.conclusions = Conclusions(self)
        self.reaudits = Reaudit(self)
        self.casework = Casework(self)
        self.copying = Copying(self)

    @property
    def actor(self) -> str:
        """Who this session's changes are logged as."""
        return self.trail.actor

    @actor.setter
    def actor(self, name: str) -> None:
        self.trail.actor = name

    def start_background_check(self) -> None:
        """Start a large database's deferred quick_check now, in a thread (the app does, once on screen)."""
        if self.db.deferred_check is not None:
            self.db.deferred_check.start()

    def _checked_before_writing(self) -> None:
        """A large file's quick_check, deferred at open, must pass before the first write."""
        check = self.db.deferred_check
        if check is not None:
            try:
                check.wait()
            except DatabaseError as exc:
                raise StorageError(f"{exc}; your change was not saved") from None
            self.db.deferred_check = None

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        """`with Store(...) as store:` closes it after the block, whatever happened in it."""
        self.close()

    # -- transactions and the trail -------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An immediate write transaction: waits (busy timeout) for other writers, then holds the lock.

        Every SQLite failure (lock wait ran out, disk full, I/O error, read-only, damaged file)
        leaves as a StoreError with a sentence for the user, after rolling back: nothing is
        half-written, and the caller keeps the change on screen.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        self._checked_before_writing()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(exc) from None
        try:
            yield
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _store_error(exc) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        conn = self.db.conn
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite has already rolled back (e.g. after an I/O error)

    def rows(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        """The rows of a read, as dicts, their text cleaned of control and bidi characters: the store cleans what it
        writes, and this keeps text written by anything else (an old version, a hand-edited file) off screen."""
        # A plain read: sqlite-utils' query() wraps every read in SAVEPOINT … RELEASE (two more statements)
        cursor = self.db.conn.execute(sql, params or [])
        keys = dedupe_keys(d[0] for d in cursor.description)
        for row in cursor:
            yield {k: clean_text(v) if isinstance(v, str) else v for k, v in zip(keys, row)}

    def history(self, audit_id: str) -> list[dict[str, Any]]:
        return list(self.rows(
            "SELECT at, who, field, old, new FROM history WHERE audit_id = ? ORDER BY id", [audit_id]))

    # -- templates ----------------------------------------------------------------

    def save_template(self, template: Template, source: str = "") -> None:
        """Store a template version (audits keep the version they were made with)."""
        from audit_tui.domain.templates import template_to_dict  # (templates loads PyYAML: not needed to start)

        body = json.dumps(template_to_dict(template))
        with self.transaction():
            row = self.db.execute("SELECT body FROM templates WHERE id = ? AND version = ?",
                                  [template.id, template.version]).fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO templates (id, version, title, body, source, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [template.id, template.version, template.title, body, source, now_iso()])
            elif json.loads(row[0]) != json.loads(body):
                raise StoreError(f"template {template.id} version {template.version} is already stored with "
                                 "different content; give the changed template a new version number")
        self._templates[(template.id, template.version)] = template

    def template(self, template_id: str, version: int) -> Template:
        key = (template_id, int(version))
        if key not in self._templates:
            row = self.db.execute("SELECT body FROM templates WHERE id = ? AND version = ?", list(key)).fetchone()
            if row is None:
                raise StoreError(f"template {template_id} version {version} is not in this database")
            self._templates[key] = Template.model_validate_json(row[0])
        return self._templates[key]

    def template_of(self, audit: AuditRecord) -> Template:
        """The template version an audit was made with."""
        return self.template(audit.template_id, audit.template_version)

    def stored_templates(self) -> list[Template]:
        return [self.template(r["id"], r["version"]) for r in self.db.query("SELECT id, version FROM templates")]

    # -- audits -------------------------------------------------------------------

    def create_audit(self, template: Template, *, case_ref: str, audited_on: date | None = None,
                     **fields: Any) -> str:
        """Start a draft audit; returns its id."""
        self.save_template(template)
        audit_id = new_id()
        record = validated(AuditRecord, id=audit_id, case_ref=case_ref.strip(), template_id=template.id,
                             template_version=template.version, audited_on=audited_on or date.today(),
                             **{k: clean_text(v.strip()) for k, v in fields.items()})
        stamp = now_iso()
        with self.transaction():
            self.db.execute(
                """INSERT INTO audits (id, case_ref, template_id, template_version, round, service_area, team,
                   worker, auditor, audited_on, status, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)""",
                [audit_id, record.case_ref, template.id, template.version, record.round, record.service_area,
                 record.team, record.worker, record.auditor, record.audited_on.isoformat(), stamp, stamp])
            self.trail.log(audit_id, "created", None, f"{record.case_ref} ({template.id} v{template.version})")
        return audit_id

    def audit_row(self, audit_id: str) -> dict[str, Any]:
        """An audit's stored row; StoreError when there is none."""
        rows = list(self.rows("SELECT * FROM audits WHERE id = ?", [audit_id]))
        if not rows:
            raise StoreError(f"no audit with id {audit_id}")
        return rows[0]

    def editable(self, audit_id: str) -> dict[str, Any]:
        """A draft audit's stored row; AuditLocked when it is completed or moderated (reopen it first)."""
        row = self.audit_row(audit_id)
        if row["status"] != "draft":
            raise AuditLocked(f"this audit is {row['status']}; reopen it to make changes")
        return row

    def get_audit(self, audit_id: str) -> AuditRecord:
        """The whole audit: answers, actions, concerns and moderation."""
        return next(audit_records(self, [audit_id]))

    SEARCHED = ("(case_ref LIKE :s OR team LIKE :s OR auditor LIKE :s OR round LIKE :s OR template_id LIKE :s"
                " OR template_id IN (SELECT id FROM templates WHERE json_extract(body, '$.title') LIKE :s))")
    """What the home screen's filter matches: the template by its id or its title."""

    def list_audits(self, *, search: str = "", status: str = "", order_by: str = "updated_at DESC",
                    limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """Rows for the home screen, newest first; `search` matches ref, team, auditor, round, template (id or title)."""
        allowed = {"case_ref", "template_id", "team", "auditor", "round", "status", "overall_grade", "updated_at"}
        column, _, direction = order_by.partition(" ")
        if column not in allowed:
            column = "updated_at"
        direction = "ASC" if direction.upper() == "ASC" else "DESC"
        where = ["1=1"]
        if search:
            where.append(self.SEARCHED)
        if status:
            where.append("status = :status")
        params = {"s": f"%{search}%", "status": status, "limit": limit, "offset": offset}
        return list(self.rows(
            f"""SELECT a.id, case_ref, template_id, template_version, team, auditor, round, status,
                       overall_grade, updated_at,
                       (SELECT count(*) FROM concerns c WHERE c.audit_id = a.id AND handled_at IS NULL) AS concerns
                FROM audits a WHERE {' AND '.join(where)}
                ORDER BY {column} {direction}, id LIMIT :limit OFFSET :offset""", params))

    def resolve_id(self, table: str, given: str) -> str:
        """A full audit or action id from its first characters (at least 6), as lists show them."""
        noun = {"audits": "audit", "actions": "action", "concerns": "concern"}[table]
        given = given.strip()
        matches = [r[0] for r in self.db.execute(
            f"SELECT id FROM {table} WHERE id = ? OR (length(?) >= 6 AND id LIKE ? || '%')", [given, given, given])]
        if not matches:
            raise StoreError(f"no {noun} with id {given}")
        if len(matches) > 1:
            raise StoreError(f"{given} matches {len(matches)} {table}; give more of the id")
        return matches[0]

    def count_audits(self, *, search: str = "", status: str = "") -> int:
        """How many audits there are (matching `search` and `status` as in `list_audits`, when given)."""
        where = ["1=1"]
        if search:
            where.append(self.SEARCHED)
        if status:
            where.append("status = :status")
        return self.db.execute(f"SELECT count(*) FROM audits WHERE {' AND '.join(where)}",
                               {"s": f"%{search}%", "status": status}).fetchone()[0]

    def update_audit(self, audit_id: str, *, expected: dict[str, Any] | None = None, **changes: Any) -> None:
        """Change audit-level fields (details, narratives, overall grade) of a draft. With `expected` (field →
        the value the editor last saw), a field saved differently since by another session is not
        overwritten: EditConflict, and nothing is written."""
        unknown = set(changes) - set(AUDIT_FIELDS)
        if unknown:
            raise StoreError(f"unknown audit field(s): {', '.join(sorted(unknown))}")
        with self.transaction():
            row = self.editable(audit_id)
            for field, value in changes.items():
                value = _text(value) if value is not None else None
                if field == "case_ref" and not (value or "").strip():
                    raise StoreError("case ref cannot be empty")
                self.trail.unchanged_since_seen(audit_id, field, row[field], expected, field, value)
                if value != row[field]:
                    self.db.execute(f"UPDATE audits SET {field} = ? WHERE id = ?", [value, audit_id])
                    self.trail.log(audit_id, field, row[field], value)
            self.trail.touch(audit_id)

    def set_answer(self, audit_id: str, question: str, *, expected: dict[str, Any] | None = None,
                   **changes: Any) -> Answer:
        """Change any of grade, na_reason, evidence, themes of one answer; saved at once. `expected` as
        for `update_audit`: a field another session saved meanwhile raises EditConflict."""
        allowed = {"grade", "na_reason", "evidence", "themes"}
        if set(changes) - allowed:
            raise StoreError(f"unknown answer field(s): {', '.join(sorted(set(changes) - allowed))}")
        with self.transaction():
            row = self.editable(audit_id)
            template = self.template(row["template_id"], row["template_version"])
            if template.question(question) is None:
                raise StoreError(f"{question} is not a question of template {template.id}")
            grade = changes.get("grade")
            if grade and grade != NA and template.scale_of(question).level(grade) is None:
                raise StoreError(f"'{clean_text(str(grade))[:40]}' is not a grade of {question}'s scale")
            if "themes" in changes and set(changes["themes"] or []) - set(template.theme_map()):
                raise StoreError(f"a theme tag of {question} is not one of template {template.id}'s themes")
            existing = self.db.execute("SELECT grade, na_reason, evidence, themes FROM answers "
                                       "WHERE audit_id = ? AND question = ?", [audit_id, question]).fetchone()
            old = dict(zip(("grade", "na_reason", "evidence", "themes"), existing)) if existing else {
                "grade": None, "na_reason": None, "evidence": "", "themes": "[]"}
            new = dict(old)
            for field, value in changes.items():
                self.trail.unchanged_since_seen(audit_id, f"{question}:{field}", old[field], expected, field, value)
                new[field] = json.dumps(sorted(set(value))) if field == "themes" else _text(value)
            self.db.execute(
                """INSERT INTO answers (audit_id, question, grade, na_reason, evidence, themes, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (audit_id, question) DO UPDATE SET grade = excluded.grade,
                   na_reason = excluded.na_reason, evidence = excluded.evidence, themes = excluded.themes,
                   updated_at = excluded.updated_at""",
                [audit_id, question, new["grade"], new["na_reason"], new["evidence"] or "", new["themes"], now_iso()])
            for field in changes:
                self.trail.log(audit_id, f"{question}:{field}", old[field], new[field])
            answer = Answer(question=question, grade=new["grade"], na_reason=new["na_reason"],
                            evidence=new["evidence"] or "", themes=json.loads(new["themes"]))
            self._index_themes(template, audit_id, answer)
            self.trail.touch(audit_id)
        return answer

    def _index_themes(self, template: Template, audit_id: str, answer: Answer) -> None:
        """Keep `answer_themes` (what aggregation reads) in step with one answer."""
        self.db.execute("DELETE FROM answer_themes WHERE audit_id = ? AND question = ?", [audit_id, answer.question])
        self.db.conn.executemany(
            "INSERT INTO answer_themes (audit_id, question, theme, source) VALUES (?, ?, ?, ?)",
            [(audit_id, answer.question, theme, source)
             for theme, source in answer_themes(template, answer).items()])

    def insert_audit_record(self, record: AuditRecord, *, note: str = "imported") -> None:
        """Insert one whole, already validated audit; see `insert_audit_records`."""
        self.insert_audit_records([record], note=note)

    def insert_audit_records(self, records: list[AuditRecord], *, note: str = "imported") -> None:
        """Insert whole, already validated audits (import, merge, demo), each logged in history as `note`
        (who, when, case ref and template); see `bulk_transaction`."""
        audits = [(record, self.template_of(record)) for record in records]  # (may read the database)
        with self.bulk_transaction():
            bulk.insert_audits(self.db.conn, audits, stamp=now_iso(), actor=self.actor, note=note)

    @contextmanager
    def bulk_transaction(self) -> Iterator[None]:
        """A write transaction for `insert_audit_records`, with foreign keys not checked row by row:
        every row it writes refers to an audit it inserts first. Without that check (and with INSERT
        OR ROLLBACK), SQLite keeps no statement journal for the rows the facts triggers fire on: the
        inserts take a third less time. Inside a transaction, that one is used as it is."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        checked = conn.execute("PRAGMA foreign_keys").fetchone()[0]
        conn.execute("PRAGMA foreign_keys=OFF")  # (a no-op inside a transaction: set before it begins)
        try:
            with self.transaction():
                yield
        finally:
            conn.execute(f"PRAGMA foreign_keys={checked}")

    def recent_audits_of_case(self, case_ref: str, *, days: int = 365, today: date | None = None) -> list[dict]:
        """Audits of the same case ref within `days` (to avoid sampling a file twice)."""
        since = ((today or date.today()) - timedelta(days=days)).isoformat()
        return list(self.rows(
            "SELECT id, audited_on, auditor, status, round FROM audits WHERE lower(case_ref) = lower(?) "
            "AND audited_on >= ? ORDER BY audited_on DESC", [case_ref.strip(), since]))


    # -- the parts' methods (storage.part): each call is handed to the part --------------------

    add_action = delegate("followups", FollowUp.add_action)
    update_action = delegate("followups", FollowUp.update_action)
    delete_action = delegate("followups", FollowUp.delete_action)
    action = delegate("followups", FollowUp.action)
    set_no_action = delegate("followups", FollowUp.set_no_action)
    complete = delegate("followups", FollowUp.complete)
    reopen = delegate("followups", FollowUp.reopen)
    set_safeguarding = delegate("followups", FollowUp.set_safeguarding)
    raise_concern = delegate("followups", FollowUp.raise_concern)
    handle_concern = delegate("followups", FollowUp.handle_concern)
    open_concern_details = delegate("followups", FollowUp.open_concern_details)
    open_concerns = delegate("followups", FollowUp.open_concerns)

    set_conversation = delegate("practice", Practice.set_conversation)

    set_redact_names = delegate("governance", Governance.set_redact_names)
    audits_before = delegate("governance", Governance.audits_before)
    delete_audits_before = delegate("governance", Governance.delete_audits_before)
    deletion_log = delegate("governance", Governance.deletion_log)

    known_round = delegate("conclusions", Conclusions.known_round)
    round_commentary = delegate("conclusions", Conclusions.round_commentary)
    set_round_commentary = delegate("conclusions", Conclusions.set_round_commentary)
    recommendations = delegate("conclusions", Conclusions.recommendations)
    recommendation = delegate("conclusions", Conclusions.recommendation)
    add_recommendation = delegate("conclusions", Conclusions.add_recommendation)
    update_recommendation = delegate("conclusions", Conclusions.update_recommendation)
    remove_recommendation = delegate("conclusions", Conclusions.remove_recommendation)
    targets = delegate("conclusions", Conclusions.targets)
    measures = delegate("conclusions", Conclusions.measures)
    set_target = delegate("conclusions", Conclusions.set_target)
    conclusions_history = delegate("conclusions", Conclusions.conclusions_history)
    stored_recommendation = delegate("conclusions", Conclusions.stored_recommendation)
    copy_commentary = delegate("conclusions", Conclusions.copy_commentary)
    copy_recommendation = delegate("conclusions", Conclusions.copy_recommendation)
    copy_target = delegate("conclusions", Conclusions.copy_target)

    case_audits = delegate("reaudits", Reaudit.case_audits)
    schedule_reaudit = delegate("reaudits", Reaudit.schedule_reaudit)
    set_followup = delegate("reaudits", Reaudit.set_followup)

    add_round = delegate("casework", Casework.add_round)
    save_allocations = delegate("casework", Casework.save_allocations)
    link_allocation = delegate("casework", Casework.link_allocation)
    record_moderation = delegate("casework", Casework.record_moderation)
    mark_training = delegate("casework", Casework.mark_training)

    copy_rows_from = delegate("copying", Copying.copy_rows_from)
    add_history_rows = delegate("copying", Copying.add_history_rows)
    replace_audit_from = delegate("copying", Copying.replace_audit_from)
    add_allocation_row = delegate("copying", Copying.add_allocation_row)
    set_allocation_audit = delegate("copying", Copying.set_allocation_audit)
    note = delegate("copying", Copying.note)


__all__ = ["Store", "StoreError", "EditConflict", "DatabaseBusy", "StorageError", "AuditLocked", "GatesNotMet", "DatabaseError",
           "next_working_day"]
