"""Pydantic models for templates, audits and the interchange format.

These are the shapes of the files users keep (templates, exports); field names
keep their meaning, as docs/formats.md describes them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SNAKE = r"^[a-z0-9]+(_[a-z0-9]+)*$"
MEASURE_ID = r"^[a-z0-9]+([_-][a-z0-9]+)*$"  # a headline measure: snake_case or kebab-case
NA = "n/a"
AUDIT_STATUSES = ("draft", "completed", "moderated")
ACTION_STATUSES = ("open", "done")

# Characters XML 1.0 forbids, so that no .docx or .xlsx file can hold them: C0 controls other than
# tab, newline and CR, lone surrogates, and the non-characters U+FFFE and U+FFFF.
XML_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
# Characters that must never reach a terminal, spreadsheet or Word file from stored text: those,
# DEL and C1 controls (so ESC and every escape sequence), bidi embeddings, overrides and isolates,
# and the invisible direction marks (U+200E, U+200F, U+061C), which would make two names that look
# the same differ. The line and paragraph separators (U+2028, U+2029) become ordinary line breaks.
_UNSAFE_CHARS = re.compile(f"[{XML_FORBIDDEN}\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# The same characters as they stand in JSON text, which escapes those below U+0020 but no others.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


DATE_EXAMPLE = "use a date like 14/12/2026"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def parse_date(text: str) -> date:
    """A date typed the UK way, 14/12/2026 (or 14-12-2026, 14.12.2026), or as 2026-12-14.

    The one date parser of the app and the command line; its messages say what is wrong in plain words:
    "31 February 2026 doesn't exist", "use a date like 14/12/2026"."""
    import re

    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise ValueError(DATE_EXAMPLE)
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month}: {DATE_EXAMPLE}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{day} {MONTHS[month - 1]} {year} doesn't exist") from None


def date_problem(text: str) -> str | None:
    """The message for a typed date, None when it is a date (for forms that check as you type)."""
    try:
        parse_date(text)
    except ValueError as exc:
        return str(exc)[:1].upper() + str(exc)[1:]
    return None


def clean_text(value: str) -> str:
    """Remove control, escape, XML-forbidden and bidi characters from user text (see _UNSAFE_CHARS)."""
    if value.isprintable():  # every unsafe character is a non-printable one: nothing to remove
        return value
    return _UNSAFE_CHARS.sub("", value.replace("\u2028", "\n").replace("\u2029", "\n"))


def clean_json(document: str) -> str:
    """A JSON document with the characters `clean_text` removes taken out of its strings (and the line
    and paragraph separators written as line breaks): for JSON built from text nobody cleaned, such as
    rows another program wrote into the database."""
    if document.isascii() and "\x7f" not in document:
        return document
    return _UNSAFE_IN_JSON.sub("", document.replace("\u2028", "\\n").replace("\u2029", "\\n"))


class Model(BaseModel):
    """Base of every model: its validator is built when first used, not at import (start-up time)."""

    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """Base for file formats: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Level(Strict):
    """One level of a grade scale."""

    id: str = Field(pattern=SNAKE)
    label: str
    good_or_better: bool
    description: str = ""
    counted: bool = True
    """False for a level that is no judgement yet (the impact scale's `too_early`): like n/a, its
    answers are left out of every base and percentage."""


class Scale(Strict):
    """An ordered grade scale, best level first."""

    id: str = Field(pattern=SNAKE)
    label: str = ""
    graded: bool = True
    """False for a scale of facts (e.g. yes/no 'is the young person in custody?'): its answers
    need no evidence or actions and are left out of every grade figure."""
    levels: list[Level] = Field(min_length=2)

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def rank(self, level_id: str) -> int:
        """Position of a level, 0 for the best; -1 if unknown."""
        return next((i for i, lv in enumerate(self.levels) if lv.id == level_id), -1)


