"""The start-up floor: a bare Textual app (Header, Static, Footer), started like audit-tui.

With AUDIT_TUI_BENCHMARK_EXIT=FILE set it writes the wall-clock time of its first
paint to FILE and exits, exactly as audit-tui's home screen does.
"""

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello from a bare Textual app.")
        yield Footer()

    def on_mount(self) -> None:
        if os.environ.get("AUDIT_TUI_BENCHMARK_EXIT"):
            self.call_after_refresh(self._benchmark_exit)

    def _benchmark_exit(self) -> None:
        with open(os.environ["AUDIT_TUI_BENCHMARK_EXIT"], "w", encoding="utf-8") as handle:
            handle.write(repr(time.time()))
        self.exit()


if __name__ == "__main__":
    BareApp().run()
