"""Merging another database's conclusions and targets (see exchange.conclusions): what changed only on
the other side since the copies parted (this side's history of the item is a prefix of the other's) is
taken with its history, what changed only here is kept, and what changed on both sides is a conflict."""

from __future__ import annotations

from typing import Any

from audit_tui.exchange.conclusions import (
    ConclusionConflict,
    ConclusionItem,
    check_conclusions,
    file_items,
    same_content,
)
from audit_tui.storage.trail import event, is_prefix


def merge_conclusions(store, other, conflicts: list) -> int:
    """Merge the other database's conclusions and targets into `store` (inside the merge's transaction);
    returns the items added or updated. Conflicts are appended to `conflicts`."""
    if "recommendations" not in other.db.table_names():
        return 0  # an older database: it has none
    rounds: dict[str, dict[str, Any]] = {}
    for name, text in other.db.execute("SELECT round, commentary FROM round_commentary"):
        rounds.setdefault(name.lower(), {"round": name, "commentary": "", "recommendations": []})["commentary"] = text
    for row in other.recommendations():
        name = row.pop("round")
        rounds.setdefault(name.lower(), {"round": name, "commentary": "", "recommendations": []})[
            "recommendations"].append(row)
    targets = dict(other.db.execute("SELECT measure, target FROM measure_targets"))
    entries, _, problems = check_conclusions({"conclusions": list(rounds.values())})
    if problems:
        conflicts.append(ConclusionConflict("The other database's conclusions", "cannot be read (" + problems[0] + ")"))
        return 0
    changed = 0
    for item in file_items(store, entries, targets):
        mine_rows, their_rows = _key_history(store.db, item), _key_history(other.db, item)
        if same_content(item.mine, item.theirs):
            if is_prefix(mine_rows, their_rows):
                _add_rows(store, their_rows, mine_rows)
            continue
        if item.mine is None and not mine_rows or mine_rows and is_prefix(mine_rows, their_rows):
            item.write(False)
            _add_rows(store, their_rows, mine_rows)
            changed += 1
        elif not (their_rows and is_prefix(their_rows, mine_rows)):
            conflicts.append(ConclusionConflict(item.label, "changed on both sides"))
    return changed


def _key_history(db, item: ConclusionItem) -> list[tuple]:
    """(at, who, audit_id, field, old, new, ref) of the history rows of one item."""
    condition = "(field = ? OR field LIKE ? || ':%')" if item.prefix else "field = ?"
    params = [item.field, item.field] if item.prefix else [item.field]
    return [tuple(r) for r in db.execute(f"SELECT at, who, audit_id, field, old, new, ref FROM history "
                                         f"WHERE audit_id IS NULL AND {condition} ORDER BY id", params)]


def _add_rows(store, theirs: list[tuple], mine: list[tuple]) -> None:
    """Their history rows of an item that this side lacks (the trail travels with the item)."""
    have = {event(r) for r in mine}
    store.add_history_rows([r for r in theirs if event(r) not in have])
