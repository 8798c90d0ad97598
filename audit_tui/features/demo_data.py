"""Synthetic, deterministic audits for the demo database (seeded random, fictional people).

Every generated completed audit passes the quality gates; drafts are part-answered.
Grades follow a practice level (strong, mixed, weak) drawn per audit from the team's
profile, so the report has strengths, areas for improvement and change between rounds.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from audit_tui.domain import gates
from audit_tui.domain.models import NA, Action, Answer, AuditRecord, Concern, ModeratedAnswer, Moderation, Scale, Template

ROUNDS = {"2026-02 practice week": date(2026, 2, 9), "2026-05 practice week": date(2026, 5, 11)}
TEAMS = {  # team: (template id, case prefix, team manager, profile per round: weights of strong/mixed/weak)
    "Leaving Care Team A": ("care-leavers", "CL", "Rachel Bentley", [(2, 5, 3), (3, 5, 2)]),
    "Leaving Care Team B": ("care-leavers", "CL", "Colin Price", [(6, 3, 1), (6, 3, 1)]),
    "Children Looked After Team 2": ("children-looked-after", "LAC", "Mark Ellison", [(3, 5, 2), (4, 5, 1)]),
    "Child Protection Team 1": ("child-protection", "CP", "Steve Hammond", [(1, 4, 5), (2, 5, 3)]),
    "Children with Disabilities Team": ("children-in-need", "CIN", "Lorraine Walsh", [(6, 3, 1), (5, 4, 1)]),
}
AUDITORS = ["Priya Shah", "Tom Ellis", "Joanne Mitchell", "Marcus Reid", "Helen Osei", "Sam Kaur"]
WORKERS = ["Dan Okafor", "Nadia Rahman", "Tom Whitfield", "Lewis Grant", "Aisha Patel", "Megan Doyle",
           "Beth Lowry", "Chloe Barker", "Hannah Brooks", "Ollie Grant", "Farah Ali", "Jess Turner"]
CHILDREN = ["Alex", "Bailey", "Casey", "Dani", "Eden", "Frankie", "Harley", "Jamie", "Jordan", "Kit", "Logan",
            "Morgan", "Nico", "Quinn", "Reece", "Riley", "Robin", "Sasha", "Skye", "Taylor", "Toni", "Zion"]
MODERATOR = "Denise Clarke"
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
    "staff-development": "professional development",
}
EVIDENCE = {
    "outstanding": ["Exceptional work on {t}: {c} helped shape it, and the record shows what changed for them.",
                    "Tenacious, creative practice on {t}; partners describe a measurable difference for {c}."],
    "good": ["Work on {t} is purposeful and recorded; {c}'s views are written in their own words.",
             "The record shows timely attention to {t}, with actions owned, dated and completed.",
             "Good evidence on {t}: reviewed on time, and the manager's comments add direction.",
             "Clear evidence on {t} in the chronology and case notes, with partners contributing."],
    "requires_improvement": ["Some evidence on {t}, but it lists tasks rather than outcomes for {c}.",
                             "Work on {t} has drifted since the last review; two actions were carried forward.",
                             "Notes mention {t} but do not analyse it, and {c}'s views are unclear.",
                             "Attention to {t} was not updated after a significant change for {c}."],
    "inadequate": ["No evidence on {t} for over six months; concerns raised by partners were not followed up.",
                   "Serious gaps on {t}: risks were identified but nobody acted, and {c} was not seen."],
    "yes": ["The file shows this clearly for {t}, with dates and owners.",
            "Recorded in full, including {t}, and checked at the last review."],
    "partly": ["Partly: {t} is recorded for some of the period but not since the autumn.",
               "Some evidence on {t}, but not recorded consistently."],
    "no": ["No record on file about {t}.", "Not evidenced: nothing on {t} since the last review."],
    "improved": ["Then and now compared: {c} is clearly better off, and the record and {c}'s own words show it.",
                 "Since the last review {c}'s situation has improved, shown by attendance, health and their words."],
    "some_improvement": ["Some things are better for {c} since the last review; others, such as {t}, are not yet.",
                         "Evidence of some change for {c}, but progress on {t} is slow."],
    "no_change": ["Visits and meetings took place, but nothing has changed for {c}: activity is not impact.",
                  "The same concerns about {t} are recorded now as at the start of the period."],
    "worse": ["{c}'s situation is worse than at the start of the period and the plan was not changed.",
              "Risks around {t} have increased for {c} since the last review."],
    "too_early": ["The work with {c} began only weeks ago: too early to judge its difference."],
}
EXTRA = ["The supervision record also touches on {t}.", "Partners raised {t} at the last meeting.",
         "{c}'s worker linked this to {t}."]
SETTING = {
    "care-leavers": ["lives in supported lodgings", "rents a one-bedroom council flat", "is staying put with "
                     "former foster carers", "shares a house with two other care leavers"],
    "children-looked-after": ["lives with foster carers", "lives in a small children's home",
                              "lives with grandparents under a kinship arrangement"],
    "child-protection": ["lives with their mother and her partner", "lives with their father and baby brother",
                         "lives with their mother and two sisters"],
    "children-in-need": ["lives with their mother, who is their main carer", "lives with both parents and a "
                         "younger sister", "lives with their father and attends a special school"],
}
AGES = {"care-leavers": (18, 21), "children-looked-after": (6, 15), "child-protection": (2, 12),
        "children-in-need": (5, 14), "supervision-oversight": (4, 15)}
QUOTES = ["I just want somewhere that feels like mine.", "My worker actually turns up, that's the difference.",
          "School is OK now, I've got a best friend.", "I miss my brother. I want to see him more.",
          "I don't like it when people shout.", "I feel safer now, I sleep better.",
          "Nobody asks me what I think.", "I want to be a mechanic, like my uncle."]
CHANGED = ["is now more settled and attending school or college every day",
           "is safer at home: there have been no incidents since the safety plan",
           "is in a stable home for the first time in two years", "is sleeping better and says they feel calmer",
           "is now registered with a GP and dentist and has had the health checks they missed",
           "has started an apprenticeship and is managing their money"]
GAPS = ["the education actions have not yet made a difference", "their emotional health needs are still unmet",
        "family time is still unreliable", "the plan has drifted since the last review"]
ACTIONS = ["Review {t} with {c} and record the outcome and next steps on file",
           "Hold a case discussion on {t} with the team manager and record a dated decision",
           "Book a multi-agency meeting on {t} and circulate owned, dated actions within five working days",
           "Record {c}'s views on {t} in their own words at the next visit and update the plan"]
VAGUE = ["Continue to monitor {t}", "Consider a referral about {t}"]
ILACS_WEIGHTS = {"exceptional": (62, 38, 0, 0), "strong": (28, 64, 8, 0), "mixed": (5, 58, 35, 2),
                 "weak": (0, 22, 66, 12)}
THREE_WEIGHTS = {"exceptional": (100, 0, 0), "strong": (86, 12, 2), "mixed": (58, 32, 10), "weak": (25, 45, 30)}
IMPACT_WEIGHTS = {"exceptional": (80, 20, 0, 0, 0), "strong": (55, 37, 4, 0, 4), "mixed": (15, 55, 22, 3, 5),
                  "weak": (2, 25, 45, 25, 3)}  # improved, some improvement, no change, worse, too early


def _id(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _topic(template: Template, key: str, rng: random.Random) -> str:
    question = template.question(key)
    themes = question.themes or [t.id for t in template.themes]
    return TOPIC.get(themes[0] if rng.random() < 0.7 else rng.choice(themes), "the plan")


def _grade(scale: Scale, practice: str, rng: random.Random) -> str:
    ids = [lv.id for lv in scale.levels]
    if not scale.graded:
        return ids[0] if rng.random() < 0.15 else ids[-1]
    if scale.id == "impact":
        return rng.choices(ids, weights=IMPACT_WEIGHTS[practice])[0]
    weights = ILACS_WEIGHTS[practice] if len(ids) == 4 else THREE_WEIGHTS[practice] if len(ids) == 3 else None
    return rng.choices(ids, weights=weights)[0]


def _evidence(grade: str, topic: str, child: str, template: Template, rng: random.Random) -> str:
    bank = EVIDENCE.get(grade) or EVIDENCE["good"]
    text = rng.choice(bank).format(t=topic, c=child)
    if rng.random() < 0.35:
        other = TOPIC.get(rng.choice(template.themes).id, "") if template.themes else ""
        if other:
            text += " " + rng.choice(EXTRA).format(t=other, c=child)
    return text[0].upper() + text[1:]


def _narratives(template_id: str, practice: str, child: str, rng: random.Random) -> tuple[str, str]:
    low, high = AGES.get(template_id, (5, 15))
    setting = rng.choice(SETTING.get(template_id, SETTING["children-looked-after"]))
    intro = f"{child} is {rng.randint(low, high)} and {setting}."
    if practice == "weak" and rng.random() < 0.6:
        lived = (f"{intro} The record describes the home and the adults but says little about {child}'s "
                 "day, friendships or what worries them.")
    else:
        lived = (f"{intro} {child} told their worker: \"{rng.choice(QUOTES)}\" They enjoy football and music "
                 "and worry about moving again.")
    if practice == "weak" and rng.random() < 0.5:
        impact = ("The worker visited monthly, attended the review meeting, completed the assessment and "
                  "referred the family to early help services.")
    elif practice == "strong":
        impact = f"Because of the work {child} {rng.choice(CHANGED)}, and their own words show it."
    else:
        impact = f"{child} {rng.choice(CHANGED)}, but {rng.choice(GAPS)}, so progress is only partly made."
    return lived, impact


def _answers(template: Template, practice: str, child: str, rng: random.Random,
             share: float = 1.0) -> list[Answer]:
    answers: dict[str, Answer] = {}
    for key, _, _question in template.questions():
        if key not in gates.active_questions(template, {**answers, key: Answer(question=key)}):
            continue
        if share < 1.0 and rng.random() > share:
            continue
        scale = template.scale_of(key)
        grade = _grade(scale, practice, rng)
        if scale.graded and len(scale.levels) == 3 and rng.random() < 0.03:
            answers[key] = Answer(question=key, grade=NA, na_reason=f"Does not apply to {child} in this period.")
            continue
        if not scale.graded:
            evidence = "Recorded in the chronology." if grade == scale.levels[0].id else f"Not the case for {child}."
        else:
            evidence = _evidence(grade, _topic(template, key, rng), child, template, rng)
        answers[key] = Answer(question=key, grade=grade, evidence=evidence)
    return list(answers.values())


def _actions(template: Template, answers: list[Answer], audited_on: date, worker: str, manager: str,
             child: str, round_done: float, today: date, rng: random.Random) -> list[Action]:
    actions = []
    for answer in answers:
        if not gates.below_good(template, answer):
            continue
        topic = _topic(template, answer.question, rng)
        due = audited_on + timedelta(days=rng.choice((14, 21, 28, 42, 56, 90, 180, 300)))
        if rng.random() < 0.1:
            description = rng.choice(VAGUE).format(t=topic, c=child)
        else:
            description = rng.choice(ACTIONS).format(t=topic, c=child) + f" by {due.day} {due:%B}"
        done = due <= today and rng.random() < round_done
        actions.append(Action(id=_id(rng), description=description, owner=rng.choice((worker, manager)), due=due,
                              question=answer.question, status="done" if done else "open",
                              done_on=min(due, audited_on + timedelta(days=rng.randint(7, 60))) if done else None))
    return actions


def synthetic_audits(templates: dict[str, Template], *, seed: int = 2026,
                     today: date | None = None) -> list[AuditRecord]:
    """About 48 audits over two rounds and five teams: completed, a few moderated, a few drafts."""
    rng = random.Random(seed)
    today = today or date.today()
    records, numbers = [], {}
    for round_index, (round_name, start) in enumerate(ROUNDS.items()):
        for team, (template_id, prefix, manager, profiles) in TEAMS.items():
            for n in range(5):
                practice = rng.choices(("strong", "mixed", "weak"), weights=profiles[round_index])[0]
                grading = "exceptional" if practice == "strong" and rng.random() < 0.25 else practice
                tmpl = templates["supervision-oversight" if rng.random() < 0.15 else template_id]
                numbers[prefix] = numbers.get(prefix, 0) + 1
                case_ref = f"{prefix}-{5000 + 37 * numbers[prefix] % 4000:04d}"
                child, worker = rng.choice(CHILDREN), rng.choice(WORKERS)
                audited_on = start + timedelta(days=rng.randint(0, 4))
                draft = round_index == 1 and n == 4 and team != "Children with Disabilities Team"
                answers = _answers(tmpl, grading, child, rng, share=0.6 if draft else 1.0)
                lived, impact = _narratives(template_id, practice, child, rng)
                record = AuditRecord(
                    id=_id(rng), case_ref=case_ref, template_id=tmpl.id, template_version=tmpl.version,
                    round=round_name, service_area=templates[template_id].service_areas[0], team=team,
                    worker=worker, auditor=rng.choice(AUDITORS), audited_on=audited_on, answers=answers,
                    lived_experience=lived if not draft else "", impact=impact if not draft else "",
                    actions=_actions(tmpl, answers, audited_on, worker, manager, child,
                                     (0.6, 0.35)[round_index], today, rng))
                if not draft:
                    _complete(tmpl, record, rng, exceptional=grading == "exceptional")
                records.append(record)
    _moderate([r for r in records if r.status == "completed" and r.round.startswith("2026-02")], templates, rng)
    weak_cp = next(r for r in records if r.team == "Child Protection Team 1" and r.status != "draft")
    weak_cp.concerns.append(Concern(id=_id(rng), raised_at=f"{weak_cp.audited_on}T10:15:00+00:00",
                                    raised_by=weak_cp.auditor, handled_at=f"{weak_cp.audited_on}T16:40:00+00:00",
                                    handled_by="Steve Hammond",
                                    description="Baby seen with an unexplained bruise; no strategy discussion held.",
                                    told_who="Steve Hammond", told_at=f"{weak_cp.audited_on} 10:20", told_how="phone",
                                    team_manager="Steve Hammond", service_manager="Priya Nair",
                                    outcome="Strategy discussion held the same afternoon; child protection medical "
                                            "arranged."))
    weak_cp.safeguarding = "concern_raised"
    return records


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


def _moderate(records: list[AuditRecord], templates: dict[str, Template], rng: random.Random) -> None:
    for record in rng.sample(records, k=min(5, len(records))):
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
