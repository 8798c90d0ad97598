"""Run audit-tui as another user (tests run as root): `as_user.py UID GID GROUPS cli ARGS...` runs the
CLI's `main` with ARGS; `as_user.py UID GID GROUPS hold DB` opens DB through the Store, prints
`open`, and keeps it open until stdin closes (as a colleague's session would).

Python and audit-tui live in root's folder, which other users cannot read: every audit-tui module
(but the TUI's) is imported first, as root; then the process becomes UID (primary group GID, extra
groups GROUPS, comma-separated), so that every file it opens is checked as that user's.
"""

from __future__ import annotations

import _strptime  # noqa: F401 - loaded at first use (strptime, the encoding), after the switch
import encodings.utf_8_sig  # noqa: F401
import importlib
import os
import pkgutil
import sys

import audit_tui
import audit_tui.cli.main

for module in pkgutil.walk_packages(audit_tui.__path__, "audit_tui."):
    if not module.name.startswith(("audit_tui.tui", "audit_tui.__main__")):
        importlib.import_module(module.name)

uid, gid, groups = int(sys.argv[1]), int(sys.argv[2]), [int(g) for g in sys.argv[3].split(",") if g]
os.setgroups(groups)
os.setgid(gid)
os.setuid(uid)
if sys.argv[4] == "hold":
    from audit_tui.storage.store import Store

    store = Store(sys.argv[5], actor="colleague")
    store.db.execute("SELECT count(*) FROM audits").fetchone()
    print("open", flush=True)
    sys.stdin.read()
    store.close()
else:
    audit_tui.cli.main.main(sys.argv[5:], prog_name="audit-tui")
