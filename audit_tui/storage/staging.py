"""Long writes (import, merge) done on a private copy of the database, then published at once.

Checking and writing thousands of audits takes seconds to minutes. Done in the database itself,
that would hold the write lock all the while, and every other session's save would wait, then
fail after the busy timeout (30 s). Instead:

1. `Stage` copies the database to a private temporary file beside it, with SQLite's online
   backup (a consistent snapshot, taken while others keep working; no write lock);
2. the import or merge runs on the copy with the store's own code; triggers on the copy note
   every audit and allocation it writes;
3. `publish` copies what changed (each noted audit whole, the new history rows, templates,
   rounds and allocations) into the database in one write transaction of plain SQL copies:
   the only time the write lock is held. The summary's stored facts of those audits
   (`summary.facts`) are built on the copy first and copied with them, so that the first
   summary after an import or merge finds them.

Nothing reaches the database unless the whole import or merge succeeded; on any problem the
copy is deleted and the database is as it was. If someone changed one of the noted audits in
the database meanwhile, publishing refuses (nothing changes) and asks to run it again.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from audit_tui.files.failures import os_reason
from audit_tui.storage.errors import store_error
from audit_tui.storage.migrations import FACT_TABLES
from audit_tui.storage.store import Store, StoreError

NOTED_AUDITS = "_staged_audits"
NOTED_ALLOCATIONS = "_staged_allocations"
NOTED_KEYED = "_staged_keyed"
# The lead's conclusions (storage.conclusions): table -> (key column, the history field of a key, as SQL on `k.key`)
KEYED_TABLES = {"round_commentary": ("round", "h.field = 'round:' || k.key || ':commentary'"),
                "recommendations": ("id", "(h.field = 'recommendation:' || k.key OR "
                                          "h.field LIKE 'recommendation:' || k.key || ':%')"),
                "measure_targets": ("measure", "h.field = 'target:' || k.key")}


class ChangedMeanwhile(StoreError):
    """An audit the import or merge writes was changed in the database while it ran; nothing was written."""


def audit_part_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables holding an audit's parts (an audit_id column; not the history, allocations or facts),
    in the order they were created: parents' children first."""
    skip = {"history", "allocations", *FACT_TABLES}
    return [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
            if name not in skip and "audit_id" in _columns(conn, name)]


def _columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


