"""sqlite-utils, loaded without what audit-tui never uses (a start-up speed-up kept in this one module).

`from audit_tui.storage.sqlite import sqlite_utils` gives the library as usual.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING


def _import_sqlite_utils():
    """sqlite-utils imports numpy and pandas when they are installed (matplotlib brings numpy), only
    to map their types to column types; audit-tui never stores them, and numpy alone is slow to
    import. Hide them while sqlite-utils loads; they import normally afterwards.
    It also imports dateutil's parser (with its time zones) for recipes audit-tui never
    calls: that module is loaded lazily, when first used."""
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail at once
    try:
        _import_lazily("dateutil.parser")
        import sqlite_utils
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return sqlite_utils


def _import_lazily(name: str) -> None:
    """Import module `name` so that its code runs at its first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # so that `from parent import child` finds it without the import system's checks (which load it)
        setattr(sys.modules[parent], child, module)


if TYPE_CHECKING:
    import sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()
