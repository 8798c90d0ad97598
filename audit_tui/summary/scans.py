"""The summary's SQL: every row its figures come from, read without the models.

`scan` runs every statement of one summary over the stored facts (see summary.facts) of the
audits a filter selects, and returns their rows; `summary.compute` turns them into figures
with the templates. This module imports only the standard library (and storage.ahead, which does too), so that `ScanAhead` can
run the scan on threads (SQLite lets go of Python's lock while a statement runs) while the
command is still loading pydantic and the models.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_tui.storage.ahead import quick_switches

COUNTED_SQL = ("a.status IN ('completed', 'moderated') "
               "AND NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)")
QUOTE_CANDIDATES = 25  # answers read per theme and side, from which summary.quotes chooses
_JUDGED = "judged AND grade != 'n/a'"  # answers that count in distributions (graded, not n/a)
_LOCK_WAIT = 0.25  # seconds ScanAhead waits for another session's write lock before one connection does it all


def filter_where(alias: str = "a", *, round: str | None = None, date_from: Any = None, date_to: Any = None,
                 team: str | None = None, service_area: str | None = None,
                 template: str | None = None) -> tuple[str, dict[str, Any]]:
    """A SQL condition on the audits (or audit_facts) table aliased `alias`, and its parameters.

    Dates are `date`s or ISO strings. Training audits (a trainee's audit of a fictional sample
    case) are never selected: they are kept apart from live work, in every figure and export.
    """
    parts = [f"NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = {alias}.id)"]
    params: dict[str, Any] = {}
    for name, column, value in (("round", "round", round), ("team", "team", team),
                                ("service_area", "service_area", service_area),
                                ("template", "template_id", template)):
        if value is not None:
            parts.append(f"{alias}.{column} = :f_{name} COLLATE NOCASE")
            params[f"f_{name}"] = value
    if date_from:
        parts.append(f"{alias}.audited_on >= :f_from")
        params["f_from"] = str(date_from)
    if date_to:
        parts.append(f"{alias}.audited_on <= :f_to")
        params["f_to"] = str(date_to)
    return " AND ".join(parts), params


def missing_count(conn) -> int:
    """Counted audits without stored facts."""
    return conn.execute(
        f"""SELECT count(*) FROM audits a WHERE {COUNTED_SQL}
            AND NOT EXISTS (SELECT 1 FROM audit_facts f WHERE f.id = a.id)""").fetchone()[0]


class Selection:
    """The selected counted audits (temp table `_sum_sel`) and how to reach their facts.

    When every audit with facts is selected, the fact tables are read whole; a large selection
    scans them in index order with a membership test; a small one looks each audit up.
    """

    def __init__(self, conn, where: str, params: dict[str, Any], *, check: bool = True):
        conn.execute("DROP TABLE IF EXISTS temp._sum_sel")
        conn.execute(
            """CREATE TEMP TABLE _sum_sel (no INTEGER PRIMARY KEY, id TEXT, case_ref TEXT, template_id TEXT,
               template_version INT, team TEXT, service_area TEXT, round TEXT, audited_on TEXT, status TEXT,
               auditor TEXT, worker TEXT, overall TEXT, auditor_overall TEXT, moderated INT, lived_ok INT,
               impact_ok INT, actions_ok INT, answered INT, gob INT)""")
        self.count = conn.execute(
            f"""INSERT INTO _sum_sel SELECT a.no, a.id, a.case_ref, a.template_id, a.template_version, a.team,
                       a.service_area, a.round, a.audited_on, a.status, a.auditor, a.worker, a.overall,
                       a.auditor_overall, a.moderated, a.lived_ok, a.impact_ok, a.actions_ok, a.answered,
                       a.good_or_better
                FROM audit_facts a WHERE {where}""", params).rowcount
        # the check: every selected counted audit has its facts (another session may have changed one)
        self.complete = not check or self.count == conn.execute(
            f"SELECT count(*) FROM audits a WHERE {where} AND {COUNTED_SQL}", params).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM audit_facts").fetchone()[0]
        self.everything = self.count == total
        self.large = self.count * 4 >= total

    def facts(self, table: str, index: str = "", alias: str = "f") -> str:
        """FROM ... WHERE ... reading `table`'s rows of the selected audits (in `index` order when large)."""
        source = f"{table} AS {alias}" + (f" INDEXED BY {index}" if index else "")
        if self.everything:
            return f"{source} WHERE 1"
        if self.large:
            return f"{source} WHERE {alias}.no IN (SELECT no FROM _sum_sel)"
        return f"_sum_sel JOIN {table} AS {alias} ON {alias}.no = _sum_sel.no WHERE 1"