class Stage:
    """`with Stage(store, "imported") as copy:` work on `copy` (a Store), then `stage.publish()`."""

    def __init__(self, store: Store, done: str):
        self.main = store
        self.done = done  # "imported", "merged": for the message when publishing is refused
        self.store: Store | None = None
        self.path: Path | None = None
        self.marks: dict[str, int] = {}

    def __enter__(self) -> Stage:
        folder = self.main.path.resolve().parent
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.main.path.name}.", suffix=".stage", dir=folder)
        except OSError as exc:
            raise StoreError(f"cannot write a working copy in {folder}: {os_reason(exc)}; nothing was "
                             f"{self.done}") from None
        os.close(fd)
        self.path = Path(name)
        try:
            copy = sqlite3.connect(self.path, isolation_level=None)
            try:
                self.main.db.conn.backup(copy)  # one step: a consistent snapshot
                self.marks = {table: copy.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
                              for table in ("history", "allocations") if _columns(copy, table)}
                _note_writes(copy)
            finally:
                copy.close()
            self.store = Store(self.path, actor=self.main.actor, create=False)
        except sqlite3.Error as exc:
            self._discard()
            raise store_error(exc) from None
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def publish(self, prepare: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """Copy what the work changed into the database, in one write transaction.

        `prepare` runs on the copy first, while others keep working (the summary's facts:
        `summary.facts.prepare_copy`), so that what it writes is published with the audits."""
        if prepare is not None:
            prepare(self.store.db.conn)
        self.store.close()
        self.store = None
        conn = self.main.db.conn
        try:
            conn.execute("ATTACH DATABASE ? AS stage", [str(self.path)])
        except sqlite3.Error as exc:
            raise store_error(exc) from None
        try:
            # (foreign keys not checked row by row: each audit comes whole, its rows after it)
            with self.main.bulk_transaction():
                self._refuse_if_changed_meanwhile(conn)
                _copy_audits(conn)
                _copy_facts(conn)
                self._copy_the_rest(conn)
        finally:
            try:
                conn.execute("DETACH DATABASE stage")
            except sqlite3.Error:
                pass  # closing the connection lets go of it

    def _refuse_if_changed_meanwhile(self, conn: sqlite3.Connection) -> None:
        row = conn.execute(
            f"""SELECT a.case_ref FROM main.history h JOIN main.audits a ON a.id = h.audit_id
                WHERE h.id > ? AND h.audit_id IN (SELECT id FROM stage.{NOTED_AUDITS}) LIMIT 1""",
            [self.marks["history"]]).fetchone()
        if row is not None:
            raise ChangedMeanwhile(f"the audit of {row[0]} was changed here by someone else while this ran; "
                                   f"nothing was {self.done} — run it again")
        for table, (_, field) in KEYED_TABLES.items():
            if _columns(conn, table, "stage") and conn.execute(
                    f"""SELECT 1 FROM main.history h JOIN stage.{NOTED_KEYED} k ON k.tbl = '{table}' AND {field}
                        WHERE h.id > ? AND h.audit_id IS NULL LIMIT 1""", [self.marks["history"]]).fetchone():
                raise ChangedMeanwhile(f"the quality lead's conclusions were changed here by someone else while this "
                                       f"ran; nothing was {self.done} — run it again")

    def _copy_the_rest(self, conn: sqlite3.Connection) -> None:
        """New history rows (in order), templates and rounds this database lacks, allocations."""
        history = [c for c in _columns(conn, "history") if c != "id"]
        conn.execute(f"INSERT INTO main.history ({', '.join(history)}) SELECT {', '.join(history)} "
                     "FROM stage.history WHERE id > ? ORDER BY id", [self.marks["history"]])
        _insert_missing(conn, "templates", "m.id = s.id AND m.version = s.version")
        for table, (key, _) in KEYED_TABLES.items():  # the rows of the conclusions the work wrote
            if _columns(conn, table, "stage"):
                noted = f"(SELECT key FROM stage.{NOTED_KEYED} WHERE tbl = '{table}')"
                conn.execute(f"DELETE FROM main.{table} WHERE {key} IN {noted}")
                names = ", ".join(_columns(conn, table))
                conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM stage.{table} "
                             f"WHERE {key} IN {noted} ORDER BY rowid")
        if "allocations" not in self.marks:
            return
        _insert_missing(conn, "rounds", "m.name = s.name")
        noted = f"SELECT id FROM stage.{NOTED_ALLOCATIONS}"
        conn.execute(f"""UPDATE main.allocations SET audit_id = (SELECT s.audit_id FROM stage.allocations s
                                                             WHERE s.id = main.allocations.id)
                         WHERE id IN ({noted} WHERE id <= ?) AND audit_id IS NULL""", [self.marks["allocations"]])
        columns = ", ".join(c for c in _columns(conn, "allocations") if c != "id")
        conn.execute(f"""INSERT INTO main.allocations ({columns}) SELECT {columns} FROM stage.allocations s
                         WHERE s.id IN ({noted} WHERE id > ?) AND NOT EXISTS (SELECT 1 FROM main.allocations m
                           WHERE m.round = s.round AND m.case_ref = s.case_ref COLLATE NOCASE) ORDER BY s.id""",
                     [self.marks["allocations"]])


