"""Figures of what audits asked to happen next and what came of it: actions by kind, answers needing
no action, re-audits of inadequate audits, and whether the actions made a difference at follow-up.

They read the stored facts of the counted audits (`ensure_facts` has built them), as the action plan does.
"""

from __future__ import annotations

from audit_tui.domain.models import ACTION_KINDS, IMPACT
from audit_tui.summary.shapes import Filters, FollowupFigures, ReauditFigures, Summary


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


def add_followups(conn, filters: Filters, summary: Summary) -> None:
    """Follow-up judgements of the counted audits that follow up an earlier one, and the re-audits of the
    counted audits whose final overall grade is inadequate (done: a completed or moderated audit follows it)."""
    where, params = filters.where("a")
    params = {**params, "as_of": filters.effective_as_of().isoformat()}
    judged = dict(conn.execute(
        f"""SELECT COALESCE(x.followup_impact, 'not_recorded'), count(*) FROM audit_facts a
            JOIN audits x ON x.id = a.id WHERE {where} AND x.follows IS NOT NULL GROUP BY 1""", params).fetchall())
    impact = {level.id: judged.get(level.id, 0) for level in IMPACT.levels} | {
        "not_recorded": judged.get("not_recorded", 0)}
    summary.followups = FollowupFigures(
        audits=sum(impact.values()), impact=impact, made_a_difference=impact["improved"] + impact["some_improvement"],
        judged=sum(n for k, n in impact.items() if k not in ("too_early", "not_recorded")))
    inadequate, scheduled, done, overdue, unscheduled = conn.execute(
        f"""WITH r AS (SELECT x.reaudit_due AS due, EXISTS (SELECT 1 FROM audits b WHERE b.follows = a.id
                                AND b.status IN ('completed', 'moderated')) AS done
                       FROM audit_facts a JOIN audits x ON x.id = a.id WHERE {where} AND a.overall = 'inadequate')
            SELECT count(*), count(due), COALESCE(sum(done), 0), COALESCE(sum(NOT done AND due < :as_of), 0),
                   COALESCE(sum(NOT done AND due IS NULL), 0) FROM r""", params).fetchone()
    summary.reaudits = ReauditFigures(inadequate=inadequate, scheduled=scheduled, done=done, overdue=overdue,
                                      unscheduled=unscheduled)
