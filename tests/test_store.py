"""The store: autosave, the history trail, gates at completion, reopening, concerns."""

from __future__ import annotations

import os
import stat
from datetime import date, timedelta

import pytest

from audit_tui.storage.store import AuditLocked, GatesNotMet, Store, StoreError

LONG = "Jo says she feels safe in her flat and wants to train as a chef next year with help."


def complete_answers(store, audit_id):
    store.set_answer(audit_id, "plan.quality", grade="good", evidence="Plan written with Jo")
    store.set_answer(audit_id, "plan.in_custody", grade="no", evidence="Not in custody")
    store.set_answer(audit_id, "oversight.supervision", grade="good", evidence="Reflective supervision")
    store.update_audit(audit_id, lived_experience=LONG, impact=LONG)
    store.set_safeguarding(audit_id, "no_risk")


def test_database_is_owner_only(tmp_path):
    path = tmp_path / "new" / "a.db"
    Store(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_every_change_is_committed_at_once(tmp_path, mini_template):
    writer = Store(tmp_path / "a.db", actor="A")
    audit_id = writer.create_audit(mini_template, case_ref="CL-1")
    writer.set_answer(audit_id, "plan.quality", grade="good", evidence="Seen")
    reader = Store(tmp_path / "a.db", actor="B")  # another connection sees it without any save step
    answer = reader.get_audit(audit_id).answers[0]
    assert (answer.grade, answer.evidence) == ("good", "Seen")


def test_history_logs_who_what_old_and_new(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.set_answer(audit_id, "plan.quality", grade="good")
    store.set_answer(audit_id, "plan.quality", grade="inadequate")
    rows = [r for r in store.history(audit_id) if r["field"] == "plan.quality:grade"]
    assert [(r["old"], r["new"], r["who"]) for r in rows] == [(None, "good", "Alex Auditor"),
                                                              ("good", "inadequate", "Alex Auditor")]


def test_typing_bursts_are_one_history_row_and_history_is_append_only(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    for text in ("P", "Pl", "Pla", "Plan"):
        store.set_answer(audit_id, "plan.quality", evidence=text)
    rows = [r for r in store.history(audit_id) if r["field"] == "plan.quality:evidence"]
    assert [(r["old"], r["new"]) for r in rows] == [("", "Plan")]
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("DELETE FROM history")
    store.set_answer(audit_id, "plan.quality", grade="good")
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("UPDATE history SET new = 'x' WHERE field = 'plan.quality:evidence'")


def test_themes_are_indexed_from_question_tags_and_keywords(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.set_answer(audit_id, "oversight.supervision", grade="good",
                     evidence="Manager sign-off recorded; GP registration checked", themes=["pathway-plans"])
    rows = {(r["theme"], r["source"]) for r in store.db.query("SELECT theme, source FROM answer_themes")}
    assert rows == {("pathway-plans", "tagged"), ("management-oversight", "question"), ("health", "keyword")}


def test_each_gate_refuses_completion(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1", audited_on=date(2026, 2, 10))

    def failures():
        with pytest.raises(GatesNotMet) as caught:
            store.complete(audit_id, "good")
        return [f.message for f in caught.value.findings]

    assert "Pathway planning Q1: not answered" in failures()
    store.set_answer(audit_id, "plan.quality", grade="n/a")
    assert "Pathway planning Q1: n/a needs a reason" in failures()
    store.set_answer(audit_id, "plan.quality", grade="inadequate")
    assert "Pathway planning Q1: the grade needs evidence text" in failures()
    store.set_answer(audit_id, "plan.quality", evidence="No plan")
    assert "Pathway planning Q1: graded below good, so it needs at least one action" in failures()
    assert any(m.startswith("Lived experience") for m in failures())
    store.update_audit(audit_id, lived_experience="tbc")
    assert any(m.startswith("Lived experience") for m in failures())
    action_id = store.add_action(audit_id, description="Do it", question="plan.quality")
    found = failures()
    assert "Action 1: needs a specific description (what will be done, at least a few words)" in found
    assert "Action 1: needs an owner" in found and "Action 1: needs a due date" in found
    store.update_action(action_id, due=date(2026, 2, 1))
    assert "Action 1: due date 2026-02-01 is before the audit date 2026-02-10" in failures()
    # the question asked only when custody is "yes" becomes required then
    store.set_answer(audit_id, "plan.in_custody", grade="yes")
    assert "Pathway planning Q3: not answered" in failures()


def test_complete_needs_reason_to_differ_from_suggestion_then_locks(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    complete_answers(store, audit_id)
    with pytest.raises(GatesNotMet, match="1 quality gate"):
        store.complete(audit_id, "outstanding")
    store.complete(audit_id, "outstanding", reason="Exceptional persistence with Jo")
    audit = store.get_audit(audit_id)
    assert (audit.status, audit.overall_grade) == ("completed", "outstanding")
    with pytest.raises(AuditLocked):
        store.set_answer(audit_id, "plan.quality", grade="inadequate")
    with pytest.raises(StoreError, match="reason"):
        store.reopen(audit_id, "")
    store.reopen(audit_id, "Moderator asked for more evidence")
    store.set_answer(audit_id, "plan.quality", evidence="More evidence")
    assert store.get_audit(audit_id).status == "draft"


def test_safeguarding_concern_creates_urgent_action(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.raise_concern(audit_id, "Missing for 3 days, nobody has reported it", "Pat Manager",
                        service_manager="Sid Service", told_who="Pat Manager", told_at="2026-02-10 11:05",
                        told_how="phone")
    [concern] = store.open_concerns()
    assert concern["case_ref"] == "CL-1"
    [action] = store.get_audit(audit_id).actions
    # README: due the same working day (a Saturday or Sunday: the Monday after), to both managers
    today = date.today()
    expected = today if today.weekday() < 5 else today + timedelta(days=7 - today.weekday())
    assert action.owner == "Pat Manager and Sid Service" and action.due == expected
    with pytest.raises(StoreError, match="outcome"):
        store.handle_concern(concern["id"], "  ")
    assert store.open_concerns() != []
    store.handle_concern(concern["id"], "Strategy discussion held the same afternoon")
    assert store.open_concerns() == []
    [saved] = store.get_audit(audit_id).concerns
    assert (saved.told_who, saved.told_at, saved.told_how) == ("Pat Manager", "2026-02-10 11:05", "phone")
    assert (saved.team_manager, saved.service_manager) == ("Pat Manager", "Sid Service")
    assert saved.outcome == "Strategy discussion held the same afternoon"
    assert "concern_outcome" in [h["field"] for h in store.history(audit_id)]


def test_the_urgent_action_of_a_concern_cannot_be_deleted(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-1")
    store.raise_concern(audit_id, "Missing for 3 days, nobody has reported it", "Pat Manager")
    [action] = store.get_audit(audit_id).actions
    with pytest.raises(StoreError, match="urgent action of a safeguarding concern, so it cannot be deleted"):
        store.delete_action(action.id)
    assert [a.id for a in store.get_audit(audit_id).actions] == [action.id]


def test_completing_needs_the_safeguarding_statement(store, mini_template):
    audit_id = store.create_audit(mini_template, case_ref="CL-9")
    store.set_answer(audit_id, "plan.quality", grade="good", evidence="Plan written with Jo")
    store.set_answer(audit_id, "plan.in_custody", grade="no", evidence="Not in custody")
    store.set_answer(audit_id, "oversight.supervision", grade="good", evidence="Reflective supervision")
    store.update_audit(audit_id, lived_experience=LONG, impact=LONG)
    with pytest.raises(GatesNotMet) as failed:
        store.complete(audit_id, "good")
    assert [f.message for f in failed.value.findings] == [
        "Safeguarding: state 'no unaddressed risk found' or 'a concern was raised'"]
    store.set_safeguarding(audit_id, "concern_raised")
    with pytest.raises(GatesNotMet) as failed:
        store.complete(audit_id, "good")
    assert [f.message for f in failed.value.findings] == [
        "Safeguarding: you stated a concern was raised, but none is recorded: record it (ctrl+f)"]
    store.set_safeguarding(audit_id, "no_risk")
    store.complete(audit_id, "good")
    audit = store.get_audit(audit_id)
    assert (audit.status, audit.safeguarding) == ("completed", "no_risk")
    assert [(h["old"], h["new"]) for h in store.history(audit_id) if h["field"] == "safeguarding"] == [
        (None, "concern_raised"), ("concern_raised", "no_risk")]


def test_already_audited_lists_recent_audits_of_the_same_case(store, mini_template):
    store.create_audit(mini_template, case_ref="CL-1", auditor="Sam", audited_on=date.today() - timedelta(days=30))
    store.create_audit(mini_template, case_ref="CL-1", auditor="Old", audited_on=date.today() - timedelta(days=400))
    assert [r["auditor"] for r in store.recent_audits_of_case("cl-1")] == ["Sam"]


def test_changed_template_content_needs_a_new_version(store, mini_template):
    store.save_template(mini_template)
    changed = mini_template.model_copy(update={"title": "Changed"})
    with pytest.raises(StoreError, match="new version"):
        store.save_template(changed)


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "a.db"
    store = Store(path)
    store.db.execute("PRAGMA user_version = 999")
    store.close()
    before = path.read_bytes()
    from audit_tui.storage.db import DatabaseError

    with pytest.raises(DatabaseError, match="newer version"):
        Store(path)
    assert path.read_bytes() == before
