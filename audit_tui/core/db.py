"""Opening the SQLite database safely, and its schema migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_S = 30.0
SQLITE_MAGIC = b"SQLite format 3\x00"

migrations = sqlite_utils.Migrations("audit-tui")
# The schema version is the number of migrations: add migrations at the end of the module
# (one function each, named NNNN_what) and never change one that has shipped.


class DatabaseError(Exception):
    """A database that cannot be opened or used; the message is for the user."""


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db["templates"].create(
        {"id": str, "version": int, "title": str, "body": str, "source": str, "added_at": str},
        pk=("id", "version"),
    )
    db["audits"].create(
        {
            "id": str, "case_ref": str, "template_id": str, "template_version": int,
            "round": str, "service_area": str, "team": str, "worker": str, "auditor": str,
            "audited_on": str, "status": str, "overall_grade": str, "overall_reason": str,
            "lived_experience": str, "impact": str,
            "created_at": str, "updated_at": str, "completed_at": str,
        },
        pk="id",
        not_null={"case_ref", "template_id", "template_version", "audited_on", "status"},
        defaults={"status": "draft", "round": "", "service_area": "", "team": "", "worker": "",
                  "auditor": "", "overall_reason": "", "lived_experience": "", "impact": ""},
    )
    for column in ("case_ref", "round", "team", "status", "updated_at", "audited_on"):
        db["audits"].create_index([column])
    db["answers"].create(
        {"audit_id": str, "question": str, "grade": str, "na_reason": str, "evidence": str,
         "themes": str, "updated_at": str},
        pk=("audit_id", "question"),
        foreign_keys=[("audit_id", "audits", "id")],
        defaults={"evidence": "", "themes": "[]"},
    )
    db["answer_themes"].create(
        {"audit_id": str, "question": str, "theme": str, "source": str},
        pk=("audit_id", "question", "theme"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["answer_themes"].create_index(["theme"])
    db["actions"].create(
        {"id": str, "audit_id": str, "description": str, "owner": str, "due": str, "status": str,
         "question": str, "done_on": str, "note": str, "created_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("audit_id", "audits", "id")],
        defaults={"status": "open", "description": "", "owner": "", "note": ""},
    )
    db["actions"].create_index(["audit_id"])
    db["concerns"].create(
        {"id": str, "audit_id": str, "raised_at": str, "raised_by": str, "description": str,
         "action_id": str, "handled_at": str, "handled_by": str},
        pk="id",
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["moderations"].create(
        {"audit_id": str, "moderator": str, "moderated_on": str, "overall_grade": str, "comment": str},
        pk="audit_id",
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["moderated_answers"].create(
        {"audit_id": str, "question": str, "grade": str, "comment": str},
        pk=("audit_id", "question"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["history"].create(
        {"id": int, "at": str, "who": str, "audit_id": str, "field": str, "old": str, "new": str},
        pk="id",
    )
    db["history"].create_index(["audit_id"])
    # Append-only: settled rows can never change; only the newest row may have its
    # `new` value extended while the same person keeps typing in the same field.
    db.execute(
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER history_no_rewrite BEFORE UPDATE ON history
           WHEN OLD.id != (SELECT max(id) FROM history) OR NEW.id != OLD.id
             OR NEW.audit_id IS NOT OLD.audit_id OR NEW.field IS NOT OLD.field
             OR NEW.old IS NOT OLD.old OR NEW.who IS NOT OLD.who
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )


def schema_version() -> int:
    return len(migrations._migrations)


def _check_file(path: Path) -> None:
    """Refuse files that are not SQLite databases before SQLite touches them."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not an audit-tui database (not an SQLite file); it was left untouched")


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (creating if asked) a database with WAL, foreign keys and a busy timeout."""
    path = Path(path)
    old_umask = os.umask(0o077)  # WAL and SHM files are owner-only too
    try:
        if not path.exists():
            if not create:
                raise DatabaseError(f"no database at {path}")
            try:
                _create_private(path)
            except OSError as exc:
                raise DatabaseError(f"cannot create {path}: {exc.strerror}") from None
        _check_file(path)
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True)
            db = sqlite_utils.Database(conn, execute_plugins=False)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > schema_version():
                conn.close()
                raise DatabaseError(
                    f"{path} was written by a newer version of audit-tui (schema {version}); "
                    "upgrade audit-tui to open it"
                )
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                conn.close()
                raise DatabaseError(f"{path} is damaged (quick_check failed); it was left untouched — restore a backup")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            if migrations.pending(db):
                migrations.apply(db)
                db.execute(f"PRAGMA user_version={schema_version()}")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"cannot open {path}: {exc}") from None
    finally:
        os.umask(old_umask)
    return db


@migrations(name="0002_training")
def _training(db: sqlite_utils.Database) -> None:
    """Training mode: which audits are a trainee's audit of a sample case; reference rationales."""
    db["training_audits"].create(
        {"audit_id": str, "sample_case": str, "trainee": str, "started_at": str},
        pk="audit_id",
        foreign_keys=[("audit_id", "audits", "id")],
        not_null={"sample_case"},
    )
    db["training_audits"].create_index(["trainee"])
    db["answers"].add_column("rationale", str, not_null_default="")
