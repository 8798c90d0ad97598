"""Synthetic, deterministic audits for the demo database (seeded random, fictional people).

Four quarterly practice weeks, dated back from the day the demo is built, so that some actions are
overdue, some due soon and some done, and the trend figures have data. Grades follow a practice level
(strong, mixed, weak) drawn per audit from the team's profile for that round, so teams differ and
change between rounds. Each audit has its own child, people, dates and evidence (`demo_text`); most
record the feedback conversation with the worker. Every generated completed audit passes the quality
gates; drafts are part-answered.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Literal

from audit_tui.domain import gates
from audit_tui.domain.models import (
    NA,
    URGENT_NOTE,
    Action,
    Answer,
    AuditRecord,
    Concern,
    Conversation,
    FamilyFeedback,
    ModeratedAnswer,
    Moderation,
    Scale,
    Template,
)
from audit_tui.features import demo_text as text
from audit_tui.features.demo_followup import FollowUps, Person

TEAMS = {  # team: (template id, case prefix, team manager, strong/mixed/weak audits in each round, oldest first)
    "Leaving Care Team A": ("care-leavers", "CL", "Rachel Bentley", [(1, 2, 2), (1, 3, 1), (2, 2, 1), (2, 3, 0)]),
    "Leaving Care Team B": ("care-leavers", "CL", "Colin Price", [(3, 2, 0), (3, 1, 1), (3, 2, 0), (4, 1, 0)]),
    "Children Looked After Team 2": ("children-looked-after", "LAC", "Mark Ellison",
                                     [(2, 3, 0), (2, 2, 1), (1, 3, 1), (1, 2, 2)]),
    "Child Protection Team 1": ("child-protection", "CP", "Steve Hammond", [(0, 2, 3), (1, 2, 2), (1, 3, 1), (2, 2, 1)]),
    "Children with Disabilities Team": ("children-in-need", "CIN", "Lorraine Walsh",
                                        [(3, 2, 0), (3, 2, 0), (2, 3, 0), (3, 2, 0)]),
}
"""Teams differ, and change between rounds: Leaving Care A and Child Protection 1 improve, Children Looked
After 2 declines. Each round audits five cases per team."""
ROUNDS = 4
AUDITORS = ["Priya Shah", "Tom Ellis", "Joanne Mitchell", "Marcus Reid", "Helen Osei", "Sam Kaur"]
WORKERS = ["Dan Okafor", "Nadia Rahman", "Tom Whitfield", "Lewis Grant", "Aisha Patel", "Megan Doyle",
           "Beth Lowry", "Chloe Barker", "Hannah Brooks", "Ollie Grant", "Farah Ali", "Jess Turner"]
CHILDREN = ["Alex", "Bailey", "Casey", "Dani", "Eden", "Frankie", "Harley", "Jamie", "Jordan", "Kit", "Logan",
            "Morgan", "Nico", "Quinn", "Reece", "Riley", "Robin", "Sasha", "Skye", "Taylor", "Toni", "Zion"]
MODERATOR = "Denise Clarke"
SERVICE_MANAGER = "Priya Nair"
DONE_RATE = (0.92, 0.88, 0.8, 0.6)
"""Share of actions done once due, by round (oldest first): older rounds have had longer to follow up."""
MAX_CASE_ACTIONS = 3  # case actions a case gets (more for inadequate grades; the last answers the other themes)
IN_HAND = 0.2  # share of themes below good already being acted on: no action because …
TOPIC = {
    "pathway-plans": "the pathway plan", "accommodation": "accommodation", "education": "education",
    "health": "the health assessment", "independence-skills": "independence skills",
    "risk-assessment": "the risk assessment", "exploitation": "exploitation risk",
    "multi-agency-working": "multi-agency working", "management-oversight": "management oversight",
    "supervision": "supervision", "voice-of-the-child": "the voice of the child",
    "keeping-in-touch": "keeping in touch", "young-people-in-custody": "the release plan from custody",
    "unaccompanied-asylum-seeking": "asylum support", "strategy-discussions": "the strategy discussion",
    "assessment-quality": "the single assessment", "child-protection-plans": "the child protection plan",
    "drift-and-delay": "drift", "step-down-and-escalation": "step-down planning", "recording": "case recording",
    "threshold-decisions": "the threshold decision", "cin-plans": "the child in need plan",
    "care-planning": "the care plan", "placement-stability": "placement stability", "family-time": "family time",
    "iro-oversight": "IRO challenge", "missing-episodes": "the response when the child goes missing",
    "reflective-practice": "reflective discussion", "decision-making": "decision-making",
    "smart-actions": "SMART actions", "escalation": "escalation", "workload": "caseload",
    "staff-development": "professional development", "identity-and-equality": "identity and equality",
    "relationships": "relationships and friendships", "young-parents": "support as a young parent",
    "babies-and-pre-birth": "the pre-birth assessment", "legal-status": "the legal basis for care",
    "kinship-care": "support for the kinship carers", "preparing-for-adulthood": "planning for adulthood",
}
ILACS_WEIGHTS = {"exceptional": (62, 38, 0, 0), "strong": (28, 64, 8, 0), "mixed": (5, 58, 35, 2),
                 "weak": (0, 22, 66, 12)}
THREE_WEIGHTS = {"exceptional": (100, 0, 0), "strong": (86, 12, 2), "mixed": (58, 32, 10), "weak": (25, 45, 30)}
IMPACT_WEIGHTS = {"exceptional": (80, 20, 0, 0, 0), "strong": (55, 37, 4, 0, 4), "mixed": (15, 55, 22, 3, 5),
                  "weak": (2, 25, 45, 25, 3)}  # improved, some improvement, no change, worse, too early
AGREES = {"strong": (8, 2, 0), "mixed": (5, 4, 1), "weak": (3, 4, 3)}  # yes, partly, no


def practice_weeks(today: date) -> dict[str, date]:
    """The demo's rounds, oldest first: quarterly practice weeks, the last starting 4–5 weeks before today."""
    last = today - timedelta(days=28)
    last -= timedelta(days=last.weekday())
    starts = [last - timedelta(weeks=13 * k) for k in range(ROUNDS - 1, -1, -1)]
    return {f"{start:%Y-%m} practice week": start for start in starts}


