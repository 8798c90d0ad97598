"""Backup with SQLite's backup API, and two processes sharing one database (as on a server over SSH)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import time
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.features.backup import BackupError, backup
from audit_tui.storage.store import Store

from .factories import base, known_dataset, make_audit, template
from .helpers.cli import invoke

WRITE_SECONDS = 2.0


def test_backup_is_whole_owner_only_and_never_overwrites(store, tmp_path):
    audit_id = make_audit(store, "CL-0001", base())
    target = tmp_path / "copy.db"
    assert backup(store, target) == target
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    copy = Store(target, actor="restore check")
    assert copy.get_audit(audit_id) == store.get_audit(audit_id)
    assert copy.history(audit_id) == store.history(audit_id)
    copy.close()
    with pytest.raises(BackupError, match="already exists"):
        backup(store, target)
    with pytest.raises(BackupError, match="the database itself"):
        backup(store, store.path, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".copy.db")]  # no temp files left


def test_cli_backup_and_inspect_the_copy(store, tmp_path):
    make_audit(store, "CL-0002", base())
    store.close()
    runner = CliRunner()
    target = tmp_path / "b.db"
    result = runner.invoke(main, ["--db", str(store.path), "backup", str(target)])
    assert result.exit_code == 0 and "integrity check ok" in result.output
    again = runner.invoke(main, ["--db", str(store.path), "backup", str(target)])
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(main, ["--db", str(store.path), "backup", str(target), "--force"]).exit_code == 0
    listed = runner.invoke(main, ["--db", str(target), "actions"])  # audit-tui --db BACKUP to look inside
    assert listed.exit_code == 0


def _writer(path: str, tag: str, seconds: float, go, queue) -> None:
    """Once both have opened the store (`go` is set), create audits, moderate, mark actions done and add
    allocations for `seconds`; report counts."""
    from audit_tui.features.actions import mark_done
    from audit_tui.features.moderation import save_moderation

    store = Store(path, actor=tag)
    tmpl = template()
    made = 0
    queue.put((tag, "ready"))
    go.wait(timeout=120)
    start_at = time.time()
    try:
        while time.time() < start_at + seconds or not made:
            audit_id = make_audit(store, f"{tag}-{made}", base(**{"practice.quality": "requires_improvement"}),
                                  tmpl=tmpl)
            action_id = store.get_audit(audit_id).actions[0].id
            mark_done(store, action_id, f"done by {tag}", date(2026, 3, 1))
            save_moderation(store, audit_id, overall_grade=None)
            store.db.execute("SELECT 1")  # reads interleave with the other writer's transactions
            with store.transaction():
                store.db.execute("INSERT INTO allocations (round, case_ref, auditor) VALUES ('R', ?, ?)",
                                 [f"{tag}-{made}", tag])
            made += 1
    except Exception as exc:  # noqa: BLE001 - reported to the test
        queue.put((tag, made, f"{type(exc).__name__}: {exc}"))
        return
    finally:
        store.close()
    queue.put((tag, made, None))


def test_two_processes_write_at_once_without_locked_errors_or_lost_writes(tmp_path):
    path = tmp_path / "shared.db"
    store = Store(path, actor="lead")
    store.save_template(template())
    from audit_tui.features import rounds

    rounds.create_round(store, "R", "2026-02-09", "2026-02-13")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    go = context.Event()  # both processes import and open first, then write together
    workers = [context.Process(target=_writer, args=(str(path), tag, WRITE_SECONDS, go, queue))
               for tag in ("P1", "P2")]
    for worker in workers:
        worker.start()
    assert sorted(queue.get(timeout=120) for _ in workers) == [("P1", "ready"), ("P2", "ready")]
    go.set()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [r[2] for r in results] == [None, None], results  # nobody saw "database is locked"
    made = {tag: n for tag, n, _ in results}
    assert made["P1"] > 0 and made["P2"] > 0
    total = sum(made.values())
    db = store.db
    assert db.execute("SELECT count(*) FROM audits WHERE status = 'moderated'").fetchone()[0] == total
    assert db.execute("SELECT count(*) FROM actions WHERE status = 'done'").fetchone()[0] == total
    assert db.execute("SELECT count(*) FROM allocations").fetchone()[0] == total
    assert db.execute("SELECT count(DISTINCT who) FROM history WHERE field = 'moderation'").fetchone()[0] == 2
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    backup(store, tmp_path / "after.db")
    store.close()


def test_every_command_reads_a_backup_and_a_restored_database(tmp_path):
    """README "Backup and restore": summary and report work on a backup, and after the restore
    steps (copy the backup over the database, delete -wal and -shm) the database works as before.
    (The commands run in this process; test_files_and_sharing runs `backup` as the real script.) Six
    audits (completed, moderated, a draft, two rounds) rather than the demo: what is proved is that the
    copy is whole and readable, which does not depend on its size."""
    import json
    import shutil

    def run(*args: str):
        result = invoke(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        return result

    live = tmp_path / "audits.db"
    known_dataset(live).close()
    figures = json.loads(run("--db", str(live), "summary", "--json").stdout)
    run("--db", str(live), "backup", str(tmp_path / "copy.db"))
    # the backup, read as it is
    assert json.loads(run("--db", str(tmp_path / "copy.db"), "summary", "--json").stdout)["audits"] == \
        figures["audits"]
    run("--db", str(tmp_path / "copy.db"), "report", "-o", str(tmp_path / "from-backup.docx"))
    # the restore, exactly as the README says
    shutil.copyfile(tmp_path / "copy.db", live)
    for side in ("-wal", "-shm"):
        (tmp_path / f"audits.db{side}").unlink(missing_ok=True)
    assert json.loads(run("--db", str(live), "summary", "--json").stdout)["audits"] == figures["audits"]
    run("--db", str(live), "report", "-o", str(tmp_path / "after-restore.docx"))
    run("--db", str(live), "export", str(tmp_path / "after-restore.json"))
    assert (tmp_path / "from-backup.docx").stat().st_size > 0 and (tmp_path / "after-restore.docx").stat().st_size > 0