class Theme(Strict):
    """A recurring strength or area for improvement, with its keyword lexicon."""

    id: str = Field(pattern=KEBAB)
    label: str
    keywords: list[str] = []


class OnlyIf(Strict):
    """Ask a question only when an earlier question's answer is in a list."""

    question: str
    answer_in: list[str] = Field(min_length=1)


class Question(Strict):
    """One audit question."""

    id: str = Field(pattern=SNAKE)
    text: str
    guidance: str = ""
    scale: str = "ilacs"
    required: bool = True
    themes: list[str] = []
    only_if: OnlyIf | None = None
    measures: list[Annotated[str, Field(pattern=MEASURE_ID)]] = []
    """The headline measures this question's grades feed (`lived_experience`, `impact`, ...)."""
    limiting: bool = False
    """An inadequate here makes the suggested overall grade inadequate (a four-point question only)."""


class Section(Strict):
    """A titled group of questions."""

    id: str = Field(pattern=SNAKE)
    title: str
    guidance: str = ""
    questions: list[Question] = Field(min_length=1)


ILACS = Scale(
    id="ilacs",
    label="Ofsted ILACS judgement",
    levels=[
        Level(id="outstanding", label="Outstanding", good_or_better=True,
              description="In addition to good, practice makes an exceptional difference to the child."),
        Level(id="good", label="Good", good_or_better=True,
              description="Children's needs are understood and met; plans are specific and make a difference."),
        Level(id="requires_improvement", label="Requires improvement to be good", good_or_better=False,
              description="No widespread failures leaving children harmed or at risk, but practice is not yet good."),
        Level(id="inadequate", label="Inadequate", good_or_better=False,
              description="Widespread or serious failures leave children harmed or at risk of harm."),
    ],
)
YES_PARTLY_NO = Scale(
    id="yes_partly_no",
    label="Yes / partly / no",
    levels=[
        Level(id="yes", label="Yes", good_or_better=True,
              description="Done, on time and evidenced on file."),
        Level(id="partly", label="Partly", good_or_better=False,
              description="Done late, incomplete, or not recorded consistently."),
        Level(id="no", label="No", good_or_better=False,
              description="Not done, or not evidenced on file."),
    ],
)
IMPACT = Scale(
    id="impact",
    label="Impact of the work",
    levels=[
        Level(id="improved", label="Improved", good_or_better=True,
              description="Then and now compared with evidence: the child's life is clearly better because of the work."),
        Level(id="some_improvement", label="Some improvement", good_or_better=True,
              description="Some things are better for the child because of the work, shown by evidence; others are not yet."),
        Level(id="no_change", label="No change", good_or_better=False,
              description="Work was done but nothing has changed for the child: activity is not impact."),
        Level(id="worse", label="Worse", good_or_better=False,
              description="The child's situation has got worse despite, or because of, the work."),
        Level(id="too_early", label="Too early to say", good_or_better=False, counted=False,
              description="The work started too recently to judge its difference; left out of the figures, like n/a."),
    ],
)
BUILTIN_SCALES = {s.id: s for s in (ILACS, YES_PARTLY_NO, IMPACT)}


