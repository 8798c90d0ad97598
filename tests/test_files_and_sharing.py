"""Hostile surroundings: planted links, others' journal files, leftovers, and sharing with a group
(README "Your data", "Shared folders and shared servers") — through the real `audit-tui` entry point,
and other users' processes. Where a case repeats a check on the same files, the repeat runs in the
test's process (`here`, tests/helpers/cli.py): same user, same umask, same code."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from audit_tui.storage.store import Store

from .factories import known_dataset
from .helpers.cli import invoke

ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"
AS_USER = Path(__file__).parent / "helpers" / "as_user.py"
GROUP = 54321  # a group id used for sharing (no entry in /etc/group is needed)
COLLEAGUE_A, COLLEAGUE_B, OUTSIDER = 54001, 54002, 54003
VICTIM_TEXT = "a file the attacker can read\n"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to act as other users and own files as them")


def run(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ENTRY, *map(str, args)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "AUDIT_TUI_DEBUG": "", **(env or {})})


def here(*args) -> subprocess.CompletedProcess:
    """`run` in this process."""
    return invoke(*args, env={"AUDIT_TUI_DEBUG": ""})


def as_user(uid: int, *args, groups: tuple[int, ...] = (GROUP,)) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, AS_USER, str(uid), str(uid), ",".join(map(str, groups)), "cli",
                           *map(str, args)], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "AUDIT_TUI_DEBUG": ""})


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: "), result.stderr
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, Path]:
    """A database of six audits and its export (audit-tui/1 .json)."""
    folder = tmp_path_factory.mktemp("source")
    known_dataset(folder / "audits.db").close()
    assert run("export", folder / "audits.json", "--db", folder / "audits.db").returncode == 0
    return folder / "audits.db", folder / "audits.json"


def planted(out: Path, victim: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI after planting, at the temporary file's old predictable name (.NAME.PID.tmp), a link
    to `victim`."""
    code = ("import os, sys\nfrom audit_tui.cli.main import main\nout = sys.argv[1]\n"
            "name = f'.{os.path.basename(out)}.{os.getpid()}.tmp'\n"
            "os.symlink(sys.argv[2], os.path.join(os.path.dirname(out), name))\n"
            "main(sys.argv[3:], prog_name='audit-tui')")
    return subprocess.run([sys.executable, "-c", code, str(out), str(victim), *args], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, "AUDIT_TUI_DEBUG": ""})


def check_output_is_private_and_victim_untouched(out: Path, victim: Path) -> None:
    assert victim.read_text() == VICTIM_TEXT
    assert stat.S_ISREG(out.lstat().st_mode) and mode(out) == 0o600
    leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]
    assert leftovers == []


@pytest.mark.parametrize("name, command", [("out.csv", "export"), ("out.json", "export"), ("out.xlsx", "export"),
                                           ("out.db", "backup")])
def test_outputs_never_write_through_planted_links(source, tmp_path, name, command):
    out, victim = tmp_path / name, tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT)
    result = planted(out, victim, "--db", str(source[0]), command, str(out))
    assert result.returncode == 0, result.stderr
    check_output_is_private_and_victim_untouched(out, victim)
    # the output's own name a link: refused without --force (even a dangling one), replaced (never followed) with it
    out.unlink()
    out.symlink_to(tmp_path / "nowhere")
    assert "already exists" in one_line(here("--db", source[0], command, out))
    out.unlink()
    out.symlink_to(victim)
    assert here("--db", source[0], command, out, "--force").returncode == 0
    check_output_is_private_and_victim_untouched(out, victim)


def test_report_never_writes_through_planted_links_and_matplotlib_folders_are_private(source, tmp_path,
                                                                                      monkeypatch):
    home, cache, config = tmp_path / "home", tmp_path / "cache", tmp_path / "xdg-config"
    home.mkdir()
    for name, value in (("HOME", home), ("XDG_CACHE_HOME", cache), ("XDG_CONFIG_HOME", config)):
        monkeypatch.setenv(name, str(value))
    out, victim = tmp_path / "report.docx", tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT)
    result = planted(out, victim, "report", "-o", str(out), "--db", str(source[0]))
    assert result.returncode == 0, result.stderr
    check_output_is_private_and_victim_untouched(out, victim)
    # matplotlib's config and font cache: in audit-tui's cache folder, 0700, and nowhere else
    assert mode(cache / "audit-tui") == 0o700 and mode(cache / "audit-tui" / "matplotlib") == 0o700
    assert any((cache / "audit-tui" / "matplotlib").iterdir())  # its font cache is there
    assert not (cache / "matplotlib").exists() and not (config / "matplotlib").exists()
    assert not (home / ".matplotlib").exists()


