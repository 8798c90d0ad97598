"""The quality gates an audit must pass to be completed, the softer warnings,
and the suggested overall grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from audit_tui.domain.models import NA, Action, Answer, AuditRecord, Template

MIN_NARRATIVE_WORDS = 12
MIN_REASON_WORDS = 6
"""A reason for no action on a grade below good has at least this many words (and is not a placeholder)."""
DUE_DAYS = {"inadequate": 14, "other": 28}
"""A new action's due date, in days after the audit: shorter when it answers an inadequate grade."""
CHILD_OWNER = re.compile(
    r"^\s*(the\s+)?(child|children|young\s+person|young\s+people|yp|cyp|care\s+leaver|baby|"
    r"child\s+or\s+young\s+person)\s*($|[(:,-])", re.I)
PLACEHOLDERS = {"tbc", "tbd", "n/a", "na", "none", "see above", "see notes", "to follow", "xxx", "-", "...", "todo",
                "ok", "okay", "fine", "yes", "no", "see file", "see record", "see case file", "see chronology",
                "as above", "on file", "?"}
ACTIVITY_WORDS = re.compile(
    r"\b(visited|visits?|completed|attended|held|undertook|undertaken|referred|sent|"
    r"discussed|contacted|arranged|met|meetings?|calls?|phoned)\b", re.I)
CHANGE_WORDS = re.compile(
    r"\b(now|no longer|has improved|improved|improving|is able|was able|feels?|felt|said|says|"
    r"safer|settled|stable|reduced|increased|fewer|less|more|better|worse|because|as a result|"
    r"attending|engaged|engaging|changed|different|progress)\b", re.I)
VAGUE_ACTION = re.compile(r"\b(continue to|consider|ensure|monitor|as needed|as appropriate|ongoing|where possible)\b", re.I)
MEASURABLE = re.compile(
    r"(\d|\bby\b|\bweekly\b|\bmonthly\b|\bfortnightly\b|\bwithin\b|\bbefore\b|\bcomplete[sd]?\b|\bupdate[sd]?\b|"
    r"\bsign(?:ed)?[- ]off\b|\bconvene\b|\bbook\b|\brecord\b|\bhold\b|\bwrite\b|\bsend\b|\brefer\b|\barrange\b)", re.I)


@dataclass(frozen=True)
class Finding:
    """An unmet gate or a warning, and where in the audit to go to fix it.

    `target` is ("question", key), ("narrative", "lived_experience" | "impact"),
    ("action", action_id) or ("overall", "").
    """

    message: str
    target: tuple[str, str]


def is_placeholder(text: str) -> bool:
    """Empty, or a stand-in such as 'ok', 'tbc' or 'see file' (case and end punctuation ignored)."""
    return text.strip().lower().rstrip(".!").strip() in PLACEHOLDERS or not text.strip()


def is_substantive(text: str) -> bool:
    """A narrative is substantive when it has at least MIN_NARRATIVE_WORDS words: so never empty, and
    never a placeholder such as "tbc", "n/a" or "see notes"."""
    return len(re.findall(r"\w+", text)) >= MIN_NARRATIVE_WORDS


def active_questions(template: Template, answers: dict[str, Answer]) -> list[str]:
    """Keys of the questions asked, given the answers so far (only_if applied)."""
    keys = []
    for key, _, question in template.questions():
        cond = question.only_if
        if cond is not None:
            source = answers.get(cond.question)
            if source is None or source.grade not in cond.answer_in or cond.question not in keys:
                continue
        keys.append(key)
    return keys


def question_label(template: Template, key: str) -> str:
    """How people name a question: its section title and number, e.g. 'Pathway planning Q2'."""
    for section in template.sections:
        for number, question in enumerate(section.questions, 1):
            if f"{section.id}.{question.id}" == key:
                return f"{section.title} Q{number}"
    return key


def is_answered(answer: Answer | None) -> bool:
    """Graded, or n/a with a reason."""
    if answer is None or not answer.grade:
        return False
    return answer.grade != NA or bool((answer.na_reason or "").strip())


def is_graded(template: Template, answer: Answer) -> bool:
    """A real grade: not n/a, and on a graded scale (not a fact question)."""
    return bool(answer.grade) and answer.grade != NA and template.scale_of(answer.question).graded


def is_counted(template: Template, answer: Answer) -> bool:
    """A grade that counts in figures: graded, and not on a level left out of them (`too_early`)."""
    if not is_graded(template, answer):
        return False
    level = template.scale_of(answer.question).level(answer.grade)
    return level is None or level.counted


