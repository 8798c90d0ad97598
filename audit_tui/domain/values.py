"""How values are stamped and kept: timestamps, ids and text for TEXT columns and the trail."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any

from audit_tui.domain.models import clean_text


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex


_DERIVED = uuid.UUID("6f2b8c1e-4d1a-5b7e-9c3f-2a6d8e0b4c71")  # (any fixed namespace: ids must never change)


def derived_id(*parts: str) -> str:
    """An id as `new_id` gives, derived from `parts`: the same parts give the same id in any database
    (an action a file gives without an id is `derived_id(audit id, "actions", its position)`)."""
    return uuid.uuid5(_DERIVED, "/".join(parts)).hex


def stored_text(value: Any) -> str | None:
    """How a value is kept in a TEXT column and in the history log."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return clean_text(str(value))


def shortened(text: str | None, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis (tables and lists at 80 columns)."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cut_keeping_number(label: str, width: int) -> str:
    """A question's name cut to `width` characters in its section title, so that its number stays:
    'Strategy discussion and section 47 enquiry Q3' → 'Strategy discussion… Q3'."""
    if len(label) <= width:
        return label
    title, space, number = label.rpartition(" ")
    if space and number.startswith("Q") and number[1:].isdigit() and width > len(number) + 2:
        return shortened(title, width - len(number) - 1) + " " + number
    return shortened(label, width)
