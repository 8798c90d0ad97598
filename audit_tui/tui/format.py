"""Small display helpers shared by screens."""

from __future__ import annotations

from datetime import datetime, timezone


def selected_key(table) -> str | None:
    """The row key under a DataTable's cursor, or None when the table is empty."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def show_text(static, text: str) -> None:
    """Put `text` in a Static, unless it is there already: an update lays the whole screen out again, and
    the lines checked at each key typed in a text box are mostly unchanged by a key."""
    if str(static.content) != text:
        static.update(text)


def grade_label(grade: str | None) -> str:
    """A grade id as people say it ('requires_improvement' → 'Requires improvement')."""
    from audit_tui.domain.models import ILACS, NA  # pydantic: not before the first screen

    if not grade:
        return "—"
    if grade == NA:
        return "n/a"
    level = ILACS.level(grade)
    if level is not None:
        return "Requires improvement" if grade == "requires_improvement" else level.label
    return grade.replace("_", " ").capitalize()


def relative_time(stamp: str | None, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', else the date."""
    if not stamp:
        return ""
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    seconds = ((now or datetime.now(timezone.utc)) - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return then.astimezone().strftime("%d %b %Y")