def below_good(template: Template, answer: Answer) -> bool:
    """A counted grade that is not good or better (so it needs an action)."""
    if not is_counted(template, answer):
        return False
    level = template.scale_of(answer.question).level(answer.grade)
    return level is not None and not level.good_or_better


def action_problems(action: Action, audited_on: date) -> list[str]:
    """What an action lacks to count as specific, owned and dated."""
    problems = []
    if len(re.findall(r"\w+", action.description)) < 4:
        problems.append("needs a specific description (what will be done, at least a few words)")
    if not action.owner.strip():
        problems.append("needs an owner")
    if action.due is None:
        problems.append("needs a due date")
    elif action.due < audited_on:
        problems.append(f"due date {action.due.isoformat()} is before the audit date {audited_on.isoformat()}")
    return problems


def action_warning(action: Action) -> str | None:
    """A SMART hint for vague actions, or None."""
    text = action.description
    if VAGUE_ACTION.search(text) and not MEASURABLE.search(VAGUE_ACTION.sub("", text)):
        return "is vague: say what will be done and how you will know it has happened (e.g. 'by 14 March')"
    return None


def owner_warning(action: Action) -> str | None:
    """A warning for an action owned by the child or young person (owner 'young person', 'the child',
    'YP (Jo)'...), or None."""
    if CHILD_OWNER.search(action.owner):
        return ("is owned by the child or young person: an action is for the adults around them to carry out "
                "(name the worker, carer or manager)")
    return None


def reason_given(text: str) -> bool:
    """A reason for no action: at least MIN_REASON_WORDS words, not a placeholder."""
    return not is_placeholder(text) and len(re.findall(r"\w+", text)) >= MIN_REASON_WORDS


def default_due(template: Template, audit: AuditRecord, questions: list[str]) -> date:
    """A new action's suggested due date: DUE_DAYS after the audit, the shorter when any question it
    answers is graded inadequate."""
    grades = {a.question: a.grade for a in audit.answers}
    worst = "inadequate" if any(grades.get(q) == "inadequate" for q in questions) else "other"
    return audit.audited_on + timedelta(days=DUE_DAYS[worst])


def impact_warning(text: str) -> str | None:
    """Warn when an impact narrative lists activity without saying what changed."""
    if text.strip() and ACTIVITY_WORDS.search(text) and not CHANGE_WORDS.search(text):
        return "Impact lists activity ('visited', 'completed') but not what changed for the child"
    return None


def gate_failures(template: Template, audit: AuditRecord) -> list[Finding]:
    """Every unmet quality gate; an audit can be completed only when this is empty."""
    answers = {a.question: a for a in audit.answers}
    found: list[Finding] = []
    for key in active_questions(template, answers):
        question = template.question(key)
        answer = answers.get(key)
        label = question_label(template, key)
        if question.required and not is_answered(answer):
            if answer is not None and answer.grade == NA:
                found.append(Finding(f"{label}: n/a needs a reason", ("question", key)))
            else:
                found.append(Finding(f"{label}: not answered", ("question", key)))
            continue
        if answer is None or not answer.grade:
            continue
        if is_graded(template, answer) and not answer.evidence.strip():
            found.append(Finding(f"{label}: the grade needs evidence text", ("question", key)))
        elif is_graded(template, answer) and is_placeholder(answer.evidence):
            found.append(Finding(f"{label}: '{answer.evidence.strip()}' is a placeholder, not evidence: "
                                 "say what on the file supports the grade", ("question", key)))
        if below_good(template, answer) and not any(a.answers(key) for a in audit.actions):
            if not answer.no_action.strip():
                found.append(Finding(f"{label}: graded below good, so it needs at least one action",
                                     ("question", key)))
            elif not reason_given(answer.no_action):
                found.append(Finding(f"{label}: say why no action is needed, with the evidence (at least "
                                     f"{MIN_REASON_WORDS} words, e.g. already in hand: what and since when)",
                                     ("question", key)))
    if not is_substantive(audit.lived_experience):
        found.append(Finding(
            f"Lived experience: write what life is like for this child (at least {MIN_NARRATIVE_WORDS} words)",
            ("narrative", "lived_experience")))
    if not is_substantive(audit.impact):
        found.append(Finding(
            f"Impact: write what has changed for the child because of the work (at least {MIN_NARRATIVE_WORDS} words)",
            ("narrative", "impact")))
    for number, action in enumerate(audit.actions, 1):
        for problem in action_problems(action, audit.audited_on):
            found.append(Finding(f"Action {number}: {problem}", ("action", action.id or "")))
    found += safeguarding_failures(audit)
    if audit.follows and audit.followup is None:
        found.append(Finding("Follow-up: this audit follows up an earlier one, so say whether its actions made a "
                             "difference (F9)", ("followup", "")))
    return found


