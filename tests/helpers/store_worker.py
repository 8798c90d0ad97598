"""A fork server of processes that write through the real Store, for the durability tests.

Importing audit-tui takes most of a second, so this script imports it once and then
forks one child per job (each child opens the database itself, after the fork). It
reads one JSON job per line on stdin and prints, on stdout (each line one write):

    started <pid>            a child was forked for the job
    ack <token>              a save returned: it is acknowledged (printed after commit)
    refused <pid> <message>  a StoreError/DatabaseError reached the child (shown to a user)
    error <pid> <message>    anything else (a bug)
    dead <pid> <status>      after {"job": "wait", "pid": …}: the child is gone, all its lines are above

Jobs: `saver` (save in a loop until killed), `writer` (save until a deadline, then exit),
`fill` (write past a file-size limit), `open` (open a database, optionally as another user).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from datetime import date, timedelta

from audit_tui.domain.templates import load_template
from audit_tui.storage.db import DatabaseError
from audit_tui.storage.store import Store, StoreError

DUE = date.today() + timedelta(days=30)


def say(line: str) -> None:
    os.write(1, (line.replace("\n", " ") + "\n").encode("utf-8"))


def saver(job: dict) -> None:
    """Rotate three kinds of save on one audit until killed; ack each after it returns."""
    store = Store(job["db"], actor=f"saver-{job['tag']}", busy_timeout=5)
    audit_id, tag = job["audit"], job["tag"]
    i = 0
    while True:
        token = f"{tag}.{i}"
        kind = i % 3
        if kind == 0:
            store.add_action(audit_id, description=f"Action {token}", owner="Saver", due=DUE)
        elif kind == 1:
            store.set_answer(audit_id, "plan.quality", grade="good", evidence=f"Evidence {token}")
        else:
            store.update_audit(audit_id, lived_experience=f"Lived {token}")
        say(f"ack {kind} {token}")
        i += 1


def writer(job: dict) -> None:
    """Start at `start_at`, then save for `seconds`: actions on the shared audit and on its own."""
    while time.time() < job["start_at"]:
        time.sleep(0.001)
    store = Store(job["db"], actor=f"writer-{job['tag']}")  # the real 30 s busy timeout
    own = store.create_audit(load_template(job["template"]), case_ref=f"CW-{job['tag']}")
    say(f"own {job['tag']} {own}")
    audits = [a for a in (job.get("shared"), own) if a]
    deadline = time.time() + job["seconds"]
    i = 0
    longest = 0.0
    while time.time() < deadline:
        token = f"{job['tag']}.{i}"
        audit_id = audits[i % len(audits)]
        began = time.monotonic()
        store.add_action(audit_id, description=f"Action {token}", owner=job["tag"], due=DUE)
        longest = max(longest, time.monotonic() - began)
        say(f"ack {token}")
        if i % 4 == 3:
            store.set_answer(own, "plan.quality", grade="good", evidence=f"Evidence {token}")
            say(f"ack evidence {token}")
        i += 1
    say(f"done {job['tag']} {i} {longest:.3f}")


def fill(job: dict) -> None:
    """Write past a file-size limit (as on a full disk), then, with room again, save once more."""
    store = Store(job["db"], actor="filler")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = max(os.path.getsize(job["db"]), os.path.getsize(job["db"] + "-wal")) + 4096
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        store.set_answer(job["audit"], "plan.quality", grade="good", evidence="Too big " * 100_000)
        say("ack too-big")
    except StoreError as exc:
        say(f"refused {os.getpid()} {exc}")
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    store.set_answer(job["audit"], "plan.quality", grade="good", evidence="Small again")
    say("ack small")


def open_db(job: dict) -> None:
    """Open a database (as another user when `uid` is given) and say what happened."""
    if job.get("uid") is not None:
        os.setgroups([])
        os.setgid(job["uid"])
        os.setuid(job["uid"])
    try:
        Store(job["db"], actor="opener").close()
        say(f"opened {os.getpid()}")
    except (StoreError, DatabaseError) as exc:
        say(f"refused {os.getpid()} {exc}")


JOBS = {"saver": saver, "writer": writer, "fill": fill, "open": open_db}


def run_child(job: dict) -> None:
    try:
        JOBS[job["job"]](job)
        code = 0
    except (StoreError, DatabaseError) as exc:
        say(f"refused {os.getpid()} {exc}")
        code = 3
    except BaseException as exc:  # noqa: BLE001 - report everything to the test
        say(f"error {os.getpid()} {type(exc).__name__}: {exc}")
        code = 4
    os._exit(code)


def main() -> None:
    say("ready")
    for line in sys.stdin:
        job = json.loads(line)
        if job["job"] == "wait":
            _, status = os.waitpid(job["pid"], 0)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            say(f"dead {job['pid']} {code}")
            continue
        pid = os.fork()
        if pid == 0:
            run_child(job)
        say(f"started {pid}")


if __name__ == "__main__":
    main()
