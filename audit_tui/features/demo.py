"""The demo database: built-in templates, fictional sample cases and some audits.

`build_demo` fills a fresh database with the reference audit of every sample case,
about fifty synthetic audits over two practice-week rounds (completed, moderated and
draft; generated deterministically by `demo_data`) and a few trainees' training
audits, so every screen, the report and the calibration view have something to show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from audit_tui.features import demo_data
from audit_tui.features.samples import builtin_templates, list_sample_cases, load_reference
from audit_tui.storage.store import Store
from audit_tui.features.training import mark_training

SEED = 2026


def build_demo(path: str | Path, *, actor: str = "demo", today: date | None = None) -> Path:
    """Create a fresh demo database at `path` (replacing an earlier demo there)."""
    path = Path(path)
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
        references, records = {}, []
        for case in list_sample_cases():
            reference = load_reference(case.case_ref)
            references[case.case_ref] = reference
            record = reference.model_copy(deep=True)
            for action in record.actions:  # the follow-up since February, for action tracking
                if action.note != "safeguarding concern" and rng.random() < 0.5:
                    action.status, action.done_on = "done", action.due
            records.append(record)
        records += demo_data.synthetic_audits(templates, seed=SEED, today=today)
        store.insert_audit_records(records, note="demo")
        _training(store, templates, references, rng)
        _rounds(store)
    finally:
        store.close()
    return path


def _training(store: Store, templates, references, rng: random.Random) -> None:
    """Completed training audits by three trainees, and one still in progress."""
    start = date(2026, 3, 2)
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
        reference = references["LAC-0202"]
        draft = reference.model_copy(deep=True, update={
            "id": demo_data._id(rng), "auditor": "Rob Fielding", "round": "Training", "status": "draft",
            "audited_on": date(2026, 11, 2), "overall_grade": None, "overall_reason": "", "actions": [],
            "lived_experience": "", "impact": "", "concerns": []})
        draft.answers = [a.model_copy(update={"rationale": "", "evidence": a.evidence.split(". ")[0]})
                         for a in reference.answers[:6]]
        store.insert_audit_record(draft, note="demo")
        mark_training(store, draft.id, "LAC-0202", "Rob Fielding", started_at="2026-11-02T09:00:00+00:00")


def _rounds(store: Store) -> None:
    """The practice-week rounds with their case lists: every audited case, plus a few not yet started."""
    import csv
    import tempfile

    from audit_tui.features.rounds import create_round, import_cases

    header = ["case ref", "service area", "team", "worker", "allocated auditor", "template"]
    spans = store.db.execute("SELECT round, min(audited_on), max(audited_on) FROM audits "
                             "WHERE round LIKE '20%practice week' GROUP BY round ORDER BY round").fetchall()
    for number, (name, first, last) in enumerate(spans):
        create_round(store, name, first, last)
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
            import_cases(store, name, path)
