"""Bring together audits made on separate laptops: `audit-tui merge OTHER.db` (or an interchange .json).

Audits are matched by id, and the whole merge runs in one transaction on a working copy of
this database, published at once when it has succeeded (`staging`: other sessions' saves are
not held up by a long merge):

- an audit only the other side has is added, with its history;
- an audit the same on both sides is left alone;
- an audit changed only on the other side since the copies parted is updated. "Only on
  the other side" is read from the history log: this side's history of the audit is a
  prefix of the other's (the last row may have been extended while its author kept typing
  in the same session: the same `ref`; an edit made on each copy is two refs, a conflict
  even when one person made both);
- an audit changed only on this side (the other's history is a prefix of ours) is kept;
- an audit changed on both sides is a CONFLICT: listed with its case ref, id and the
  fields that differ, and never overwritten. The other audits still merge; resolve a
  conflict by hand (e.g. reopen and edit one copy, or export it and compare).

History rows travel with the audits they describe, de-duplicated by what they record (their
ref and change; for rows older than refs, all of the row), so merging the same file twice
changes nothing, and the "imported" rows two imports of one interchange file wrote (the same
ref, derived from the file) count as one. Templates the new
audits use come along; rounds and allocations are added when missing. The other
database is opened read-only, after the checks opening it with `--db` makes (whole,
audit-tui's, not newer, `quick_check`): a refusal is the same one line, and nothing is
written. `PRAGMA integrity_check` (with foreign keys) runs before the merge is committed.

A .json interchange file carries no history: its new audits are added, identical ones
skipped, and any that differ from this database's copy are listed as conflicts.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from audit_tui.domain.models import AuditRecord, Template
from audit_tui.exchange.import_checks import in_one_order
from audit_tui.exchange.interchange import read_into
from audit_tui.storage import dbfile
from audit_tui.storage.copying import clean, columns
from audit_tui.storage.db import DatabaseError
from audit_tui.storage.migrations import FACT_TABLES
from audit_tui.storage.sqlite import sqlite_utils
from audit_tui.storage.staging import Stage
from audit_tui.storage.store import Store, StoreError, now_iso
from audit_tui.storage.trail import event, is_prefix, settled
from audit_tui.summary.facts import prepare_copy

# Not copied as an audit's parts: the history is merged row by row, allocations by round, and the
# summary's facts are a cache each database builds for itself.
SKIP_TABLES = {"history", "allocations", "audits", *FACT_TABLES}
# What a merge reads from the other database, whatever its age (a look-alike file without them is refused)
_NEEDED = {"audits": ("id", "case_ref", "template_id", "template_version", "audited_on", "status"),
           "history": ("at", "who", "audit_id", "field", "old", "new"), "templates": ("id", "version", "body")}


class MergeError(StoreError):
    """A merge that cannot run; nothing was changed. The message is for the user."""


@dataclass
class Conflict:
    audit_id: str
    case_ref: str
    fields: list[str]
    reason: str = "changed on both sides"

    def describe(self) -> str:
        return f"{self.case_ref} (id {self.audit_id}): {self.reason} — {', '.join(self.fields) or 'content'}"


@dataclass
class MergeResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_local: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    history_added: int = 0
    templates_added: int = 0
    rounds_added: int = 0
    allocations_added: int = 0
    conclusions: int = 0  # the lead's commentaries, recommendations and targets added or updated
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.history_added or self.templates_added
                    or self.rounds_added or self.allocations_added or self.conclusions)

    def lines(self) -> list[str]:
        out = [f"{'Would add' if self.dry_run else 'Added'} {len(self.added)} audit(s), "
               f"{'would update' if self.dry_run else 'updated'} {len(self.updated)}; {self.unchanged} the same on "
               f"both sides; {self.kept_local} newer here (kept); {len(self.conflicts)} conflict(s)",
               f"History rows {'to add' if self.dry_run else 'added'}: {self.history_added}; templates: "
               f"{self.templates_added}; rounds: {self.rounds_added}; allocated cases: {self.allocations_added}"
               + (f"; lead's conclusions and targets: {self.conclusions}" if self.conclusions else "")]
        out += [f"CONFLICT {c.describe()}" for c in self.conflicts]
        return out


def _open_other(path: Path) -> Store:
    """The other database, opened read-only (the checks `--db` makes), read with the store's own code."""
    try:
        other = Store(path, actor="merge", read_only=True)
    except DatabaseError as exc:
        raise MergeError(str(exc)) from None
    try:
        missing = [f"{table}.{column}" for table, needed in _NEEDED.items()
                   for column in sorted(set(needed) - set(columns(other.db, table)))]
    except sqlite3.Error as exc:
        other.close()
        raise MergeError(str(dbfile.open_error(path, exc))) from None
    if missing:
        other.close()
        raise MergeError(f"{path} is not an audit-tui database (it has no {missing[0]}); {dbfile.UNTOUCHED}")
    return other


