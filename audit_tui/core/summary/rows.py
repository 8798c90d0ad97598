"""The report's long tables, streamed: a row per action (the action plan) and per audit (the appendix).

Both read the stored facts of the audits `filters` selects, so `ensure_facts` (which
`compute_summary` runs) must have built them. Rows come one at a time from SQLite, so a
report over tens of thousands of actions never holds them all.
"""

from __future__ import annotations

from collections.abc import Iterator

from .shapes import ActionRow, AuditRow, Filters

_TEXTS = ("team", "worker", "auditor")
_FLAGS = ("lived_experience", "impact", "actions_clear")


def _connection(db):
    conn = getattr(db, "db", db)
    return getattr(conn, "conn", conn)


def action_plan_rows(db, filters: Filters) -> Iterator[ActionRow]:
    """Every action of the selected counted audits: by team, overdue first, then open, by due date."""
    where, params = filters.where("a")
    cursor = _connection(db).execute(
        f"""SELECT a.team, a.case_ref, a.id, x.description, x.owner, x.due, x.status, x.question,
                   x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < :as_of AS overdue
            FROM audit_facts a JOIN actions x ON x.audit_id = a.id WHERE {where}
            ORDER BY a.team = '', lower(a.team), overdue DESC, x.status = 'done', x.due, a.case_ref, x.rowid""",
        {**params, "as_of": filters.effective_as_of().isoformat()})
    # model_construct: the columns already have the fields' types
    for r in cursor:
        yield ActionRow.model_construct(team=r[0] or "", case_ref=r[1], audit_id=r[2], description=r[3] or "",
                                        owner=r[4] or "", due=r[5] or None, status=r[6] or "open", question=r[7],
                                        overdue=bool(r[8]))


def appendix_rows(db, filters: Filters) -> Iterator[AuditRow]:
    """One row per selected counted audit, by team then case."""
    where, params = filters.where("a")
    cursor = _connection(db).execute(
        f"""WITH act AS (SELECT x.no, count(*) AS n, sum(x.status = 'open') AS open,
                                sum(x.status = 'open' AND x.due != '' AND x.due < :as_of) AS overdue
                         FROM action_facts x GROUP BY x.no)
            SELECT a.id, a.case_ref, a.team, a.worker, a.auditor, a.audited_on, a.status,
                   a.template_id || ' v' || a.template_version, a.overall, a.auditor_overall, a.answered,
                   a.good_or_better, COALESCE(act.n, 0), COALESCE(act.open, 0), COALESCE(act.overdue, 0),
                   a.lived_ok, a.impact_ok, a.actions_ok
            FROM audit_facts a LEFT JOIN act ON act.no = a.no WHERE {where}
            ORDER BY a.team = '', lower(a.team), a.case_ref, a.audited_on, a.id""",
        {**params, "as_of": filters.effective_as_of().isoformat()})
    fields = list(AuditRow.model_fields)
    for r in cursor:
        yield AuditRow.model_construct(**{k: ("" if v is None and k in _TEXTS else bool(v) if k in _FLAGS else v)
                                          for k, v in zip(fields, r)})
