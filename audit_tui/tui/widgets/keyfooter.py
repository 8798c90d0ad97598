"""The footer every screen shows: the keys a user needs on that screen now, in the screen's order.

A screen lists them in `FOOTER` (actions, most needed first; "help" is F1). Every other key is in
the help (F1) and the command palette (ctrl+p), which the footer always shows on its right.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# One key as shown: key, its display, description, action, enabled, tooltip, classes.
Shown = tuple[str, str, str, str, bool, str, str]


class KeyFooter(Footer):
    """A compact footer showing the screen's `FOOTER` actions, in that order, then the palette key.

    Its keys are made again only when what it shows changes: moving between fields usually leaves the
    screen's keys as they were, and making them again restyles and lays out the whole screen."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._made: list[Shown] | None = None

    def shown(self) -> list[Shown]:
        """The keys the footer shows now, left to right."""
        active = self.screen.active_bindings
        wanted: tuple[str, ...] | None = getattr(self.screen, "FOOTER", None)
        chosen: dict[str, tuple] = {}
        for _, binding, enabled, tooltip in active.values():
            if (binding.action in wanted) if wanted is not None else binding.show:
                chosen.setdefault(binding.action, (binding, enabled, tooltip))
        actions = sorted(chosen, key=wanted.index) if wanted is not None else list(chosen)
        keys: list[Shown] = []
        for action in actions:
            binding, enabled, tooltip = chosen[action]
            keys.append((binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                         enabled, tooltip, "-compact" if self.compact else ""))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, enabled, _tooltip = palette
            keys.append((binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                         enabled, binding.description, "-command-palette"))
        return keys

    def compose(self) -> ComposeResult:
        """The keys, each made in the footer's style (`-compact`) at once: binding `compact` to a key made
        after would restyle each key alone, as many times as it has keys, on every change of focus."""
        if not self._bindings_ready:
            return
        self._made = self.shown()
        for key, display, description, action, enabled, tooltip, classes in self._made:
            made = FooterKey(key, display, description, action, classes=classes, disabled=not enabled,
                             tooltip=tooltip)
            yield made.data_bind(compact=Footer.compact) if classes == "-compact" else made

    def bindings_changed(self, screen: Screen) -> None:
        """Make the keys again after the next refresh, if what the footer shows has changed."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._remake_if_changed)

    async def _remake_if_changed(self) -> None:
        if self.is_attached and self.shown() != self._made:
            await self.recompose()