@dataclass
class Agreement:
    """The rows moderation agreement is computed from (moderation.agreement_figures)."""

    audits: int
    templates: list[tuple]  # (template_id, version, body)
    overall: list[tuple]  # (template_id, version, auditor's overall, final overall, auditor, n)
    answers: list[tuple]  # (template_id, version, question, auditor's grade, final grade, auditor, n)
    auditors: list[tuple] = field(default_factory=list)  # (auditor, moderated audits)


def agreement_rows(conn, where: str, params: dict[str, Any]) -> Agreement:
    """Auditors' against final grades of the moderated audits `where` selects (counted answers only)."""
    moderated = f"FROM audit_facts a WHERE {where} AND a.status = 'moderated' AND a.moderated"
    return Agreement(
        audits=conn.execute(f"SELECT count(*) {moderated}", params).fetchone()[0],
        templates=conn.execute(
            f"""SELECT k.template_id, k.template_version, t.body
                FROM (SELECT DISTINCT a.template_id, a.template_version {moderated}) AS k
                JOIN templates t ON t.id = k.template_id AND t.version = k.template_version""", params).fetchall(),
        overall=conn.execute(
            f"SELECT a.template_id, a.template_version, a.auditor_overall, a.overall, COALESCE(a.auditor, ''), "
            f"count(*) {moderated} GROUP BY 1, 2, 3, 4, 5", params).fetchall(),
        answers=conn.execute(
            f"""SELECT a.template_id, a.template_version, f.question, f.auditor_grade, f.grade,
                       COALESCE(a.auditor, ''), count(*)
                FROM audit_facts a CROSS JOIN answer_facts f ON f.no = a.no
                WHERE {where} AND a.status = 'moderated' AND a.moderated GROUP BY 1, 2, 3, 4, 5, 6""",
            params).fetchall(),
        auditors=conn.execute(f"SELECT COALESCE(a.auditor, ''), count(*) {moderated} GROUP BY 1 ORDER BY 1",
                              params).fetchall())


@dataclass
class Details:
    """The rows of a summary that do not come from the answers' pass (`scan_details`)."""

    actions_by_team: list[tuple] = field(default_factory=list)  # (team, n, open, done, overdue)
    themes: list[tuple] = field(default_factory=list)  # (theme, strength, first, n)
    quotes: dict[tuple[str, int], list[tuple]] = field(default_factory=dict)  # (theme, strength) -> (case, text)
    moderation: tuple | None = None  # (audits, answers row, overall row, changed rows)
    agreement: Agreement | None = None
    concerns: list[tuple] = field(default_factory=list)


@dataclass
class Scan:
    """Every row one summary's figures come from (one selection, one read transaction)."""

    audits: tuple  # (total, completed, draft, moderated): every status
    complete: bool  # every selected counted audit has its facts
    templates: list[tuple] = field(default_factory=list)  # (template_id, version, body or None)
    overall: list[tuple] = field(default_factory=list)  # (template_id, version, grade, n)
    questions: list[tuple] = field(default_factory=list)  # (template_id, question, grade, n, gob)
    sections: list[tuple] = field(default_factory=list)  # (template_id, section_id, grade, n, gob, audits)
    team_grades: list[tuple] = field(default_factory=list)  # (team, grade, n, gob, 0)
    team_overall: list[tuple] = field(default_factory=list)  # (team, overall, n)
    tests: tuple = (0, 0, 0, 0)  # (audits, lived experience, impact, actions clear)
    dates: tuple = (None, None)
    scope: dict[str, list[tuple]] = field(default_factory=dict)  # column -> (value, n)
    service_areas: list[str] = field(default_factory=list)
    details: Details = field(default_factory=Details)


def scan(conn, where: str, params: dict[str, Any], as_of: str, *, full: bool = True) -> Scan:
    """Every row of the summary of the audits `where` selects; `full=False` skips what only the current
    round needs (quotes, concerns, moderation). Run it inside a read transaction."""
    result = scan_figures(conn, where, params)
    if result.complete:
        result.details = scan_details(conn, where, params, as_of, full=full)
    return result


