"""The shapes of the summary: its filters and the figures it holds (the JSON keys)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ConfigDict, field_validator

from audit_tui.domain import gates
from audit_tui.domain.models import Model, clean_json
from audit_tui.summary.scans import filter_where

COUNTED = ("completed", "moderated")
QUOTE_CHARS = 180

VOICE_WORDS = re.compile(
    r"[\"“”]|\b(said|says|say|told|tells|telling|feels?|felt|wants?|wanted|wishes|wished|likes?|liked|"
    r"describe[sd]?|explained|own words|in (?:his|her|their) words|hopes?|worries|worried|"
    r"enjoys?|loves?|hates?|views?)\b", re.I)

TESTS = {  # audit quality: how well the audits were written, never a finding about practice
    "lived_experience": (
        "Lived-experience narrative written well",
        "Audit quality, not a judgement of practice: the audit's lived-experience narrative is substantive "
        f"(at least {gates.MIN_NARRATIVE_WORDS} words, not a placeholder) and records the child's own view: "
        "a quotation or reported speech (for example 'said', 'told', 'feels', 'wants')."),
    "impact": (
        "Impact narrative says what changed",
        "Audit quality, not a judgement of practice: the audit's impact narrative is substantive (at least "
        f"{gates.MIN_NARRATIVE_WORDS} words) and says what changed for the child, not only what was done "
        "(no 'activity only' warning)."),
    "actions_clear": (
        "Audit's actions written clearly",
        "Audit quality, not a judgement of practice: every action the audit set has a specific description, "
        "an owner and a due date on or after the audit date, and none is vague ('continue to', 'consider', "
        "'ensure' without a measurable outcome). An audit that needed no actions counts as clear."),
}


class SummaryError(Exception):
    """Filters or data the summary cannot use; the message is for the user."""


class Filters(Model):
    """Which audits a summary, report or export covers. Empty means any."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    round: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    team: str | None = None
    service_area: str | None = None
    template: str | None = None
    as_of: date | None = None

    @field_validator("round", "team", "service_area", "template")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    def effective_as_of(self) -> date:
        return self.as_of or date.today()

    def dated(self) -> Filters:
        """These filters with `as_of` set (today unless given), so that every part of a summary agrees."""
        return self if self.as_of else self.model_copy(update={"as_of": date.today()})

    def where(self, alias: str = "a") -> tuple[str, dict[str, Any]]:
        """A SQL condition on the audits table (aliased `alias`) and its parameters.

        Training audits (a trainee's audit of a fictional sample case) are never selected:
        they are kept apart from live work, in every figure and export.
        """
        return filter_where(alias, round=self.round, date_from=self.date_from, date_to=self.date_to,
                            team=self.team, service_area=self.service_area, template=self.template)

    def describe(self) -> str:
        """The filters in words, for the report's scope."""
        bits = []
        if self.round:
            bits.append(f"round “{self.round}”")
        if self.date_from or self.date_to:
            bits.append("audited " + " ".join(filter(None, [
                f"from {self.date_from.isoformat()}" if self.date_from else "",
                f"to {self.date_to.isoformat()}" if self.date_to else ""])))
        for name, label in (("team", "team"), ("service_area", "service area"), ("template", "template")):
            if getattr(self, name):
                bits.append(f"{label} “{getattr(self, name)}”")
        return "; ".join(bits) if bits else "all audits"


# -- the Summary -------------------------------------------------------------------


class AuditCounts(Model):
    total: int = 0
    completed: int = 0
    draft: int = 0
    moderated: int = 0


class QuestionFigure(Model):
    question: str
    template: str
    section: str
    section_title: str
    text: str
    judged: bool
    answered: int
    na: int
    grades: dict[str, int]
    good_or_better: int
    good_or_better_pct: float | None
    excluded: int = 0
    """Answers on a level left out of the base like n/a (`too_early`); in `grades`, not in `answered`."""


class Quote(Model):
    case_ref: str
    text: str


class ThemeFigure(Model):
    id: str
    label: str
    audits: int
    strength: int
    improvement: int
    strength_quotes: list[Quote] = []
    improvement_quotes: list[Quote] = []


class ActionCounts(Model):
    total: int = 0
    open: int = 0
    done: int = 0
    overdue: int = 0


class TeamActions(Model):
    """The actions of one team's audits (the action plan's headings)."""

    team: str
    total: int
    open: int
    done: int
    overdue: int


class TestFigure(Model):
    id: str
    label: str
    measured_by: str
    audits: int
    met: int
    pct: float | None


