"""Action tracking across audits: list, filter, mark done, export (training audits are left out).

An action is overdue when it is open and its due date is before today (or before
`as_of`, so a list can be reproduced). Marking an action done is allowed on any
audit, completed and moderated ones included (Store.update_action), and is logged.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from audit_tui.domain.models import ACTION_KINDS
from audit_tui.exchange.exports import ExportError, neutralise, private_output
from audit_tui.storage.store import Store, StoreError

COLUMNS = ["action_id", "case_ref", "round", "team", "auditor", "audit_status", "description", "owner", "due",
           "status", "overdue", "done_on", "note", "question", "audit_id", "kind", "questions"]


@dataclass
class ActionFilter:
    """Which actions to list; empty fields mean any."""

    overdue: bool = False
    owner: str = ""
    team: str = ""
    round: str = ""
    status: str = ""  # "open", "done" or "" for both
    kind: str = ""  # "case", "learning", "service" or "" for any
    search: str = ""  # any of case ref, description, owner, team, round
    as_of: date | None = None

    def effective_as_of(self) -> date:
        return self.as_of or date.today()


_OVERDUE = "(x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < :as_of)"


def _selection(f: ActionFilter) -> tuple[str, dict[str, Any]]:
    """The FROM and WHERE of the actions `f` selects, and their parameters."""
    if f.status not in ("", "open", "done"):
        raise StoreError("status is open or done")
    if f.kind and f.kind not in ACTION_KINDS:
        raise StoreError("the kind of action is case, learning or service")
    where = ["NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)"]  # live work only
    params: dict[str, Any] = {"as_of": f.effective_as_of().isoformat()}
    for name in ("owner", "team", "round"):
        if getattr(f, name).strip():
            column = "x.owner" if name == "owner" else f"a.{name}"
            where.append(f"{column} = :{name} COLLATE NOCASE")
            params[name] = getattr(f, name).strip()
    for name in ("status", "kind"):
        if getattr(f, name):
            where.append(f"x.{name} = :{name}")
            params[name] = getattr(f, name)
    if f.search.strip():
        where.append("(a.case_ref LIKE :s OR x.description LIKE :s OR x.owner LIKE :s OR a.team LIKE :s "
                     "OR a.round LIKE :s)")
        params["s"] = f"%{f.search.strip()}%"
    if f.overdue:
        where.append(_OVERDUE)
    return f"FROM actions x JOIN audits a ON a.id = x.audit_id WHERE {' AND '.join(where)}", params


def list_actions(store: Store, filters: ActionFilter | None = None, *, limit: int = -1, offset: int = 0) -> list[dict[str, Any]]:
    """Actions with their audit's case ref, round, team and auditor; overdue first, then by due date
    (`limit` of them from `offset` on; all by default)."""
    selection, params = _selection(filters or ActionFilter())
    cursor = store.db.conn.execute(
        f"""SELECT x.id AS action_id, a.case_ref, a.round, a.team, a.auditor, a.status AS audit_status,
                   x.description, x.owner, x.due, x.status, {_OVERDUE} AS overdue, x.done_on, x.note, x.question,
                   a.id AS audit_id, x.kind,
                   COALESCE(x.questions, CASE WHEN x.question IS NULL THEN '[]' ELSE json_array(x.question) END)
                   AS questions
            {selection}
            ORDER BY x.status = 'done', {_OVERDUE} DESC, COALESCE(x.due, '9999'), a.case_ref, x.rowid
            LIMIT :limit OFFSET :offset""", params | {"limit": limit, "offset": offset})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) | {"overdue": bool(row[names.index("overdue")]),
                                     "questions": json.loads(row[names.index("questions")])} for row in cursor]


def count_actions(store: Store, filters: ActionFilter | None = None) -> tuple[int, int]:
    """(actions `filters` selects, how many of them are overdue)."""
    selection, params = _selection(filters or ActionFilter())
    total, overdue = store.db.conn.execute(f"SELECT count(*), sum({_OVERDUE}) {selection}", params).fetchone()
    return total, overdue or 0


def count_by_kind(store: Store, filters: ActionFilter | None = None) -> dict[str, int]:
    """How many of the actions `filters` selects (whatever their kind filter) are of each kind."""
    selection, params = _selection(replace(filters or ActionFilter(), kind=""))
    counts = dict(store.db.conn.execute(f"SELECT x.kind, count(*) {selection} GROUP BY x.kind", params).fetchall())
    return {kind: counts.get(kind, 0) for kind in ACTION_KINDS}


def resolve_action_id(store: Store, given: str) -> str:
    """A full action id from its first characters (at least 6), as the list shows them."""
    return store.resolve_id("actions", given)


def mark_done(store: Store, action_id: str, note: str, on: date | None = None) -> dict[str, Any]:
    """Mark an action done with a note (what was done) and a date; the old note is kept before the new one."""
    action_id = resolve_action_id(store, action_id)
    note = note.strip()
    if not note:
        raise StoreError("say what was done (a note is needed)")
    on = on or date.today()
    if on > date.today():
        raise StoreError("the done date is in the future")
    with store.transaction():
        row = store.action(action_id)
        if row["status"] == "done":
            raise StoreError(f"that action was already done on {row['done_on'] or 'an earlier date'}")
        old = (row["note"] or "").strip()
        store.update_action(action_id, status="done", done_on=on, note=f"{old}; {note}" if old else note)
    return {"action_id": action_id, "done_on": on.isoformat()}


def export_actions(rows: list[dict[str, Any]], path: str | Path, *, overwrite: bool = False) -> int:
    """Write the listed actions to .csv or .xlsx (owner-only file; formulas neutralised)."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise ExportError(f"{path}: give a file name ending in .csv or .xlsx")
    values = [[("yes" if r[c] else "no") if c == "overdue" else " ".join(r[c]) if c == "questions" else r[c]
               for c in COLUMNS] for r in rows]
    if kind == ".csv":
        with private_output(path, overwrite=overwrite, binary=False) as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows([[neutralise(v) for v in row] for row in values])
        return len(rows)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from audit_tui.exchange.exports import xlsx_value

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "actions"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in values:
        sheet.append([xlsx_value(v, as_date=c in ("due", "done_on")) for c, v in zip(COLUMNS, row)])
    sheet.freeze_panes = "A2"
    with private_output(path, overwrite=overwrite) as handle:
        workbook.save(handle)
    return len(rows)