def scan_figures(conn, where: str, params: dict[str, Any]) -> Scan:
    """The counts, the answers' pass and what is summed from it; `details` is left empty."""
    counts = conn.execute(
        f"""SELECT count(*), sum(status IN ('completed', 'moderated')), sum(status = 'draft'),
                   sum(status = 'moderated') FROM audits a WHERE {where}""", params).fetchone()
    selection = Selection(conn, where, params)
    result = Scan(audits=tuple(n or 0 for n in counts), complete=selection.complete)
    try:
        if result.complete:
            _figures(conn, selection, result)
    finally:
        conn.execute("DROP TABLE IF EXISTS temp._sum_sel")
        conn.execute("DROP TABLE IF EXISTS temp._sum_grades")
    return result


def _figures(conn, selection: Selection, result: Scan) -> None:
    def rows(sql: str) -> list[tuple]:
        return conn.execute(sql).fetchall()

    result.templates = rows(
        """SELECT k.template_id, k.template_version, t.body
           FROM (SELECT DISTINCT template_id, template_version FROM _sum_sel) AS k
           LEFT JOIN templates t ON t.id = k.template_id AND t.version = k.template_version ORDER BY 1, 2""")
    result.overall = rows(
        """SELECT template_id, template_version, overall, count(*) FROM _sum_sel
           WHERE overall IS NOT NULL AND overall != '' GROUP BY 1, 2, 3""")
    # one pass over the answers; questions, sections and teams are then summed from its groups
    conn.execute(
        f"""CREATE TEMP TABLE _sum_grades AS
            SELECT f.template_id, f.question, f.section_id, f.judged, f.grade, f.team, count(*) AS n,
                   sum(f.gob) AS gob, sum(f.section_first) AS audits
            FROM {selection.facts("answer_facts", "answer_facts_figures")}
            GROUP BY f.template_id, f.question, f.section_id, f.judged, f.grade, f.team""")
    result.questions = rows(
        "SELECT template_id, question, grade, sum(n), sum(gob) FROM _sum_grades GROUP BY 1, 2, 3")
    result.sections = rows(
        f"""SELECT template_id, section_id, grade, sum(n), sum(gob),
                   sum(sum(audits)) OVER (PARTITION BY template_id, section_id)
            FROM _sum_grades WHERE {_JUDGED} GROUP BY 1, 2, 3""")
    result.team_grades = rows(f"SELECT team, grade, sum(n), sum(gob), 0 FROM _sum_grades WHERE {_JUDGED} GROUP BY 1, 2")
    result.team_overall = rows(
        "SELECT COALESCE(team, ''), COALESCE(overall, ''), count(*) FROM _sum_sel GROUP BY 1, 2 ORDER BY 1, 2")
    result.tests = tuple(n or 0 for n in conn.execute(
        "SELECT count(*), sum(lived_ok), sum(impact_ok), sum(actions_ok) FROM _sum_sel").fetchone())
    result.dates = conn.execute("SELECT min(audited_on), max(audited_on) FROM _sum_sel").fetchone()
    result.scope = {column: rows(f"SELECT {column}, count(*) FROM _sum_sel GROUP BY 1 ORDER BY 2 DESC, 1")
                    for column in ("team", "service_area", "template_id || ' v' || template_version")}
    result.service_areas = [k for k, in conn.execute("SELECT DISTINCT service_area FROM _sum_sel") if k]


