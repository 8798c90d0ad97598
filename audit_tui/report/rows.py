"""Where the report's long tables come from: each team's actions (with the teams' counts) and the audits."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from audit_tui.summary import ActionRow, AuditRow, Filters, Summary, TeamActions, action_plan_rows, appendix_rows


@dataclass
class ReportRows:
    """The action plan's teams in order, a team's actions, and one row per audit for the appendix."""

    teams: list[TeamActions]
    actions: Callable[[str], Iterable[ActionRow]]
    audits: Callable[[], Iterable[AuditRow]]

    @classmethod
    def listed(cls, summary: Summary) -> ReportRows:
        """From a summary computed with its rows (`action_plan`, `appendix`)."""
        by_team = {team: list(rows) for team, rows in groupby(summary.action_plan, key=lambda r: r.team)}
        teams = [TeamActions(team=team, total=len(rows), open=sum(r.status == "open" for r in rows),
                             done=sum(r.status == "done" for r in rows), overdue=sum(r.overdue for r in rows))
                 for team, rows in by_team.items()]
        return cls(teams, by_team.__getitem__, lambda: summary.appendix)

    @classmethod
    def streamed(cls, conn: sqlite3.Connection, filters: Filters, summary: Summary) -> ReportRows:
        """Read on `conn` as the document is saved: inside `summary_snapshot`, with the summary's dated filters."""
        return cls(summary.actions_by_team, lambda team: action_plan_rows(conn, filters, team=team),
                   lambda: appendix_rows(conn, filters))
