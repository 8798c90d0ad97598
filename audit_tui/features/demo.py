"""The demo database: built-in templates, fictional sample cases and some audits.

`build_demo` fills a fresh database with the reference audit of every sample case (in the first
practice week), about eighty synthetic audits over four quarterly practice weeks dated back from today
(completed, moderated and draft; generated deterministically by `demo_data`) and a few trainees'
training audits, so every screen, the report, its trends and the calibration view have something to show.
The same day gives the same demo.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from audit_tui.domain.models import URGENT_NOTE, AuditRecord
from audit_tui.features import demo_data
from audit_tui.features.demo_followup import person_of_sample, reaudit_dates
from audit_tui.features.samples import builtin_templates, list_sample_cases, load_case, load_reference
from audit_tui.features.training import mark_training
from audit_tui.storage.dbfile import open_elsewhere
from audit_tui.storage.store import Store

SEED = 2026
REFERENCE_WEEK = date(2026, 2, 9)
"""The Monday of the practice week the sample cases' reference audits were written in."""


class DemoOpen(Exception):
    """The demo to be replaced is open in another session; the message is for the user."""

    def __init__(self, path: Path):
        super().__init__(f"The demo database at {path} is open in another audit-tui window, so it was not rebuilt "
                         "(what is saved there would be lost): close the demo there first, then try again.")


def refuse_if_open(path: Path) -> None:
    """Raise DemoOpen if another session has the demo at `path` open: replacing it under that session would
    leave it saving into a file that is gone."""
    if open_elsewhere(path):
        raise DemoOpen(path)


