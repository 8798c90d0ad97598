"""The footer every screen shows: the keys a user needs on that screen now, in the screen's order.

A screen lists them in `FOOTER` (actions, most needed first; "help" is F1). Every other key is in
the help (F1) and the command palette (ctrl+p), which the footer always shows on its right.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact footer showing the screen's `FOOTER` actions, in that order, then the palette key."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        """The keys, each made in the footer's style (`-compact`) at once: binding `compact` to a key made
        after would restyle each key alone, as many times as it has keys, on every change of focus."""
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        wanted: tuple[str, ...] | None = getattr(self.screen, "FOOTER", None)
        shown: dict[str, tuple] = {}
        for _, binding, enabled, tooltip in active.values():
            if (binding.action in wanted) if wanted is not None else binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        actions = sorted(shown, key=wanted.index) if wanted is not None else list(shown)
        for action in actions:
            binding, enabled, tooltip = shown[action]
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-compact" if self.compact else "", disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled, tooltip=binding.description)
