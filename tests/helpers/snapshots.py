"""Fixed data and a steady picture for the snapshot tests: the same on every run.

No clock (fixed dates and times, every field that defaults to today given a value), no cursor
blink, no animation, and nothing still loading: the home list (added just after the first paint)
is waited for, and so are the workers.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input, TextArea

from audit_tui.features import rounds
from audit_tui.tui.app import AuditApp

from ..factories import base, make_audit
from .app import make_app

STAMP = "2026-02-11T09:00:00+00:00"
ROUND = "2026-02 practice week"


def snapshot_data(store, template) -> dict[str, str]:
    """Three audits (a draft of the mini template with an action, a completed one with actions, a completed one
    with an open safeguarding concern), a round, fixed times and dates; their ids by name. Written once per test
    process (tests/tui/conftest.py `snapshot_built`), each test opening a copy."""
    draft = store.create_audit(template, case_ref="CL-0042", team="Leaving Care 1", auditor="Alex Auditor",
                               round=ROUND, audited_on=date(2026, 2, 10))
    store.set_answer(draft, "plan.quality", grade="requires_improvement",
                     evidence="The pathway plan was not updated after Jo moved.")
    store.add_action(draft, description="Update the pathway plan with Jo's views", owner="Sam Worker",
                     due=date(2026, 3, 14), question="plan.quality")
    done = make_audit(store, "CL-0043", base(**{"practice.quality": "requires_improvement"}), team="Leaving Care 2")
    concern = make_audit(store, "CL-0044", base(), team="Leaving Care 2", auditor="Sam Senior")
    store.raise_concern(concern, "Kai is staying at an address linked to exploitation", "Team manager")
    rounds.create_round(store, ROUND, "2026-02-09", "2026-02-13")
    store.db.execute("UPDATE audits SET updated_at = ?, completed_at = ?", [STAMP, STAMP])
    for hour, audit_id in ((10, draft), (9, done), (8, concern)):  # one order on every run (ties fall to random ids)
        store.db.execute("UPDATE audits SET updated_at = ? WHERE id = ?", [STAMP.replace("T09", f"T{hour:02}"), audit_id])
    store.db.execute("UPDATE concerns SET raised_at = ?", [STAMP])
    store.db.execute("UPDATE actions SET due = '2026-02-12' WHERE due > '2026-12-01'")
    return {"draft": draft, "done": done, "concern": concern}


def snapshot_app(store, ids: dict[str, str]) -> AuditApp:
    """The app on a copy of the snapshot data (`snapshot_data`), with no animation; `app.ids` names the audits."""
    app = make_app(store)
    app.animation_level = "none"
    app.ids = dict(ids)
    return app


async def settle(pilot) -> None:
    """Wait until nothing is loading or moving: the home list loaded, workers done, no cursor blinking."""
    app = pilot.app
    app.sub_title = "test.db"
    for _ in range(500):  # the home list is added just after the first paint
        lists = app.screen_stack[0].query("#audits")
        if lists and lists.first(DataTable).row_count:
            break
        await pilot.pause(0.01)
    await pilot.pause()
    await still(pilot)


async def still(pilot) -> None:
    """Workers finished, animations over, and no text box's cursor blinking."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    for screen in app.screen_stack:
        for box in screen.query("Input, TextArea"):
            if isinstance(box, (Input, TextArea)):
                box.cursor_blink = False
    await pilot.pause()
    await pilot.pause()


def push(make, *, values: dict[str, str] | None = None, keys: tuple[str, ...] = ()):
    """run_before: open the screen `make(app)` returns, set fixed field values (every field that would
    show today's date or a home folder), press keys, and wait until the picture is still."""
    async def before(pilot):
        await settle(pilot)
        pilot.app.push_screen(make(pilot.app))
        await pilot.pause()
        await still(pilot)
        if keys:
            await pilot.press(*keys)
            await still(pilot)
        if values:  # (without, the picture is still already)
            for selector, value in values.items():
                pilot.app.screen.query_one(selector, Input).value = value
            await still(pilot)
    return before