def scan_details(conn, where: str, params: dict[str, Any], as_of: str, *, full: bool = True) -> Details:
    """Actions per team, themes (with quotes), moderation, agreement and concerns of the selection.

    Like `scan_figures`, it reads the facts, and trusts `scan_figures`' check that they are complete
    (in the same snapshot)."""
    selection = Selection(conn, where, params, check=False)
    result = Details()
    try:
        # action counts per team, in the action plan's order of teams (see summary.rows.action_plan_rows)
        result.actions_by_team = conn.execute(
            f"""SELECT s.team, sum(c.n), sum(c.open), sum(c.done), sum(c.overdue)
                FROM (SELECT f.no, count(*) AS n, sum(f.status = 'open') AS open, sum(f.status = 'done') AS done,
                             sum(f.status = 'open' AND f.due != '' AND f.due < ?) AS overdue
                      FROM {selection.facts("action_facts")} GROUP BY f.no) AS c
                JOIN _sum_sel s ON s.no = c.no
                GROUP BY 1 ORDER BY s.team = '', lower(s.team), s.team""", [as_of]).fetchall()
        result.themes = conn.execute(
            f"""SELECT f.theme, f.strength, f.first, count(*)
                FROM {selection.facts("theme_facts", "theme_facts_counts")} GROUP BY f.theme, f.strength, f.first""",
        ).fetchall()
        if full:
            result.quotes = _quotes(conn, selection, result.themes)
            result.moderation = _moderation(conn)
            result.agreement = agreement_rows(conn, where, params)
            result.concerns = open_concerns(conn, as_of)
    finally:
        conn.execute("DROP TABLE IF EXISTS temp._sum_sel")
    return result


def open_concerns(conn, as_of: str) -> list[tuple]:
    """Every open safeguarding concern of live work, whatever a report's filters (a concern stands at the
    top of every report until handled): (case, team, raised at, by, description, round, urgent action's
    owner, its status: open, done or overdue at `as_of`). The urgent action is the one raised with the
    concern, else (a concern imported from a file) the audit's action noted as a safeguarding concern."""
    return conn.execute(
        """SELECT a.case_ref, a.team, c.raised_at, c.raised_by, c.description, a.round, x.owner,
                  CASE WHEN x.id IS NULL THEN '' WHEN x.status = 'open' AND x.due != '' AND x.due < ? THEN 'overdue'
                       ELSE COALESCE(x.status, 'open') END
           FROM concerns c JOIN audits a ON a.id = c.audit_id
           LEFT JOIN actions x ON x.id = COALESCE(c.action_id, (
               SELECT y.id FROM actions y WHERE y.audit_id = c.audit_id AND y.note = 'safeguarding concern'
               ORDER BY y.due, y.id LIMIT 1))
           WHERE c.handled_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)
           ORDER BY c.raised_at, a.case_ref""", [as_of]).fetchall()


def _quotes(conn, selection: Selection, themes: list[tuple]) -> dict[tuple[str, int], list[tuple]]:
    """Up to QUOTE_CANDIDATES (case, evidence) of each theme, as a strength and as an area for improvement,
    the answers that best evidence it first."""
    quotes = {}
    for theme in sorted({row[0] for row in themes}):
        for strength in (0, 1):
            # each candidate audit's answers carrying the theme on this side, the one that evidences it best first
            quotes[(theme, strength)] = conn.execute(
                f"""SELECT c.case_ref, ans.evidence
                    FROM (SELECT f.no, f.audit_id, f.case_ref, f.question, f.pref
                          FROM {selection.facts("theme_facts", "theme_facts_quotes")}
                            AND f.theme = :theme AND f.strength = :strength
                          ORDER BY f.pref, f.case_ref, f.audit_id LIMIT {QUOTE_CANDIDATES}) AS c
                    JOIN answer_facts af ON af.no = c.no AND af.judged AND af.grade != 'n/a' AND af.gob = :strength
                    JOIN answers ans ON ans.audit_id = c.audit_id AND ans.question = af.question
                    WHERE EXISTS (SELECT 1 FROM answer_themes t WHERE t.audit_id = c.audit_id
                                  AND t.question = af.question AND t.theme = :theme)
                    ORDER BY c.pref, c.case_ref, c.audit_id, af.question != c.question, af.question""",
                {"theme": theme, "strength": strength}).fetchall()
    return quotes


def _moderation(conn) -> tuple | None:
    """(moderated audits, (answers compared, agreed), (overall compared, agreed), changed grades) or None."""
    audits = conn.execute("SELECT count(*) FROM _sum_sel WHERE moderated").fetchone()[0]
    if not audits:
        return None
    answers = conn.execute(
        """SELECT count(*), sum(NOT a.moderated OR a.grade = a.auditor_grade)
           FROM _sum_sel s CROSS JOIN answer_facts a ON a.no = s.no
           WHERE s.moderated AND a.judged AND a.auditor_grade IS NOT NULL
             AND (a.auditor_grade != 'n/a' OR a.grade != 'n/a')""").fetchone()
    overall = conn.execute(
        """SELECT count(*), sum(overall IS auditor_overall) FROM _sum_sel
           WHERE moderated AND auditor_overall IS NOT NULL""").fetchone()
    changed = conn.execute(
        """SELECT a.question, a.auditor_grade, a.grade, count(*) FROM _sum_sel s CROSS JOIN answer_facts a ON a.no = s.no
           WHERE s.moderated AND a.moderated AND a.grade IS NOT a.auditor_grade
           GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3""").fetchall()
    return audits, answers, overall, changed


