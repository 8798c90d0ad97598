"""Issue 7, start-up: the first screen is painted before the heavy modules load, and nothing else changes.

The store (sqlite-utils, pydantic models) and the validated settings load just after the first
paint; on a terminal a refused database still ends in one clear line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from textual.widgets import DataTable

from audit_tui.files.settings import load_settings, read_auditor_name, read_look, settings_path
from audit_tui.storage.errors import StoreError
from audit_tui.tui.app import AuditApp
from audit_tui.tui.screens.home import HomeScreen
from audit_tui.tui.screens.new_audit import NewAuditScreen

from ..test_cli_errors import ENTRY, digest

HEAVY = ("pydantic", "sqlite_utils", "audit_tui.storage.store", "audit_tui.domain.models", "audit_tui.cli.outputs",
         "matplotlib", "docx")

FIRST_SCREEN = """
import asyncio, json, sys
from pathlib import Path
from audit_tui.cli.main import open_store
from audit_tui.tui.app import AuditApp

HEAVY = {heavy!r}
seen = {{}}

class Probe(AuditApp):
    def finish_start(self):
        seen["loaded"] = [name for name in HEAVY if name in sys.modules]
        seen["laid_out"] = bool(self.screen.query_one("#home-search").region)
        return super().finish_start()

async def main():
    async with app.run_test() as pilot:
        await pilot.pause()
        seen["rows"] = app.screen.query_one("#audits").row_count
    app.close_store()

path = Path(sys.argv[1])
app = Probe(lambda: open_store(path), path=path)
asyncio.run(main())
print(json.dumps(seen))
"""


def test_first_screen_is_laid_out_before_the_heavy_modules_load(store, mini_template):
    store.create_audit(mini_template, case_ref="CL-1")
    code = FIRST_SCREEN.format(heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, str(store.path)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "AUDIT_TUI_DEBUG": ""})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"loaded": [], "laid_out": True, "rows": 1}


def test_settings_model_is_defined_when_first_used():
    code = ("import sys; import audit_tui.files.settings as s; before = 'pydantic' in sys.modules; "
            "print(before, s.Settings.model_fields['theme'].description.split()[1], s.Settings is s.Settings)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "colour", "True"], result.stderr


def test_dateutil_parser_loads_only_when_first_used():
    code = ("import sys; import audit_tui.storage.db; before = 'dateutil.parser._parser' in sys.modules; "
            "from sqlite_utils.recipes import parsedate; import dateutil.parser; "
            "print(before, parsedate('6th December 2026'), dateutil.parser.isoparse('2026-12-06').year)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "2026-12-06", "2026"], result.stderr


@pytest.mark.parametrize("text", [
    '{"theme": "textual-light", "keymap": {"home.new": "f9"}, "auditor_name": "Al"}',
    '{"theme": "textual-light", "keymap": {"home.new": "f9"}, "template_dir": "/no/such/folder"}',
    '{"theme": "' + "x" * 61 + '", "keymap": {"home.new": 9}}',
    '{"theme": 7, "keymap": ["f9"]}',
    '["not", "an", "object"]',
    "{not json",
    "",
])
def test_first_screen_look_is_what_the_validated_settings_say(text):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text, encoding="utf-8")
    settings = load_settings()
    assert read_look() == (settings.theme, settings.keymap)


@pytest.mark.parametrize("text", [
    '{"auditor_name": "  Al\\u0007 Smith \\n", "theme": 7}',
    '{"auditor_name": "' + "x" * 80 + '"}',
    '{"auditor_name": "' + "x" * 81 + '", "organisation": "Council"}',
    '{"auditor_name": 7}',
    '{"auditor_name": "Al", "template_dir": "/no/such/folder"}',
    '["auditor_name"]',
    "{not json",
    "",
])
def test_the_auditor_name_read_without_pydantic_is_the_validated_one(text):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text, encoding="utf-8")
    assert read_auditor_name() == load_settings().auditor_name


async def test_keymap_and_theme_from_the_settings_file_apply_at_once(store):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('{"theme": "textual-light", "keymap": {"home.new": "f9"}}', encoding="utf-8")
    app = AuditApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)
    assert app.settings.theme == "textual-light"  # validated when first used, unchanged


async def test_list_loads_and_takes_the_focus_after_the_first_paint(store, mini_template):
    store.create_audit(mini_template, case_ref="CL-7")
    opened = []

    def opener():
        opened.append(isinstance(app.screen, HomeScreen))
        return store

    app = AuditApp(opener, path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#audits", DataTable)
        assert opened == [True] and table.row_count == 1 and table.has_focus


async def test_store_that_cannot_be_opened_ends_the_app_with_its_reason(tmp_path):
    def opener():
        raise StoreError("the database is busy")

    app = AuditApp(opener, path=tmp_path / "a.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert str(app.failure) == "the database is busy" and app.return_code == 1


def on_terminal(args: list[str]) -> tuple[int, str]:
    """Run a command on a pseudo-terminal: its exit status and everything it wrote."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, close_fds=True, start_new_session=True,
                            env={**os.environ, "AUDIT_TUI_DEBUG": "", "TERM": "xterm-256color"})
    os.close(slave)
    output = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not data:
            break
        output += data
    os.close(master)
    return proc.wait(timeout=60), output.decode("utf-8", "replace")