def _history(db: sqlite_utils.Database, audit_id: str) -> list[tuple]:
    """(at, who, audit_id, field, old, new, ref) of an audit's history rows (a database older than
    `history.ref` has none)."""
    ref = "ref" if "ref" in columns(db, "history") else "NULL"
    return [tuple(r) for r in db.execute(
        f"SELECT at, who, audit_id, field, old, new, {ref} FROM history WHERE audit_id = ? ORDER BY id", [audit_id])]


def _comparable(record: AuditRecord) -> dict[str, Any]:
    return in_one_order(record.model_dump(mode="json"))


def _differences(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Which fields differ, naming answers by question."""
    found = []
    for key in mine:
        if key == "answers":
            a = {x["question"]: x for x in mine[key]}
            b = {x["question"]: x for x in theirs[key]}
            found += [f"answer {q}" for q in sorted(set(a) | set(b)) if a.get(q) != b.get(q)]
        elif mine[key] != theirs.get(key):
            found.append(key)
    return found


def _child_tables(store: Store, other: Store) -> list[str]:
    """Tables holding an audit's parts (audit_id column) that both databases have, parents' children first."""
    theirs = set(other.db.table_names())
    return [t for t in store.db.table_names() if t in theirs and t not in SKIP_TABLES
            and "audit_id" in columns(store.db, t)]


def _add_history(store: Store, rows: list[tuple]) -> int:
    """The other side's history rows of an audit that this side lacks (by what they record); the count."""
    have = {event(r) for r in _history(store.db, rows[0][2])} if rows else set()
    new = [r for r in rows if event(r) not in have]
    store.add_history_rows(new)
    return len(new)


def _templates(store: Store, other: Store, result: MergeResult, source: str) -> dict[tuple[str, int], str]:
    """Add the other side's templates this side lacks; returns those not taken, each with why (in words)."""
    clashing = {}
    for row in other.db.query("SELECT id, version, body FROM templates"):
        key = (row["id"], row["version"])
        mine = store.db.execute("SELECT body FROM templates WHERE id = ? AND version = ?", list(key)).fetchone()
        if mine is None:
            try:
                template = Template.model_validate_json(row["body"])
            except ValueError:
                clashing[key] = "cannot be read from the other database"
                continue
            store.save_template(template, source=source)
            result.templates_added += 1
        elif json.loads(mine[0]) != json.loads(row["body"]):
            clashing[key] = "differs here"
    return clashing


def _rounds(store: Store, other: Store, result: MergeResult) -> None:
    tables = set(other.db.table_names())
    if "rounds" not in tables or "rounds" not in store.db.table_names():
        return
    for row in other.db.query("SELECT * FROM rounds"):
        if store.db.execute("SELECT 1 FROM rounds WHERE name = ?", [row["name"]]).fetchone() is None:
            store.copy_rows_from(other, "rounds", "name = ?", [row["name"]])
            result.rounds_added += 1
    theirs = set(columns(other.db, "allocations"))
    shared = [c for c in columns(store.db, "allocations") if c != "id" and c in theirs]
    for row in other.db.query("SELECT * FROM allocations ORDER BY id"):
        local_round = store.db.execute("SELECT name FROM rounds WHERE name = ?", [row["round"]]).fetchone()
        if local_round is None:
            continue
        row["round"] = local_round[0]  # this side's spelling of the round's name
        mine = store.db.execute("SELECT id, audit_id FROM allocations WHERE round = ? AND case_ref = ? COLLATE NOCASE",
                                [row["round"], row["case_ref"]]).fetchone()
        exists = row.get("audit_id") and store.db.execute(
            "SELECT 1 FROM audits WHERE id = ?", [row["audit_id"]]).fetchone()
        if mine is None:
            values = {c: row[c] for c in shared}
            values["audit_id"] = values.get("audit_id") if exists else None
            store.add_allocation_row(values)
            result.allocations_added += 1
        elif mine[1] is None and exists:
            store.set_allocation_audit(mine[0], row["audit_id"])


def _integrity(store: Store) -> None:
    problems = [r[0] for r in store.db.execute("PRAGMA integrity_check")]
    problems = [] if problems == ["ok"] else problems
    problems += [f"{r[0]} row {r[1]} refers to a missing {r[2]} row" for r in store.db.execute(
        "PRAGMA foreign_key_check")]
    if problems:
        raise MergeError(f"nothing was merged: with the other copy in, the database failed SQLite's integrity check "
                         f"({problems[0]}), and the damage may be in this database already; keep a copy of its "
                         f"file and ask your IT support")


def merge_database(store: Store, other_path: str | Path, *, dry_run: bool = False) -> MergeResult:
    """Merge another audit-tui database into this one (see the module's docstring)."""
    other_path = Path(other_path)
    if not other_path.is_file():
        raise MergeError(f"no database at {other_path}")
    if other_path.resolve() == store.path.resolve():
        raise MergeError("that is this database: merge another copy")
    other = _open_other(other_path)
    result = MergeResult(dry_run=dry_run)
    try:
        with Stage(store, "merged") as stage:  # the merge runs on a copy, published at once (staging)
            _merge_database(stage.store, other, other_path, result)
            if not dry_run:
                stage.publish(prepare_copy)
    finally:
        other.close()
    return result


def _merge_database(store: Store, other: Store, other_path: Path, result: MergeResult) -> None:
    with store.transaction():
        clashing = _templates(store, other, result, f"merged from {other_path.name}")
        children = _child_tables(store, other)
        audit_columns = [c for c in columns(store.db, "audits") if c in set(columns(other.db, "audits"))]
        for (audit_id,) in other.db.execute("SELECT id FROM audits ORDER BY id").fetchall():
            _merge_one(store, other, audit_id, result, clashing, children, audit_columns)
        _rounds(store, other, result)
        from audit_tui.features.conclusions_merge import merge_conclusions

        result.conclusions = merge_conclusions(store, other, result.conflicts)
        if result.changed:
            store.note("merge", f"from {other_path.name}: {len(result.added)} added, "
                                            f"{len(result.updated)} updated, {len(result.conflicts)} conflict(s)")
        _integrity(store)


_FIELD_WORDS = {"audited_on": "audit date", "case_ref": "case ref", "template_id": "template",
               "template_version": "template version", "overall_grade": "overall grade"}
"""What a person calls an audit's stored fields, where it is not the field's own name."""


def _unreadable(exc: Exception) -> str:
    """Why an audit of the other copy cannot be read, in words: the fields another program wrote that are not
    valid (never the reader's own error text)."""
    if not isinstance(exc, ValidationError):
        return "cannot be read from the other database (that part of the file may be damaged)"
    fields = sorted({_FIELD_WORDS.get(str(error["loc"][0]), str(error["loc"][0]).replace("_", " "))
                     for error in exc.errors() if error["loc"]})
    return f"cannot be read from the other database: its {', '.join(fields) or 'content'} is not valid there"


def _merge_one(store: Store, other: Store, audit_id: str, result: MergeResult, clashing: dict[tuple[str, int], str],
               children: list[str], audit_columns: list[str]) -> None:
    try:
        theirs = other.get_audit(audit_id)
    except Exception as exc:  # noqa: BLE001 - one unreadable audit is reported, the rest still merge
        case_ref = other.db.execute("SELECT case_ref FROM audits WHERE id = ?", [audit_id]).fetchone()[0]
        result.conflicts.append(Conflict(audit_id, clean(case_ref or "?"), [], _unreadable(exc)))
        return
    mine_row = store.db.execute("SELECT 1 FROM audits WHERE id = ?", [audit_id]).fetchone()
    their_history = _history(other.db, audit_id)
    template = (theirs.template_id, theirs.template_version)
    if template in clashing:
        if mine_row is None or _comparable(store.get_audit(audit_id)) != _comparable(theirs):
            result.conflicts.append(Conflict(audit_id, theirs.case_ref, ["template"], "its template "
                                             f"{template[0]} v{template[1]} {clashing[template]}"))
        else:
            result.unchanged += 1
        return
    if mine_row is None:
        store.copy_rows_from(other, "audits", "id = ?", [audit_id])
        for table in children:
            store.copy_rows_from(other, table, "audit_id = ?", [audit_id])
        if their_history:
            result.history_added += _add_history(store, their_history)
        result.added.append(theirs.case_ref)
        return
    mine = _comparable(store.get_audit(audit_id))
    their_data = _comparable(theirs)
    my_history = _history(store.db, audit_id)
    same_history = [event(r) for r in settled(my_history)] == [event(r) for r in settled(their_history)]
    if mine == their_data:
        result.unchanged += 1
        if not same_history and is_prefix(my_history, their_history):
            result.history_added += _add_history(store, their_history)
        return
    if not same_history and is_prefix(my_history, their_history):
        store.replace_audit_from(other, audit_id, children, audit_columns)
        result.history_added += _add_history(store, their_history)
        result.updated.append(theirs.case_ref)
    elif not same_history and is_prefix(their_history, my_history):
        result.kept_local += 1
    else:
        result.conflicts.append(Conflict(audit_id, theirs.case_ref, _differences(mine, their_data)))


def merge_json(store: Store, path: str | Path, *, dry_run: bool = False) -> MergeResult:
    """Merge an audit-tui/1 .json file, read as an import reads it: new audits added (all checked
    first), differing ones listed as conflicts."""
    path = Path(path)
    result = MergeResult(dry_run=dry_run)

    def differs(_: int, theirs: AuditRecord, mine: AuditRecord) -> bool:
        for key in ("actions", "concerns"):  # the file may leave ids out
            for item_theirs, item_mine in zip(getattr(theirs, key), getattr(mine, key)):
                if item_theirs.id is None:
                    item_mine.id = None
        differences = _differences(_comparable(mine), _comparable(theirs))
        if differences:
            result.conflicts.append(Conflict(theirs.id, theirs.case_ref, differences,
                                             "differs from this database's copy (a .json file has no history)"))
        return bool(differences)

    with Stage(store, "merged") as stage:
        imported = read_into(stage.store, path, note="merged", on_differs=differs,
                             on_conclusion_differs=result.conflicts.append)
        result.conclusions = imported.conclusions_added
        result.unchanged += imported.unchanged
        result.templates_added = imported.templates_added
        result.added = imported.case_refs
        result.history_added = len(imported.case_refs)
        if imported.case_refs or imported.conclusions_added:
            with stage.store.transaction():
                stage.store.note("merge", f"from {path.name}: {len(imported.case_refs)} added, "
                                                      f"{len(result.conflicts)} conflict(s)")
        _integrity(stage.store)
        if not dry_run:
            stage.publish(prepare_copy)
    return result


def merge(store: Store, path: str | Path, *, dry_run: bool = False) -> MergeResult:
    """Merge a database (.db or any SQLite file) or an interchange .json file."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return merge_json(store, path, dry_run=dry_run)
    return merge_database(store, path, dry_run=dry_run)


__all__ = ["merge", "merge_database", "merge_json", "MergeResult", "Conflict", "MergeError", "now_iso"]
