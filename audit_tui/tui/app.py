"""The Textual application: holds the store and settings, and routes between screens.

The first screen, the home screen, is painted before the store and the full settings are loaded
(sqlite-utils and pydantic are slow to import): both load at first use, which comes just after
the first paint (`on_ready`, `finish_start`). Other screens' styles load when they are opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from audit_tui.files.settings import load_settings, read_look, save_settings
from audit_tui.tui.keyorder import KeyOrder
from audit_tui.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from audit_tui.files.settings import Settings
    from audit_tui.storage.store import Store


HERE = Path(__file__).parent

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#FFFF00", secondary="#00FFFF", accent="#FFFF00", foreground="#FFFFFF",
    background="#000000", surface="#000000", panel="#202020",
    success="#00FF00", warning="#FFD700", error="#FF6060", dark=True,
)


class AuditApp(App[None]):
    """audit-tui: walk through a case audit; every change is saved at once."""

    TITLE = "audit-tui"
    SUB_TITLE = "case audits for children's social care"
    CSS_PATH = [HERE / "app.tcss", *sorted((HERE / "screens").glob("*.tcss"))]
    """What every screen shares, and every screen's own styles, read in one pass before the first paint (the
    home screen is the app's first screen: `get_default_screen`). A screen's styles read only when it first
    opened made Textual parse every style sheet again (its own and each widget's) and restyle every screen
    open, on each first opening of a kind of screen."""
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("f2", "settings", "Settings", id="settings"),
        Binding("ctrl+p", "command_palette", "More", show=False, priority=True, tooltip="Every command",
                id="palette"),
    ]

    def __init__(self, store: Store | Callable[[], Store], *, path: Path | None = None, notice: str | None = None,
                 settings: Settings | None = None, demo_of: Path | None = None):
        """`store`, or a function that opens it at first use; `path` is the store's (for the title).
        `demo_of`: the store is a demo (`audit-tui demo`), and this is your own database to go back to."""
        super().__init__()
        self._key_order = KeyOrder(self)
        self._store = None if callable(store) else store
        self._open_store = store if callable(store) else None
        self.sub_title = str(path or self._store.path)
        if demo_of is not None:
            self.own_store = (demo_of, str(demo_of))
            self.sub_title = f"DEMO · {self.sub_title}"
        self._settings = settings
        self._look = settings or read_look()
        self.notice = notice
        self.failure: Exception | None = None
        """Why the store could not be opened (the app exits at once); the command line reports it."""

    def get_key_display(self, binding: Binding) -> str:
        """Keys as they are printed on the keyboard: F1, Esc, PgDn (ctrl keys as ^r, explained in F1)."""
        if binding.key_display:
            return binding.key_display
        key = binding.key.split(",")[0]
        if key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return {"escape": "Esc", "pagedown": "PgDn", "pageup": "PgUp", "delete": "Del", "enter": "Enter"}.get(
            key, super().get_key_display(binding))

    @property
    def store(self) -> Store:
        """The store, opened at first use."""
        if self._store is None:
            self._store = self._open_store()
        return self._store

    @store.setter
    def store(self, store: Store) -> None:
        self._store = store

    @property
    def settings(self) -> Settings:
        """The settings, validated (pydantic) at first use."""
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._settings = settings
        if settings.auditor_name and self._store is not None:  # changes from now on are credited to this name
            self._store.actor = " ".join(settings.auditor_name.split())

    async def on_event(self, event) -> None:
        """Typed keys and pastes in the order they were typed, each after the one before has done what it
        does (`tui/keyorder.py`)."""
        await self._key_order.handle(event, super().on_event)

    def on_descendant_focus(self, event) -> None:
        """A text box is entered at the end of its text, so typing adds to it and never lands before it
        (or, in a one-line box, replaces it)."""
        from textual.widgets import Input, TextArea

        widget = event.widget
        # In the box's own queue: after its own focus handling (an Input selects all its text), before any key
        # typed after the cursor got there (`tui/keyorder.py` hands the next key on only after this).
        if isinstance(widget, TextArea) and not widget.read_only:
            widget.call_later(lambda: widget.move_cursor(widget.document.end))
        elif isinstance(widget, Input) and not getattr(widget, "suggested", False):  # (a value the app put in,
            # not typed, stays selected, as Textual selects it: typing replaces it; new_audit's service area)
            widget.call_later(lambda: setattr(widget, "cursor_position", len(widget.value)))

    def on_resize(self) -> None:
        """After the window shrinks, the focused box is brought back into view."""
        if (focused := self.screen.focused) is not None:
            self.call_after_refresh(focused.scroll_visible, animate=False)

    def finish_start(self) -> bool:
        """Once the first screen is up: the store; False, and the app exits, if it cannot be opened."""
        from audit_tui.storage.store import DatabaseError, StoreError

        try:
            store = self.store
        except (DatabaseError, StoreError) as exc:
            self.failure = exc
            self.exit(return_code=1)
            return False
        # a large file's quick_check (deferred while opening), once the first screen is up and settled
        self.set_timer(1.0, store.start_background_check)
        return True

    def close_store(self) -> None:
        """Close the store, if it was opened."""
        if self._store is not None:
            self._store.close()

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        if self._look.keymap:
            self.set_keymap(self._look.keymap)
        if self._look.theme in self.available_themes:
            self.theme = self._look.theme
        if self.notice:
            self.notify(self.notice, title="audit-tui", markup=False, timeout=8)

    def get_default_screen(self) -> Screen:
        """The home screen is the first screen, composed and styled with the app (a screen pushed in `on_mount`
        restyled the whole app, and was painted only after a timer set at its mount had run)."""
        return HomeScreen()

    def on_ready(self) -> None:
        """Textual's Ready: the first frame, the home screen, has been displayed. The store opens, and the list
        loads, just after; on a terminal a moment after, while the loop waits, so that the driver's writer
        thread has its turn and the frame reaches the terminal before the store's modules load."""
        home = self.screen_stack[0]
        if not isinstance(home, HomeScreen):
            return
        if self.is_headless:  # no terminal to write to (tests)
            home.call_later(home.load_list)
        else:
            self.set_timer(0.02, home.load_list)

    def watch_theme(self, theme: str) -> None:
        """Remember the chosen theme."""
        if (self._settings or self._look).theme != theme:
            self.update_settings(theme=theme)

    def update_settings(self, **changes) -> None:
        """Change and save settings (validated); errors are shown, never raised."""
        try:
            self.settings = self.settings.model_validate({**self.settings.model_dump(), **changes})
            save_settings(self.settings)
        except (OSError, ValueError) as exc:
            from audit_tui.files.failures import user_message

            self.notify(f"Settings not saved: {user_message(exc, 'your settings were not changed')}",
                        severity="error", markup=False)

    def with_name(self, then: Callable[[], None],
                  why: str = "Every change you make is recorded in the audit's history under your name") -> None:
        """Run `then` once the user's name is known (asked once, kept in the settings), so that no change is
        credited to the computer's login; `why` says what the name is for."""
        if self.settings.auditor_name:
            then()
            return
        from audit_tui.tui.screens.dialogs import ReasonDialog

        def named(name: str | None) -> None:
            if name:
                self.update_settings(auditor_name=name)
                if self.settings.auditor_name:
                    then()

        self.push_screen(ReasonDialog("Your name", f"{why} (change it later with F2).", placeholder="Your name"),
                         named)

    def open_demo(self, then: Callable[[], None] = lambda: None) -> None:
        """Switch to a fresh demo database of fictional cases (your own database is untouched); in the demo
        already, rebuild it only once the user says so. `then` runs once switched."""
        if self.own_store is not None:
            from audit_tui.tui.screens.dialogs import ConfirmDialog

            def answered(rebuild: bool | None) -> None:
                if rebuild:
                    self._switch_to_demo()
                    then()

            self.push_screen(ConfirmDialog("Rebuild the demo?", "Everything changed in the demo since it was built "
                                           "is replaced by a fresh copy. Your own database is not touched.",
                                           go="Rebuild the demo", keep="Keep it (esc)"), answered)
            return
        if self._switch_to_demo():
            then()

    own_store: tuple[Path, str] | None = None
    """While the demo is open: your own database's path and title, to go back to."""

    def _switch_to_demo(self) -> bool:
        """Build a fresh demo and open it: in place of the demo that is open (built beside it first, so a
        failure leaves it open), else at demo.db in your data directory."""
        import os
        import tempfile

        from audit_tui.features.demo import DemoOpen, build_demo, refuse_if_open
        from audit_tui.files.settings import data_dir
        from audit_tui.storage.store import DatabaseError, Store, StoreError

        path = self.store.path if self.own_store is not None else data_dir() / "demo.db"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, fresh = tempfile.mkstemp(dir=path.parent, prefix=".demo-", suffix=".db")
            os.close(handle)
            try:
                build_demo(fresh, actor=self.store.actor)
                if self.own_store is not None:
                    self.store.close()  # the old demo goes: its journal files with it
                try:
                    refuse_if_open(path)
                except DemoOpen as exc:
                    if self.own_store is not None:
                        self.store = Store(path, actor=self.store.actor)  # still on the demo, as it was
                    self.notify(str(exc), severity="error", markup=False, timeout=10)
                    return False
                for suffix in ("-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                os.replace(fresh, path)
            finally:
                Path(fresh).unlink(missing_ok=True)
            demo_store = Store(path, actor=self.store.actor)
        except (DatabaseError, StoreError, OSError) as exc:
            from audit_tui.files.failures import plain_failure

            self.notify(plain_failure(exc, "the demo database was not built")
                        or f"The demo database could not be built: {exc}", severity="error", markup=False)
            return False
        if self.own_store is None:
            self.own_store = (self.store.path, self.sub_title)
            self.store.close()
        self.store = demo_store
        self.sub_title = f"DEMO · {path}"
        self.notify(f"Demo database (fictional cases) at {path}. Your own database is untouched: ctrl+p, "
                    "then \"Back to your own database\", returns to it.", markup=False, timeout=8)
        return True

    def leave_demo(self) -> None:
        """Back from the demo to the database the app was opened on."""
        from audit_tui.storage.store import DatabaseError, Store, StoreError

        if self.own_store is None:
            return
        path, title = self.own_store
        try:
            own = Store(path, actor=self.store.actor)
        except (DatabaseError, StoreError, OSError) as exc:
            self.notify(f"Your database could not be opened: {exc}", severity="error", markup=False)
            return
        self.store.close()
        self.store, self.sub_title, self.own_store = own, title, None
        while len(self.screen_stack) > 1:  # back to the home screen, which lists your audits again
            self.pop_screen()
        if hasattr(self.screen, "refresh_audits"):
            self.screen.refresh_audits()
        self.notify("Back to your own database.", markup=False)

    @property
    def actor(self) -> str:
        return self.store.actor

    async def action_quit(self) -> None:
        """Quit; but while the walk-through holds a change it could not save, only on a second press."""
        from audit_tui.tui.screens.audit import AuditScreen

        held = [s for s in self.screen_stack if isinstance(s, AuditScreen) and not s.retry_unsaved(quiet=True)]
        if held and not held[0].unsaved.confirm_leave():
            self.notify("A change is not saved yet (see the message above). Press ctrl+s to try again, or "
                        "ctrl+q again to quit without it.", title="Not saved", severity="warning")
            return
        await super().action_quit()

    def action_help(self) -> None:
        from audit_tui.tui.screens.help import HelpScreen  # Markdown (markdown-it) is loaded when first needed

        self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        from audit_tui.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Settings", "Auditor name, organisation, theme, template folder", self.action_settings)
        yield SystemCommand("Help: key bindings", "Every key and what it does", self.action_help)
        if self.own_store is not None:
            yield SystemCommand("Back to your own database", "Leave the demo (fictional cases)", self.leave_demo)
        yield from getattr(screen, "commands", lambda: [])()