def build_demo(path: str | Path, *, actor: str = "demo", today: date | None = None) -> Path:
    """Create a fresh demo database at `path` (replacing an earlier demo there, unless another session has it
    open: DemoOpen)."""
    path = Path(path)
    refuse_if_open(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    today = today or date.today()
    store = Store(path, actor=actor)
    try:
        templates = {}
        for template in builtin_templates():
            store.save_template(template, source="built-in")
            templates.setdefault(template.id, template)
        rng = random.Random(SEED + 1)  # not the synthetic audits' sequence: ids must not repeat
        first_round, first_week = next(iter(demo_data.practice_weeks(today).items()))
        references, records, people = {}, [], {}
        for case in list_sample_cases():
            reference = load_reference(case.case_ref)
            references[case.case_ref] = reference
            record = _moved(reference, first_round, first_week - REFERENCE_WEEK)
            _follow_up(record, templates[record.template_id], case.practice, rng, today)
            records.append(record)
            people[case.case_ref] = person_of_sample(load_case(case.case_ref).summary)
        records += demo_data.synthetic_audits(templates, seed=SEED, today=today, earlier=records, people=people)
        store.insert_audit_records(records, note="demo")
        for audit_id, due in reaudit_dates(records, demo_data.practice_weeks(today)).items():
            store.schedule_reaudit(audit_id, due)  # the quality lead's dates, logged
        _training(store, references, rng, today)
        _rounds(store, set(templates))
        _conclusions(store, list(demo_data.practice_weeks(today).items()), today)
    finally:
        store.close()
    return path


TARGETS = {"lived_experience": 85, "impact": 75, "management_oversight": 85, "planning": 80, "actions": 80}
"""The lead's target for each headline measure (a percentage good or better)."""


def _conclusions(store: Store, weeks: list[tuple[str, date]], today: date) -> None:
    """The quality lead's targets, commentary on the last two practice weeks and their recommendations."""
    for measure in store.measures():
        store.set_target(measure, TARGETS.get(measure, 80))
    (previous, _), (latest, start) = weeks[-2], weeks[-1]
    store.set_round_commentary(previous, (
        "Lived experience and the impact of the work were the weakest practice measures this round; planning met "
        "its target and every other measure was below its own. Exploitation risk is identified but not always "
        "followed by a safety plan, as the sample case CL-0104 showed in the first practice week."))
    store.add_recommendation(previous, what="Every exploitation screening scored high is followed by a safety plan "
                             "and a referral to the exploitation panel within five working days",
                             lead="Priya Nair, service manager", outcome="All high screenings in the next round's "
                             "audits have a safety plan on file within five working days", due=start, rag="green")
    store.add_recommendation(previous, what="Team managers record a decision, with reasons, at each significant "
                             "change in a case", lead="Heads of service", outcome="Management oversight good or "
                             "better in 85% of audits", due=start + timedelta(days=90), rag="amber")
    store.set_round_commentary(latest, (
        "Lived experience rose by more than ten points since the last practice week, but planning fell, and no "
        "headline measure meets its target yet. "
        "Leaving Care Team A and Child Protection Team 1 have more strong audits than a year ago; Children Looked "
        "After Team 2 has fewer, and its audits point to care plans not updated after a change and oversight that "
        "does not follow through. A safeguarding concern raised this week for a young person in Leaving Care Team A "
        "is still open and has been escalated to the service manager. The recommendations below focus on reviews "
        "after a change, oversight that follows through, and clearing overdue actions."))
    for what, lead, outcome, days, rag in (
            ("Care plans and pathway plans are reviewed within four weeks of a significant change (a move, custody, "
             "leaving education)", "Mark Ellison and Rachel Bentley, team managers",
             "No plan in the next round's audits is older than the last significant change by more than 28 days",
             90, "amber"),
            ("Supervision of every child in care asks what has changed for the child since the last supervision",
             "Mark Ellison, team manager, Children Looked After Team 2",
             "Management oversight good or better in 85% of the team's audits at the next practice week", 60, "red"),
            ("Child protection plans are written as changes the parents must make, each with a date and a measure",
             "Steve Hammond, team manager, Child Protection Team 1",
             "Planning good or better in 80% of child protection audits at the next practice week", 75, "green"),
            ("Overdue audit actions are completed or re-dated with a reason; service managers review the list "
             "monthly", "Priya Nair, service manager", "No audit action more than 30 days overdue", 30, "amber")):
        store.add_recommendation(latest, what=what, lead=lead, outcome=outcome, due=today + timedelta(days=days),
                                 rag=rag)


def _moved(reference: AuditRecord, round_name: str, shift: timedelta) -> AuditRecord:
    """A reference audit moved into the demo's first practice week, its dates moved with it."""
    record = reference.model_copy(deep=True, update={"round": round_name, "audited_on": reference.audited_on + shift})
    for action in record.actions:
        action.due = action.due + shift if action.due else None
        action.done_on = action.done_on + shift if action.done_on else None
    for concern in record.concerns:
        concern.raised_at = _moved_stamp(concern.raised_at, shift)
        concern.handled_at = _moved_stamp(concern.handled_at, shift) if concern.handled_at else None
        concern.told_at = _moved_stamp(concern.told_at, shift) if concern.told_at else ""
    return record


def _moved_stamp(stamp: str, shift: timedelta) -> str:
    moment = datetime.fromisoformat(stamp) + shift
    return moment.isoformat() if "T" in stamp else moment.strftime("%Y-%m-%d %H:%M" if " " in stamp else "%Y-%m-%d")


def _follow_up(record: AuditRecord, template, practice: str, rng: random.Random, today: date) -> None:
    """Since the reference audit: most of its actions done, its concern handled the next day, and the
    feedback conversation with the worker recorded."""
    case_manager = demo_data.TEAMS.get(record.team, (None, None, "the team manager"))[2]
    for action in record.actions:
        if action.note == URGENT_NOTE or rng.random() < 0.8:
            action.status, action.done_on = "done", min(today, action.due)
    for concern in record.concerns:
        raised = datetime.fromisoformat(concern.raised_at)
        concern.handled_at = (raised + timedelta(days=1)).isoformat()
        concern.handled_by = case_manager
        concern.outcome = concern.outcome or ("Reported missing to police the same day and found two days later; "
                                              "referred to the exploitation panel with his agreement.")
    child = load_case(record.case_ref).summary.split(",")[0].split()[0]
    record.conversation = demo_data.conversation(record, template, practice, case_manager, child, rng, today)


def _training(store: Store, references, rng: random.Random, today: date) -> None:
    """Completed training audits by three trainees over the last two months, and one still in progress."""
    start = today - timedelta(weeks=9)
    for n, (trainee, ref) in enumerate(demo_data.TRAINING):
        reference = references.get(ref)
        if reference is None:
            continue
        template = store.template(reference.template_id, reference.template_version)
        audited_on = start + timedelta(days=7 * n)
        record = demo_data.trainee_audit(reference, template, trainee, audited_on, rng)
        store.insert_audit_record(record, note="demo")
        mark_training(store, record.id, ref, trainee, started_at=f"{audited_on}T09:00:00+00:00")
    if "LAC-0202" in references:
        reference, started = references["LAC-0202"], today - timedelta(days=5)
        draft = reference.model_copy(deep=True, update={
            "id": demo_data._id(rng), "auditor": "Rob Fielding", "round": "Training", "status": "draft",
            "audited_on": started, "overall_grade": None, "overall_reason": "", "actions": [],
            "lived_experience": "", "impact": "", "concerns": []})
        draft.answers = [a.model_copy(update={"rationale": "", "evidence": a.evidence.split(". ")[0]})
                         for a in reference.answers[:6]]
        store.insert_audit_record(draft, note="demo")
        mark_training(store, draft.id, "LAC-0202", "Rob Fielding", started_at=f"{started}T09:00:00+00:00")


def _rounds(store: Store, known: set[str]) -> None:
    """The practice-week rounds with their case lists: every audited case, plus a few not yet started."""
    import csv
    import tempfile

    from audit_tui.features.rounds import create_round, import_cases

    header = ["case ref", "service area", "team", "worker", "allocated auditor", "template"]
    spans = store.db.execute("SELECT round, min(audited_on), max(audited_on) FROM audits "
                             "WHERE round LIKE '20%practice week' GROUP BY round ORDER BY round").fetchall()
    for number, (name, first, last) in enumerate(spans):
        create_round(store, name, first, last, known_templates=known)
        cases = store.db.execute(
            "SELECT DISTINCT case_ref, service_area, team, worker, auditor, template_id FROM audits "
            "WHERE round = ? ORDER BY case_ref", [name]).fetchall()
        unstarted = [(f"{ref[:ref.index('-')]}-9{number}{i:02d}", *rest)
                     for i, (ref, *rest) in enumerate(cases[::max(1, len(cases) // 4)][:4])]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows([*cases, *unstarted])
            import_cases(store, name, path, known_templates=known)
