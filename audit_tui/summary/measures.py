"""How single facts are judged: percentages, the audit-quality checks of the narratives and actions.

`lived_experience_evidenced`, `impact_evidenced` and `action_clear` check the auditor's own text (how
well the audit was written), never the practice: the practice figures are the headline measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from audit_tui.domain import gates
from audit_tui.summary.shapes import VOICE_WORDS


def pct(part: int, whole: int) -> float | None:
    """part/whole as a percentage rounded half-up to one decimal; None when whole is 0."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def lived_experience_evidenced(text: str | None) -> bool:
    text = text or ""
    return gates.is_substantive(text) and bool(VOICE_WORDS.search(text))


def impact_evidenced(text: str | None) -> bool:
    text = text or ""
    return gates.is_substantive(text) and gates.impact_warning(text) is None


@dataclass(frozen=True)
class _ActionView:
    """The fields of an action the gates read (cheaper than validating an Action for every row)."""

    description: str
    owner: str
    due: date | None


def action_clear(description: str | None, owner: str | None, due: str | None, audited_on: str | None) -> bool:
    try:
        action = _ActionView(description or "", owner or "", date.fromisoformat(due) if due else None)
        audit_day = date.fromisoformat(audited_on) if audited_on else date.min
    except ValueError:
        return False
    # _ActionView has the fields of an Action that the gates read
    return (not gates.action_problems(action, audit_day)  # type: ignore[arg-type]
            and gates.action_warning(action) is None)  # type: ignore[arg-type]
