"""Promise 3: a broken or foreign file is never made worse.

Each bad file gives one clear line (a DatabaseError or StoreError) and is left
byte-for-byte as it was; a failed write (disk full, a file-size limit) leaves the
database whole, with everything saved before it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from audit_tui.storage.db import DatabaseError, integrity_check, schema_version
from audit_tui.storage.store import StorageError, Store, StoreError

from .helpers.workers import WorkerServer


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, template, audits: int = 20) -> Path:
    """A real audit-tui database of several pages, closed (no WAL left)."""
    store = Store(path, actor="maker")
    for n in range(audits):
        audit_id = store.create_audit(template, case_ref=f"CL-{n:04d}")
        store.set_answer(audit_id, "plan.quality", grade="good", evidence="The plan is current. " * 20)
    store.close()
    assert not Path(f"{path}-wal").exists()
    return path


def assert_refused_untouched(path: Path, match: str, error=DatabaseError) -> str:
    """Opening `path` raises `error` matching `match`, on one line, and changes nothing."""
    before = digest(path)
    siblings = {p.name for p in path.parent.iterdir()}
    with pytest.raises(error, match=match) as info:
        Store(path, actor="t")
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    assert digest(path) == before, "the file was changed"
    for sidecar in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        assert not sidecar.exists() or sidecar.stat().st_size == 0, f"{sidecar.name} has content"
    new = {p.name for p in path.parent.iterdir()} - siblings
    assert new <= {f"{path.name}-wal", f"{path.name}-shm"}, new
    return message


def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("Meeting notes: not a database.\n" * 50)
    assert_refused_untouched(path, "not an audit-tui database")


def test_binary_junk_and_a_short_header_are_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    assert_refused_untouched(junk, "not an audit-tui database")
    short = tmp_path / "short.db"
    short.write_bytes(b"SQLite format 3\x00\x10\x00")
    assert_refused_untouched(short, "damaged")


def test_folder_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="is a folder"):
        Store(tmp_path, actor="t")


def test_missing_database_is_not_created_when_not_asked(tmp_path):
    with pytest.raises(DatabaseError, match="no database at"):
        Store(tmp_path / "absent.db", actor="t", create=False)
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.parametrize("cut", ["half", "half_plus_100", "first_page"])
def test_truncated_database_is_refused_untouched(tmp_path, mini_template, cut):
    path = make_db(tmp_path / "audits.db", mini_template)
    data = path.read_bytes()
    size = {"half": len(data) // 2 // 4096 * 4096, "half_plus_100": len(data) // 2 + 100, "first_page": 4096}[cut]
    path.write_bytes(data[:size])
    assert_refused_untouched(path, "damaged")


def test_corrupted_database_is_refused_untouched(tmp_path, mini_template):
    path = make_db(tmp_path / "audits.db", mini_template)
    data = bytearray(path.read_bytes())
    page = 4096
    for n in range(2, len(data) // page):  # scribble over the middle of every b-tree page after the first
        data[n * page + 40: n * page + 400] = b"\xff" * 360
    path.write_bytes(bytes(data))
    message = assert_refused_untouched(path, "damaged")
    assert "restore a backup" in message


def test_newer_database_is_refused_untouched(tmp_path, mini_template):
    path = make_db(tmp_path / "audits.db", mini_template, audits=2)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.commit()
    conn.close()
    assert_refused_untouched(path, "newer version of audit-tui")


def test_database_with_an_unknown_migration_is_refused(tmp_path, mini_template):
    path = make_db(tmp_path / "audits.db", mini_template, audits=2)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('audit-tui', '9999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    assert_refused_untouched(path, "newer version of audit-tui")


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('A', '1')")
    conn.commit()
    conn.close()
    assert_refused_untouched(path, "another program")


def test_empty_file_and_empty_sqlite_database_become_audit_databases(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    Store(empty, actor="t").close()
    fresh = tmp_path / "fresh.db"
    sqlite3.connect(fresh).close()  # a valid database with no tables
    store = Store(fresh, actor="t")
    assert store.count_audits() == 0
    store.close()


# -- read-only file and folder ----------------------------------------------------------


@pytest.fixture(scope="module")
def workers():
    server = WorkerServer()
    yield server
    server.close()


def _open_as_other_user(workers, path: Path) -> str:
    """What opening `path` says when done by a user without write access (nobody, when we are root)."""
    if os.geteuid() != 0:
        try:
            Store(path, actor="t").close()
            return "opened"
        except (DatabaseError, StoreError) as exc:
            return f"refused {exc}"
    pid, early = workers.start({"job": "open", "db": str(path), "uid": 65534})
    status, lines = workers.wait(pid)
    result = [line for line in early + lines if line.startswith(("opened", "refused", "error"))]
    assert status == 0 and len(result) == 1, (status, early + lines)
    kind, _, rest = result[0].partition(" ")
    return kind if kind == "opened" else f"{kind} {rest.partition(' ')[2]}"


@pytest.fixture
def shared_dir(mini_template):
    """A folder outside pytest's private tmp (which another user could not reach)."""
    folder = Path(tempfile.mkdtemp(prefix="audit-tui-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o700)
    shutil.rmtree(folder)


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)


def test_read_only_file_is_refused_untouched(shared_dir, mini_template, workers):
    folder = shared_dir / "rw"
    folder.mkdir()
    path = make_db(folder / "audits.db", mini_template, audits=2)
    _own(folder)
    _own(path)
    os.chmod(path, 0o444)
    before = digest(path)
    result = _open_as_other_user(workers, path)
    assert result.startswith("refused") and "read-only" in result, result
    assert digest(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["audits.db"]


def test_read_only_folder_is_refused_untouched(shared_dir, mini_template, workers):
    folder = shared_dir / "ro"
    folder.mkdir()
    path = make_db(folder / "audits.db", mini_template, audits=2)
    _own(folder)
    _own(path)
    os.chmod(folder, 0o555)
    before = digest(path)
    result = _open_as_other_user(workers, path)
    assert result.startswith("refused") and "folder" in result and "read-only" in result, result
    assert digest(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["audits.db"]


# -- a full disk ---------------------------------------------------------------------------


def test_full_disk_refuses_the_write_and_keeps_the_database(tmp_path, mini_template):
    path = tmp_path / "full.db"
    store = Store(path, actor="t")
    audit_id = store.create_audit(mini_template, case_ref="CL-FULL")
    store.set_answer(audit_id, "plan.quality", grade="good", evidence="Saved before the disk filled.")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk has room for two more pages
    with pytest.raises(StorageError, match="disk is full") as info:
        store.set_answer(audit_id, "plan.quality", evidence="A long piece of evidence. " * 5000)
    assert "long piece" not in str(info.value)  # error messages never echo evidence
    assert not store.db.conn.in_transaction
    assert digest(path) == before
    assert store.get_audit(audit_id).answers[0].evidence == "Saved before the disk filled."
    # Room again: the same save now works, on the same connection.
    store.db.execute("PRAGMA max_page_count = 1073741823")
    store.set_answer(audit_id, "plan.quality", evidence="A long piece of evidence. " * 5000)
    store.close()
    assert integrity_check(path) == []


def test_failing_disk_write_is_a_clear_error_and_nothing_is_lost(tmp_path, mini_template, workers):
    """A real write failure from the operating system (a file-size limit: EFBIG), in another process."""
    path = tmp_path / "limited.db"
    store = Store(path, actor="t")
    audit_id = store.create_audit(mini_template, case_ref="CL-LIMIT")
    store.add_action(audit_id, description="Written before the limit", owner="Lead", due="2099-01-01")
    store.close()
    pid, early = workers.start({"job": "fill", "db": str(path), "audit": audit_id})
    status, lines = workers.wait(pid)
    lines = early + lines
    assert status == 0, lines
    refused = [line for line in lines if line.startswith("refused")]
    assert len(refused) == 1 and ("disk is full" in refused[0] or "disk I/O error" in refused[0]), lines
    assert "Too big" not in refused[0]
    assert "ack small" in lines and "ack too-big" not in lines
    assert integrity_check(path) == []
    store = Store(path, actor="t")
    audit = store.get_audit(audit_id)
    assert audit.answers[0].evidence == "Small again"
    assert [a.description for a in audit.actions] == ["Written before the limit"]
    store.close()


# -- hostile template files -------------------------------------------------------------------

MINI = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")


def template_problems(tmp_path: Path, name: str, content: bytes | str) -> list[str]:
    from audit_tui.domain.templates import TemplateError, load_template

    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(TemplateError) as info:
        load_template(path)
    for problem in info.value.problems:
        assert problem.startswith(f"{path}:"), problem  # every error names the file and line
        assert problem.split(":")[1].isdigit(), problem
    return info.value.problems


def test_template_billion_laughs_is_refused(tmp_path):
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},"
               f"*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]" for n in range(8)]
    problems = template_problems(tmp_path, "laughs.yaml", "\n".join(laughs) + "\n")
    assert "aliases are not allowed" in problems[0] and ":2:" in problems[0]


def test_template_python_tags_are_refused(tmp_path):
    evil = MINI.replace("title: Mini audit for tests",
                        "title: !!python/object/apply:os.system ['touch " + str(tmp_path / "pwned") + "']")
    problems = template_problems(tmp_path, "evil.yaml", evil)
    assert not (tmp_path / "pwned").exists()
    assert "python/object" in problems[0] and ":3:" in problems[0]


def test_template_over_the_size_cap_is_refused_unread(tmp_path):
    big = MINI + "\n".join(f"# padding line {n} " + "x" * 80 for n in range(22_000)) + "\n"
    assert len(big) > 2_000_000
    assert "larger than" in template_problems(tmp_path, "big.yaml", big)[0]


def test_template_that_is_not_utf8_is_refused(tmp_path):
    latin = MINI.replace("Mini audit for tests", "Audit des r\u00e9sultats").encode("latin-1")
    assert "not UTF-8" in template_problems(tmp_path, "latin.yaml", latin)[0]


def test_template_bad_cross_references_name_their_lines(tmp_path):
    bad = MINI.replace("themes: [pathway-plans]", "themes: [no-such-theme]", 1)
    bad = bad.replace("scale: circumstance", "scale: nowhere", 1)
    problems = template_problems(tmp_path, "refs.yaml", bad)
    lines = MINI.splitlines()
    theme_line = next(i for i, line in enumerate(lines, 1) if "themes: [pathway-plans]" in line)
    scale_line = next(i for i, line in enumerate(lines, 1) if "scale: circumstance" in line)
    assert any(f":{theme_line}:" in p and "unknown theme 'no-such-theme'" in p for p in problems), problems
    assert any(f":{scale_line}:" in p and "unknown scale 'nowhere'" in p for p in problems), problems


def test_template_redefining_ilacs_levels_is_refused(tmp_path):
    odd = MINI.replace("scales:\n", "scales:\n  - id: ilacs\n    levels:\n"
                       "      - {id: great, label: Great, good_or_better: true}\n"
                       "      - {id: poor, label: Poor, good_or_better: false}\n", 1)
    assert any("ilacs scale keeps Ofsted's four levels" in p for p in template_problems(tmp_path, "odd.yaml", odd))


# -- hostile import files -------------------------------------------------------------------------


def test_import_is_all_or_nothing_with_the_audit_and_field_named(tmp_path, mini_template):
    import audit_tui.exchange.interchange as interchange
    source = Store(tmp_path / "source.db", actor="t")
    for n in range(3):
        audit_id = source.create_audit(mini_template, case_ref=f"CL-{n}")
        source.set_answer(audit_id, "plan.quality", grade="good", evidence=f"Confidential evidence {n}")
    interchange.export_json(source, tmp_path / "out.json")
    source.close()
    import json

    data = json.loads((tmp_path / "out.json").read_text())
    data["audits"][2]["answers"][0]["grade"] = "superb"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    target = Store(tmp_path / "target.db", actor="t")
    with pytest.raises(interchange.InterchangeError) as info:
        interchange.import_json(target, tmp_path / "bad.json")
    message = str(info.value)
    assert f"audit 2 ({data['audits'][2]['case_ref']})" in message and "grade" in message, message
    assert "Confidential" not in message
    assert target.count_audits() == 0  # nothing imported
    target.close()


def test_import_size_cap_and_non_json(tmp_path):
    import audit_tui.exchange.interchange as interchange

    store = Store(tmp_path / "t.db", actor="t")
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\xff\xfe not json")
    with pytest.raises(interchange.InterchangeError, match="not UTF-8"):
        interchange.import_json(store, junk)
    big = tmp_path / "big.json"
    big.write_text('{"format": "audit-tui/1", "audits": [' + ",".join(["{}"] * 1000) + "]}")
    with pytest.raises(interchange.InterchangeError, match="audit 0, field id: Field required") as info:
        interchange.import_json(store, big)  # streamed: no size cap, the first 50 problems listed
    from audit_tui.exchange.import_checks import MAX_PROBLEMS

    assert len(info.value.problems) == MAX_PROBLEMS
    assert store.count_audits() == 0
    store.close()
