"""Safeguarding that closes the loop (README "Completing an audit"): the concern form records who was
told, when and how and both managers; the urgent action is due the same working day and cannot be
deleted; a concern closes only with its outcome; care-leaver audits offer the 18–25 route. Driven
through the real app (Pilot) and the command line (subprocess)."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta

from textual.widgets import Input, Select, TextArea

from audit_tui.files.settings import Settings
from audit_tui.storage.store import Store
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.audit import AuditScreen
from audit_tui.tui.screens.dialogs import ConcernDialog, ReasonDialog
from audit_tui.tui.screens.review import ReviewScreen

from .conftest import DATA
from .helpers.cli import invoke, run_script


def same_working_day(today: date) -> date:
    """README: due the same working day; raised on a Saturday or Sunday, the Monday after."""
    return today if today.weekday() < 5 else today + timedelta(days=7 - today.weekday())


async def test_a_concern_raised_in_the_app_records_who_was_told_and_both_managers(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-0042")
    app = AuditApp(store, settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AuditScreen(audit_id))
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConcernDialog)
        dialog.query_one(TextArea).text = "Sam is missing overnight and nobody has reported it"
        await pilot.press("ctrl+s")  # not yet: who was told, how, and both managers are needed
        await pilot.pause()
        assert app.screen is dialog
        for key, value in (("told_who", "Tess Manager"), ("told_how", "phone"), ("team_manager", "Tess Manager"),
                           ("service_manager", "Sid Service")):
            dialog.query_one(f"#concern-{key}", Input).value = value
        # a care-leaver audit (the mini template's service area) offers the 18–25 route
        dialog.query_one("#concern-route", Select).value = "exploitation_panel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)

        [action] = store.get_audit(audit_id).actions
        app.screen.action_actions()
        await pilot.pause()
        await pilot.press("d")  # the urgent action is not offered for deletion
        await pilot.pause()
        assert [a.id for a in store.get_audit(audit_id).actions] == [action.id]

        await pilot.press("ctrl+r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.query_one("#safeguarding", Select).value == "concern_raised"
        review.query_one(".concern").press()
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # no outcome: refused
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        app.screen.query_one(Input).value = "Reported missing to police; found safe at 9 pm"
        await pilot.press("enter")
        await pilot.pause()

    audit = store.get_audit(audit_id)
    [concern] = audit.concerns
    assert (concern.told_who, concern.told_how) == ("Tess Manager", "phone")
    assert concern.told_at  # filled in with the time the form opened
    assert (concern.team_manager, concern.service_manager, concern.route) == (
        "Tess Manager", "Sid Service", "exploitation_panel")
    assert concern.outcome == "Reported missing to police; found safe at 9 pm" and concern.handled_at
    assert audit.safeguarding == "concern_raised"
    [action] = audit.actions
    assert action.owner == "Tess Manager and Sid Service"
    assert action.due == same_working_day(date.today())


def run(*args: str, check: bool = True, script: bool = False) -> subprocess.CompletedProcess:
    """The command in this process, or with `script` as a child process (the real entry point)."""
    done = run_script(*args, timeout=120) if script else invoke(*args)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_concerns_are_listed_and_closed_only_with_an_outcome_on_the_command_line(tmp_path, mini_template):
    db = tmp_path / "a.db"
    store = Store(db, actor="Alex Auditor")
    audit_id = store.create_audit(mini_template, case_ref="CL-0007")
    concern_id = store.raise_concern(audit_id, "Adult visiting the flat is a risk to Sam", "Tess Manager",
                                     service_manager="Sid Service", told_who="Tess Manager",
                                     told_at="2026-02-10 11:05", told_how="in person")
    store.close()
    [row] = json.loads(run("concerns", "--json", "--db", str(db)).stdout)
    assert (row["case_ref"], row["told_who"], row["told_at"], row["told_how"]) == (
        "CL-0007", "Tess Manager", "2026-02-10 11:05", "in person")
    assert (row["team_manager"], row["service_manager"], row["action_status"]) == ("Tess Manager", "Sid Service",
                                                                                   "open")
    refused = run("concerns", "close", concern_id[:8], "--outcome", "  ", "--db", str(db), check=False, script=True)
    assert refused.returncode != 0
    assert refused.stderr.strip() == ("audit-tui: error: say what the outcome was: a concern can be closed only "
                                      "with its outcome")
    run("concerns", "close", concern_id[:8], "--outcome", "Strategy meeting held", "--db", str(db))
    assert json.loads(run("concerns", "--json", "--db", str(db)).stdout) == []
    store = Store(db)
    assert store.get_audit(audit_id).concerns[0].outcome == "Strategy meeting held"
    store.close()


def test_old_databases_keep_their_completed_audits_and_concerns(tmp_path, mini_template):
    """A database from before the statement: its completed audit stays completed, its concern loads."""
    from .test_store import LONG

    db = tmp_path / "old.db"
    store = Store(db)
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.raise_concern(audit_id, "Risk from a visiting adult", "Tess Manager")
    store.close()
    import sqlite3

    conn = sqlite3.connect(db)  # as the previous version left it: no statement, no new concern fields
    conn.execute("UPDATE audits SET status = 'completed', lived_experience = ?", [LONG])
    conn.execute("ALTER TABLE audits DROP COLUMN safeguarding")
    for column in ("told_who", "told_at", "told_how", "team_manager", "service_manager", "route", "outcome"):
        conn.execute(f"ALTER TABLE concerns DROP COLUMN {column}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_safeguarding_loop'")
    conn.commit()
    conn.close()
    store = Store(db)
    audit = store.get_audit(audit_id)
    assert (audit.status, audit.safeguarding, audit.concerns[0].description) == (
        "completed", None, "Risk from a visiting adult")
    store.close()