@pytest.mark.parametrize("target", ["{db}-wal", "{db}-shm", "{db}-journal", "{folder}/other.db-journal",
                                    "{folder}/OTHER.DB-WAL"])
def test_backup_refuses_journal_file_names(source, tmp_path, target):
    """The first name is refused by the real script, the others in this process."""
    db = tmp_path / "live.db"
    shutil.copy(source[0], db)
    refuse = run if target == "{db}-wal" else here
    target = Path(target.format(db=db, folder=tmp_path))
    line = one_line(refuse("--db", db, "backup", target, "--force"))
    assert "journal file" in line and "give another file name" in line
    assert not os.path.lexists(target)
    assert here("--db", db, "summary", "--json").returncode == 0  # the database is as it was


def test_backup_refuses_the_database_under_another_name(source, tmp_path):
    db = tmp_path / "live.db"
    shutil.copy(source[0], db)
    os.link(db, tmp_path / "same.db")
    assert "the database itself" in one_line(run("--db", db, "backup", tmp_path / "same.db", "--force"))
    assert os.path.samefile(db, tmp_path / "same.db")


def test_leftover_temporary_files_are_swept_only_ours_and_only_stale(source, tmp_path):
    ended = subprocess.Popen(["true"])
    ended.wait()
    dead, alive = ended.pid, os.getpid()
    files = {
        f".audit-tui-{dead}-abcdefgh.tmp": "gone",  # its command ended (killed)
        f".audit-tui-{dead}-abcdefgh.tmp-journal": "gone",
        f".audit-tui-{alive}-ijklmnop.tmp": "kept",  # being written now
        f".audit-tui-{alive}-qrstuvwx.tmp": "old",  # its process lives, but untouched for an hour: gone
        f".audit-tui-{dead}-yz012345.tmp": "another user's",
        f".audit-tui-{dead}-abc.tmp": "not our name",
        f".report.docx.{dead}.tmp": "not our name",
        "notes.tmp": "not our name",
    }
    for name in files:
        (tmp_path / name).write_text("partial")
    hour_ago = time.time() - 3600
    os.utime(tmp_path / f".audit-tui-{alive}-qrstuvwx.tmp", (hour_ago, hour_ago))
    if os.geteuid() == 0:
        os.chown(tmp_path / f".audit-tui-{dead}-yz012345.tmp", COLLEAGUE_A, COLLEAGUE_A)
    (tmp_path / f".audit-tui-{dead}-linklink.tmp").symlink_to(tmp_path / "notes.tmp")
    assert run("export", tmp_path / "out.csv", "--db", source[0]).returncode == 0
    left = {p.name for p in tmp_path.iterdir()} - {"out.csv"}
    expected = {name for name, why in files.items() if why not in ("gone", "old")}
    if os.geteuid() != 0:
        expected.discard(f".audit-tui-{dead}-yz012345.tmp")
    assert left == expected | {f".audit-tui-{dead}-linklink.tmp"}
    assert (tmp_path / "notes.tmp").read_text() == "partial"