class HeadlineFigure(Model):
    """A headline measure of practice (summary.headline): graded answers of the questions carrying it."""

    id: str
    label: str
    answered: int
    good_or_better: int
    pct: float | None
    counted_in: str = "answers"
    """'audits' when each selected template has one question carrying the measure, else 'answers'."""
    questions: list[str] = []
    previous_pct: float | None = None
    change: float | None = None
    """Percentage points since the previous round, from the unrounded fractions (None without one)."""


class Distribution(Model):
    """Final grades of judged answers in one group (a section or a team)."""

    name: str
    template: str = ""
    audits: int
    answered: int
    good_or_better: int
    good_or_better_pct: float | None
    grades: dict[str, int]
    overall_grades: dict[str, int] = {}


class ActionRow(Model):
    team: str
    case_ref: str
    audit_id: str
    description: str
    owner: str
    due: str | None
    status: str
    question: str | None
    overdue: bool
    kind: str = "case"


class ModerationFigures(Model):
    moderated_audits: int
    answers_compared: int
    answers_agreed: int
    answer_agreement_pct: float | None
    overall_compared: int
    overall_agreed: int
    overall_agreement_pct: float | None
    changed: list[dict[str, Any]]
    agreement: dict[str, Any] | None = None
    """Exact agreement and weighted kappa, per question and overall (core.moderation.moderation_agreement)."""
    completed_audits: int = 0
    sample_pct: float | None = None
    """Moderated audits as a share of the completed (and moderated) audits selected: the sample rate."""


class AreaFigure(Model):
    """A headline measure or a template's section, as a candidate for the strongest or weakest area."""

    kind: str
    """'measure' or 'section'."""
    id: str
    label: str
    template: str = ""
    answered: int
    good_or_better: int
    pct: float | None
    counted_in: str = "answers"


class TeamDifference(Model):
    """A team whose figure for a measure is far from the rest of the selection's (executive summary)."""

    team: str
    measure: str
    label: str
    answered: int
    good_or_better: int
    pct: float | None
    others_answered: int
    others_good_or_better: int
    others_pct: float | None
    difference: float
    """Points above (+) or below (-) the other teams together, from the unrounded fractions."""
    counted_in: str = "answers"


class OwnerOverdue(Model):
    owner: str
    overdue: int


class OverdueFigures(Model):
    """Open actions due before the as-of date: how late they are and who holds them."""

    overdue: int
    median_days_overdue: float | None
    most_days_overdue: int | None
    owners: list[OwnerOverdue]
    """The owners holding most overdue actions (at most three), most first."""
    owners_with_overdue: int


class Executive(Model):
    """The figures the executive summary adds to the headline (summary.executive)."""

    strongest: list[AreaFigure]
    weakest: list[AreaFigure]
    min_base: int
    team_differences: list[TeamDifference]
    team_gap_points: float
    teams_compared: list[str]
    teams_too_small: list[str]
    """Teams with fewer than `min_base` counted audits: left out of the comparison."""
    overdue: OverdueFigures


class ChangeRow(Model):
    measure: str
    previous: float | None
    current: float | None
    change: float | None
    previous_base: tuple[int, int] | None = None
    current_base: tuple[int, int] | None = None
    """(good or better, answered) behind `previous` and `current`: the bases the report shows."""


class Change(Model):
    previous_round: str
    previous_audits: int
    rows: list[ChangeRow]


class ConcernRow(Model):
    case_ref: str
    team: str
    raised_at: str
    raised_by: str
    description: str
    round: str = ""
    days_open: int | None = None
    """Whole days from the day it was raised to the summary's as-of date."""
    action_owner: str = ""
    action_status: str = ""
    """The urgent action's owner and status ('open', 'done', 'overdue'); empty when none is recorded."""


class ConversationFigures(Model):
    """Feedback conversations with the worker, over the counted (completed and moderated) audits."""

    audits: int
    held: int
    """Audits whose feedback conversation is recorded with its date."""
    worker_agrees: dict[str, int]
    """Of those held: whether the worker agreed with the grades (yes, partly, no, not recorded)."""
    challenged: int
    """Held conversations in which the worker challenged the grades."""
    family_feedback: int
    """Audits with child, young person or carer feedback."""


class FollowupFigures(Model):
    """Follow-up audits (counted audits that follow up an earlier audit of the case): whether the earlier
    audit's actions made a difference, on the impact scale."""

    audits: int
    impact: dict[str, int]
    """Follow-up audits by judgement (`improved`, `some_improvement`, `no_change`, `worse`, `too_early`,
    `not_recorded`)."""
    made_a_difference: int
    """Improved or some improvement."""
    judged: int
    """Those with a judgement other than too early (the base of `made_a_difference`)."""


