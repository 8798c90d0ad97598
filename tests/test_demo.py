"""The demo makes a believable round (issue 19 item 10, issue 22): built by `audit-tui demo --no-open` and
read back through `summary --json`, `rounds list` and the database file.

The rules, as the README states them: quarterly practice weeks (at least three), the last starting four to
five weeks before today; action dates follow from the audit dates, so some actions are overdue, some due
soon and some done; each audit's evidence is its own; most audits record the feedback conversation; every
completed audit carries its safeguarding statement; one concern handled and one still open; the same day
gives the same demo.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from datetime import date, timedelta

import pytest

from .conftest import copy_database
from .helpers.cli import invoke, run_script


def cli(*args, cwd, script: bool = False):
    """The command in this process (what the demo holds is the point), or with `script` the real script."""
    result = run_script(*args, cwd=cwd, timeout=300) if script else invoke(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_built):
    """`audit-tui demo --no-open`'s database (built once per session by the script), this module's copy."""
    return copy_database(demo_built, tmp_path_factory.mktemp("demo") / "demo.db")


def rows(db, sql, params=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def practice_weeks(db) -> list[tuple[str, date]]:
    listed = cli("--db", str(db), "rounds", "list", cwd=db.parent)
    found = re.findall(r"^(\S.*practice week)\s+(\d{4}-\d\d-\d\d) to", listed, re.M)
    return sorted(((name, date.fromisoformat(start)) for name, start in found), key=lambda r: r[1])


def test_four_quarterly_practice_weeks_the_last_a_month_ago(demo):
    weeks = practice_weeks(demo)
    assert len(weeks) >= 3
    today = date.today()
    assert 28 <= (today - weeks[-1][1]).days <= 35 and weeks[-1][1].weekday() == 0
    assert [(b - a).days for (_, a), (_, b) in zip(weeks, weeks[1:])] == [91] * (len(weeks) - 1)
    audited = rows(demo, "SELECT round, min(audited_on), max(audited_on), count(*) FROM audits "
                         "WHERE round LIKE '%practice week' GROUP BY round")
    for name, first, last, count in audited:
        start = dict(weeks)[name]
        assert start <= date.fromisoformat(first) and date.fromisoformat(last) <= start + timedelta(days=4)
        assert count >= 20


def test_actions_overdue_due_soon_and_done_from_todays_date(demo):
    today = date.today().isoformat()
    soon = (date.today() + timedelta(days=30)).isoformat()
    (overdue, due_soon, done, done_late), = rows(demo, """
        SELECT sum(status = 'open' AND due < ?), sum(status = 'open' AND due >= ? AND due <= ?),
               sum(status = 'done'), sum(status = 'done' AND done_on > ?) FROM actions""", (today, today, soon, today))
    assert overdue > 0 and due_soon > 0 and done > 0
    assert done_late == 0, "nothing is done after today"
    figures = json.loads(cli("--db", str(demo), "summary", "--json", cwd=demo.parent))
    assert 0 < figures["actions"]["overdue"] < figures["actions"]["open"] < figures["actions"]["total"]


def test_each_audit_has_its_own_evidence(demo):
    """No evidence text of a practice-week audit appears in another audit."""
    audits_of = defaultdict(set)
    for audit_id, evidence in rows(demo, "SELECT a.id, x.evidence FROM answers x JOIN audits a ON a.id = x.audit_id "
                                         "WHERE a.round LIKE '%practice week' AND x.evidence != ''"):
        audits_of[evidence].add(audit_id)
    assert len(audits_of) > 1500
    shared = [text for text, ids in audits_of.items() if len(ids) > 1]
    assert shared == []
    for narrative in ("lived_experience", "impact"):
        texts = rows(demo, f"SELECT {narrative} FROM audits WHERE status != 'draft' AND round LIKE '%practice week'")
        assert len(set(texts)) == len(texts) > 100


def test_grades_spread_across_teams_and_change_between_rounds(demo):
    figures = json.loads(cli("--db", str(demo), "summary", "--json", cwd=demo.parent))
    assert all(figures["overall_grades"].get(g, 0) > 0
               for g in ("outstanding", "good", "requires_improvement", "inadequate"))
    by_team = {}
    for team, good, total in rows(demo, """
            SELECT team, sum(overall_grade IN ('good', 'outstanding')), count(*) FROM audits
            WHERE status != 'draft' AND round LIKE '%practice week' GROUP BY team HAVING count(*) >= 10"""):
        by_team[team] = good / total
    assert len(by_team) >= 5 and max(by_team.values()) - min(by_team.values()) >= 0.25
    latest = practice_weeks(demo)[-1][0]
    one_round = json.loads(cli("--db", str(demo), "summary", "--json", "--round", latest, cwd=demo.parent))
    assert all(h["previous_pct"] is not None and h["change"] is not None for h in one_round["headline"])


def test_conversations_safeguarding_and_concerns(demo):
    figures = json.loads(cli("--db", str(demo), "summary", "--json", cwd=demo.parent))
    talks = figures["conversations"]
    assert talks["held"] >= 0.75 * talks["audits"] and talks["challenged"] > 0 and talks["family_feedback"] > 0
    assert rows(demo, "SELECT count(*) FROM audits WHERE status != 'draft' AND safeguarding IS NULL") \
        == [(0,)]
    assert [c["round"] for c in figures["open_concerns"]] == [practice_weeks(demo)[-1][0]]
    (handled,), = rows(demo, "SELECT count(*) FROM concerns WHERE handled_at IS NOT NULL AND outcome != ''")
    assert handled >= 1


def test_the_same_day_gives_the_same_demo(demo, tmp_path):
    cli("demo", "--no-open", "--db", str(tmp_path / "again.db"), cwd=tmp_path, script=True)
    query = ("SELECT a.id, a.case_ref, a.overall_grade, x.question, x.grade, x.evidence FROM audits a "
             "JOIN answers x ON x.audit_id = a.id ORDER BY a.id, x.question")
    assert rows(demo, query) == rows(tmp_path / "again.db", query)
    actions = "SELECT id, description, owner, due, status, done_on FROM actions ORDER BY id"
    assert rows(demo, actions) == rows(tmp_path / "again.db", actions)


def test_the_lead_has_set_targets_and_recommendations(demo):
    """A target for every headline measure; commentary and three to five recommendations (each with a lead,
    a measurable outcome, a due date and a RAG status) on the last practice week."""
    figures = json.loads(cli("--db", str(demo), "summary", "--json", cwd=demo.parent))
    measures = {h["id"] for h in figures["headline"]}
    targets = cli("--db", str(demo), "rounds", "target", cwd=demo.parent)
    assert {line.split()[0] for line in targets.splitlines() if line.strip()} == measures
    latest = practice_weeks(demo)[-1][0]
    listed = json.loads(cli("--db", str(demo), "rounds", "recommendations", latest, "--json", cwd=demo.parent))
    recs = listed["recommendations"] if isinstance(listed, dict) else listed
    assert 3 <= len(recs) <= 5
    assert all(r["lead"] and r["outcome"] and r["due"] > date.today().isoformat() and r["rag"] in
               ("red", "amber", "green") for r in recs)
    assert {r["rag"] for r in recs} == {"red", "amber", "green"}


def test_the_leads_commentary_agrees_with_the_figures(demo):
    """The commentary says: in the last week lived experience rose by more than ten points, planning fell and
    no measure meets its target; in the week before, lived experience and impact were the weakest measures
    and only planning met its target."""
    targets = dict(line.split() for line in cli("--db", str(demo), "rounds", "target", cwd=demo.parent).splitlines())
    targets = {k: float(v.rstrip("%")) for k, v in targets.items()}
    weeks = [name for name, _ in practice_weeks(demo)]
    latest = {h["id"]: h for h in json.loads(cli("--db", str(demo), "summary", "--json", "--round", weeks[-1],
                                                  cwd=demo.parent))["headline"]}
    assert latest["lived_experience"]["change"] > 10 and latest["planning"]["change"] < 0
    assert not any(h["pct"] >= targets[m] for m, h in latest.items())
    before = {h["id"]: h for h in json.loads(cli("--db", str(demo), "summary", "--json", "--round", weeks[-2],
                                                  cwd=demo.parent))["headline"]}
    assert {m for m, h in before.items() if h["pct"] >= targets[m]} == {"planning"}
    assert sorted(before, key=lambda m: before[m]["pct"])[:2] == ["lived_experience", "impact"]
    commentary = cli("--db", str(demo), "rounds", "commentary", weeks[-1], cwd=demo.parent)
    assert "Lived experience rose by more than ten points" in commentary


IMPACT_LEVELS = ("improved", "some_improvement", "no_change", "worse", "too_early")


def test_reaudits_due_overdue_and_done_and_followups_across_the_impact_scale(demo):
    """README "Demo": every inadequate practice-week audit has a re-audit date; one is overdue, the latest
    week's is due (after today), the others were re-audited by a follow-up in the next week; the follow-ups
    say whether the actions made a difference, each level of the impact scale at least once."""
    figures = json.loads(cli("--db", str(demo), "summary", "--json", cwd=demo.parent))
    reaudits = figures["reaudits"]
    assert reaudits["inadequate"] >= 3 and reaudits["unscheduled"] == 0
    assert reaudits["overdue"] == 1 and reaudits["done"] >= 1
    assert reaudits["scheduled"] - reaudits["done"] - reaudits["overdue"] >= 1  # due, not yet
    followups = figures["followups"]
    assert followups["impact"]["not_recorded"] == 0 and all(followups["impact"][level] >= 1 for level in IMPACT_LEVELS)
    weeks = practice_weeks(demo)
    latest = json.loads(cli("--db", str(demo), "summary", "--json", "--round", weeks[-1][0], cwd=demo.parent))
    assert latest["followups"]["audits"] >= 1 and latest["reaudits"]["overdue"] == 0
    shown = cli("--db", str(demo), "rounds", "show", weeks[-1][0], cwd=demo.parent)
    due = re.findall(r"^  \S+ \(audited [\d-]+\): due (\d{4}-\d\d-\d\d)$", shown, re.M)
    assert due and all(day > date.today().isoformat() for day in due)
    first = cli("--db", str(demo), "rounds", "show", weeks[0][0], cwd=demo.parent)
    assert ", re-audited" in first and ", overdue" in first


def test_a_followup_is_of_the_same_case_and_child_after_the_earlier_audit(demo):
    """The demo's follow-ups: same case ref and child (the name to redact) as the audit they follow, made
    later, their note naming the child; a re-audited audit's date falls in its follow-up's week."""
    linked = rows(demo, """
        SELECT b.case_ref, a.case_ref, a.audited_on, b.audited_on, pa.redact_names, pb.redact_names,
               b.followup_note, a.reaudit_due, b.status
        FROM audits b JOIN audits a ON a.id = b.follows
        JOIN audit_privacy pa ON pa.audit_id = a.id JOIN audit_privacy pb ON pb.audit_id = b.id""")
    assert len(linked) >= 5
    for case, earlier_case, earlier_on, later_on, earlier_child, child, note, due, status in linked:
        assert case == earlier_case and earlier_on < later_on and status in ("completed", "moderated")
        assert json.loads(child) == json.loads(earlier_child) and json.loads(child)[0] in note
        if due:
            assert later_on <= due <= (date.fromisoformat(later_on) + timedelta(days=4)).isoformat()


def test_the_demo_is_not_rebuilt_under_a_session_that_has_it_open(tmp_path, demo_built):
    """README, Quick start: a demo open in another window is not replaced (that window would go on saving into a
    file that is gone); one sentence says why, and the open session's saves stay in the demo."""
    from audit_tui.storage.store import Store

    path = copy_database(demo_built, tmp_path / "demo.db")
    other = Store(path, actor="Tess Trainee")  # another window, on the demo
    draft = next(a for a in other.list_audits() if a["status"] == "draft")["id"]
    result = invoke("demo", "--db", path, "--force", "--no-open")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"audit-tui: error: The demo database at {path} is open in another audit-tui window, so it was not rebuilt "
        "(what is saved there would be lost): close the demo there first, then try again."]
    other.update_audit(draft, worker="Saved after the refusal")
    other.close()
    assert rows(path, "SELECT worker FROM audits WHERE id = ?", [draft]) == [("Saved after the refusal",)]
    assert invoke("demo", "--db", path, "--force", "--no-open").returncode == 0  # closed there: rebuilt
    assert rows(path, "SELECT count(*) FROM audits WHERE worker = 'Saved after the refusal'") == [(0,)]
