"""The demo in the app: a way back to your own database, and a rebuild only once asked (issue 22)."""

from __future__ import annotations

from datetime import date

from audit_tui.files.settings import Settings, default_db_path
from audit_tui.storage.store import Store
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.dialogs import ConfirmDialog
from audit_tui.tui.screens.home import HomeScreen

from ..conftest import DATA

SIZE = (80, 24)


def audit_count(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM audits").fetchone()[0]


async def palette(pilot, title: str) -> None:
    """Run a command from the command palette (ctrl+p), typed as a user would."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*title)
    for _ in range(10):  # the palette searches in the background
        await pilot.pause(0.1)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


async def test_the_app_opened_on_the_demo_asks_before_a_rebuild_and_goes_back_to_your_database(
        tmp_path, demo_copy, mini_template):
    """As `audit-tui demo` opens it: `d` asks first (Esc keeps the demo as it is, the red button rebuilds
    it), and the palette's "Back to your own database" opens the default database."""
    demo_path = demo_copy
    own = Store(default_db_path(), actor="Alex Auditor")
    own.save_template(mini_template)
    own.create_audit(mini_template, case_ref="OWN-0001", auditor="Alex Auditor", audited_on=date(2026, 2, 10))
    own.close()
    store = Store(demo_path, actor="Alex Auditor")
    fresh = audit_count(store)
    store.save_template(mini_template)
    store.create_audit(mini_template, case_ref="MINE-0001", auditor="Alex Auditor", audited_on=date(2026, 2, 10))
    app = AuditApp(store, path=demo_path, demo_of=default_db_path(),
                   settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title.startswith("DEMO")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # keep it
        await pilot.pause()
        assert audit_count(app.store) == fresh + 1, "nothing was rebuilt"
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#confirm-go")
        for _ in range(50):
            await pilot.pause(0.1)
            if isinstance(app.screen, HomeScreen) and app.store.path == demo_path and audit_count(app.store) == fresh:
                break
        assert app.store.path == demo_path and audit_count(app.store) == fresh, "rebuilt in place: your audit gone"
        assert not list(tmp_path.glob(".demo-*")), "no working file left beside it"
        await palette(pilot, "Back to your own database")
        assert app.store.path == default_db_path() and isinstance(app.screen, HomeScreen)
        refs = [app.store.get_audit(i).case_ref for (i,) in app.store.db.execute("SELECT id FROM audits")]
        assert refs == ["OWN-0001"]
        assert not app.sub_title.startswith("DEMO")
        assert not any(c.title == "Back to your own database" for c in app.get_system_commands(app.screen))



async def test_the_demo_open_in_another_window_is_not_rebuilt_under_it(tmp_path, demo_copy, mini_template):
    """`d`, then Rebuild, while another window has the demo open: one sentence says why not, this window stays
    on the demo as it was, and the other window's saves stay in it."""
    demo_path = demo_copy
    other = Store(demo_path, actor="Tess Trainee")
    draft = next(a for a in other.list_audits() if a["status"] == "draft")["id"]
    store = Store(demo_path, actor="Alex Auditor")
    before = audit_count(store)
    app = AuditApp(store, path=demo_path, demo_of=default_db_path(),
                   settings=Settings(template_dir=str(DATA), auditor_name="Alex Auditor"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#confirm-go")
        for _ in range(50):
            await pilot.pause(0.1)
            if app._notifications:
                break
        assert [n.message for n in app._notifications] == [
            f"The demo database at {demo_path} is open in another audit-tui window, so it was not rebuilt (what "
            "is saved there would be lost): close the demo there first, then try again."]
        assert app.store.path == demo_path and app.sub_title.startswith("DEMO")
        assert audit_count(app.store) == before
        other.update_audit(draft, worker="Saved in the other window")
        assert app.store.get_audit(draft).worker == "Saved in the other window"
        assert not list(tmp_path.glob(".demo-*")), "no working file left beside it"
    other.close()


async def test_a_quality_lead_meets_reaudits_and_followups_in_the_demo(demo_copy):
    """README "Demo": the first practice week's Re-audits tab lists an overdue re-audit before the re-audited
    ones; the case screen of a re-audited case, its title in sight at 80x24, shows the follow-up beside the
    audit it follows up (its date) and whether the actions made a difference."""
    from textual.geometry import Region
    from textual.widgets import DataTable, Static

    from audit_tui.tui.screens.case import CaseScreen
    from audit_tui.tui.screens.rounds import RoundsScreen

    from ..helpers.app import make_app

    store = Store(demo_copy, actor="Quinn Lead")
    try:
        (first,), = store.db.execute("SELECT round FROM audits WHERE round LIKE '%practice week' "
                                     "ORDER BY audited_on LIMIT 1").fetchall()
        (case_ref, earlier_on), = store.db.execute(
            "SELECT a.case_ref, a.audited_on FROM audits b JOIN audits a ON a.id = b.follows WHERE a.round = ? "
            "ORDER BY a.case_ref LIMIT 1", [first]).fetchall()
        app = make_app(store, "Quinn Lead")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.push_screen(RoundsScreen(first))
            await pilot.pause()
            await pilot.press("t", "t", "t")
            await pilot.pause()
            table = app.screen.query_one("#reaudits", DataTable)
            states = [str(table.get_row_at(n)[3]) for n in range(table.row_count)]
            assert states[0] == "overdue" and "re-audited" in states
            app.pop_screen()
            app.push_screen(CaseScreen(case_ref))
            await pilot.pause()
            screen = app.screen
            title = screen.query_one("#case-title", Static)
            assert Region(0, 0, *SIZE).contains_region(title.region) and title.region.area > 0
            assert case_ref in str(title.render())
            grid = screen.query_one(DataTable)
            cells = [[str(c) for c in grid.get_row_at(n)] for n in range(grid.row_count)]
            later = [row[-1] for row in cells]
            assert earlier_on in later
            assert {"Improved", "Some improv.", "No change", "Worse", "Too early to say"} & set(later)
    finally:
        store.close()
