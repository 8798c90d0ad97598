"""The footer shows the keys that work where the cursor is, and is made again only when those change
(README, Keys: moving between fields does not redraw the whole screen)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from ..helpers.app import make_app, open_walk_through


def labels(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_follows_the_cursor_into_the_search_box_and_back(store):
    async with make_app(store).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert pilot.app.focused.id == "audits"
        assert labels(pilot.app)[0] == "New audit" and labels(pilot.app)[-2:] == ["Help", "More"]
        await pilot.press("tab")  # the search box: letters type there, so n is not "New audit"
        await pilot.pause()
        assert pilot.app.focused.id == "home-search"
        assert "New audit" not in labels(pilot.app) and labels(pilot.app)[-2:] == ["Help", "More"]
        await pilot.press("tab")
        await pilot.pause()
        assert pilot.app.focused.id == "audits" and labels(pilot.app)[0] == "New audit"


async def test_moving_between_fields_with_the_same_keys_keeps_the_footer_as_it_is(store, draft):
    audit_id = draft
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_through(pilot, audit_id)
        keys = list(app.screen.query(FooterKey))
        assert [k.description for k in keys][:4] == ["Next", "Previous", "Review", "Flag concern"]
        for field in ("q-evidence", "q-themes"):
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused.id == field
            assert list(app.screen.query(FooterKey)) == keys  # the same keys, not made again

