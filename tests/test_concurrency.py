"""Promise 2: concurrent auditors wait, never fail.

Four processes write to one database at once (immediate transactions, a 30 s busy
timeout): none sees "database is locked" and no write is lost. When a lock is held
longer than the timeout, the store says so clearly (a StoreError, never SQLite's
OperationalError), writes nothing, and the walk-through keeps the text on screen.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from textual.widgets import Static

from audit_tui.storage.store import DatabaseBusy, Store, StoreError
from audit_tui.tui.screens.audit import AuditScreen

from .conftest import DATA
from .helpers.app import make_app, type_text
from .helpers.workers import WorkerServer

WORKERS = 4


@pytest.fixture(scope="module")
def workers():
    server = WorkerServer()
    yield server
    server.close()


def run_writers(workers, path, seconds: float, shared: str | None = None) -> dict[str, list[str]]:
    """Start WORKERS writer processes together; returns their output lines by kind."""
    start_at = time.time() + 0.3
    pids = []
    lines: list[str] = []
    for n in range(WORKERS):
        pid, early = workers.start({"job": "writer", "db": str(path), "tag": f"W{n}", "seconds": seconds,
                                    "start_at": start_at, "shared": shared, "template": str(DATA / "mini.yaml")})
        pids.append(pid)
        lines += early
    for pid in pids:
        workers.send({"job": "wait", "pid": pid})
    statuses = {}
    while len(statuses) < WORKERS:
        line = workers.next_line(timeout=seconds + 40)
        if line.startswith("dead "):
            statuses[int(line.split()[1])] = int(line.split()[2])
        else:
            lines.append(line)
    problems = [line for line in lines if line.startswith(("refused", "error"))]
    assert not problems, problems  # nobody saw "database is locked" or anything else
    assert set(statuses.values()) == {0}, statuses
    by_kind: dict[str, list[str]] = {}
    for line in lines:
        kind, _, rest = line.partition(" ")
        by_kind.setdefault(kind, []).append(rest)
    return by_kind


def test_four_processes_write_at_once_and_nothing_is_lost(tmp_path, workers, mini_template):
    path = tmp_path / "shared.db"
    setup = Store(path, actor="lead")
    shared = setup.create_audit(mini_template, case_ref="CL-SHARED")
    setup.close()
    out = run_writers(workers, path, seconds=3.0, shared=shared)
    acked = {f"Action {token}" for token in out["ack"] if not token.startswith("evidence")}
    evidence_acks = [token.split()[1] for token in out["ack"] if token.startswith("evidence")]
    own = dict(line.split() for line in out["own"])
    conn = sqlite3.connect(path)
    actions = [r[0] for r in conn.execute("SELECT description FROM actions")]
    history = conn.execute("SELECT count(*) FROM history WHERE field LIKE 'action:%'").fetchone()[0]
    finals = {tag: conn.execute("SELECT evidence FROM answers WHERE audit_id = ?", [audit_id]).fetchone()
              for tag, audit_id in own.items()}
    conn.close()
    assert sorted(actions) == sorted(acked), "a write was lost or duplicated"
    assert history == len(acked)  # every write is in the trail
    for tag, row in finals.items():  # each worker's last evidence is the one stored
        last = [t for t in evidence_acks if t.startswith(tag + ".")]
        assert row is None if not last else row[0] == f"Evidence {last[-1]}"
    per_worker = [sum(token.startswith(f"W{n}.") for token in out["ack"]) for n in range(WORKERS)]
    longest = max(float(line.split()[2]) for line in out["done"])
    print(f"\n{WORKERS} processes, {len(out['ack'])} acknowledged writes in 3 s {per_worker}, none refused; "
          f"longest wait for the lock {longest:.2f} s")
    # everyone got to write: SQLite's lock is not fair, and on a busy machine a process can be left
    # waiting most of the 3 s (one CI run saw [425, 1, 409, 105]), so the rule is at least once each
    assert min(per_worker) >= 1, per_worker


def test_four_processes_creating_the_same_new_database(tmp_path, workers):
    path = tmp_path / "new.db"
    out = run_writers(workers, path, seconds=0.3)
    assert len(out["own"]) == WORKERS
    store = Store(path, actor="check")
    assert store.count_audits() == WORKERS
    assert len(store.stored_templates()) == 1
    store.close()


def test_a_lock_held_too_long_is_a_clear_store_error(tmp_path, mini_template):
    path = tmp_path / "busy.db"
    store = Store(path, actor="t", busy_timeout=0.2)
    audit_id = store.create_audit(mini_template, case_ref="CL-BUSY")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another session is in the middle of a save
    started = time.monotonic()
    with pytest.raises(DatabaseBusy) as info:
        store.set_answer(audit_id, "plan.quality", grade="good", evidence="Private evidence text")
    assert time.monotonic() - started >= 0.15  # it waited first
    assert not isinstance(info.value, sqlite3.Error)
    assert str(info.value) == ("the database is busy — another session is saving; your change was not lost, "
                               "try again")
    other.execute("ROLLBACK")
    other.close()
    assert store.get_audit(audit_id).answers == []  # nothing half-written
    store.set_answer(audit_id, "plan.quality", grade="good", evidence="Private evidence text")
    assert store.get_audit(audit_id).answers[0].evidence == "Private evidence text"
    store.close()


def test_busy_timeout_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_TUI_BUSY_TIMEOUT", "0.5")
    store = Store(tmp_path / "a.db", actor="t")
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 500
    store.close()


def test_every_sqlite_failure_in_a_write_becomes_a_store_error(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    with pytest.raises(StoreError, match="refused the change"):
        with store.transaction():
            store.db.execute("DELETE FROM history")  # the append-only trigger refuses
    assert not store.db.conn.in_transaction
    assert store.history(audit_id)


async def test_walk_through_keeps_the_text_while_the_database_is_busy(tmp_path, mini_template):
    path = tmp_path / "tui.db"
    store = Store(path, actor="Alex Auditor", busy_timeout=0.05)
    audit_id = store.create_audit(mini_template, case_ref="CL-TUI", auditor="Alex Auditor")
    store.set_answer(audit_id, "plan.quality", grade="good", evidence="Saved ")
    app = make_app(store)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            app.push_screen(AuditScreen(audit_id))
            await pilot.pause()
            screen = app.screen
            screen.show_question("plan.quality")
            evidence = screen.query_one("#q-evidence")
            evidence.focus()
            evidence.move_cursor(evidence.document.end)
            other.execute("BEGIN IMMEDIATE")  # another auditor's save holds the lock
            await type_text(pilot, "later")
            await pilot.pause()
            assert evidence.text == "Saved later"  # kept on screen
            assert "Not saved" in str(screen.query_one("#saved", Static).render())
            notes = [n.message for n in app._notifications]
            assert any("the database is busy" in m for m in notes), notes
            assert not any("later" in m for m in notes)  # messages never echo the evidence
            # A redraw (e.g. after opening the actions) keeps the unsaved text.
            screen.reload()
            await pilot.pause()
            assert screen.query_one("#q-evidence").text == "Saved later"
            # Leaving, or quitting, is held back while work is unsaved.
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            screen.unsaved._leave_asked = 0.0
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running and app.screen is screen
            # The other session finishes: ctrl+s saves what is on screen.
            other.execute("COMMIT")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "Saved" in str(screen.query_one("#saved", Static).render())
            assert not screen.unsaved
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is not screen
    finally:
        other.close()
    assert store.get_audit(audit_id).answers[0].evidence == "Saved later"
    store.close()


async def test_action_and_concern_dialogs_come_back_when_the_save_fails(tmp_path, mini_template):
    path = tmp_path / "tui2.db"
    store = Store(path, actor="Alex Auditor", busy_timeout=0.05)
    audit_id = store.create_audit(mini_template, case_ref="CL-TUI2", auditor="Alex Auditor")
    app = make_app(store)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            app.push_screen(AuditScreen(audit_id))
            await pilot.pause()
            other.execute("BEGIN IMMEDIATE")
            await pilot.press("ctrl+f")
            await pilot.pause()
            await type_text(pilot, "Child at risk tonight")
            for key in ("told_who", "told_how", "team_manager", "service_manager"):  # the form needs them too
                app.screen.query_one(f"#concern-{key}").value = "Tess Manager" if key != "told_how" else "phone"
            await pilot.press("ctrl+s")
            await pilot.pause()
            # Not recorded, and the dialog is back with the words typed.
            assert app.screen.__class__.__name__ == "ConcernDialog"
            assert app.screen.query_one("#concern-text").text == "Child at risk tonight"
            other.execute("COMMIT")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, AuditScreen)
    finally:
        other.close()
    audit = store.get_audit(audit_id)
    assert [c.description for c in audit.concerns] == ["Child at risk tonight"]
    store.close()