def safeguarding_failures(audit: AuditRecord) -> list[Finding]:
    """The safeguarding statement gate: made, and true to the audit's concerns."""
    if audit.safeguarding is None:
        message = "Safeguarding: state 'no unaddressed risk found' or 'a concern was raised'"
    elif audit.safeguarding == "concern_raised" and not audit.concerns:
        message = "Safeguarding: you stated a concern was raised, but none is recorded: record it (ctrl+f)"
    elif audit.safeguarding == "no_risk" and audit.concerns:
        message = "Safeguarding: a concern was raised in this audit, so state 'a concern was raised'"
    else:
        return []
    return [Finding(message, ("safeguarding", ""))]


def completion_failures(template: Template, audit: AuditRecord, overall_grade: str | None,
                        reason: str, *, suggest_from: AuditRecord | None = None) -> list[Finding]:
    """What completing `audit` with `overall_grade` lacks: the gates, an overall grade of the
    template's scale, and a reason when that grade differs from the one suggested (from
    `suggest_from`, by default the audit itself)."""
    found = gate_failures(template, audit)
    suggested = suggested_overall_grade(template, suggest_from or audit)
    if template.overall_scale().level(overall_grade or "") is None:
        found.append(Finding("Choose an overall grade", ("overall", "")))
    elif overall_grade != suggested and not reason.strip():
        found.append(Finding("The overall grade differs from the suggested one: give a reason", ("overall", "")))
    return found


def moderation_failures(template: Template, audit: AuditRecord) -> list[str]:
    """What a moderated audit's moderation lacks, as recording a moderation requires it."""
    mod = audit.moderation
    if mod is None:
        return ["a moderated audit needs its moderation (moderator, date and overall grade)"]
    found = [] if mod.moderator.strip() else ["the moderator's name is needed"]
    overall = mod.overall_grade or audit.overall_grade
    if template.overall_scale().level(overall or "") is None:
        found.append("choose the moderated overall grade")
    elif overall != audit.overall_grade and not mod.comment.strip():
        found.append("the moderated overall grade differs from the auditor's: give a comment")
    answers = {a.question: a for a in audit.answers}
    for changed in mod.answers:
        auditor = answers.get(changed.question)
        if auditor is None or not auditor.grade:
            found.append(f"{changed.question} was not answered by the auditor: there is no grade to moderate")
        elif changed.grade != auditor.grade and not changed.comment.strip():
            found.append(f"{changed.question}: say why the grade differs (a comment is needed)")
    return found


def warnings(template: Template, audit: AuditRecord) -> list[Finding]:
    """Softer checks: shown, never blocking."""
    found = []
    message = impact_warning(audit.impact)
    if message:
        found.append(Finding(message, ("narrative", "impact")))
    for number, action in enumerate(audit.actions, 1):
        for message in (action_warning(action), owner_warning(action)):
            if message:
                found.append(Finding(f"Action {number} {message}", ("action", action.id or "")))
    return found


OVERALL_RULE = (
    "Ofsted-scale answers only. Inadequate: a limiting question inadequate (if none is marked, any), or a "
    "concern open. Requires improvement: any inadequate, or a quarter or more below good. Outstanding: "
    "half or more outstanding and none below good. Otherwise Good."
)


def is_four_point(template: Template, answer: Answer) -> bool:
    """A counted grade on the four-point scale overall grades use (not yes/partly/no, impact or facts)."""
    question = template.question(answer.question)
    return question is not None and question.scale == template.overall_scale().id and is_counted(template, answer)


def suggested_overall_grade(template: Template, audit: AuditRecord) -> str | None:
    """The overall grade the answers suggest (see OVERALL_RULE); None with no four-point grades."""
    keys = set(active_questions(template, {a.question: a for a in audit.answers}))
    graded = [a for a in audit.answers if a.question in keys and is_four_point(template, a)]
    if not graded:
        return None
    limiting = template.limiting_keys()
    if any(a.grade == "inadequate" and a.question in limiting for a in graded) or any(
            c.handled_at is None for c in audit.concerns):
        return "inadequate"
    below = sum(1 for a in graded if below_good(template, a))
    if below * 4 >= len(graded) or any(a.grade == "inadequate" for a in graded):
        return "requires_improvement"
    outstanding = sum(1 for a in graded if a.grade == "outstanding")
    if below == 0 and outstanding * 2 >= len(graded):
        return "outstanding"
    return "good"
