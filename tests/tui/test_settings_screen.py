"""The Settings screen (F2) edits the logo and the version label the documents use (README "Whose
document, which version"), and refuses a logo file that cannot be used with one plain sentence, as
the documents' warning would say it."""

from __future__ import annotations

import json
import os

import pytest

from audit_tui.tui.screens.settings import SettingsScreen

from ..helpers.app import make_app, paste_text
from ..test_document_branding import png


def saved() -> dict:
    path = os.path.join(os.environ["AUDIT_TUI_CONFIG_DIR"], "settings.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


async def fill(pilot, field: str, text: str) -> None:
    box = pilot.app.screen.query_one(f"#{field}")
    box.focus()
    box.value = ""
    await paste_text(pilot, text)


async def test_logo_and_version_label_are_saved_from_the_settings_screen(store, tmp_path):
    (tmp_path / "logo.png").write_bytes(png(300, 100))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await fill(pilot, "logo", str(tmp_path / "logo.png"))
        await fill(pilot, "version_label", "Version 2 — for the board")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
    assert saved()["logo"] == str(tmp_path / "logo.png")
    assert saved()["version_label"] == "Version 2 — for the board"


@pytest.mark.parametrize("content, reason", [
    (None, "there is no such file or folder"),
    (b"GIF89a not a logo", "it is not a PNG or JPEG picture"),
])
async def test_a_logo_that_cannot_be_used_is_refused_in_one_sentence(store, tmp_path, content, reason):
    logo = tmp_path / "logo.gif"
    if content is not None:
        logo.write_bytes(content)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await fill(pilot, "logo", str(logo))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)  # still open, to put it right
        error = str(app.screen.query_one("#settings-error").render())
        assert error == f"Not saved: the logo {logo} cannot be used, because {reason}."
        assert app.screen.focused is app.screen.query_one("#logo")
    assert "logo" not in saved()
