"""The lead's conclusions in the interchange file (a merge of another database: features.conclusions_merge).

An export carries, beside the audits, `"conclusions"`: per round its commentary and recommendations
(each with its id), and `"targets"`: measure → percentage (both left out when there are none, so a
file without them is as before). An import adds what this database lacks; an item this database has
differently is a problem naming it (nothing is imported). A merge adds what this side lacks and,
as for audits, never overwrites: from another database, an item changed only on the other side
since the copies parted (this side's history of it is a prefix of the other's) is updated, one
changed only here is kept, and one changed on both sides is a CONFLICT listed for the lead; from
a .json file (no history), an item that differs is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from audit_tui.domain.models import clean_text
from audit_tui.storage.conclusions import REC_FIELDS, ConclusionsError, recommendation_values, target_value

KEYS = ("conclusions", "targets")


@dataclass
class ConclusionConflict:
    """A commentary, recommendation or target changed on both sides (or differing in a .json file)."""

    what: str
    reason: str

    def describe(self) -> str:
        return f"{self.what}: {self.reason}; kept this database's (change it by hand if the other is right)"


@dataclass
class ConclusionItem:
    """One mergeable thing: its history field (or prefix), its value on each side, and how to write theirs."""

    label: str
    field: str
    prefix: bool
    mine: Any
    theirs: Any
    write: Callable[[bool], None]
    """Write the other side's value; logged in history when True (an import), else its history is copied."""


# -- export -------------------------------------------------------------------------------


def export_conclusions(store, round_name: str | None = None) -> dict[str, Any]:
    """The conclusions (of `round_name`, else every round's) and the targets, as the file carries them."""
    rounds: dict[str, dict[str, Any]] = {}
    for name, text in store.db.execute("SELECT round, commentary FROM round_commentary ORDER BY round"):
        rounds.setdefault(name.lower(), {"round": name, "commentary": "", "recommendations": []})["commentary"] = text
    for rec in store.recommendations():
        entry = rounds.setdefault(rec["round"].lower(), {"round": rec["round"], "commentary": "", "recommendations": []})
        entry["recommendations"].append({k: rec[k] for k in ("id", *REC_FIELDS)})
    chosen = [v for k, v in sorted(rounds.items()) if round_name is None or k == round_name.strip().lower()]
    found: dict[str, Any] = {}
    if chosen:
        found["conclusions"] = [{**e, "commentary": clean_text(e["commentary"])} for e in chosen]
    if targets := store.targets():
        found["targets"] = targets
    return found


# -- reading a file's conclusions -------------------------------------------------------------


