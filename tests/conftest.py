"""Shared fixtures: every test gets its own data and config folders and database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from audit_tui.domain.templates import load_template
from audit_tui.storage.store import Store

from .helpers import pace

DATA = Path(__file__).parent / "data"

pace.fewer_sweeps()
pace.shorter_idle_wait()


def pytest_collection_finish(session):
    pace.leave_out_of_sweeps()  # every test module is imported by now


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep settings and databases out of the real user's folders."""
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AUDIT_TUI_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def mini_template():
    return load_template(DATA / "mini.yaml")


@pytest.fixture(scope="session")
def empty_built(tmp_path_factory) -> Path:
    """A new database, every migration applied and nothing in it, made by the store once per test process and
    never written to: each test's `store` opens a copy (making and migrating a new file took 0.15 s a test)."""
    path = tmp_path_factory.mktemp("empty-built") / "empty.db"
    Store(path, actor="Alex Auditor").close()
    return path


@pytest.fixture
def store(empty_built, tmp_path):
    """The store of a new database of this test's own (a copy of `empty_built`)."""
    store = Store(copy_database(empty_built, tmp_path / "audits.db"), actor="Alex Auditor")
    yield store
    try:
        store.close()
    except Exception:  # noqa: BLE001 - the app may have closed it already
        pass


@pytest.fixture
def db_copy(known_db, tmp_path):
    """A copy of the module's `known_db` fixture, for a test that writes to it."""
    path = tmp_path / "copy.db"
    shutil.copy(known_db, path)
    return path


def copy_database(source: Path, target: Path) -> Path:
    """A writable copy of a database built once for the whole session (see `demo_built`)."""
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return target


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory) -> Path:
    """The demo database as `audit-tui demo --no-open` builds it today, built once per test process by the
    real script (a dozen modules each built their own: 3 s of CPU each). Never written to: tests take a
    copy (`demo_copy`, `copy_database`), so that no test sees what another wrote, nor a summary cache
    another filled."""
    folder = tmp_path_factory.mktemp("demo-built")
    env = {**os.environ, "AUDIT_TUI_CONFIG_DIR": str(folder / "config"), "AUDIT_TUI_DATA_DIR": str(folder / "data")}
    done = subprocess.run([sys.executable, "-m", "audit_tui", "demo", "--no-open", "--db", str(folder / "demo.db")],
                          capture_output=True, text=True, timeout=600, cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    return folder / "demo.db"


@pytest.fixture
def demo_copy(demo_built, tmp_path) -> Path:
    """A fresh copy of the demo database (its summary cache not yet filled) for this test alone."""
    return copy_database(demo_built, tmp_path / "demo.db")


@pytest.fixture(scope="session")
def demo_of_23_november_2026(tmp_path_factory) -> Path:
    """The demo as built on 23 November 2026 (`build_demo(today=...)`), once per test process; never written
    to (take a copy)."""
    from audit_tui.features.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo-fixed") / "demo.db", today=date(2026, 11, 23))


@pytest.fixture(scope="session")
def demo_documents(tmp_path_factory, demo_built) -> dict:
    """The demo's report, one audit's feedback and the calibration document (and its --json), written by
    the commands in this process with an organisation and a protective marking set: once per test
    process. The modules that read them are in the xdist group "demo_documents", so that one worker
    writes them once. Read them; never change them."""
    import json
    import sqlite3

    from tests.helpers.cli import invoke

    folder = tmp_path_factory.mktemp("demo-documents")
    (folder / "config").mkdir()
    (folder / "config" / "settings.json").write_text(json.dumps({
        "organisation": "Northbridge Council", "protective_marking": "OFFICIAL-SENSITIVE PERSONAL"}))
    db = copy_database(demo_built, folder / "demo.db")

    def run(*args: str) -> str:
        result = invoke("--db", db, *args, cwd=folder, env={"AUDIT_TUI_CONFIG_DIR": str(folder / "config"),
                                                             "AUDIT_TUI_DATA_DIR": str(folder / "data")})
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    run("report", "-o", str(folder / "report.docx"))
    with sqlite3.connect(db) as conn:
        audit_id = conn.execute("SELECT id FROM audits WHERE status = 'completed' LIMIT 1").fetchone()[0]
    run("report", "--audit", audit_id, "-o", str(folder / "feedback.docx"))
    run("calibration", "--ready-at", "75", "-o", str(folder / "calibration.docx"))
    calibration = run("calibration", "--json")
    return {"report": folder / "report.docx", "feedback": folder / "feedback.docx",
            "calibration": folder / "calibration.docx", "calibration.json": json.loads(calibration)}
