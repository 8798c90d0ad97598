"""The summary's scan read ahead on a thread (core.scans.ScanAhead), as `audit-tui summary` does it.

It must give exactly the figures of the usual path, read them all from one snapshot, and
step aside (the usual path then runs) whenever it cannot be trusted.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main
from audit_tui.storage.db import schema_version
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, compute_summary
from audit_tui.summary.moderation import moderation_agreement
from audit_tui.summary.scans import ScanAhead, filter_where

from .factories import base, known_dataset, make_audit, moderate, template

AS_OF = "2026-03-20"
ROUND = "2026-02 practice week"


@pytest.fixture(scope="module")
def known_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("ahead") / "audits.db"
    store = known_dataset(path)
    # an earlier round, so that the figures include the change since the previous round
    make_audit(store, "CL-0100", base(**{"practice.quality": "inadequate"}), round="2025-11 practice week",
               audited_on=date(2025, 11, 12), tmpl=template())
    # the facts are built by a first summary: the scan ahead steps aside until they are, whichever
    # test of this module a worker happens to run first
    compute_summary(store, Filters(as_of=AS_OF))
    store.close()
    return path


@contextmanager
def opened(path, actor: str = "tester"):
    store = Store(path, actor=actor, create=False)
    try:
        yield store
    finally:
        store.close()


def ahead_for(path, filters: Filters) -> ScanAhead:
    filters = filters.dated()
    where, params = filters.where("a")
    return ScanAhead(path, where, params, filters.as_of.isoformat())


def usual(path, filters: Filters, rows: bool = True) -> dict:
    with opened(path) as store:
        return compute_summary(store, filters, rows=rows).model_dump(mode="json")


def with_ahead(path, filters: Filters, rows: bool = True) -> dict:
    ahead = ahead_for(path, filters)
    with opened(path) as store:
        return compute_summary(store, filters, rows=rows, ahead=ahead).model_dump(mode="json")


@pytest.mark.parametrize("filters", [
    Filters(as_of=AS_OF), Filters(round=ROUND, as_of=AS_OF), Filters(team="team b", as_of=AS_OF),
    Filters(date_from="2026-02-01", date_to="2026-02-28", as_of=AS_OF), Filters(round="no such round", as_of=AS_OF),
])
def test_read_ahead_gives_the_figures_of_the_usual_path(known_db, filters):
    expected = usual(known_db, filters)
    assert expected["audits"]["total"] or filters.round == "no such round"
    assert with_ahead(known_db, filters) == expected


def test_the_command_uses_the_scan_and_prints_the_same_json(known_db, monkeypatch):
    taken = []
    real_take = ScanAhead.take

    def spy(self, *args):
        found = real_take(self, *args)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(ScanAhead, "take", spy)
    result = CliRunner().invoke(main, ["summary", "--json", "--rows", "--db", str(known_db), "--as-of", AS_OF,
                                       "--round", f"  {ROUND} "])
    assert result.exit_code == 0, result.output
    assert taken == [True]
    assert json.loads(result.stdout) == usual(known_db, Filters(round=ROUND, as_of=AS_OF))


def test_every_figure_and_row_comes_from_the_snapshot_the_scan_began(db_copy):
    filters = Filters(as_of=AS_OF)
    before = usual(db_copy, filters)
    ahead = ahead_for(db_copy, filters)
    ahead._thread.join()  # the scan is done: now another session changes the data
    with opened(db_copy, "other") as other:
        make_audit(other, "CL-0200", base(**{"practice.quality": "inadequate"}), tmpl=template())
    with opened(db_copy) as store:
        figures = compute_summary(store, filters, rows=True, ahead=ahead).model_dump(mode="json")
    assert figures == before
    after = usual(db_copy, filters)
    assert after["audits"]["completed"] == before["audits"]["completed"] + 1


def test_it_steps_aside_when_facts_must_be_built_first(db_copy):
    with opened(db_copy) as store:
        make_audit(store, "CL-0300", base(), tmpl=template())  # its facts are built by the next summary
    filters = Filters(as_of=AS_OF)
    ahead = ahead_for(db_copy, filters)
    assert ahead.take(*filters.where("a"), AS_OF, schema_version()) is None
    figures = with_ahead(db_copy, filters)
    assert "CL-0300" in {row["case_ref"] for row in figures["appendix"]}


def test_it_steps_aside_for_another_selection_or_schema(known_db):
    filters = Filters(as_of=AS_OF)
    where, params = filters.where("a")
    assert ahead_for(known_db, filters).take(where, params, "2026-03-21", schema_version()) is None
    assert ahead_for(known_db, filters).take(*filter_where("a", team="Team A"), AS_OF, schema_version()) is None
    assert ahead_for(known_db, filters).take(where, params, AS_OF, schema_version() + 1) is None
    found = ahead_for(known_db, filters)
    conn, scanned = found.take(where, params, AS_OF, schema_version())
    assert conn.in_transaction and scanned.complete
    found.close()


def test_it_only_reads_and_restores_the_switch_interval(db_copy):
    interval = sys.getswitchinterval()
    before = db_copy.read_bytes()
    ahead = ahead_for(db_copy, Filters(as_of=AS_OF))
    ahead.close()
    ahead.close()
    assert sys.getswitchinterval() == interval
    assert db_copy.read_bytes() == before
    assert ahead_for(db_copy.with_name("missing.db"), Filters()).take(
        *Filters().where("a"), AS_OF, schema_version()) is None
    assert not db_copy.with_name("missing.db").exists()


def test_agreement_leaves_out_answers_to_questions_not_asked(store):
    """As every figure: a grade given to a question its condition did not ask is not compared."""
    tmpl = template()
    asked = make_audit(store, "CL-0001", base(**{"circumstances.in_custody": "yes",
                                                 "circumstances.custody_release": "yes"}), tmpl=tmpl)
    unasked = make_audit(store, "CL-0002", base(), tmpl=tmpl)
    moderate(store, asked, changes={"circumstances.custody_release": "no"})
    moderate(store, unasked)
    with store.transaction():  # an answer kept from before in_custody was changed to "no"
        store.db.execute("INSERT INTO answers (audit_id, question, grade, evidence) VALUES (?, ?, 'yes', '')",
                         [unasked, "circumstances.custody_release"])
        store.db.execute("INSERT INTO moderated_answers (audit_id, question, grade, comment) VALUES (?, ?, 'no', 'x')",
                         [unasked, "circumstances.custody_release"])
    figures = moderation_agreement(store)
    release = {q["question"]: q for q in figures["questions"]}["circumstances.custody_release"]
    assert (release["pairs"], release["agreed"]) == (1, 0)
    summary = compute_summary(store, Filters(), rows=False)
    assert summary.moderation.agreement == figures


def test_a_damaged_file_is_refused_with_one_line(tmp_path):
    path = tmp_path / "bad.db"
    damaged = b"SQLite format 3\x00" + b"\x00" * 200
    path.write_bytes(damaged)
    path.chmod(0o600)
    result = CliRunner().invoke(main, ["summary", "--json", "--db", str(path)])
    assert result.exit_code != 0
    assert result.output.count("audit-tui: error:") == 1
    assert path.read_bytes() == damaged


def test_both_connections_begin_at_the_same_commit_or_one_does_it_all(db_copy, monkeypatch):
    from audit_tui.summary import scans

    filters = Filters(as_of=AS_OF)
    expected = usual(db_copy, filters)
    began = []
    real = scans.begin_together
    monkeypatch.setattr(scans, "begin_together", lambda path, conns: began.append(real(path, conns)) or began[-1])
    assert with_ahead(db_copy, filters) == expected
    # another session holds the write lock (an import, say): one connection scans it all
    with opened(db_copy, "other") as other:
        other.db.execute("BEGIN IMMEDIATE")
        assert with_ahead(db_copy, filters) == expected
        other.db.execute("ROLLBACK")
    assert began == [True, False]


def test_two_connections_see_one_commit(db_copy):
    from audit_tui.summary.scans import begin_together, read_only_connection

    path = db_copy.resolve()
    conns = [read_only_connection(path), read_only_connection(path)]
    assert begin_together(path, conns)
    with opened(db_copy, "other") as other:  # commits after both began: neither sees it
        make_audit(other, "CL-0400", base(), tmpl=template())
    counts = {conn.execute("SELECT count(*) FROM audits").fetchone()[0] for conn in conns}
    fresh = read_only_connection(path).execute("SELECT count(*) FROM audits").fetchone()[0]
    assert len(counts) == 1 and fresh == counts.pop() + 1
    for conn in conns:
        conn.close()