class Template(Strict):
    """An audit template: sections of questions, the scales they use and a theme lexicon."""

    id: str = Field(pattern=KEBAB)
    version: int = Field(ge=1)
    title: str
    description: str = ""
    service_areas: list[str] = []
    scales: list[Scale] = []
    themes: list[Theme] = []
    sections: list[Section] = Field(min_length=1)

    def scale_map(self) -> dict[str, Scale]:
        return {**BUILTIN_SCALES, **{s.id: s for s in self.scales}}

    def questions(self) -> list[tuple[str, Section, Question]]:
        """Every question as (key, section, question), key being `section.question`."""
        return [(f"{s.id}.{q.id}", s, q) for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question | None:
        return self._question_index().get(key)

    def _question_index(self) -> dict[str, Question]:
        """key → question, kept beside the fields (pydantic compares and dumps fields only) and built
        again when the sections change: looking a question up is on every hot path (saving an
        answer, importing, gates), and a template has dozens of questions."""
        shape = (id(self.sections), len(self.sections))
        cached = self.__dict__.get("_question_index_cache")
        if cached is None or cached[0] != shape:
            index: dict[str, Question] = {}
            for key, _, question in self.questions():
                index.setdefault(key, question)
            cached = (shape, index)
            self.__dict__["_question_index_cache"] = cached
        return cached[1]

    def scale_of(self, key: str) -> Scale:
        question = self.question(key)
        return self.scale_map()[question.scale if question else "ilacs"]

    def theme_map(self) -> dict[str, Theme]:
        return {t.id: t for t in self.themes}

    def limiting_keys(self) -> set[str]:
        """The four-point questions whose inadequate makes the overall grade inadequate: those marked
        `limiting`, or every four-point question when the template marks none."""
        four_point = [(key, q) for key, _, q in self.questions() if q.scale == ILACS.id]
        marked = {key for key, q in four_point if q.limiting}
        return marked or {key for key, _ in four_point}

    def overall_scale(self) -> Scale:
        """The scale overall grades use: the template's `ilacs` (with its descriptors)."""
        return self.scale_map()["ilacs"]


class Answer(Model):
    """A question's grade (or n/a with a reason), evidence and the auditor's theme tags."""

    question: str
    grade: str | None = None
    na_reason: str | None = None
    evidence: str = ""
    themes: list[str] = []
    rationale: str = ""
    """Why this grade: the reference auditor's reasoning in a sample case (left out of files when empty)."""
    no_action: str = ""
    """For a grade below good: why no action is needed ("no action because …", e.g. already in hand, with
    the evidence); it meets the gate an action would. Left out of files when empty."""

    @model_serializer(mode="wrap")
    def _omit_empty_extras(self, handler):
        data = handler(self)
        if isinstance(data, dict):
            for key in ("rationale", "no_action"):
                if not data.get(key):
                    data.pop(key, None)
        return data


ACTION_KINDS = {
    "case": "Case action",
    "learning": "Learning for the worker",
    "service": "Service recommendation",
}
"""What an action is for: the child's case, the worker's learning, or the service as a whole."""


class Action(Model):
    """What must happen next, who owns it and by when; it may answer several questions."""

    id: str | None = None
    description: str = ""
    owner: str = ""
    due: date | None = None
    status: Literal["open", "done"] = "open"
    question: str | None = None
    """The first question the action answers (None: not linked to a question)."""
    done_on: date | None = None
    note: str = ""
    kind: Literal["case", "learning", "service"] = "case"
    questions: list[str] = []
    """Every question the action answers, `question` first (files may give either; written only when
    the action answers more than one)."""

    @model_validator(mode="after")
    def _questions_include_question(self) -> Action:
        if self.question and self.question not in self.questions:
            self.questions = [self.question, *self.questions]
        elif not self.question and self.questions:
            self.question = self.questions[0]
        self.questions = list(dict.fromkeys(self.questions))
        return self

    @model_serializer(mode="wrap")
    def _omit_single_question(self, handler):
        data = handler(self)
        if isinstance(data, dict) and len(data.get("questions") or []) <= 1:
            data.pop("questions", None)
        return data

    def answers(self, key: str) -> bool:
        """Whether this action answers question `key`."""
        return key in self.questions


class ModeratedAnswer(Model):
    """A grade the moderator changed."""

    question: str
    grade: str
    comment: str = ""


class Moderation(Model):
    """A quality lead's moderation of a completed audit; its grades are final."""

    moderator: str
    moderated_on: date
    overall_grade: str | None = None
    comment: str = ""
    answers: list[ModeratedAnswer] = []


class Concern(Model):
    """A safeguarding concern raised during an audit."""

    id: str | None = None
    raised_at: str
    raised_by: str
    description: str
    handled_at: str | None = None
    handled_by: str | None = None
    action_id: str | None = None
    """The concern's urgent action (one of the audit's actions): it cannot be deleted."""
    told_who: str = ""
    """Who the auditor told (a name or role), when (`told_at`) and how (`told_how`: phone, in person...)."""
    told_at: str = ""
    told_how: str = ""
    team_manager: str = ""
    """The urgent action goes to the case's team manager and a service manager: both are recorded."""
    service_manager: str = ""
    route: str = ""
    """For a young person aged 18–25 (care leavers): the adult route taken, e.g. adult safeguarding."""
    outcome: str = ""
    """What was done about it: needed to close the concern."""


SAFEGUARDING_STATEMENTS = {
    "no_risk": "No unaddressed risk found",
    "concern_raised": "A concern was raised",
}
"""The statement an auditor makes before completing an audit (a gate)."""
CONCERN_ROUTES = {
    "adult_safeguarding": "Adult safeguarding (young person aged 18–25)",
    "exploitation_panel": "Exploitation panel (young person aged 18–25)",
}
"""The routes a care-leaver audit's concern form offers for a young person aged 18–25."""
URGENT_NOTE = "safeguarding concern"
"""The note of a concern's urgent action (how lists and training recognise it)."""


class Conversation(Model):
    """The feedback conversation with the worker about the audit."""

    held_on: date | None = None
    present: str = ""
    """Who was present."""
    reflection: str = ""
    """The worker's reflection."""
    agrees: Literal["yes", "partly", "no"] | None = None
    """Whether the worker agrees with the grades."""
    challenge: str = ""
    """The worker's challenge to the grades, if any; `response` is the auditor's answer to it."""
    response: str = ""


class FamilyFeedback(Model):
    """What the child, young person or carer said about the help they get, and how it was gathered."""

    how: str = ""
    said: str = ""


class FollowupJudgement(Model):
    """At a follow-up audit: whether the earlier audit's actions made a difference (the impact scale)."""

    impact: Literal["improved", "some_improvement", "no_change", "worse", "too_early"]
    note: str = ""
    """What shows it: what changed for the child since the earlier audit, or why nothing did."""


class AuditRecord(Model):
    """One audit as it travels in the interchange format."""

    id: str
    case_ref: str = Field(min_length=1)
    template_id: str
    template_version: int
    round: str = ""
    service_area: str = ""
    team: str = ""
    worker: str = ""
    auditor: str = ""
    audited_on: date
    status: Literal["draft", "completed", "moderated"] = "draft"
    overall_grade: str | None = None
    overall_reason: str = ""
    lived_experience: str = ""
    impact: str = ""
    answers: list[Answer] = []
    actions: list[Action] = []
    concerns: list[Concern] = []
    moderation: Moderation | None = None
    safeguarding: Literal["no_risk", "concern_raised"] | None = None
    """The auditor's safeguarding statement (see SAFEGUARDING_STATEMENTS); None before it is made."""
    conversation: Conversation | None = None
    family_feedback: FamilyFeedback | None = None
    redact_names: list[str] = []
    """Names the auditor asked to be replaced by initials in documents and circulated exports."""
    follows: str | None = None
    """The id of the earlier audit of the same case that this one follows up (a re-audit)."""
    followup: FollowupJudgement | None = None
    """Whether the earlier audit's actions made a difference, judged at this follow-up audit."""
    reaudit_due: date | None = None
    """For an audit graded inadequate: when the case is to be audited again (set by the quality lead)."""

    @field_validator("case_ref")
    @classmethod
    def _case_ref_plain(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}", value):
            raise ValueError("a case ref is letters, digits and - / _ . (at most 40)")
        return value


class Interchange(Model):
    """The `audit-tui/1` interchange file."""

    format: Literal["audit-tui/1"] = "audit-tui/1"
    templates: list[Template] = []
    audits: list[AuditRecord] = []
