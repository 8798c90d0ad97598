"""The quality lead's conclusions (commentary, recommendations) and the trends against targets, through
the real commands: `audit-tui rounds …`, `summary --json`, `report` (the .docx read back), `export`,
`import` and `merge`.

Expected figures are counted by hand from README "The quality lead's conclusions and trends": each
round's figure of a measure is counted as the headline counts it; against a target a round is green at
or above it, amber less than 5 points below, red 5 or more points below.
"""

from __future__ import annotations

import getpass
import json
import shutil
import sqlite3

import pytest
from docx import Document

from tests.helpers.cli import invoke, run_script
from tests.test_headline import ALPHA, audit

R1, R2, R3, R4 = "2025-05 round", "2025-08 round", "2025-11 round", "2026-02 round"
PLAN = {"plan.quality": "good", "plan.smart": "yes", "plan.other": "good"}
# (lived experience, impact) per counted audit; one draft in R4 is never counted
ROUNDS = {
    R1: ("2025-05-12", [("good", "improved"), ("requires_improvement", "no_change")]),
    R2: ("2025-08-11", [("good", "improved"), ("good", "too_early"), ("requires_improvement", "some_improvement")]),
    R3: ("2025-11-10", [("good", "improved"), ("good", "no_change"), ("good", "improved"),
                        ("requires_improvement", "worse")]),
    R4: ("2026-02-09", [("good", "improved"), ("outstanding", "improved"), ("good", "no_change"),
                        ("good", "some_improvement"), ("requires_improvement", "worse")]),
}
# by hand: lived experience 1/2, 2/3, 3/4, 4/5; impact 1/2, 2/2 (too early left out), 2/4, 3/5
LIVED_PCT = [50.0, 66.7, 75.0, 80.0]
IMPACT_PCT = [50.0, 100.0, 50.0, 60.0]
# targets 80 and 62: lived 50, 66.7 red; 75 is 5 points below: red; 80 green.
# impact 50 red (12 below); 100 green; 50 red; 60 is 2 points below: amber
LIVED_RAG = ["red", "red", "red", "green"]
IMPACT_RAG = ["red", "green", "red", "amber"]


def data_set() -> dict:
    audits, n = [], 0
    for name, (on, grades) in ROUNDS.items():
        for lived, impact in grades:
            n += 1
            audits.append(audit(n, "alpha", name, on, {"voice.lived": lived, "voice.impact": impact, **PLAN}))
    audits.append(audit(99, "alpha", R4, "2026-02-10", {"voice.lived": "good", "voice.impact": "improved"},
                        status="draft"))
    return {"format": "audit-tui/1", "templates": [ALPHA], "audits": audits}


def folders(folder) -> dict[str, str]:
    return {"AUDIT_TUI_CONFIG_DIR": str(folder / "config"), "AUDIT_TUI_DATA_DIR": str(folder / "data")}


def cli(folder, *args, ok=True):
    """The command in this process (what it does); `cli_process` runs the real script (how it fails)."""
    result = invoke(*args, env=folders(folder))
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def cli_process(folder, *args):
    return run_script(*args, env=folders(folder), timeout=120)


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """The four rounds imported, with targets 80 (lived experience) and 62 (impact), and R4's conclusions."""
    folder = tmp_path_factory.mktemp("lead")
    (folder / "set.json").write_text(json.dumps(data_set()), encoding="utf-8")
    db = str(folder / "audits.db")
    cli(folder, "import", str(folder / "set.json"), "--db", db)
    cli(folder, "rounds", "target", "lived_experience", "80", "--db", db)
    cli(folder, "rounds", "target", "impact", "62%", "--db", db)
    cli(folder, "rounds", "commentary", R4, "--set", "Lived experience is now recorded well.\n\n"
        "Impact is the weakest measure: plans list visits, not change.", "--db", db)
    cli(folder, "rounds", "recommend", R4, "--what", "Supervision asks what has changed for the child",
        "--lead", "Jo Head", "--outcome", "Impact good or better in 70% of the next round's cases",
        "--due", "31/05/2026", "--rag", "amber", "--db", db)
    cli(folder, "rounds", "recommend", R4, "--what", "Pathway plans reviewed with the young person",
        "--lead", "Sam Lead", "--outcome", "All 12 plans reviewed by 30 April", "--due", "2026-04-30", "--db", db)
    return folder, db


