"""The report's long tables, streamed: a row per action (the action plan) and per audit (the appendix).

Both read the stored facts of the audits `filters` selects, so `ensure_facts` (which
`compute_summary` runs) must have built them. Rows come one at a time from SQLite, so a
report over tens of thousands of actions never holds them all; they are named tuples with the
fields of `ActionRow` and `AuditRow` (a tenth of the cost of a pydantic object).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from audit_tui.summary.shapes import ActionRow, AuditRow, Filters

if TYPE_CHECKING:  # a type checker cannot read fields taken from the models at run time
    ActionLine = Any
    AuditLine = Any
else:
    ActionLine = NamedTuple("ActionLine", [(name, field.annotation) for name, field in ActionRow.model_fields.items()])
    AuditLine = NamedTuple("AuditLine", [(name, field.annotation) for name, field in AuditRow.model_fields.items()])


def action_plan_rows(conn: sqlite3.Connection, filters: Filters, *, team: str | None = None) -> Iterator[ActionLine]:
    """Every action of the selected counted audits (of one `team` if given; '' for none), read on `conn`
    (the summary's, inside `summary_snapshot`): by team, overdue first, then open, by due date. Teams come in
    the order of the summary's `actions_by_team`.
    """
    where, params = filters.where("a")
    if team is not None:
        where += " AND a.team = :team"
        params["team"] = team
    cursor = conn.execute(
        f"""SELECT a.team, a.case_ref, a.id, COALESCE(x.description, ''), COALESCE(x.owner, ''),
                   NULLIF(x.due, ''), COALESCE(NULLIF(x.status, ''), 'open'), x.question,
                   x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < :as_of AS overdue,
                   COALESCE(x.kind, 'case')
            FROM audit_facts a CROSS JOIN actions x ON x.audit_id = a.id WHERE {where}
            ORDER BY a.team = '', lower(a.team), a.team, overdue DESC, x.status = 'done', x.due, a.case_ref,
                     x.rowid""",
        {**params, "as_of": filters.effective_as_of().isoformat()})
    for r in cursor:
        yield ActionLine(*r[:8], bool(r[8]), r[9])


def appendix_rows(conn: sqlite3.Connection, filters: Filters) -> Iterator[AuditLine]:
    """One row per selected counted audit, by team then case."""
    where, params = filters.where("a")
    cursor = conn.execute(
        f"""WITH act AS (SELECT x.no, count(*) AS n, sum(x.status = 'open') AS open,
                                sum(x.status = 'open' AND x.due != '' AND x.due < :as_of) AS overdue
                         FROM action_facts x GROUP BY x.no)
            SELECT a.id, a.case_ref, a.team, COALESCE(a.worker, ''), COALESCE(a.auditor, ''), a.audited_on, a.status,
                   a.template_id || ' v' || a.template_version, a.overall, a.auditor_overall, a.answered,
                   a.good_or_better, COALESCE(act.n, 0), COALESCE(act.open, 0), COALESCE(act.overdue, 0),
                   a.lived_ok, a.impact_ok, a.actions_ok
            FROM audit_facts a LEFT JOIN act ON act.no = a.no WHERE {where}
            ORDER BY a.team = '', lower(a.team), a.case_ref, a.audited_on, a.id""",
        {**params, "as_of": filters.effective_as_of().isoformat()})
    for r in cursor:
        yield AuditLine(*r[:15], bool(r[15]), bool(r[16]), bool(r[17]))
