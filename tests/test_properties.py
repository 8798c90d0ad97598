"""Property and fuzz tests (hypothesis), bounded to run in seconds.

The round-trip rule: text stored through the store comes back as `clean_text(text)`
— the text given, minus C0 controls other than tab/newline/CR, DEL, C1 controls,
bidi embedding/override/isolate characters and lone surrogates. An audit's details
(team, worker, auditor, round, service area) are also stripped of surrounding space
when the audit is created. Nothing else changes: markup, quotes, emoji, RTL text,
newlines and tabs all round-trip exactly, and again through export → import.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from audit_tui.domain import gates
from audit_tui.domain.models import NA, clean_text
from audit_tui.domain.templates import load_template
from audit_tui.domain.themes import answer_themes
from audit_tui.storage.store import AuditLocked, GatesNotMet, Store, StoreError

from .conftest import DATA

TEMPLATE = load_template(DATA / "mini.yaml")
SNIPPETS = ["[bold]", "[/", "[/]", "[@click=app.quit]", "[link=http://x]", "\x1b]0;t\x07", "\x1b]52;c;eA==\x07",
            "\x1b[2J", "\u202e", "\u2066", "\x00", "\r\n", "\t", "=1+1", "@SUM", "'", '"', "\\", "🙂", "שלום",
            "pathway plan", "GP", "\x85", "\ufeff"]
texts = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(SNIPPETS)), max_size=6).map("".join)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def shared_store():
    folder = Path(tempfile.mkdtemp())
    store = Store(folder / "p.db", actor="prop")
    yield store
    store.close()
    shutil.rmtree(folder)


@FAST
@given(evidence=texts, na_reason=texts, lived=texts, impact=texts, description=texts, owner=texts, detail=texts)
def test_any_text_round_trips_through_the_store(shared_store, evidence, na_reason, lived, impact, description,
                                                 owner, detail):
    store = shared_store
    audit_id = store.create_audit(TEMPLATE, case_ref="CL-P", team=detail, worker=detail, round=detail)
    store.set_answer(audit_id, "plan.quality", grade="good", evidence=evidence)
    store.set_answer(audit_id, "plan.in_custody", grade=NA, na_reason=na_reason)
    store.update_audit(audit_id, lived_experience=lived, impact=impact)
    store.add_action(audit_id, description=description, owner=owner, due=date(2030, 1, 1))
    audit = store.get_audit(audit_id)
    answers = {a.question: a for a in audit.answers}
    assert answers["plan.quality"].evidence == clean_text(evidence)
    assert answers["plan.in_custody"].na_reason == clean_text(na_reason)
    assert (audit.lived_experience, audit.impact) == (clean_text(lived), clean_text(impact))
    assert (audit.actions[0].description, audit.actions[0].owner) == (clean_text(description), clean_text(owner))
    assert audit.team == audit.worker == audit.round == clean_text(detail.strip())
    # Whatever was typed, the trail has it (cleaned) as the newest value of the field.
    newest = [row for row in store.history(audit_id) if row["field"] == "plan.quality:evidence"]
    assert (newest[-1]["new"] if newest else "") == clean_text(evidence)


def test_clean_text_is_idempotent_and_only_removes():
    @settings(max_examples=300, deadline=None)
    @given(st.text())
    def check(text):
        cleaned = clean_text(text)
        assert clean_text(cleaned) == cleaned
        it = iter(text.replace("\u2028", "\n").replace("\u2029", "\n"))  # separators become line breaks
        assert all(ch in it for ch in cleaned)  # a subsequence: nothing added or reordered

    check()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(evidence=texts, lived=texts, description=texts, team=texts)
def test_any_text_round_trips_through_export_and_import(tmp_path_factory, evidence, lived, description, team):
    import audit_tui.exchange.interchange as interchange
    folder = tmp_path_factory.mktemp("rt")
    source = Store(folder / "a.db", actor="p")
    audit_id = source.create_audit(TEMPLATE, case_ref="CL-RT", team=team)
    source.set_answer(audit_id, "plan.quality", grade="requires_improvement", evidence=evidence,
                      themes=["health"])
    source.update_audit(audit_id, lived_experience=lived)
    source.add_action(audit_id, description=description, owner="Lead", due=date(2030, 1, 1),
                      question="plan.quality")
    interchange.export_json(source, folder / "one.json")
    target = Store(folder / "b.db", actor="p")
    interchange.import_json(target, folder / "one.json")
    assert target.get_audit(audit_id) == source.get_audit(audit_id)
    interchange.export_json(target, folder / "two.json")
    assert json.loads((folder / "one.json").read_text()) == json.loads((folder / "two.json").read_text())
    source.close()
    target.close()


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(evidence=texts, lived=texts, description=texts, team=texts)
def test_any_text_reaches_the_word_documents(tmp_path_factory, evidence, lived, description, team):
    import audit_tui.report.aggregate as aggregate
    import audit_tui.report.feedback as feedback
    folder = tmp_path_factory.mktemp("docx")
    store = Store(folder / "d.db", actor="p")
    audit_id = store.create_audit(TEMPLATE, case_ref="CL-D", team=team)
    store.set_answer(audit_id, "plan.quality", grade="inadequate", evidence=evidence)
    store.update_audit(audit_id, lived_experience=lived, impact=lived)
    store.add_action(audit_id, description=description, owner="Lead", due=date(2030, 1, 1))
    store.raise_concern(audit_id, description if clean_text(description).strip() else "x", team)
    feedback.build_audit_feedback(store, audit_id, folder / "f.docx")
    aggregate.build_report(store, folder / "r.docx")
    assert (folder / "f.docx").stat().st_size > 0 and (folder / "r.docx").stat().st_size > 0
    store.close()


def test_any_text_in_the_tui_raises_no_markup_error(tmp_path):
    """Hypothesis draws the texts; one Pilot session shows them all (an app per example would be slow)."""
    from audit_tui.tui.screens.audit import AuditScreen
    from audit_tui.tui.screens.history import HistoryScreen

    from .helpers.app import make_app

    drawn: list[list[str]] = []

    @settings(max_examples=12, deadline=None, database=None)
    @given(st.lists(texts, min_size=6, max_size=6))
    def draw(values):
        drawn.append(values)

    draw()
    store = Store(tmp_path / "t.db", actor="fuzz")
    audit_ids = []
    for n, (team, auditor, evidence, lived, action, concern) in enumerate(drawn):
        audit_id = store.create_audit(TEMPLATE, case_ref=f"CL-{n}", team=team, auditor=auditor, round=team)
        store.set_answer(audit_id, "plan.quality", grade="good", evidence=evidence)
        store.update_audit(audit_id, lived_experience=lived, impact=lived)
        store.add_action(audit_id, description=action, owner=team, due=date(2030, 1, 1))
        store.raise_concern(audit_id, concern if clean_text(concern).strip() else "c", team)
        audit_ids.append(audit_id)

    async def show_everything():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()  # the home list and banner show every drawn text
            for audit_id in audit_ids[:2]:
                app.push_screen(AuditScreen(audit_id))
                await pilot.pause()
                app.screen.show_question("plan.quality")
                app.screen.action_actions()
                await pilot.pause()
                app.screen.action_narratives()
                await pilot.pause()
                app.push_screen(HistoryScreen(audit_id))
                await pilot.pause()
                app.pop_screen()
                app.pop_screen()
                await pilot.pause()
            assert app.is_running
        assert app.return_code in (None, 0)

    asyncio.run(show_everything())
    store.close()


# -- the store as a state machine ---------------------------------------------------------------

GRADES = {key: [lv.id for lv in TEMPLATE.scale_of(key).levels] + [NA] for key, _, _ in TEMPLATE.questions()}
SUBSTANTIVE = ("Jo says her flat feels like home now; she cooks on Sundays, sees her sister weekly and "
               "wants to train as a chef next year.")


class StoreMachine(RuleBasedStateMachine):
    """Edits, actions, completion, reopening and moderation in any order, checked against a model."""

    audits = Bundle("audits")

    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.store = Store(self.folder / "s.db", actor="machine")
        self.status: dict[str, str] = {}
        self.actions: dict[str, set[str]] = {}
        self.trail: list[tuple] = []

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.folder)

    def _editable(self, audit_id, write) -> bool:
        if self.status[audit_id] != "draft":
            with pytest.raises(AuditLocked):
                write()
            return False
        write()
        return True

    @rule(target=audits, ref=st.from_regex(r"CL-[0-9]{1,4}", fullmatch=True))
    def create(self, ref):
        audit_id = self.store.create_audit(TEMPLATE, case_ref=ref, audited_on=date(2026, 2, 10))
        self.status[audit_id] = "draft"
        self.actions[audit_id] = set()
        return audit_id

    @rule(audit_id=audits, data=st.data(), evidence=texts)
    def answer(self, audit_id, data, evidence):
        key = data.draw(st.sampled_from(sorted(GRADES)))
        grade = data.draw(st.sampled_from(GRADES[key]))
        changes = {"grade": grade, "evidence": evidence}
        if grade == NA:
            changes["na_reason"] = data.draw(texts)
        self._editable(audit_id, lambda: self.store.set_answer(audit_id, key, **changes))

    @rule(audit_id=audits, lived=texts, impact=texts)
    def narratives(self, audit_id, lived, impact):
        self._editable(audit_id, lambda: self.store.update_audit(audit_id, lived_experience=lived, impact=impact))

    @rule(audit_id=audits)
    def fill_well(self, audit_id):
        """Answer everything well, so that completion can happen."""
        def write():
            for key in ("plan.quality", "oversight.supervision"):
                self.store.set_answer(audit_id, key, grade="good", evidence="Seen in the plan and supervision notes.")
            self.store.set_answer(audit_id, "plan.in_custody", grade="no", evidence="Not in custody.")
            self.store.update_audit(audit_id, lived_experience=SUBSTANTIVE, impact=SUBSTANTIVE)
        self._editable(audit_id, write)

    @rule(audit_id=audits, description=texts, days=st.integers(-5, 60))
    def add_action(self, audit_id, description, days):
        due = date(2026, 2, 10) + timedelta(days=days)
        ids = []
        if self._editable(audit_id, lambda: ids.append(self.store.add_action(
                audit_id, description=description, owner="Team manager", due=due))):
            self.actions[audit_id].add(ids[0])

    @precondition(lambda self: any(self.actions.values()))
    @rule(data=st.data())
    def delete_action(self, data):
        audit_id = data.draw(st.sampled_from(sorted(a for a, ids in self.actions.items() if ids)))
        action_id = data.draw(st.sampled_from(sorted(self.actions[audit_id])))
        if self._editable(audit_id, lambda: self.store.delete_action(action_id)):
            self.actions[audit_id].discard(action_id)

    @rule(audit_id=audits)
    def complete(self, audit_id):
        audit = self.store.get_audit(audit_id)
        suggested = gates.suggested_overall_grade(TEMPLATE, audit) or "good"
        if self.status[audit_id] != "draft":
            with pytest.raises(AuditLocked):
                self.store.complete(audit_id, suggested)
            return
        self.store.set_safeguarding(audit_id, "concern_raised" if audit.concerns else "no_risk")
        audit = self.store.get_audit(audit_id)
        if gates.gate_failures(TEMPLATE, audit):
            with pytest.raises(GatesNotMet):
                self.store.complete(audit_id, suggested)
            assert self.store.get_audit(audit_id).status == "draft"
            return
        self.store.complete(audit_id, suggested)
        self.status[audit_id] = "completed"

    @rule(audit_id=audits, reason=texts)
    def reopen(self, audit_id, reason):
        if not reason.strip():
            with pytest.raises(StoreError):
                self.store.reopen(audit_id, reason)
        elif self.status[audit_id] == "moderated":
            with pytest.raises(StoreError):
                self.store.reopen(audit_id, reason)
        else:
            self.store.reopen(audit_id, reason)
            self.status[audit_id] = "draft"

    @rule(audit_id=audits, comment=texts)
    def moderate(self, audit_id, comment):
        import audit_tui.features.moderation as moderation
        if self.status[audit_id] != "completed":
            with pytest.raises(StoreError):
                moderation.save_moderation(self.store, audit_id, overall_grade=None, comment=comment)
            return
        moderation.save_moderation(self.store, audit_id, overall_grade=None, comment=comment, moderator="Lead")
        self.status[audit_id] = "moderated"

    @invariant()
    def history_only_grows(self):
        rows = [tuple(r) for r in self.store.db.execute("SELECT id, at, who, audit_id, field, old, new FROM history")]
        if self.trail:
            assert len(rows) >= len(self.trail)
            # Settled rows never change; the newest may only have its `new` (and time) extended.
            assert rows[: len(self.trail) - 1] == self.trail[:-1]
            assert rows[len(self.trail) - 1][2:6] == self.trail[-1][2:6]
        self.trail = rows

    @invariant()
    def statuses_and_actions_match(self):
        for audit_id, status in self.status.items():
            audit = self.store.get_audit(audit_id)
            assert audit.status == status
            assert {a.id for a in audit.actions} == self.actions[audit_id]

    @invariant()
    def answer_themes_match_the_answers(self):
        for audit_id in self.status:
            audit = self.store.get_audit(audit_id)
            stored: dict[str, dict[str, str]] = {}
            for question, theme, source in self.store.db.execute(
                    "SELECT question, theme, source FROM answer_themes WHERE audit_id = ?", [audit_id]):
                stored.setdefault(question, {})[theme] = source
            for answer in audit.answers:
                assert stored.get(answer.question, {}) == answer_themes(TEMPLATE, answer), answer.question


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = settings(max_examples=15, stateful_step_count=20, deadline=None)
