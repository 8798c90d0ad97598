"""A database file read back whole, to compare before and after."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def dump(path: Path | str) -> list[str]:
    """Every table's schema and rows as SQL (sqlite3's `iterdump`), read through a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
