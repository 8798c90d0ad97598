"""The quality lead's conclusions: a commentary per round, its service-level recommendations and the
targets of the headline measures. A part the Store owns (`store.conclusions`; see storage.part).

Every change commits at once and is logged in history (audit_id empty) as one row per field:
`round:ROUND:commentary`, `recommendation:ID` (added, removed), `recommendation:ID:FIELD` and
`target:MEASURE`. A round is named as its audits name it; it must be a round of this database (a
created round, or one an audit names).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from audit_tui.domain.models import clean_text, parse_date
from audit_tui.domain.values import new_id, now_iso
from audit_tui.storage.errors import StoreError
from audit_tui.storage.part import Part

RAG = ("red", "amber", "green")
REC_FIELDS = ("what", "lead", "outcome", "due", "rag")
FIELD_NAMES = {"what": "what will be done", "lead": "who leads it", "outcome": "the measurable outcome",
               "due": "the due date", "rag": "the RAG status"}
MAX_CHARS = {"what": 500, "lead": 120, "outcome": 500}
MAX_COMMENTARY = 10_000
MEASURE = re.compile(r"[a-z][a-z0-9_-]{0,39}")


class ConclusionsError(StoreError):
    """A recommendation, commentary or target the app refuses; the message is for the user."""


def rag_value(value: Any) -> str:
    text = str(value or "").strip().lower()
    text = {"r": "red", "a": "amber", "g": "green"}.get(text, text)
    if text not in RAG:
        raise ConclusionsError(f"the RAG status is red, amber or green, not “{clean_text(str(value or ''))[:20]}”")
    return text


def due_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        raise ConclusionsError("give the recommendation a due date, e.g. 31/03/2026")
    try:
        return parse_date(text).isoformat()
    except ValueError as exc:
        raise ConclusionsError(f"due date: {exc}") from None


def target_value(value: Any) -> float | None:
    """A target as a percentage (0 to 100, one decimal place); None or empty clears it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        raise ConclusionsError(f"a target is a percentage from 0 to 100, e.g. 85, not “{clean_text(text)[:20]}”") from None
    if not 0 <= number <= 100:
        raise ConclusionsError("a target is a percentage from 0 to 100, e.g. 85")
    return round(number, 1)


def recommendation_values(values: dict[str, Any]) -> dict[str, str]:
    """The fields of a recommendation, checked and cleaned (every one required)."""
    clean: dict[str, str] = {}
    for field in REC_FIELDS:
        if field == "rag":
            clean[field] = rag_value(values.get(field))
        elif field == "due":
            clean[field] = due_value(values.get(field))
        else:
            text = " ".join(clean_text(str(values.get(field) or "")).split())
            if not text:
                raise ConclusionsError(f"a recommendation needs {FIELD_NAMES[field]}")
            if len(text) > MAX_CHARS[field]:
                raise ConclusionsError(f"{FIELD_NAMES[field].capitalize()} is at most {MAX_CHARS[field]} characters")
            clean[field] = text
    return clean