class ReauditFigures(Model):
    """The re-audits the selected inadequate audits need (final overall grade inadequate)."""

    inadequate: int
    scheduled: int
    """With a re-audit date set by the lead."""
    done: int
    """Followed up by a completed or moderated audit of the case."""
    overdue: int
    """Scheduled, not done, and due before the as-of date."""
    unscheduled: int
    """Not done and without a date."""


class AuditRow(Model):
    id: str
    case_ref: str
    team: str
    worker: str
    auditor: str
    audited_on: str
    status: str
    template: str
    overall_grade: str | None
    auditor_overall_grade: str | None
    answered: int
    good_or_better: int
    actions: int
    open_actions: int
    overdue_actions: int
    # audit quality (how well this audit was written: TESTS), not judgements of practice
    lived_experience: bool
    impact: bool
    actions_clear: bool


class Scope(Model):
    filters: str
    round: str | None
    first_audit: str | None
    last_audit: str | None
    as_of: str
    teams: dict[str, int]
    service_areas: dict[str, int]
    templates: dict[str, int]
    template_titles: dict[str, str] = {}
    subject: str


class TrendPoint(Model):
    """A headline measure in one round, and its RAG status against the measure's target."""

    round: str
    answered: int
    good_or_better: int
    pct: float | None
    rag: str | None = None
    """green: at or above the target; amber: less than 5 points below it; red: 5 or more points below
    (compared unrounded); None without a target or without answers."""


class TrendMeasure(Model):
    id: str
    label: str
    target: float | None
    points: list[TrendPoint]


class TrendRound(Model):
    name: str
    first_audit: str
    audits: int


class Trends(Model):
    """Each headline measure across the last rounds (at most 12, at least 3), oldest first (summary.trends)."""

    rounds: list[TrendRound]
    measures: list[TrendMeasure]


class Recommendation(Model):
    id: str
    what: str
    lead: str
    outcome: str
    due: str
    rag: str


class ImprovementPlan(Model):
    """The quality lead's conclusions on a round: commentary and service-level recommendations."""

    round: str
    commentary: str
    recommendations: list[Recommendation]


class Summary(Model):
    """Every figure of the report (the first keys are the oldest; docs/formats.md describes each)."""

    audits: AuditCounts
    overall_grades: dict[str, int]
    overall_good_or_better_pct: float | None
    questions: list[QuestionFigure]
    themes: list[ThemeFigure]
    actions: ActionCounts
    headline: list[HeadlineFigure]
    filters: dict[str, Any]
    scope: Scope
    grade_labels: dict[str, str]
    grade_good_or_better: dict[str, bool]
    grade_scales: dict[str, list[str]] = {}
    """Each graded scale in use (its name: its level ids, best first; the four-point scale first), so that
    no chart or table mixes scales; a level id is listed under the first scale that has it."""
    inspection_tests: list[TestFigure]
    sections: list[Distribution]
    teams: list[Distribution]
    actions_by_team: list[TeamActions]
    action_plan: list[ActionRow]
    moderation: ModerationFigures | None
    change_since_previous_round: Change | None
    open_concerns: list[ConcernRow]
    appendix: list[AuditRow]
    conversations: ConversationFigures | None = None
    trends: Trends | None = None
    """With 3 or more rounds: each headline measure across the last rounds, with its target (summary.trends)."""
    improvement_plan: ImprovementPlan | None = None
    """The quality lead's commentary and recommendations on the selected (else the latest) round."""
    executive: Executive | None = None
    actions_by_kind: dict[str, int] = {}
    """The actions of each kind: `case` (case action), `learning` (learning for the worker), `service`
    (service recommendation)."""
    answers_no_action: int = 0
    """Answers graded below good that carry a reason why no action is needed, instead of an action."""
    followups: FollowupFigures | None = None
    reaudits: ReauditFigures | None = None

    def to_json(self, *, rows: bool = True) -> str:
        """The figures as indented JSON; without `rows`, leaving out `action_plan` and `appendix`."""
        # pydantic's serializer writes the same text as json.dumps(model_dump(mode="json"), indent=2,
        # ensure_ascii=False), and faster (json.dumps drops to pure Python when indenting).
        # Its text comes from the database as stored: cleaned again here, for rows another program wrote.
        return clean_json(self.model_dump_json(indent=2, exclude=None if rows else {"action_plan", "appendix"}))


