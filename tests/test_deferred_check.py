"""Issue 7 (fast at any size): a large database opens without reading all of it first.

`PRAGMA quick_check` reads the whole file, so above `dbfile.DEFER_CHECK_BYTES` it is
deferred: the app starts it once it is on screen, and the store runs it (or waits for
it) before the first write. A damaged large file still never takes a write.
"""

from __future__ import annotations

import sqlite3

import pytest

from audit_tui.storage import dbfile
from audit_tui.storage.store import StorageError, Store

from .test_bad_files import digest, make_db


@pytest.fixture
def large(monkeypatch):
    """Every file counts as large."""
    monkeypatch.setattr(dbfile, "DEFER_CHECK_BYTES", 0)


def test_large_damaged_database_opens_but_refuses_every_write_untouched(tmp_path, mini_template, large):
    path = make_db(tmp_path / "audits.db", mini_template)
    conn = sqlite3.connect(path)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    victim = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answer_themes'").fetchone()[0] - 1
    conn.close()
    data = bytearray(path.read_bytes())  # scribble over a table that opening does not read
    data[victim * page: victim * page + 400] = b"\xff" * 400
    path.write_bytes(bytes(data))
    before = digest(path)
    store = Store(path, actor="t")
    try:
        assert store.db.deferred_check is not None
        for _ in range(2):  # refused again, not only the first time
            with pytest.raises(StorageError, match="damaged") as info:
                store.create_audit(mini_template, case_ref="CL-9999")
            assert "not saved" in str(info.value) and "\n" not in str(info.value)
    finally:
        store.close()
    assert digest(path) == before


def test_large_sound_database_checks_in_the_background_then_writes(tmp_path, mini_template, large):
    path = make_db(tmp_path / "audits.db", mini_template)
    store = Store(path, actor="t")
    try:
        check = store.db.deferred_check
        assert check is not None and not check.done
        store.start_background_check()
        audit_id = store.create_audit(mini_template, case_ref="CL-9999")  # waits for the check
        assert check.done and store.db.deferred_check is None
        assert store.get_audit(audit_id).case_ref == "CL-9999"
    finally:
        store.close()


def test_small_database_is_checked_while_opening(tmp_path, mini_template):
    path = make_db(tmp_path / "audits.db", mini_template, audits=2)
    store = Store(path, actor="t")
    try:
        assert store.db.deferred_check is None
    finally:
        store.close()
