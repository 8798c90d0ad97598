"""The start-up floor: a bare Textual app (Header, Static, Footer), started like audit-tui.

The benchmark times it, as it times audit-tui, by reading a pseudo-terminal until its text has
been written there (benchmarks.measure.on_screen).
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello from a bare Textual app.")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
