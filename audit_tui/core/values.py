"""How values are stamped and kept: timestamps, ids and text for TEXT columns and the trail."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any

from .models import clean_text


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex


def stored_text(value: Any) -> str | None:
    """How a value is kept in a TEXT column and in the history log."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return clean_text(str(value))
