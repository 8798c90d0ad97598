"""The figures behind the report and `audit-tui summary --json`.

One code path: `compute_summary` computes every figure in SQL (GROUP BY / COUNT
over the answers, answer_themes, actions and audits tables) and the report only
renders the resulting `Summary`.

Rules (docs/formats.md, "The summary figures"):
- only audits with status completed or moderated are counted, except in `audits`;
- the moderator's grades override the auditor's everywhere (COALESCE in SQL);
- percentages are of answered (not n/a) questions, rounded half-up to one decimal;
- "good or better" comes from each template's scale levels. Questions on a scale with
  `graded: false` (e.g. a yes/no *circumstance* question) record a fact, not a
  judgement of practice: they are listed but left out of percentages, distributions
  and themes. A level with `counted: false` (the impact scale's `too_early`) is left out
  of every base, like n/a;
- `headline`: the practice measures questions are tagged with (summary.headline) lead the
  report; `inspection_tests` are audit quality (how well the audits were written), never
  practice figures.
"""


from audit_tui.summary.compute import compute_summary, previous_round, read_source, selected_audit_ids, summary_snapshot
from audit_tui.summary.measures import action_clear, impact_evidenced, lived_experience_evidenced, pct
from audit_tui.summary.rows import action_plan_rows, appendix_rows
from audit_tui.summary.shapes import (
    TESTS,
    ActionRow,
    AuditCounts,
    AuditRow,
    Change,
    ConcernRow,
    Distribution,
    Filters,
    HeadlineFigure,
    ModerationFigures,
    QuestionFigure,
    Quote,
    Scope,
    Summary,
    SummaryError,
    TeamActions,
    TestFigure,
    ThemeFigure,
)

__all__ = [
    "TESTS", "ActionRow", "AuditCounts", "AuditRow", "Change", "ConcernRow", "Distribution", "Filters", "HeadlineFigure",
    "ModerationFigures", "QuestionFigure", "Quote", "Scope", "Summary", "SummaryError", "TeamActions", "TestFigure",
    "ThemeFigure", "action_clear", "action_plan_rows", "appendix_rows", "compute_summary", "impact_evidenced",
    "lived_experience_evidenced", "pct", "previous_round", "read_source", "selected_audit_ids", "summary_snapshot",
]
