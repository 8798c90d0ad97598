"""The snapshot tests' data, written once per test process."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audit_tui.domain.templates import load_template
from audit_tui.storage.store import Store

from ..conftest import DATA, copy_database
from ..helpers.snapshots import snapshot_app, snapshot_data


@pytest.fixture(scope="session")
def snapshot_built(empty_built, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The snapshot data (helpers.snapshots.snapshot_data) and its audits' ids, written once per test process
    and never written to again: each test opens a copy (`pictured_app`)."""
    path = copy_database(empty_built, tmp_path_factory.mktemp("snapshot-built") / "audits.db")
    with Store(path, actor="Alex Auditor") as store:
        ids = snapshot_data(store, load_template(DATA / "mini.yaml"))
    return path, ids


@pytest.fixture
def pictured_app(snapshot_built, tmp_path):
    """The app on this test's own copy of the snapshot data (its store: `pictured_app.store`)."""
    path, ids = snapshot_built
    store = Store(copy_database(path, tmp_path / "audits.db"), actor="Alex Auditor")
    yield snapshot_app(store, ids)
    try:
        store.close()
    except Exception:  # noqa: BLE001 - the app may have closed it already
        pass


@pytest.fixture
def draft(store, mini_template) -> str:
    """A draft audit of the mini template (CL-0042), on the test's store."""
    return store.create_audit(mini_template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                              audited_on=date(2026, 2, 10))
