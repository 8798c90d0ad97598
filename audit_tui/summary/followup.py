"""Figures of what audits asked to happen next: actions by kind and answers needing no action.

They read the stored facts of the counted audits (`ensure_facts` has built them), as the action plan does.
"""

from __future__ import annotations

from audit_tui.domain.models import ACTION_KINDS
from audit_tui.summary.shapes import Filters, Summary


def add_action_kinds(conn, filters: Filters, summary: Summary) -> None:
    """Count the counted audits' actions by kind, and their answers graded below good (final grades) that
    carry a reason why no action is needed instead of an action."""
    where, params = filters.where("a")
    kinds = dict(conn.execute(
        f"""SELECT COALESCE(x.kind, 'case'), count(*) FROM audit_facts a JOIN actions x ON x.audit_id = a.id
            WHERE {where} GROUP BY 1""", params).fetchall())
    summary.actions_by_kind = {kind: kinds.get(kind, 0) for kind in ACTION_KINDS}
    summary.answers_no_action = conn.execute(
        f"""SELECT count(*) FROM audit_facts a JOIN answer_facts f ON f.no = a.no
            JOIN answers n ON n.audit_id = a.id AND n.question = f.question
            WHERE {where} AND f.judged AND f.grade != 'n/a' AND f.gob = 0 AND COALESCE(n.no_action, '') != ''""",
        params).fetchone()[0]
