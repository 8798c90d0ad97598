"""Training audits: a trainee's audit of a fictional sample case, kept apart from live work.

A training audit is an ordinary audit (round "Training") with a row in
`training_audits` naming the sample case and the trainee, so calibration can
compare it with the case's reference audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_tui.domain.models import Template, clean_text
from audit_tui.features.samples import SampleError, case_template, load_case, load_reference
from audit_tui.storage.store import Store, StoreError

TRAINING_ROUND = "Training"


def sample_template(store: Store, ref: str) -> Template:
    """The template version the case's reference audit was made with (built-in, else stored)."""
    case = load_case(ref)
    reference = load_reference(ref)
    try:
        return case_template(case, reference.template_version)
    except SampleError:
        return store.template(case.template, reference.template_version)


def start_training(store: Store, ref: str, trainee: str, *, today: date | None = None) -> str:
    """Create a draft training audit of sample case `ref` for `trainee`; returns the audit id."""
    trainee = clean_text(trainee).strip()
    if not trainee:
        raise StoreError("enter your name (settings, F2) before starting a training audit")
    case = load_case(ref)
    template = sample_template(store, ref)
    store.save_template(template, source="built-in")
    with store.transaction():
        audit_id = store.create_audit(template, case_ref=case.case_ref, audited_on=today or date.today(),
                                      round=TRAINING_ROUND, service_area=case.service_area, team=case.team,
                                      worker=case.worker, auditor=trainee)
        store.mark_training(audit_id, case.case_ref, trainee)
    return audit_id


def mark_training(store: Store, audit_id: str, ref: str, trainee: str, started_at: str | None = None) -> None:
    """Record an existing audit (e.g. one inserted by the demo) as a training audit of `ref`."""
    store.mark_training(audit_id, ref, trainee, started_at)


def training_case(store: Store, audit_id: str) -> str | None:
    """The sample case ref when `audit_id` is a training audit, else None."""
    row = store.db.execute("SELECT sample_case FROM training_audits WHERE audit_id = ?", [audit_id]).fetchone()
    return row[0] if row else None


def training_rows(store: Store, *, completed_only: bool = False) -> list[dict[str, Any]]:
    """Every training audit with its status, oldest first."""
    where = "WHERE a.status IN ('completed', 'moderated')" if completed_only else ""
    return list(store.db.query(
        f"""SELECT t.audit_id, t.sample_case, t.trainee, t.started_at, a.status, a.audited_on, a.overall_grade
            FROM training_audits t JOIN audits a ON a.id = t.audit_id {where}
            ORDER BY t.started_at, t.audit_id"""))