class ScanAhead:
    """A summary's scan, started while the command loads pydantic and the models.

    A thread opens two read-only connections and begins a read transaction on each at the same
    point of the database's history (see `begin_together`): one runs `scan_figures` while a
    second thread runs `scan_details` on the other. `take` then hands over the first connection,
    still in its transaction, so that the rest of the summary reads the very same data, with the
    scan. It hands nothing (and the summary is computed as usual) when facts had to be built
    first, the database's schema is not the current one, the selection differs, or anything failed.
    """

    def __init__(self, path: str | Path, where: str, params: dict[str, Any], as_of: str):
        self._selection = (where, params, as_of)
        self._conns: list[sqlite3.Connection] = []
        self._scan: Scan | None = None
        self._details: Details | None = None
        self._version: int | None = None
        # SQLite lets go of the GIL while a statement runs: quick switches give it back to the scan
        # between statements, instead of after the importing thread's whole turn.
        self._switching = ExitStack()
        self._switching.enter_context(quick_switches(0.0002))
        self._thread = threading.Thread(target=self._run, args=(Path(path).resolve(),), name="summary-scan",
                                        daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            first = read_only_connection(path)
            if first.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                # not WAL (a backup, or a restored one): the command's own connection switches it to WAL,
                # which needs the file to itself, so read nothing here
                first.close()
                return
            self._conns = [first, read_only_connection(path)]
            if not begin_together(path, self._conns):
                self._conns.pop().close()  # another session is writing: one connection does it all
            self._version = self._conns[0].execute("PRAGMA user_version").fetchone()[0]
            where, params, as_of = self._selection
            helper = None
            if len(self._conns) > 1:
                helper = threading.Thread(target=self._run_details, name="summary-scan-details", daemon=True)
                helper.start()
            found = scan_figures(self._conns[0], where, params)
            if helper is not None:
                helper.join()
            else:
                self._run_details()
            if found.complete and self._details is not None:
                found.details = self._details
                self._scan = found
        except Exception:  # noqa: BLE001 - the summary computed as usual reports any real problem
            self._scan = None

    def _run_details(self) -> None:
        conn = self._conns[-1]
        try:
            if not missing_count(conn):  # else the facts must be built first: the usual path does it
                self._details = scan_details(conn, *self._selection)
        except Exception:  # noqa: BLE001 - as in _run
            self._details = None

    def take(self, where: str, params: dict[str, Any], as_of: str,
             schema_version: int) -> tuple[sqlite3.Connection, Scan] | None:
        """(connection in its read transaction, scan) if the scan is of this selection; else None."""
        self._thread.join()
        self._switching.close()
        found = self._scan
        if found is None or self._version != schema_version or self._selection != (where, params, as_of):
            self.close()
            return None
        for conn in self._conns[1:]:
            conn.close()
        del self._conns[1:]
        return self._conns[0], found

    def close(self) -> None:
        """End the read transactions and close the connections (safe to call more than once)."""
        self._thread.join()
        self._switching.close()
        for conn in self._conns:
            conn.close()
        self._conns = []


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that can only read `path` (usable from the scan's thread), its sorting in memory."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


def begin_together(path: Path, conns: list[sqlite3.Connection]) -> bool:
    """Begin a read transaction on each connection at the same point: while a third holds the write
    lock, no session can commit, so each sees the last commit. False if another session holds the
    lock beyond a moment (an import, say; a session opening or closing the file holds it only
    briefly); then only the first connection has begun. The file is in WAL mode (`ScanAhead._run`)."""
    writer = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=_LOCK_WAIT, isolation_level=None)
    try:
        try:
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            conns[0].execute("BEGIN")
            return False
        for conn in conns:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts at a first read
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    return True