class Conclusions(Part):
    """The lead's commentary, recommendations and targets; a part the Store owns (`store.conclusions`)."""

    # -- rounds ---------------------------------------------------------------------

    def known_round(self, name: str) -> str:
        """The round as this database spells it: a created round, or one an audit names."""
        name = " ".join(clean_text(name or "").split())
        if not name:
            raise ConclusionsError("name the round, e.g. “2026-02 practice week”")
        row = self.db.execute(
            "SELECT name FROM rounds WHERE name = ? COLLATE NOCASE UNION ALL "
            "SELECT round FROM audits WHERE round = ? COLLATE NOCASE LIMIT 1", [name, name]).fetchone()
        if row is None:
            raise ConclusionsError(f"there is no round called “{name}” (audit-tui rounds list shows them)")
        return row[0]

    def round_commentary(self, round_name: str) -> str:
        row = self.db.execute("SELECT commentary FROM round_commentary WHERE round = ?",
                              [round_name.strip()]).fetchone()
        return clean_text(row[0]) if row else ""

    def set_round_commentary(self, round_name: str, text: str) -> None:
        """The lead's commentary on a round (empty clears it); saved and logged at once."""
        text = clean_text(text or "").strip()
        if len(text) > MAX_COMMENTARY:
            raise ConclusionsError(f"the commentary is at most {MAX_COMMENTARY:,} characters")
        with self.store.transaction():
            name = self.known_round(round_name)
            old = self.round_commentary(name)
            if old == text:
                return
            if text:
                self.db.execute("INSERT INTO round_commentary (round, commentary, updated_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (round) DO UPDATE SET commentary = excluded.commentary, "
                                "updated_at = excluded.updated_at", [name, text, now_iso()])
            else:
                self.db.execute("DELETE FROM round_commentary WHERE round = ?", [name])
            self.trail.log(None, f"round:{name}:commentary", old or None, text or None)

    # -- recommendations ----------------------------------------------------------------

    def recommendations(self, round_name: str | None = None) -> list[dict[str, Any]]:
        """A round's recommendations (every round's when None), in the order they were added."""
        where, params = ("WHERE round = ?", [round_name.strip()]) if round_name is not None else ("", [])
        return list(self.store.rows(f"SELECT id, round, {', '.join(REC_FIELDS)} FROM recommendations {where} "
                                "ORDER BY round COLLATE NOCASE, created_at, rowid", params))

    def recommendation(self, rec_id: str) -> dict[str, Any]:
        rows = list(self.store.rows(f"SELECT id, round, {', '.join(REC_FIELDS)} FROM recommendations "
                                "WHERE id = ? OR (length(?) >= 6 AND id LIKE ? || '%')", [rec_id, rec_id, rec_id]))
        if len(rows) != 1:
            raise ConclusionsError(f"no recommendation with id {clean_text(rec_id)[:40]}"
                                   if not rows else f"{rec_id} matches {len(rows)} recommendations; give more of the id")
        return rows[0]

    def add_recommendation(self, round_name: str, **values: Any) -> str:
        """Add a service-level recommendation to a round; returns its id."""
        clean = recommendation_values(values)
        rec_id, stamp = new_id(), now_iso()
        with self.store.transaction():
            name = self.known_round(round_name)
            self.db.execute(
                f"INSERT INTO recommendations (id, round, {', '.join(REC_FIELDS)}, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [rec_id, name, *clean.values(), stamp, stamp])
            self.trail.log(None, f"recommendation:{rec_id}", None, f"added to {name}: {clean['what']}")
            for field, value in clean.items():
                self.trail.log(None, f"recommendation:{rec_id}:{field}", None, value)
        return rec_id

    def update_recommendation(self, rec_id: str, **changes: Any) -> None:
        """Change any of what, lead, outcome, due and rag; each changed field is logged."""
        unknown = set(changes) - set(REC_FIELDS)
        if unknown:
            raise ConclusionsError(f"a recommendation has no field {', '.join(sorted(unknown))}")
        with self.store.transaction():
            old = self.recommendation(rec_id)
            clean = recommendation_values({**old, **changes})
            changed = {f: v for f, v in clean.items() if v != old[f]}
            if not changed:
                return
            self.db.execute(f"UPDATE recommendations SET {', '.join(f'{f} = ?' for f in changed)}, updated_at = ? "
                            "WHERE id = ?", [*changed.values(), now_iso(), old["id"]])
            for field, value in changed.items():
                self.trail.log(None, f"recommendation:{old['id']}:{field}", old[field], value)

    def remove_recommendation(self, rec_id: str) -> None:
        with self.store.transaction():
            old = self.recommendation(rec_id)
            self.db.execute("DELETE FROM recommendations WHERE id = ?", [old["id"]])
            self.trail.log(None, f"recommendation:{old['id']}", f"{old['round']}: {old['what']}", "removed")

    # -- targets ------------------------------------------------------------------------

    def targets(self) -> dict[str, float]:
        """The target (a percentage) of each headline measure that has one."""
        return {measure: target for measure, target in
                self.db.execute("SELECT measure, target FROM measure_targets ORDER BY measure")}

    def measures(self) -> list[str]:
        """The headline measures the stored templates' questions carry (ids, sorted)."""
        return sorted({m for t in self.store.stored_templates() for _, _, q in t.questions() for m in q.measures})

    def set_target(self, measure: str, value: Any) -> None:
        """Set a headline measure's target (a percentage; None or empty clears it)."""
        measure = (measure or "").strip().lower().replace(" ", "_")
        if not MEASURE.fullmatch(measure):
            raise ConclusionsError("name the measure by its id, e.g. lived_experience (summary --json lists them)")
        target = target_value(value)
        with self.store.transaction():
            known = self.measures()
            if measure not in known:
                raise ConclusionsError(f"no template in this database measures “{measure}” (measures: "
                                       f"{', '.join(known) or 'none yet: start an audit first'})")
            old = self.targets().get(measure)
            if old == target:
                return
            if target is None:
                self.db.execute("DELETE FROM measure_targets WHERE measure = ?", [measure])
            else:
                self.db.execute("INSERT INTO measure_targets (measure, target, updated_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (measure) DO UPDATE SET target = excluded.target, "
                                "updated_at = excluded.updated_at", [measure, target, now_iso()])
            self.trail.log(None, f"target:{measure}", old, target)

    def conclusions_history(self) -> list[dict[str, Any]]:
        """The trail of the conclusions and targets (who, when, field, old, new), oldest first."""
        return list(self.store.rows(
            "SELECT at, who, field, old, new FROM history WHERE audit_id IS NULL AND (field LIKE 'recommendation:%' "
            "OR field LIKE 'target:%' OR (field LIKE 'round:%' AND field LIKE '%:commentary')) ORDER BY id"))

    # -- as another copy has them (import, merge: inside its transaction) -----------------

    def stored_recommendation(self, rec_id: str) -> dict[str, Any] | None:
        """A recommendation as stored (its round and fields), or None."""
        rows = list(self.store.rows(f"SELECT id, round, {', '.join(REC_FIELDS)} FROM recommendations WHERE id = ?",
                                [rec_id]))
        return rows[0] if rows else None

    def copy_commentary(self, round_name: str, text: str, *, log: bool) -> None:
        """A round's commentary as a file has it (`log`: a line in the trail, as for an edit)."""
        with self.store.transaction():
            old = self.round_commentary(round_name)
            self.db.execute("INSERT INTO round_commentary (round, commentary, updated_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (round) DO UPDATE SET commentary = excluded.commentary, "
                            "updated_at = excluded.updated_at", [round_name, text, now_iso()])
            if log:
                self.trail.log(None, f"round:{round_name}:commentary", old or None, text)

    def copy_recommendation(self, round_name: str, rec: dict[str, Any], *, log: bool) -> None:
        """A recommendation as a file has it (its id kept), added or replacing this database's."""
        with self.store.transaction():
            old = self.stored_recommendation(rec["id"])
            values = [rec[f] for f in REC_FIELDS]
            if old is None:
                self.db.execute(f"INSERT INTO recommendations (id, round, {', '.join(REC_FIELDS)}, created_at, "
                                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [rec["id"], round_name, *values, now_iso(), now_iso()])
                if log:
                    self.trail.log(None, f"recommendation:{rec['id']}", None, f"added to {round_name}: {rec['what']}")
            else:
                self.db.execute(f"UPDATE recommendations SET round = ?, {', '.join(f'{f} = ?' for f in REC_FIELDS)}, "
                                "updated_at = ? WHERE id = ?", [round_name, *values, now_iso(), rec["id"]])
            for field in REC_FIELDS if log else ():
                self.trail.log(None, f"recommendation:{rec['id']}:{field}", old[field] if old else None, rec[field])

    def copy_target(self, measure: str, target: float, *, log: bool) -> None:
        """A measure's target as a file has it."""
        with self.store.transaction():
            old = self.targets().get(measure)
            self.db.execute("INSERT INTO measure_targets (measure, target, updated_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (measure) DO UPDATE SET target = excluded.target, "
                            "updated_at = excluded.updated_at", [measure, target, now_iso()])
            if log:
                self.trail.log(None, f"target:{measure}", old, target)