def test_database_refused_after_the_first_paint_ends_in_one_line_on_a_terminal(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    before = digest(text)
    code, output = on_terminal([ENTRY, "--db", str(text)])
    painted, _, after = output.rpartition("\x1b[?1049l")  # the app's screen, then what follows its exit
    lines = [line for line in re.sub(r"\x1b\[[0-9;?<>=$]*[a-zA-Z~]", "", after).splitlines() if line.strip()]
    assert code == 1 and painted and digest(text) == before
    assert lines == [f"audit-tui: error: {text} is not an audit-tui database (not a readable SQLite file); it was left "
                     "untouched"]


def test_every_command_is_listed_and_found_though_loaded_on_demand():
    from click.testing import CliRunner

    from audit_tui.cli.main import main

    commands = CliRunner().invoke(main, ["--help"]).output.split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in commands if line.strip()] == [
        "actions", "backup", "calibration", "case", "concerns", "demo", "export", "followup", "import", "merge",
        "moderate", "reaudit", "report", "retention", "rounds", "summary", "templates"]
    assert CliRunner().invoke(main, ["rounds", "--help"]).exit_code == 0


APP_ALONE = """
import sys
import audit_tui.cli.launch as launch
from audit_tui.cli.start import run

def opened(store, path, notice=None, demo_of=None):
    print(path.name, sorted(name for name in ("click", "audit_tui.cli.main") if name in sys.modules))

launch.run_app = opened
launch.open_store = lambda path, **options: path  # the store's own modules (sqlite-utils loads click) come later
sys.argv = ["audit-tui", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize("how", ["no arguments", "--db PATH", "--db=PATH", "--help"])
def test_the_app_alone_opens_without_loading_click(tmp_path, how):
    """`audit-tui` with no command (at most --db PATH) goes straight to the app, without click; anything else goes
    to the click group."""
    db = tmp_path / "mine.db"
    args = {"no arguments": [], "--db PATH": ["--db", str(db)], "--db=PATH": [f"--db={db}"], "--help": ["--help"]}[how]
    result = subprocess.run([sys.executable, "-c", APP_ALONE, *args], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "AUDIT_TUI_DEBUG": ""})
    assert result.returncode == 0, result.stderr
    if how == "--help":
        assert result.stdout.startswith("Usage: audit-tui [OPTIONS] [COMMAND]") and "Commands:" in result.stdout
    else:
        assert result.stdout.split("\n")[0] == ("audits.db []" if how == "no arguments" else "mine.db []")
