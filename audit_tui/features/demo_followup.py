"""The demo's re-audits and follow-ups (deterministic, fictional).

An inadequate audit of a practice week is audited again in the next practice week, by the first of its
team's audits there with the same template; in the latest week each team also follows up one audit
graded requires improvement the week before. That audit, its grades and random draws unchanged, becomes
one of the same case and child (its child's name and age in every text), follows up the earlier one and
says whether its actions made a difference: its own grade of the difference the work made (its
question on the impact scale), with a note of what shows it. The quality lead's re-audit dates: the
Friday of the practice week of the follow-up; eight weeks after the audit in the latest week (due);
else the Friday of the next practice week, now past (overdue).
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from audit_tui.domain.models import ILACS, IMPACT, AuditRecord, FollowupJudgement, Template
from audit_tui.features import demo_text as text

Person = tuple[str, int | None]
"""A case's child and their age (None: not known)."""
IMPACT_LEVELS = {level.id for level in IMPACT.levels}

NOTES = {
    "improved": "Since the audit of {d} {c} {now}, and says things are better because of the work.",
    "some_improvement": "Since the audit of {d} {c} {now}, but {gap}.",
    "no_change": "Work followed the audit of {d}, but nothing has changed for {c}: {gap}.",
    "worse": "Since the audit of {d} {c} {worse}, and the plan has not changed to meet it.",
    "too_early": "The work the audit of {d} asked for began only in {e}: too early to say what it has "
                 "changed for {c}.",
}
"""What shows the judgement, by impact level."""


def final_overall(record: AuditRecord) -> str | None:
    return (record.moderation.overall_grade if record.moderation else None) or record.overall_grade


def person_of_sample(summary: str) -> Person:
    """A sample case's child (its summary's first word) and age (the summary's first number)."""
    age = re.search(r"\d+", summary)
    return summary.split(",")[0].split()[0], int(age.group()) if age else None


class FollowUps:
    """Which audits follow up which, as the practice weeks are generated; its own random draws, so the
    demo's other audits are the same as without it."""

    def __init__(self, seed: int, earlier: list[AuditRecord], people: dict[str, Person]):
        self.rng = random.Random(seed + 7)
        self.earlier = list(earlier)
        self.people = dict(people)
        self.taken: set[str | tuple[str, str]] = set()  # audits followed up, (team, grade) done

    def take(self, records: list[AuditRecord], team: str, previous: str, template_id: str,
             grades: tuple[str, ...] = ("inadequate",)) -> AuditRecord | None:
        """The previous week's first audit of `team` with this template, graded one of `grades`, not yet
        followed up."""
        for record in sorted([*self.earlier, *records], key=lambda r: (r.audited_on, r.case_ref)):
            grade = final_overall(record)
            if (record.team == team and record.round == previous and record.template_id == template_id
                    and record.status != "draft" and grade in grades and record.id not in self.taken
                    and (grade == "inadequate" or (team, grade) not in self.taken)):
                self.taken |= {record.id, (team, grade)}
                return record
        return None

    def person(self, record: AuditRecord) -> Person:
        """The child of an audit's case (its first name to redact) and their age (its lived experience's)."""
        if record.case_ref in self.people:
            return self.people[record.case_ref]
        age = re.match(r"\S+ is (\d+) and", record.lived_experience)
        return (record.redact_names or [""])[0], int(age.group(1)) if age else None

    def follow(self, earlier: AuditRecord, record: AuditRecord, template: Template) -> AuditRecord:
        """`record` (generated for another case, its grades and draws kept) made the follow-up of `earlier`:
        its case ref, and its child's name and age in every text, then the judgement."""
        (old, drawn), (child, age) = self.person(record), self.person(earlier)
        data = re.sub(rf"\b{re.escape(old)}\b", child, record.model_dump_json()) if old else record.model_dump_json()
        followup = AuditRecord.model_validate_json(data)
        followup.case_ref = earlier.case_ref
        if age is not None:
            followup.lived_experience = re.sub(rf"^{re.escape(child)} is {drawn} and", f"{child} is {age} and",
                                               followup.lived_experience)
        self.judge(earlier, followup, template)
        return followup

    def judge(self, earlier: AuditRecord, record: AuditRecord, template: Template) -> None:
        """Link `record` to `earlier`: whether the actions made a difference is the follow-up's own grade of
        the difference the work made (its question on the impact scale), else its overall grade against
        the earlier one."""
        impact = next((a.grade for a in record.answers if template.scale_of(a.question).id == IMPACT.id and a.grade in IMPACT_LEVELS), None)
        if impact is None:
            before, after = ILACS.rank(final_overall(earlier) or ""), ILACS.rank(final_overall(record) or "")
            impact = ("worse" if after > before else "no_change" if after == before
                      else "improved" if ILACS.levels[after].good_or_better else "some_improvement")
        rng, child = self.rng, self.person(earlier)[0]
        slots = {"d": f"{earlier.audited_on.day} {earlier.audited_on:%B %Y}", "c": child, "now": rng.choice(text.NOW),
                 "gap": rng.choice(text.GAPS), "worse": rng.choice(text.WORSE),
                 "n": str(max(2, (record.audited_on - earlier.audited_on).days // 30)),
                 "e": f"{(earlier.audited_on + timedelta(days=42)):%B}"}
        note = NOTES[impact].format(**slots).format(**slots)  # a slot's words may hold slots ({n} in now)
        record.follows = earlier.id
        record.followup = FollowupJudgement.model_validate({"impact": impact, "note": note})


def reaudit_dates(records: list[AuditRecord], weeks: dict[str, date]) -> dict[str, date]:
    """The re-audit date the quality lead set on each inadequate practice-week audit (see the module)."""
    starts = list(weeks.values())
    followed = {r.follows: r for r in records if r.follows}
    dates = {}
    for record in records:
        if record.round not in weeks or record.status == "draft" or final_overall(record) != "inadequate":
            continue
        index = list(weeks).index(record.round)
        if record.id in followed:
            dates[record.id] = weeks[followed[record.id].round or ""] + timedelta(days=4)
        elif index == len(starts) - 1:
            dates[record.id] = record.audited_on + timedelta(weeks=8)
        else:
            dates[record.id] = starts[index + 1] + timedelta(days=4)
    return dates