def _note_writes(copy: sqlite3.Connection) -> None:
    """Triggers on the copy noting every audit (and allocation) written to."""
    copy.execute(f"CREATE TABLE {NOTED_AUDITS} (id TEXT PRIMARY KEY) WITHOUT ROWID")
    copy.execute(f"CREATE TABLE {NOTED_ALLOCATIONS} (id INTEGER PRIMARY KEY)")
    watched = [("audits", "id", NOTED_AUDITS), *((t, "audit_id", NOTED_AUDITS) for t in audit_part_tables(copy))]
    if _columns(copy, "allocations"):
        watched.append(("allocations", "id", NOTED_ALLOCATIONS))
    copy.execute(f"CREATE TABLE {NOTED_KEYED} (tbl TEXT, key TEXT, PRIMARY KEY (tbl, key)) WITHOUT ROWID")
    for table, (key, _) in KEYED_TABLES.items():
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            copy.execute(f"""CREATE TRIGGER _staged_{table}_{event.lower()} AFTER {event} ON {table}
                             WHEN NOT EXISTS (SELECT 1 FROM {NOTED_KEYED} WHERE tbl = '{table}' AND key = {row}.{key})
                             BEGIN INSERT INTO {NOTED_KEYED} VALUES ('{table}', {row}.{key}); END""")
    for table, column, into in watched:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            # (not INSERT OR IGNORE: the statement's own ON CONFLICT, e.g. the import's OR ROLLBACK, would win)
            copy.execute(f"""CREATE TRIGGER _staged_{table}_{event.lower()} AFTER {event} ON {table}
                             WHEN NOT EXISTS (SELECT 1 FROM {into} WHERE id = {row}.{column})
                             BEGIN INSERT INTO {into} VALUES ({row}.{column}); END""")


def _copy_audits(conn: sqlite3.Connection) -> None:
    """Every noted audit, whole: its rows here are replaced by the copy's."""
    noted = f"(SELECT id FROM stage.{NOTED_AUDITS})"
    parts = audit_part_tables(conn)
    for table in reversed(parts):
        conn.execute(f"DELETE FROM main.{table} WHERE audit_id IN {noted}")
    columns = _columns(conn, "audits")
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    conn.execute(f"INSERT INTO main.audits ({names}) SELECT {names} FROM stage.audits WHERE id IN {noted} "
                 f"ORDER BY rowid ON CONFLICT (id) DO UPDATE SET {updates}")
    for table in parts:  # in the copy's order (an audit's answers come back in the order they were written)
        names = ", ".join(_columns(conn, table))
        without_rowid = "WITHOUT ROWID" in conn.execute(
            "SELECT upper(sql) FROM main.sqlite_master WHERE name = ?", [table]).fetchone()[0]
        conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM stage.{table} "
                     f"WHERE audit_id IN {noted}{'' if without_rowid else ' ORDER BY rowid'}")


def _copy_facts(conn: sqlite3.Connection) -> None:
    """The copy's facts of every noted audit, numbered here after this database's own."""
    noted = f"(SELECT id FROM stage.{NOTED_AUDITS})"
    conn.execute(f"DELETE FROM main.audit_facts WHERE id IN {noted}")  # (a trigger drops their rows)
    names = ", ".join(c for c in _columns(conn, "audit_facts") if c != "no")
    conn.execute(f"INSERT INTO main.audit_facts ({names}) SELECT {names} FROM stage.audit_facts "
                 f"WHERE id IN {noted} ORDER BY no")
    for table in FACT_TABLES[1:]:
        rest = [c for c in _columns(conn, table) if c != "no"]
        conn.execute(f"""INSERT INTO main.{table} (no, {", ".join(rest)})
                         SELECT m.no, {", ".join(f"s.{c}" for c in rest)} FROM stage.{table} s
                         JOIN stage.audit_facts f ON f.no = s.no JOIN main.audit_facts m ON m.id = f.id
                         WHERE f.id IN {noted} ORDER BY m.no""")


def _insert_missing(conn: sqlite3.Connection, table: str, same: str) -> None:
    names = ", ".join(_columns(conn, table))
    conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM stage.{table} s "
                 f"WHERE NOT EXISTS (SELECT 1 FROM main.{table} m WHERE {same})")
