"""The demo database: built-in templates, fictional sample cases and some audits."""

from __future__ import annotations

from pathlib import Path

from .store import Store
from .templates import discover_templates


def build_demo(path: str | Path, *, actor: str = "demo") -> Path:
    """Create a fresh demo database at `path` (replacing an earlier demo there)."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(path, actor=actor)
    try:
        for template in discover_templates()[0]:
            store.save_template(template, source="built-in")
    finally:
        store.close()
    return path