def _id(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _topic(template: Template, key: str, rng: random.Random) -> str:
    return TOPIC.get(_theme(template, key, rng), "the plan")


def _theme(template: Template, key: str, rng: random.Random) -> str:
    question = template.question(key)
    themes = question.themes or [t.id for t in template.themes]
    return themes[0] if rng.random() < 0.85 else rng.choice(themes)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class Case:
    """One synthetic audit's people and dates, for filling in its wording."""

    def __init__(self, child: str, worker: str, manager: str, audited_on: date, rng: random.Random):
        self.child, self.worker, self.manager, self.audited_on, self.rng = child, worker, manager, audited_on, rng
        self.school = rng.choice(text.SCHOOLS)
        self.seen: set[str] = set()

    def pick(self, wordings: list[str]) -> str:
        """One of `wordings`, not one this audit has used already while another is left."""
        fresh = [w for w in wordings if w not in self.seen] or wordings
        choice = self.rng.choice(fresh)
        self.seen.add(choice)
        return choice

    def fill(self, wording: str, **extra: str) -> str:
        rng = self.rng
        first = self.audited_on - timedelta(days=rng.randint(30, 180))
        later = first + timedelta(days=rng.randint(7, (self.audited_on - first).days - 1))
        slots = {"c": self.child, "w": self.worker.split()[0], "m": self.manager, "d": _day(first), "e": _day(later),
                 "n": str(rng.randint(2, 6)), "p": rng.choice(text.PARTNERS), "s": self.school, **extra}
        for _ in range(2):  # a slot's value may hold slots of its own ({n} in a "now" phrase)
            wording = wording.format(**slots)
        return wording[0].upper() + wording[1:]


def _tier(scale: Scale, grade: str) -> str:
    rank = scale.rank(grade)
    if scale.levels[rank].good_or_better:
        return "hi"
    return "lo" if rank == len(scale.levels) - 1 else "mid"


def _grade(scale: Scale, practice: str, rng: random.Random) -> str:
    ids = [lv.id for lv in scale.levels]
    if not scale.graded:
        return ids[0] if rng.random() < 0.15 else ids[-1]
    if scale.id == "impact":
        return rng.choices(ids, weights=IMPACT_WEIGHTS[practice])[0]
    weights = ILACS_WEIGHTS[practice] if len(ids) == 4 else THREE_WEIGHTS[practice] if len(ids) == 3 else None
    return rng.choices(ids, weights=weights)[0]


def _evidence(template: Template, key: str, grade: str, case: Case, used: set[str]) -> str:
    """A finding on the question's theme at the answer's level, often with where it was found; never
    the same words as another answer of the demo."""
    rng, scale = case.rng, template.scale_of(key)
    if not scale.graded:  # a fact about the case, which decides the questions asked next
        wording = case.fill("Yes: recorded in the chronology on {d}." if grade == scale.levels[0].id
                            else case.pick(text.NOT_THE_CASE))
    elif scale.id == "impact":
        wording = case.fill(case.pick(text.IMPACT[grade]), then=rng.choice(text.THEN), now=rng.choice(text.NOW),
                            then_now=rng.choice(text.THEN_NOW), gap=rng.choice(text.GAPS), worse=rng.choice(text.WORSE))
    else:
        theme = _theme(template, key, rng)
        bank = text.EVIDENCE.get(theme, text.GENERIC)
        wording = case.fill(case.pick(bank[_tier(scale, grade)]), t=TOPIC.get(theme, "the plan"))
        if grade == "outstanding":
            wording += " " + case.fill(rng.choice(text.OUTSTANDING))
    if scale.graded and rng.random() < 0.5:
        wording += " " + case.fill(case.pick(text.SOURCES))
    while wording in used:
        wording += " " + case.fill(case.pick(text.SOURCES))
    used.add(wording)
    return wording


def _answers(template: Template, practice: str, case: Case, used: set[str], share: float = 1.0) -> list[Answer]:
    rng, answers = case.rng, {}
    for key, _, _question in template.questions():
        if key not in gates.active_questions(template, {**answers, key: Answer(question=key)}):
            continue
        if share < 1.0 and rng.random() > share:
            continue
        scale = template.scale_of(key)
        grade = _grade(scale, practice, rng)
        if scale.graded and len(scale.levels) == 3 and rng.random() < 0.03:
            answers[key] = Answer(question=key, grade=NA,
                                  na_reason=case.fill("Does not apply to {c} in the period since {d}."))
            continue
        evidence = _evidence(template, key, grade, case, used)
        answers[key] = Answer(question=key, grade=grade, evidence=evidence)
    return list(answers.values())


def _narratives(template_id: str, practice: str, case: Case) -> tuple[str, str]:
    rng, child = case.rng, case.child
    low, high = text.AGES.get(template_id, (5, 15))
    setting = rng.choice(text.SETTING.get(template_id, text.SETTING["children-looked-after"]))
    intro = f"{child} is {rng.randint(low, high)} and {setting}."
    if practice == "weak" and rng.random() < 0.6:
        lived = (f"{intro} The record describes the home and the adults but says little about {child}'s day, "
                 f"friendships or what worries them; the last note of {child}'s own words is from "
                 f"{case.fill('{d}')}.")
    else:
        lived = (f"{intro} Most days {child} {rng.choice(text.DAY)}. {child} loves {rng.choice(text.LIKES)} and "
                 f"worries about {rng.choice(text.WORRIES)}. {child} told {case.worker.split()[0]}: "
                 f"\"{rng.choice(text.QUOTES)}\"")
    if practice == "weak" and rng.random() < 0.5:
        impact = case.fill("{w} visited {n} times since {d}, attended the review on {e}, completed the "
                           "assessment and referred the family to the {p}.")
    elif practice == "strong":
        impact = case.fill("In {d} {c} {then}; because of the work {c} now {now}, and says so.",
                           then=rng.choice(text.THEN), now=rng.choice(text.NOW))
    else:
        impact = case.fill("Since {d} {c} now {now}, but {gap}, so progress is only partly made.",
                           now=rng.choice(text.NOW), gap=rng.choice(text.GAPS))
    return lived, impact


def _actions(template: Template, answers: list[Answer], case: Case, owners: tuple[str, str], done_rate: float,
             today: date) -> list[Action]:
    """Few actions that help: one case action per theme answers every question below good on it (at most
    MAX_CASE_ACTIONS a case, the last answering the other themes together; an inadequate grade always gets
    one, due sooner); a theme already in hand says so ("no action because …") instead; a learning action for
    the worker when three or more answers fall short; now and then a service recommendation."""
    rng, actions = case.rng, []
    below = [a for a in answers if gates.below_good(template, a)]
    themes: dict[str, list[Answer]] = {}
    for answer in below:
        themes.setdefault(_theme(template, answer.question, rng), []).append(answer)
    record = AuditRecord(id="-", case_ref="X", template_id=template.id, template_version=template.version,
                         audited_on=case.audited_on, answers=answers)

    def add(description: str, owner: str, covered: list[Answer],
            kind: Literal["case", "learning", "service"] = "case") -> None:
        due = gates.default_due(template, record, [a.question for a in covered])
        due += timedelta(days=0 if kind == "case" else 28)  # learning and service work take longer
        # the same draws whatever the day, so the demo's grades and figures do not change with it
        early, done, share = rng.random() < 0.3, rng.random() < done_rate, rng.random()
        done_on = None
        if (due <= today or early) and done:
            latest = min(today, due + timedelta(days=14))
            done_on = case.audited_on + timedelta(days=5 + int(share * max(0, (latest - case.audited_on).days - 5)))
            done_on = min(done_on, today)
        actions.append(Action(id=_id(rng), description=description.format(by=_day(due)), owner=owner, due=due,
                              questions=[a.question for a in covered], kind=kind,
                              status="done" if done_on else "open", done_on=done_on))

    ranked = sorted(themes.items(), key=lambda t: (not any(a.grade == "inadequate" for a in t[1]), -len(t[1])))
    rest: list[tuple[str, list[Answer]]] = []
    for theme, group in ranked:
        topic = TOPIC.get(theme, "the plan")
        inadequate = any(a.grade == "inadequate" for a in group)
        if not inadequate and rng.random() < IN_HAND:
            for answer in group:
                answer.no_action = text.IN_HAND.format(t=topic, d=_day(case.audited_on - timedelta(days=21)))
        elif len(actions) < MAX_CASE_ACTIONS - 1 or inadequate:
            wording = rng.choice(text.VAGUE) if rng.random() < 0.08 else (
                case.fill(text.ACTIONS.get(theme, text.ACTION_GENERIC), t=topic) + " by {by}")
            add(wording.format(t=topic, by="{by}"), rng.choice(owners), group)
        else:
            rest.append((topic, group))
    if rest:  # the other themes below good: one case discussion answers them all
        names = [topic for topic, _ in rest]
        add(text.TOGETHER.format(t=", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1],
                                 by="{by}"), owners[1], [a for _, group in rest for a in group])
    if len(below) >= 3 and rng.random() < 0.5:
        add(text.LEARNING.format(w=case.worker.split()[0], c=case.child, by="{by}"), owners[1], [], kind="learning")
    if rng.random() < 0.08:
        add(text.SERVICE.format(t=TOPIC.get(ranked[0][0], "the plan") if ranked else "the plan", by="{by}"),
            "Head of service", [], kind="service")
    return actions


def conversation(record: AuditRecord, template: Template, practice: str, manager: str, child: str,
                 rng: random.Random, today: date) -> Conversation:
    """The feedback conversation with the worker, a few days after the audit."""
    case = Case(child, record.worker or "The worker", manager, record.audited_on, rng)
    present = f"{record.worker} (social worker), {record.auditor} (auditor)"
    if rng.random() < 0.4:
        present += f", {manager} (team manager)"
    answers: tuple[Literal["yes", "partly", "no"], ...] = ("yes", "partly", "no")
    agrees = rng.choices(answers, weights=AGREES[practice])[0]
    reflection = case.fill(rng.choice(text.REFLECTIONS[agrees]))
    challenge = response = ""
    below = [a.question for a in record.answers if gates.below_good(template, a)]
    if agrees != "yes" and below and rng.random() < 0.7:
        topic = TOPIC.get(_theme(template, rng.choice(below), rng), "the plan")
        challenge, response = rng.choice(text.CHALLENGES).format(t=topic), rng.choice(text.RESPONSES)
    return Conversation(held_on=min(today, record.audited_on + timedelta(days=rng.randint(1, 8))), present=present,
                        reflection=reflection, agrees=agrees,
                        challenge=challenge, response=response)


def family_feedback(child: str, worker: str, rng: random.Random) -> FamilyFeedback:
    """What the child or their family said about the help they get."""
    first = worker.split()[0] if worker else "The worker"
    return FamilyFeedback(how=rng.choice(text.FAMILY_HOW).format(c=child),
                          said=rng.choice(text.FAMILY_SAID).format(w=first))


def synthetic_audits(templates: dict[str, Template], *, seed: int = 2026, today: date | None = None,
                     earlier: list[AuditRecord] | None = None,
                     people: dict[str, Person] | None = None) -> list[AuditRecord]:
    """Four practice weeks of five teams: completed, a sample moderated, a few drafts in the last; an
    inadequate audit is followed up in the next week (`demo_followup`; `earlier`: the first week's audits
    made elsewhere, `people`: their cases' child and age)."""
    rng = random.Random(seed)
    today = today or date.today()
    records, numbers, used = [], {}, set()
    weeks = practice_weeks(today)
    followups = FollowUps(seed, earlier or [], people or {})
    for round_index, (round_name, start) in enumerate(weeks.items()):
        latest = round_index == len(weeks) - 1
        for team, (template_id, prefix, manager, profiles) in TEAMS.items():
            levels = [level for level, count in zip(("strong", "mixed", "weak"), profiles[round_index])
                      for _ in range(count)]
            rng.shuffle(levels)
            for n, practice in enumerate(levels):
                grading = "exceptional" if practice == "strong" and rng.random() < 0.25 else practice
                tmpl = templates["supervision-oversight" if rng.random() < 0.12 else template_id]
                numbers[prefix] = numbers.get(prefix, 0) + 1
                case_ref = f"{prefix}-{5000 + 37 * numbers[prefix] % 4000:04d}"
                child, worker = rng.choice(CHILDREN), rng.choice(WORKERS)
                case = Case(child, worker, manager, start + timedelta(days=rng.randint(0, 4)), rng)
                draft = latest and n == len(levels) - 1 and team != "Children with Disabilities Team"
                follows = None if draft or not round_index else followups.take(
                    records, team, list(weeks)[round_index - 1], tmpl.id,
                    ("inadequate", "requires_improvement") if latest else ("inadequate",))
                answers = _answers(tmpl, grading, case, used, share=0.6 if draft else 1.0)
                lived, impact = _narratives(template_id, practice, case)
                while lived in used or impact in used:  # each audit's narratives are its own
                    lived, impact = _narratives(template_id, practice, case)
                used.update((lived, impact))
                record = AuditRecord(
                    id=_id(rng), case_ref=case_ref, template_id=tmpl.id, template_version=tmpl.version,
                    round=round_name, service_area=templates[template_id].service_areas[0], team=team,
                    worker=worker, auditor=rng.choice(AUDITORS), audited_on=case.audited_on, answers=answers,
                    lived_experience=lived if not draft else "", impact=impact if not draft else "",
                    actions=_actions(tmpl, answers, case, (worker, manager), DONE_RATE[round_index], today),
                    redact_names=[child])
                if not draft:
                    _complete(tmpl, record, rng, exceptional=grading == "exceptional")
                    if rng.random() < 0.88:
                        record.conversation = conversation(record, tmpl, practice, manager, child, rng, today)
                    if rng.random() < 0.4:
                        record.family_feedback = family_feedback(child, worker, rng)
                    if follows:  # a re-audit of the earlier audit's case: its child, the same draws
                        record = followups.follow(follows, record, tmpl)
                records.append(record)
        done = [r for r in records if r.round == round_name and r.status == "completed"]
        _moderate(done, templates, rng, k=2 if latest else 4)
    _concerns(records, templates, rng, today)
    return records


def _concerns(records: list[AuditRecord], templates: dict[str, Template], rng: random.Random, today: date) -> None:
    """Two safeguarding concerns: one handled the same day (second round), one raised in the last round
    and still open, each with its urgent action for the team manager."""
    rounds = sorted({r.round for r in records})
    handled = next(r for r in records if r.team == "Child Protection Team 1" and r.round == rounds[1]
                   and r.status != "draft")
    open_ = next(r for r in records if r.team == "Leaving Care Team A" and r.round == rounds[-1]
                 and r.status != "draft")
    for record, manager, description, outcome in (
            (handled, "Steve Hammond", "The baby of the household (aged 10 months) was seen with an unexplained bruise; no strategy "
             "discussion was held.",
             "Strategy discussion held the same afternoon; child protection medical arranged."),
            (open_, "Rachel Bentley", "Young person (19) says an older man is holding their bank card and "
             "keys; nobody has acted on the PA's note of it.", "")):
        raised = record.audited_on
        urgent = Action(id=_id(rng), description="URGENT safeguarding: see the young person today, make an adult "
                        "safeguarding referral and take the concern to the exploitation panel" if not outcome else
                        "URGENT safeguarding: hold a strategy discussion today and arrange a child protection medical",
                        owner=manager, due=raised + timedelta(days=1 if raised.weekday() < 4 else 7 - raised.weekday()),
                        note=URGENT_NOTE, status="done" if outcome else "open", done_on=raised if outcome else None)
        record.actions.append(urgent)
        record.concerns.append(Concern(
            id=_id(rng), raised_at=f"{raised}T10:15:00+00:00", raised_by=record.auditor, description=description,
            handled_at=f"{raised}T16:40:00+00:00" if outcome else None, handled_by=manager if outcome else None,
            action_id=urgent.id, told_who=manager, told_at=f"{raised} 10:20", told_how="phone", team_manager=manager,
            service_manager=SERVICE_MANAGER, outcome=outcome,
            route="" if outcome else "adult_safeguarding"))
        record.safeguarding = "concern_raised"
        template = templates[record.template_id]
        if gates.gate_failures(template, record):  # a generator bug, never user data
            raise AssertionError(f"demo concern on {record.case_ref} breaks a gate")


def _complete(template: Template, record: AuditRecord, rng: random.Random, *, exceptional: bool = False) -> None:
    suggested = gates.suggested_overall_grade(template, record)
    record.overall_grade = suggested
    if exceptional and suggested == "good":
        record.overall_grade = "outstanding"
        record.overall_reason = "Practice makes an exceptional difference to the child, beyond the answers' count."
    elif suggested in ("good", "requires_improvement") and rng.random() < 0.08:
        record.overall_grade = "requires_improvement" if suggested == "good" else "good"
        record.overall_reason = "The auditor's judgement of the whole file: see the lived experience and impact."
    record.safeguarding = "concern_raised" if record.concerns else "no_risk"
    record.status = "completed"
    problems = gates.gate_failures(template, record)
    if problems:  # a generator bug, never user data
        raise AssertionError(f"demo audit {record.case_ref} fails gates: {problems[0].message}")


def _moderate(records: list[AuditRecord], templates: dict[str, Template], rng: random.Random, *, k: int) -> None:
    """A sample of a round's completed audits moderated, some grades changed by one level."""
    for record in rng.sample(records, k=min(k, len(records))):
        template = templates[record.template_id]
        graded = [a for a in record.answers if gates.is_graded(template, a)]
        changed = []
        for answer in rng.sample(graded, k=min(len(graded), rng.choice((0, 1, 1, 2)))):
            scale = template.scale_of(answer.question)
            rank = scale.rank(answer.grade) + rng.choice((-1, 1))
            rank = min(max(rank, 0), len(scale.levels) - 1)
            if scale.levels[rank].id != answer.grade:
                changed.append(ModeratedAnswer(question=answer.question, grade=scale.levels[rank].id,
                                               comment="The evidence supports a different grade."))
        record.moderation = Moderation(moderator=MODERATOR, moderated_on=record.audited_on + timedelta(days=10),
                                       overall_grade=record.overall_grade,
                                       comment="Moderated: evidence checked against the file.", answers=changed)
        record.status = "moderated"


TRAINEES = {"Amira Hussain": 0.8, "Rob Fielding": 0.55, "Kate Lennon": 0.7}
TRAINING = [("Amira Hussain", "CL-0103"), ("Amira Hussain", "CP-0301"), ("Amira Hussain", "CL-0104"),
            ("Rob Fielding", "CL-0103"), ("Rob Fielding", "CL-0101"), ("Rob Fielding", "CL-0104"),
            ("Kate Lennon", "LAC-0201"), ("Kate Lennon", "CP-0302")]


def trainee_audit(reference: AuditRecord, template: Template, trainee: str, audited_on: date,
                  rng: random.Random) -> AuditRecord:
    """A plausible trainee's completed audit of a sample case: the reference with some grades moved."""
    accuracy = TRAINEES.get(trainee, 0.7)
    record = reference.model_copy(deep=True)
    record.id, record.auditor, record.round, record.audited_on = _id(rng), trainee, "Training", audited_on
    record.concerns = [] if rng.random() > accuracy else [
        c.model_copy(update={"id": _id(rng), "raised_by": trainee, "raised_at": f"{audited_on}T11:00:00+00:00",
                             "handled_at": f"{audited_on}T11:05:00+00:00", "handled_by": trainee})
        for c in reference.concerns]
    for answer in record.answers:
        answer.rationale = ""
        answer.themes = []
        answer.evidence = answer.evidence.split(". ")[0].rstrip(".") + "."
        scale = template.scale_of(answer.question)
        if not gates.is_graded(template, answer) or rng.random() < accuracy:
            continue
        step = rng.choice((-1, 1, 1)) * (2 if rng.random() < 0.15 else 1)
        rank = min(max(scale.rank(answer.grade) + step, 0), len(scale.levels) - 1)
        answer.grade = scale.levels[rank].id
    record.lived_experience = ". ".join(reference.lived_experience.split(". ")[:2]).rstrip(".") + "."
    record.impact = ". ".join(reference.impact.split(". ")[:2]).rstrip(".") + "."
    keep = [a for a in reference.actions if (a.question is None and record.concerns) or (a.question is not None
            and gates.below_good(template, next(x for x in record.answers if x.question == a.question)))]
    record.actions = [a.model_copy(update={"id": _id(rng), "due": audited_on + timedelta(days=21)}) for a in keep]
    for action in record.actions:  # a training concern is handled at once: the case is fictional
        if action.question is None:
            action.status, action.done_on = "done", audited_on
    covered = {a.question for a in record.actions}
    for answer in record.answers:
        if gates.below_good(template, answer) and answer.question not in covered:
            vague = rng.random() > accuracy
            text = (f"Continue to monitor {_topic(template, answer.question, rng)}" if vague else
                    f"Update {_topic(template, answer.question, rng)} with the young person by the next review")
            record.actions.append(Action(id=_id(rng), description=text, owner=reference.worker or "Social worker",
                                         due=audited_on + timedelta(days=28), question=answer.question))
    record.overall_grade, record.overall_reason = gates.suggested_overall_grade(template, record), ""
    record.safeguarding = "concern_raised" if record.concerns else "no_risk"
    if gates.gate_failures(template, record):
        raise AssertionError(f"demo training audit of {reference.case_ref} fails gates")
    return record