def check_conclusions(members: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, float], list[str]]:
    """The file's conclusions and targets, checked: (rounds, targets, problems)."""
    problems: list[str] = []
    rounds: list[dict[str, Any]] = []
    for n, entry in enumerate(members.get("conclusions") or []):
        where = f"conclusions[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("round"), str) or not entry["round"].strip():
            problems.append(f"{where}: each entry is an object naming its \"round\"")
            continue
        where += f" ({clean_text(entry['round'])[:60]})"
        unknown = set(entry) - {"round", "commentary", "recommendations"}
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        commentary = entry.get("commentary") or ""
        if not isinstance(commentary, str):
            problems.append(f"{where}, field commentary: must be text")
            commentary = ""
        recs = []
        for i, rec in enumerate(entry.get("recommendations") or []):
            spot = f"{where}, recommendations[{i}]"
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not 1 <= len(rec["id"]) <= 64:
                problems.append(f"{spot}: each recommendation is an object with an \"id\"")
                continue
            if set(rec) - {"id", *REC_FIELDS}:
                problems.append(f"{spot}: unknown field(s) {', '.join(sorted(map(str, set(rec) - {'id', *REC_FIELDS})))}")
            try:
                _iso(rec.get("due"))
                recs.append({"id": clean_text(rec["id"]), **recommendation_values(rec)})
            except (ConclusionsError, ValueError) as exc:
                problems.append(f"{spot}: {exc}")
        rounds.append({"round": " ".join(clean_text(entry["round"]).split()), "commentary": clean_text(commentary).strip(),
                       "recommendations": recs})
    targets: dict[str, float] = {}
    raw = members.get("targets") or {}
    if not isinstance(raw, dict):
        problems.append("targets: must be an object of measure: percentage")
        raw = {}
    for measure, value in raw.items():
        try:
            number = target_value(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        except ConclusionsError as exc:
            problems.append(f"targets, field {clean_text(str(measure))[:40]}: {exc}")
            continue
        if number is None:
            problems.append(f"targets, field {clean_text(str(measure))[:40]}: a target is a number from 0 to 100")
            continue
        targets[clean_text(str(measure))] = number
    return rounds, targets, problems


def _iso(value: Any) -> None:
    """A file's due date is written as 2026-12-14."""
    try:
        date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise ValueError(f"due: a date like 2026-12-14, not “{clean_text(str(value))[:20]}”") from None


def file_items(store, rounds: list[dict[str, Any]], targets: dict[str, float]) -> list[ConclusionItem]:
    """Each commentary, recommendation and target of the file, against this database's."""
    items = []
    for entry in rounds:
        name = _local_round(store, entry["round"])
        if entry["commentary"]:
            items.append(ConclusionItem(f"Commentary on round “{name}”", f"round:{name}:commentary", False,
                               store.round_commentary(name) or None, entry["commentary"],
                               partial_write(store.copy_commentary, name, entry["commentary"])))
        for rec in entry["recommendations"]:
            mine = store.stored_recommendation(rec["id"])
            items.append(ConclusionItem(f"Recommendation “{rec['what'][:60]}” ({name})", f"recommendation:{rec['id']}", True,
                               mine, {**rec, "round": name}, partial_write(store.copy_recommendation, name, rec)))
    for measure, target in targets.items():
        items.append(ConclusionItem(f"Target for {measure}", f"target:{measure}", False, store.targets().get(measure), target,
                           partial_write(store.copy_target, measure, target)))
    return items


def partial_write(func, *args) -> Callable[[bool], None]:
    return lambda log: func(*args, log=log)


def _local_round(store, name: str) -> str:
    """This database's spelling of a round (the file's when this database has no such round)."""
    row = store.db.execute("SELECT name FROM rounds WHERE name = ? COLLATE NOCASE UNION ALL SELECT round FROM "
                           "round_commentary WHERE round = ? UNION ALL SELECT round FROM audits WHERE round = ? "
                           "COLLATE NOCASE LIMIT 1", [name, name, name]).fetchone()
    return row[0] if row else name


def same_content(mine: Any, theirs: Any) -> bool:
    """A file's item and this database's say the same (a recommendation: its round and every field)."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return all(mine.get(k) == theirs.get(k) for k in ("round", *REC_FIELDS))
    return mine == theirs


def import_conclusions(store, members: dict[str, Any], *,
                       on_differs: Callable[[ConclusionConflict], None] | None = None) -> tuple[int, list[str]]:
    """Add the file's conclusions and targets this database lacks (inside the import's transaction).
    Returns (items added, problems): an item this database has differently is a problem, or, with
    `on_differs` (a merge), handed to it and left as it is."""
    rounds, targets, problems = check_conclusions(members)
    if problems:
        return 0, problems
    added = 0
    for item in file_items(store, rounds, targets):
        if item.mine is None:
            item.write(True)
            added += 1
        elif not same_content(item.mine, item.theirs):
            conflict = ConclusionConflict(item.label, "differs from this database's (a .json file has no history)")
            if on_differs is None:
                problems.append(f"{item.label}: already in this database with different content (use audit-tui "
                                "merge to compare, or change it by hand)")
            else:
                on_differs(conflict)
    return added, problems
