"""Shared fixtures: every test gets its own data and config folders and database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit_tui.storage.store import Store
from audit_tui.domain.templates import load_template

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep settings and databases out of the real user's folders."""
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AUDIT_TUI_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def mini_template():
    return load_template(DATA / "mini.yaml")


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "audits.db", actor="Alex Auditor")
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
