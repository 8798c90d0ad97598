"""Folders that ship with audit-tui: the built-in templates (with the reference document) and the sample cases."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_dir(name: str) -> Path:
    """The shipped folder `name` ("templates" or "sample_cases").

    An installed wheel carries it inside the package, as `audit_tui/data/<name>`; an editable
    install or a source checkout has it at the top of the repository.
    """
    installed = resources.files("audit_tui").joinpath("data", name)
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / name