def summary(folder, db, *filters) -> dict:
    return json.loads(cli(folder, "summary", "--json", "--db", db, "--as-of", "2026-03-01", *filters).stdout)


def test_summary_carries_the_trend_of_each_headline_measure_against_its_target(known):
    folder, db = known
    figures = summary(folder, db)
    assert {"audits", "headline", "questions", "themes", "actions"} <= set(figures)  # the existing keys stay
    trends = figures["trends"]
    assert [r["name"] for r in trends["rounds"]] == [R1, R2, R3, R4]  # in the order they started
    assert [r["audits"] for r in trends["rounds"]] == [2, 3, 4, 5]  # the draft is not counted
    measures = {m["id"]: m for m in trends["measures"]}
    lived, impact = measures["lived_experience"], measures["impact"]
    assert (lived["target"], impact["target"], measures["planning"]["target"]) == (80.0, 62.0, None)
    assert [p["pct"] for p in lived["points"]] == LIVED_PCT
    assert [(p["good_or_better"], p["answered"]) for p in impact["points"]] == [(1, 2), (2, 2), (2, 4), (3, 5)]
    assert [p["pct"] for p in impact["points"]] == IMPACT_PCT
    assert [p["rag"] for p in lived["points"]] == LIVED_RAG
    assert [p["rag"] for p in impact["points"]] == IMPACT_RAG
    assert all(p["rag"] is None for p in measures["planning"]["points"])  # no target, no RAG
    # the last point is the selected round's headline figure
    latest = {h["id"]: h for h in summary(folder, db, "--round", R4)["headline"]}
    assert (latest["impact"]["good_or_better"], latest["impact"]["answered"]) == (3, 5)


def test_the_trend_ends_at_the_selected_round_and_needs_three_rounds(known):
    folder, db = known
    assert [r["name"] for r in summary(folder, db, "--round", R3)["trends"]["rounds"]] == [R1, R2, R3]
    assert summary(folder, db, "--round", R2)["trends"] is None
    assert summary(folder, db, "--round", R2)["headline"]  # (the round's own figures are still there)


def test_improvement_plan_in_the_summary_is_the_selected_or_latest_round(known):
    folder, db = known
    plan = summary(folder, db)["improvement_plan"]
    assert plan["round"] == R4 and plan["commentary"].startswith("Lived experience is now recorded well.")
    assert [(r["what"], r["lead"], r["due"], r["rag"]) for r in plan["recommendations"]] == [
        ("Supervision asks what has changed for the child", "Jo Head", "2026-05-31", "amber"),
        ("Pathway plans reviewed with the young person", "Sam Lead", "2026-04-30", "red")]
    assert summary(folder, db, "--round", R1)["improvement_plan"] == {"round": R1, "commentary": "",
                                                                      "recommendations": []}


def test_report_prints_the_improvement_plan_after_the_executive_summary_and_the_trends(known, tmp_path):
    folder, db = known
    out = tmp_path / "r.docx"
    cli(folder, "report", "-o", str(out), "--db", db, "--round", R4, "--as-of", "2026-03-01")
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings.index("Executive summary") + 1 == headings.index("Improvement plan")
    assert "Trends across rounds" in headings
    texts = [p.text for p in doc.paragraphs]
    assert "Impact is the weakest measure: plans list visits, not change." in texts
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert ["Supervision asks what has changed for the child", "Jo Head",
            "Impact good or better in 70% of the next round's cases", "31 May 2026", "Amber"] in rows
    header = next(r for r in rows if r[0] == "Round")
    assert header[1:3] == ["Lived experience evident (target 80%)", "Positive impact of the work (target 62%)"]
    by_round = {r[0]: r[1:3] for r in rows if r[0] in ROUNDS}
    assert by_round[R4] == ["80% (4 of 5)\nGreen", "60% (3 of 5)\nAmber"]
    assert by_round[R3] == ["3 of 4*\nRed", "2 of 4*\nRed"]  # (a base under 5: the count, not a percentage)
    assert len(doc.inline_shapes) >= 1 and any("headline measures by round" in s._inline.docPr.get("descr").lower()
                                               for s in doc.inline_shapes)


