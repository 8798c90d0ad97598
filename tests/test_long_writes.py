"""A long merge or import never makes other sessions' saves fail (issue 17, item 7).

The merge runs on a working copy and holds the write lock only while it publishes (see
`storage/staging.py` and the README's "Several auditors"), so another session's save made meanwhile
waits well under its busy timeout and succeeds. Through the CLI, as separate processes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from audit_tui.storage.store import Store
from benchmarks.generate import generate

from .factories import base, make_audit

ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"
BUSY_TIMEOUT_S = 3  # the other sessions' busy timeout here (30 s by default): a merge of 1,000 audits
#                     held the lock for longer than this before it was staged


def test_saves_made_during_a_long_merge_succeed(tmp_path):
    other = generate(tmp_path / "other.db", 1000, quiet=True)
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    make_audit(here, "CL-HERE", base(), complete=False, extra_actions=[
        {"description": f"Hold a review meeting number {n} with the family", "owner": "Team manager",
         "due": date(2026, 3, 1)} for n in range(60)])
    action_ids = [row[0] for row in here.db.execute("SELECT id FROM actions")]
    here.close()
    env = {**os.environ, "AUDIT_TUI_BUSY_TIMEOUT": str(BUSY_TIMEOUT_S), "AUDIT_TUI_DEBUG": ""}
    merge = subprocess.Popen([ENTRY, "merge", str(other), "--db", str(tmp_path / "here.db")], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                             env=env)
    saves = []
    try:
        for action_id in action_ids:
            if merge.poll() is not None:
                break
            saves.append(subprocess.run([ENTRY, "actions", "done", action_id, "--note", "Done during the merge",
                                         "--db", str(tmp_path / "here.db")], cwd=tmp_path, capture_output=True,
                                        text=True, stdin=subprocess.DEVNULL, env=env, timeout=120))
            time.sleep(0.3)  # a save every second or so, from the merge's start to its end (not a busy loop)
        out, err = merge.communicate(timeout=600)
    finally:
        merge.kill()
    assert merge.returncode == 0, err
    assert "Added 1000 audit(s)" in out
    assert len(saves) >= 3  # the saves ran while the merge did
    assert [s.stderr for s in saves if s.returncode] == []
    conn = sqlite3.connect(tmp_path / "here.db")
    try:
        assert conn.execute("SELECT count(*) FROM audits").fetchone()[0] == 1001
        assert conn.execute("SELECT count(*) FROM actions x JOIN audits a ON a.id = x.audit_id "
                            "WHERE x.status = 'done' AND a.case_ref = 'CL-HERE'").fetchone()[0] == len(saves)
    finally:
        conn.close()
