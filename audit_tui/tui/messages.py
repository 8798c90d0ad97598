"""Messages that thread workers post back to screens (post_message is thread-safe)."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message


class BuildProgress(Message):
    """A document build has moved on."""

    def __init__(self, fraction: float, text: str) -> None:
        super().__init__()
        self.fraction = fraction
        self.text = text


class BuildDone(Message):
    """A document was written to `path`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class BuildFailed(Message):
    """A document could not be built; `error` is for the user."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class AgreementCounted(Message):
    """A round's moderation agreement, in one line (`line`) for the dashboard."""

    def __init__(self, round_name: str, line: str) -> None:
        super().__init__()
        self.round_name = round_name
        self.line = line
