"""Promise 1: an acknowledged save survives a kill (SIGKILL at random moments, 100+ times).

A child process saves answers, narratives and actions through the real Store in a
loop and prints each save after it returns. The test kills it with SIGKILL at a
random moment, then checks `PRAGMA integrity_check` and that every acknowledged
save is in the database; then starts the next child on the same file (which must
open it again after the crash). Run on its own with `pytest -s` to see the figures.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

import pytest

from audit_tui.storage.db import integrity_check
from audit_tui.storage.store import Store

from .helpers.workers import WorkerServer

KILLS = 100


@pytest.fixture(scope="module")
def workers():
    server = WorkerServer()
    yield server
    server.close()


def test_store_uses_wal_with_full_sync(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a commit is on disk
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def _token(value: str) -> tuple[int, int]:
    run, index = value.split()[-1].split(".")
    return int(run), int(index)


def test_acknowledged_saves_survive_sigkill(tmp_path, workers, mini_template):
    path = tmp_path / "kill.db"
    setup = Store(path, actor="setup")
    audit_id = setup.create_audit(mini_template, case_ref="CL-KILL")
    setup.close()
    rng = random.Random(20260210)
    acked_actions: set[str] = set()
    durable = {1: None, 2: None}  # the evidence / lived experience token found after the last kill
    kills = saves = opened_after_crash = 0
    history_rows = 0
    started = time.monotonic()
    for run in range(KILLS):
        pid, early = workers.start({"job": "saver", "db": str(path), "audit": audit_id, "tag": run})
        # kill at a random moment: after a random number of acknowledged saves (none: while it opens),
        # in the middle of the next one (counted in saves, not seconds: the machine may be busy)
        wanted = rng.randint(0, 9)
        while sum(line.startswith("ack ") for line in early) < wanted and not (
                early and early[-1].startswith(("error", "refused"))):
            early.append(workers.next_line())
        time.sleep(rng.uniform(0.0, 0.005))
        os.kill(pid, signal.SIGKILL)
        status, lines = workers.wait(pid)
        lines = early + lines
        assert not [line for line in lines if line.startswith(("error", "refused"))], lines
        assert status == -signal.SIGKILL, (status, lines)
        kills += 1
        acks = [line.split(maxsplit=2)[1:] for line in lines if line.startswith("ack ")]
        opened_after_crash += bool(acks)
        acked_in_run = {1: None, 2: None}
        for kind, token in acks:
            saves += 1
            if kind == "0":
                acked_actions.add(f"Action {token}")
            else:
                acked_in_run[int(kind)] = token
        # The database is whole, and holds every acknowledged save.
        assert integrity_check(path) == []
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            actions = [r[0] for r in conn.execute("SELECT description FROM actions WHERE audit_id = ?", [audit_id])]
            evidence = conn.execute("SELECT evidence FROM answers WHERE audit_id = ?", [audit_id]).fetchone()
            lived = conn.execute("SELECT lived_experience FROM audits WHERE id = ?", [audit_id]).fetchone()[0]
            rows = conn.execute("SELECT count(*) FROM history").fetchone()[0]
        finally:
            conn.close()
        assert acked_actions <= set(actions), f"run {run}: acknowledged actions lost"
        assert len(actions) == len(set(actions))
        for kind, value in ((1, evidence[0] if evidence else ""), (2, lived)):
            now = _token(value) if value else None
            if acked_in_run[kind] is not None:
                # The last acknowledged value, or a later one whose save was in flight at the kill.
                assert now is not None and now >= _token(acked_in_run[kind]), (run, kind, value, acked_in_run[kind])
            else:
                # Unchanged, or the first save of this run was in flight at the kill.
                assert now == durable[kind] or now[0] == run, (run, kind, value, durable[kind])
            durable[kind] = now
        assert rows >= history_rows, "the history shrank"
        history_rows = rows
    elapsed = time.monotonic() - started
    print(f"\n{kills} SIGKILLs, {saves} acknowledged saves ({len(acked_actions)} actions), "
          f"{opened_after_crash} runs reopened the crashed file and saved, {elapsed:.1f} s")
    assert kills >= 100
    assert opened_after_crash >= 80
    assert saves >= 400
    # After all that, the real Store opens it (quick_check passes) and reads every action.
    store = Store(path, actor="check")
    try:
        assert {a.description for a in store.get_audit(audit_id).actions} >= acked_actions
    finally:
        store.close()


def test_database_and_journal_are_owner_only(tmp_path, mini_template):
    old = os.umask(0o022)  # a typical umask: files would otherwise be world-readable
    try:
        store = Store(tmp_path / "private.db", actor="t")
        store.create_audit(mini_template, case_ref="CL-1")
        files = [tmp_path / name for name in ("private.db", "private.db-wal", "private.db-shm")]
        for file in files:
            assert file.exists(), file
            assert file.stat().st_mode & 0o077 == 0, f"{file.name} is {oct(file.stat().st_mode)}"
        store.close()
        # A folder created for the database is the owner's only, too.
        Store(tmp_path / "new" / "deeper" / "a.db", actor="t").close()
        assert (tmp_path / "new" / "deeper").stat().st_mode & 0o077 == 0
    finally:
        os.umask(old)


def test_settings_file_is_owner_only(tmp_path):
    from audit_tui.files.settings import Settings, save_settings, settings_path

    old = os.umask(0o022)
    try:
        save_settings(Settings(auditor_name="Alex"))
    finally:
        os.umask(old)
    assert settings_path().stat().st_mode & 0o077 == 0


def test_integrity_check_helper_reports_problems(tmp_path, mini_template):
    path = tmp_path / "a.db"
    store = Store(path, actor="t")
    store.create_audit(mini_template, case_ref="CL-1")
    assert integrity_check(store.db) == [] and integrity_check(path) == []
    # An action pointing at no audit is a broken foreign key: reported, not hidden.
    store.db.execute("PRAGMA foreign_keys=OFF")
    store.db.execute("INSERT INTO actions (id, audit_id) VALUES ('x', 'no-such-audit')")
    assert any("actions" in p for p in integrity_check(path))
    store.close()
    from audit_tui.storage.db import DatabaseError, require_integrity

    with pytest.raises(DatabaseError, match="integrity check"):
        require_integrity(path, "the merged database")