def test_failed_import_creates_nothing(source, tmp_path):
    line = one_line(run("import", source[1], "--db", tmp_path / "missing" / "sub" / "new.db"))
    assert "no folder" in line and "nothing was imported" in line
    assert list(tmp_path.iterdir()) == []
    bad = tmp_path / "bad.json"
    data = json.loads(source[1].read_text(encoding="utf-8"))
    # a draft (the completion gates would add lines of their own), with one grade that is no grade
    data["audits"][1].update(status="draft", moderation=None)
    data["audits"][1]["answers"][2]["grade"] = "superb"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert "is not a grade" in one_line(here("import", bad, "--db", tmp_path / "new.db"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


ROUND = ["rounds", "create", "R1", "--from", "2026-01-01", "--to", "2026-01-31"]


@ROOT_ONLY
@pytest.mark.parametrize("suffix, owner, perms, words", [
    ("-wal", COLLEAGUE_A, 0o600, "belongs to another user"),
    ("-shm", COLLEAGUE_A, 0o600, "belongs to another user"),
    ("-wal", 0, 0o644, "can be read by more people than the database"),
    ("-journal", 0, 0o640, "can be read by more people than the database"),
    ("-wal", None, None, "is a link or a special file"),
])
def test_journal_files_someone_else_controls_are_refused(source, tmp_path, suffix, owner, perms, words):
    db = tmp_path / "audits.db"
    shutil.copy(source[0], db)
    assert mode(db) == 0o600
    side = Path(f"{db}{suffix}")
    if owner is None:
        (tmp_path / "theirs").write_text("")
        side.symlink_to(tmp_path / "theirs")
    else:
        side.write_bytes(b"")
        os.chown(side, owner, owner)
        os.chmod(side, perms)
    before = side.lstat()
    for command, where in ((["summary", "--json"], run), (ROUND, here)):  # refused by the real script, and here
        line = one_line(where("--db", db, *command))
        assert words in line and side.name in line
    after = side.lstat()
    assert (after.st_size, after.st_uid, after.st_mode) == (before.st_size, before.st_uid, before.st_mode)
    if owner is None:
        assert (tmp_path / "theirs").read_text() == ""
    side.unlink()  # once it is gone, the database opens
    assert here("--db", db, *ROUND).returncode == 0


@ROOT_ONLY
@pytest.mark.parametrize("db_owner, db_perms, side_owner, side_perms", [
    (0, 0o644, 0, 0o644),  # SQLite gives the journal files the database's permissions
    (COLLEAGUE_A, 0o600, COLLEAGUE_A, 0o600),  # the database's owner's (as SQLite makes them for root)
])
def test_journal_files_like_the_database_are_accepted(source, tmp_path, db_owner, db_perms, side_owner, side_perms):
    db = tmp_path / "audits.db"
    shutil.copy(source[0], db)
    os.chown(db, db_owner, db_owner)
    os.chmod(db, db_perms)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{db}{suffix}")
        side.write_bytes(b"")
        os.chown(side, side_owner, side_owner)
        os.chmod(side, side_perms)
    assert run("--db", db, *ROUND).returncode == 0


@pytest.fixture
def shared_base(source):
    """A folder other users can reach (pytest's own folders are root's only), with the export in it."""
    base = Path(tempfile.mkdtemp(prefix="audit-tui-share-"))
    os.chmod(base, 0o755)
    shutil.copy(source[1], base / "audits.json")
    os.chmod(base / "audits.json", 0o644)
    yield base
    shutil.rmtree(base)


@ROOT_ONLY
def test_sharing_a_database_with_a_group(shared_base):
    # README: the folder belongs to the group and is setgid (chgrp GROUP; chmod 2770)
    folder = shared_base / "team"
    folder.mkdir()
    os.chown(folder, -1, GROUP)
    os.chmod(folder, 0o2770)
    db = folder / "audits.db"
    assert here("import", shared_base / "audits.json", "--db", db).returncode == 0  # the owner's, in this process
    assert mode(db) == 0o660 and db.stat().st_gid == GROUP
    holder = subprocess.Popen(
        [sys.executable, AS_USER, str(COLLEAGUE_A), str(COLLEAGUE_A), str(GROUP), "hold", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n", holder.stderr.read()
        for suffix in ("-wal", "-shm"):  # the colleague's journal files: the group's too, no one else's
            side = Path(f"{db}{suffix}")
            assert (mode(side), side.stat().st_uid, side.stat().st_gid) == (0o660, COLLEAGUE_A, GROUP)
        wrote = as_user(COLLEAGUE_B, "--db", db, *ROUND)
        assert wrote.returncode == 0, wrote.stderr
        read = as_user(COLLEAGUE_B, "--db", db, "rounds", "list")
        assert read.returncode == 0 and "R1" in read.stdout
        assert run("--db", db, "summary").returncode == 0  # the owner too, with the colleague's files beside it
        outsider = as_user(OUTSIDER, "--db", db, "summary", "--json", groups=())
        one_line(outsider)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert holder.returncode == 0, holder.stderr.read()
    # a journal file others can read is refused in a shared folder too
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"")
    os.chown(wal, COLLEAGUE_A, GROUP)
    os.chmod(wal, 0o664)
    assert "can be read by more people than the database" in one_line(as_user(COLLEAGUE_B, "--db", db, "summary"))
    wal.unlink()
    # owner-only everywhere else: a new database in an ordinary folder, and its journal files, are 0600
    plain = shared_base / "mine"
    plain.mkdir(mode=0o755)
    assert here("import", shared_base / "audits.json", "--db", plain / "audits.db").returncode == 0
    assert mode(plain / "audits.db") == 0o600
    mine = Store(plain / "audits.db", actor="owner")  # held open here (the owner is this process's user)
    try:
        mine.db.execute("SELECT count(*) FROM audits").fetchone()
        assert mode(plain / "audits.db-wal") == 0o600 and mode(plain / "audits.db-shm") == 0o600
    finally:
        mine.close()
    assert one_line(as_user(COLLEAGUE_B, "--db", plain / "audits.db", "summary"))
