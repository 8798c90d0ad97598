"""Data governance (README "Your data"): names redacted to initials in documents and circulated
exports; `audit-tui retention` deletes old audits with every row and history row of theirs, after a
confirmation, and logs the deletion. Through the CLI (subprocess), Pilot and files read back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from textual.widgets import Input

from audit_tui.files.settings import Settings
from audit_tui.storage.store import Store
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen

from .conftest import DATA
from .factories import base, make_audit
from .helpers.cli import invoke, run_script

QUOTE = "Sam Jones said the pathway plan is hers; Tess Jones, her sister, visits weekly."


def run(*args: str, stdin: str | None = None, check: bool = True, script: bool = False) -> subprocess.CompletedProcess:
    """The command in this process, or with `script` as a child process (the real entry point)."""
    done = run_script(*args, input=stdin) if script else invoke(*args, input=stdin)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def two_ages(tmp_path) -> tuple[Path, str, str]:
    """An audit of 2019 (a concern, a conversation, names to redact, moderation-free) and one of 2026."""
    db = tmp_path / "a.db"
    store = Store(db, actor="Ann Auditor")
    old = make_audit(store, "CL-0001", base(), audited_on=date(2019, 3, 4), evidence={"practice.quality": QUOTE},
                     complete=False)
    store.raise_concern(old, "Risk from a visiting adult", "Tess Manager", service_manager="Sid Service")
    store.set_conversation(old, held_on="2019-03-05", reflection="Talked it through")
    store.set_redact_names(old, "Sam Jones, Tess Jones")
    new = make_audit(store, "CL-0002", base(), audited_on=date(2026, 2, 10), evidence={"practice.quality": QUOTE})
    store.set_redact_names(new, ["Sam Jones", "Tess Jones"])
    store.close()
    return db, old, new


def rows_of(db: Path, audit_id: str) -> dict[str, int]:
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {}
    for table in tables:
        columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        key = "audit_id" if "audit_id" in columns else "id" if table in ("audits", "audit_facts") else None
        if key:
            found[table] = conn.execute(f"SELECT count(*) FROM {table} WHERE {key} = ?", [audit_id]).fetchone()[0]
    conn.close()
    return {t: n for t, n in found.items() if n}


def test_retention_asks_then_deletes_every_row_and_logs_it(two_ages):
    db, old, new = two_ages
    kept = rows_of(db, new)
    assert rows_of(db, old)["history"] > 0
    refused = run("retention", "--before", "2020-01-01", "--db", str(db), stdin="n\n", check=False, script=True)
    assert refused.returncode == 1 and "Nothing deleted." in refused.stdout
    assert "Delete 1 audit(s) dated before 2020-01-01" in refused.stdout
    assert rows_of(db, old)["audits"] == 1
    done = run("retention", "--before", "2020-01-01", "--db", str(db), stdin="y\n", script=True)
    assert "Deleted 1 audit(s) dated before 2020-01-01" in done.stdout
    assert rows_of(db, old) == {}  # answers, actions, concerns, conversation, names, facts and history: all gone
    assert rows_of(db, new) == kept
    log = run("retention", "log", "--db", str(db)).stdout
    assert "retention: audits dated before 2020-01-01: 1 audit(s)" in log
    conn = sqlite3.connect(db)  # the trail stays append-only for everything else
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM history WHERE audit_id = ?", [new])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM deletion_log")
    conn.close()
    figures = json.loads(run("summary", "--json", "--db", str(db)).stdout)
    assert figures["audits"]["total"] == 1 and figures["open_concerns"] == []


def test_retention_with_yes_and_from_the_setting(two_ages):
    db, old, _ = two_ages
    config = Path(os.environ["AUDIT_TUI_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"retention_years": 6}), encoding="utf-8")
    done = run("retention", "--yes", "--db", str(db))  # audited more than 6 years ago: the 2019 audit
    assert "Deleted 1 audit(s)" in done.stdout
    assert rows_of(db, old) == {}
    (config / "settings.json").write_text("{}", encoding="utf-8")
    missing = run("retention", "--yes", "--db", str(db), check=False)
    assert missing.returncode != 0
    assert missing.stderr.strip() == "audit-tui: error: give --before DATE, or set retention_years in settings.json"


def test_names_become_initials_in_documents_and_circulated_exports(two_ages, tmp_path):
    db, _, new = two_ages
    run("report", "-o", str(tmp_path / "f.docx"), "--audit", new[:8], "--db", str(db))
    text = "\n".join(p.text for p in Document(str(tmp_path / "f.docx")).paragraphs)
    assert "S.J. said the pathway plan is hers; T.J., her sister, visits weekly." in text
    assert "Sam Jones" not in text and "Tess Jones" not in text
    run("export", str(tmp_path / "out.json"), "--redact", "--db", str(db))
    raw = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert "Sam Jones" not in raw and "Tess Jones" not in raw and "S.J. said" in raw
    assert all(a["redact_names"] == [] for a in json.loads(raw)["audits"])
    # an export kept for another database carries the list and the text as they are (lossless)
    run("export", str(tmp_path / "full.json"), "--db", str(db))
    full = {a["case_ref"]: a for a in json.loads((tmp_path / "full.json").read_text(encoding="utf-8"))["audits"]}
    assert full["CL-0002"]["redact_names"] == ["Sam Jones", "Tess Jones"]
    run("import", str(tmp_path / "full.json"), "--db", str(tmp_path / "b.db"))
    run("export", str(tmp_path / "again.json"), "--db", str(tmp_path / "b.db"))
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "full.json").read_bytes()
    refused = run("export", str(tmp_path / "out.csv"), "--redact", "--db", str(db), check=False)
    assert refused.returncode != 0 and "--redact writes a .json file" in refused.stderr


def test_report_quotes_use_initials(two_ages, tmp_path):
    db, _, _ = two_ages
    figures = json.loads(run("summary", "--json", "--db", str(db)).stdout)
    quotes = [q["text"] for t in figures["themes"] for q in t["strength_quotes"] + t["improvement_quotes"]]
    assert quotes and not any("Sam Jones" in q or "Tess Jones" in q for q in quotes)
    assert any("S.J." in q for q in quotes)


async def test_names_to_redact_are_entered_from_the_walk_through(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042")
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        app.screen.query_one("#cv-redact", Input).value = "Jo Smith, Kai"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert store.get_audit(audit_id).redact_names == ["Jo Smith", "Kai"]
    assert [(h["field"], h["new"]) for h in store.history(audit_id)][-1] == ("redact_names", "Jo Smith; Kai")