def test_each_edit_commits_at_once_and_is_logged_with_who_old_and_new(tmp_path):
    (tmp_path / "set.json").write_text(json.dumps(data_set()), encoding="utf-8")
    db = str(tmp_path / "a.db")
    cli(tmp_path, "import", str(tmp_path / "set.json"), "--db", db)
    cli(tmp_path, "rounds", "recommend", R4, "--what", "Audit supervision notes", "--lead", "Jo Head",
        "--outcome", "20 notes audited by June", "--due", "2026-06-30", "--rag", "red", "--db", db)
    listed = json.loads(cli(tmp_path, "rounds", "recommendations", R4, "--json", "--db", db).stdout)
    rec_id = listed[0]["id"]
    cli(tmp_path, "rounds", "recommendation-edit", rec_id[:8], "--rag", "green", "--db", db)
    cli(tmp_path, "rounds", "target", "planning", "75", "--db", db)
    cli(tmp_path, "rounds", "target", "planning", "--clear", "--db", db)
    cli(tmp_path, "rounds", "recommendation-remove", rec_id[:8], "--db", db)
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT who, field, old, new FROM history WHERE audit_id IS NULL AND field NOT LIKE "
                            "'merge%' AND field != 'round:' ORDER BY id").fetchall()
        left = conn.execute("SELECT count(*) FROM recommendations").fetchone()[0]
    finally:
        conn.close()
    me = getpass.getuser()
    assert (me, f"recommendation:{rec_id}:rag", "red", "green") in rows
    assert (me, "target:planning", None, "75.0") in rows and (me, "target:planning", "75.0", None) in rows
    assert (me, f"recommendation:{rec_id}", f"{R4}: Audit supervision notes", "removed") in rows
    assert left == 0


@pytest.mark.parametrize("args, message", [
    (["rounds", "recommend", R4, "--what", "x", "--lead", "y", "--outcome", "z", "--due", "31/02/2027"],
     "31 February 2027 doesn't exist"),
    (["rounds", "recommend", "No such round", "--what", "x", "--lead", "y", "--outcome", "z", "--due", "2027-01-01"],
     "there is no round called “No such round”"),
    (["rounds", "recommend", R4, "--what", " ", "--lead", "y", "--outcome", "z", "--due", "2027-01-01"],
     "a recommendation needs what will be done"),
    (["rounds", "target", "lived_experience", "150"], "a target is a percentage from 0 to 100"),
    (["rounds", "target", "lived", "80"], "no template in this database measures “lived”"),
    (["rounds", "recommendation-edit", "abcdef12", "--rag", "green"], "no recommendation with id abcdef12"),
])
def test_bad_input_is_one_plain_line(known, args, message):
    folder, db = known
    assert_one_plain_line(cli(folder, *args, "--db", db, ok=False), message)


def test_the_script_refuses_bad_input_in_one_plain_line(known):
    folder, db = known
    result = cli_process(folder, "rounds", "target", "lived_experience", "150", "--db", db)
    assert_one_plain_line(result, "a target is a percentage from 0 to 100")


def assert_one_plain_line(result, message: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_export_then_import_into_an_empty_database_is_lossless(known, tmp_path):
    folder, db = known
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    cli(folder, "export", str(first), "--db", db)
    data = json.loads(first.read_text(encoding="utf-8"))
    assert data["targets"] == {"impact": 62.0, "lived_experience": 80.0}
    assert [c["round"] for c in data["conclusions"]] == [R4]
    assert [r["rag"] for r in data["conclusions"][0]["recommendations"]] == ["amber", "red"]
    imported = cli(folder, "import", str(first), "--db", str(tmp_path / "new.db")).stdout  # 1 commentary, 2 + 2
    assert "5 of the lead's commentaries, recommendations and targets added" in imported
    cli(folder, "export", str(second), "--db", str(tmp_path / "new.db"))
    assert first.read_bytes() == second.read_bytes()
    # importing it again changes nothing; a file whose recommendation differs is refused, naming it
    cli(folder, "import", str(first), "--db", str(tmp_path / "new.db"))
    data["conclusions"][0]["recommendations"][0]["rag"] = "green"
    first.write_text(json.dumps(data), encoding="utf-8")
    refused = cli(folder, "import", str(first), "--db", str(tmp_path / "new.db"), ok=False)
    assert refused.returncode == 1
    assert "Recommendation “Supervision asks what has changed for the child”" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_merge_takes_changes_made_on_one_side_and_lists_changes_made_on_both(known, tmp_path):
    folder, db = known
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    shutil.copy(db, here)  # (no connection to it is open in this process)
    shutil.copy(db, there)
    recs = json.loads(cli(folder, "rounds", "recommendations", R4, "--json", "--db", str(here)).stdout)
    # there: one recommendation goes green, a new one is added, the lived-experience target moves to 85
    cli(folder, "rounds", "recommendation-edit", recs[0]["id"], "--rag", "green", "--db", str(there))
    cli(folder, "rounds", "recommend", R4, "--what", "Managers sample two files a month", "--lead", "Jo Head",
        "--outcome", "24 files sampled by March 2027", "--due", "2027-03-31", "--db", str(there))
    cli(folder, "rounds", "target", "lived_experience", "85", "--db", str(there))
    # both: the commentary is rewritten differently
    cli(folder, "rounds", "commentary", R4, "--set", "Written here.", "--db", str(here))
    cli(folder, "rounds", "commentary", R4, "--set", "Written there.", "--db", str(there))
    merged = cli(folder, "merge", str(there), "--db", str(here), ok=False)
    assert merged.returncode == 2, merged.stderr
    assert f"CONFLICT Commentary on round “{R4}”: changed on both sides" in merged.stdout
    assert "lead's conclusions and targets: 3" in merged.stdout
    plan = summary(folder, str(here))["improvement_plan"]
    assert plan["commentary"] == "Written here."  # never overwritten
    rags = {r["id"]: r["rag"] for r in plan["recommendations"]}  # (the order of equal timestamps is not the point)
    assert rags[recs[0]["id"]] == "green" and sorted(rags.values()) == ["green", "red", "red"]
    assert summary(folder, str(here))["trends"]["measures"][0]["target"] == 85.0
    # merging again adds nothing more
    again = cli(folder, "merge", str(there), "--db", str(here), ok=False)
    assert "lead's conclusions and targets" not in again.stdout and again.returncode == 2  # (the conflict stays)


def test_merge_of_a_json_file_lists_a_differing_commentary_and_keeps_this_one(known, tmp_path):
    folder, db = known
    here = tmp_path / "here.db"
    shutil.copy(db, here)
    exported = tmp_path / "e.json"
    cli(folder, "export", str(exported), "--db", db)
    cli(folder, "rounds", "commentary", R4, "--set", "Changed here since.", "--db", str(here))
    merged = cli(folder, "merge", str(exported), "--db", str(here), ok=False)
    assert merged.returncode == 2
    assert f"CONFLICT Commentary on round “{R4}”: differs from this database's" in merged.stdout
    assert summary(folder, str(here))["improvement_plan"]["commentary"] == "Changed here since."


@pytest.mark.parametrize("change, message", [
    (lambda d: d["conclusions"][0]["recommendations"][0].update(rag="purple"),
     "the RAG status is red, amber or green, not “purple”"),
    (lambda d: d["conclusions"][0]["recommendations"][0].update(due="31/05/2026"), "due: a date like 2026-12-14"),
    (lambda d: d["conclusions"][0].update(colour="red"), "unknown field(s) colour"),
    (lambda d: d.update(targets={"impact": 150}), "targets, field impact: a target is a percentage from 0 to 100"),
    (lambda d: d.update(targets=[85]), "targets: must be an object of measure: percentage"),
])
def test_a_file_with_bad_conclusions_is_refused_naming_them_and_nothing_is_imported(known, tmp_path, change,
                                                                                    message):
    folder, db = known
    exported = tmp_path / "e.json"
    cli(folder, "export", str(exported), "--db", db)
    data = json.loads(exported.read_text(encoding="utf-8"))
    change(data)
    exported.write_text(json.dumps(data), encoding="utf-8")
    refused = cli(folder, "import", str(exported), "--db", str(tmp_path / "new.db"), ok=False)
    assert refused.returncode == 1 and message in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "new.db").exists()  # (a failed import into a new file leaves none)
