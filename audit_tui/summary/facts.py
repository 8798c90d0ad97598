"""Per-audit figures of counted audits, stored so that a summary aggregates narrow tables.

`audit_facts` holds one row per completed or moderated audit, training audits aside (final
overall grade, the three inspection tests, answered and good-or-better counts); `answer_facts`
its counted answers (final and auditor's grade, good-or-better, rank, section, team, `judged`
(a graded scale, and a level that counts: `too_early` is left out like n/a), and
`section_first` on one answer per section, for counting audits); `theme_facts` each theme its
graded answers carry, as a strength and/or an area for improvement, with the answer that best
evidences it. They are a cache: triggers (migration 0004) delete an audit's facts on any change
to it, and `ensure_facts` builds the missing ones. The rules for what counts live here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from audit_tui.domain.models import ILACS, Template
from audit_tui.storage.migrations import FACT_TABLES
from audit_tui.summary.measures import action_clear, impact_evidenced, lived_experience_evidenced
from audit_tui.summary.scans import COUNTED_SQL, missing_count

BULK_BUILD = 500  # audits without facts from which a build drops and remakes the indexes
_TEMP = ("_fx_q", "_fx_levels", "_fx_cond", "_fx_best")


class FactsError(Exception):
    """Stored audits the figures cannot be computed for; the message is for the user."""


def _register_functions(conn) -> None:
    conn.create_function("lived_ok", 1, lived_experience_evidenced, deterministic=True)
    conn.create_function("impact_ok", 1, impact_evidenced, deterministic=True)
    conn.create_function("action_ok", 4, action_clear, deterministic=True)


def ensure_facts(conn, before_writing: Callable[[], None] | None = None) -> int:
    """Build the facts of every counted audit that has none, in one write transaction; the number built.

    `before_writing` runs first when there is something to write (a large database's deferred
    integrity check: a damaged file is never written to).
    """
    missing = missing_count(conn)
    if not missing:
        return 0
    if before_writing is not None:
        before_writing()
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN IMMEDIATE")
    try:
        # Many audits at once (a new or imported database): index the rows once they are all in.
        indexes = _drop_indexes(conn) if missing >= BULK_BUILD else []
        built = _build(conn)
        for sql in indexes:
            conn.execute(sql)
        if began:
            conn.execute("COMMIT")
    except BaseException:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        for name in _TEMP:
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    return built


def _drop_indexes(conn) -> list[str]:
    """Drop the fact tables' secondary indexes; the statements that make them again."""
    indexes = conn.execute(
        f"""SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
            AND tbl_name IN ({", ".join(f"'{t}'" for t in FACT_TABLES)})""").fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _, sql in indexes]


def _load_templates(conn, first_new: int) -> dict[tuple[str, int], Template]:
    found = {}
    for template_id, version, body in conn.execute(
            """SELECT DISTINCT f.template_id, f.template_version, t.body FROM audit_facts f
               LEFT JOIN templates t ON t.id = f.template_id AND t.version = f.template_version
               WHERE f.no >= ?""", [first_new]):
        if body is None:
            raise FactsError(f"template {template_id} version {version} is used by audits but not stored")
        found[(template_id, version)] = Template.model_validate_json(body)
    return found


def _template_tables(conn, templates: dict[tuple[str, int], Template]) -> bool:
    """Temp tables of the templates' questions, levels and only_if conditions; whether any condition."""
    conn.execute("""CREATE TEMP TABLE _fx_q (template_id TEXT, version INT, question TEXT, section_id TEXT,
                    judged INT, PRIMARY KEY (template_id, version, question))""")
    conn.execute("""CREATE TEMP TABLE _fx_levels (template_id TEXT, version INT, question TEXT, grade TEXT,
                    good_or_better INT, rank INT, counted INT,
                    PRIMARY KEY (template_id, version, question, grade))""")
    conn.execute("CREATE TEMP TABLE _fx_cond (template_id TEXT, version INT, question TEXT, source TEXT, grade TEXT)")
    q_rows, level_rows, cond_rows = [], [], []
    for (template_id, version), template in templates.items():
        scales = template.scale_map()
        for key, section, question in template.questions():
            scale = scales.get(question.scale, ILACS)
            q_rows.append((template_id, version, key, section.id, scale.graded))
            level_rows += [(template_id, version, key, lv.id, lv.good_or_better, rank, lv.counted)
                           for rank, lv in enumerate(scale.levels)]
            if question.only_if:
                cond_rows += [(template_id, version, key, question.only_if.question, grade)
                              for grade in question.only_if.answer_in]
    conn.executemany("INSERT INTO _fx_q VALUES (?, ?, ?, ?, ?)", q_rows)
    conn.executemany("INSERT INTO _fx_levels VALUES (?, ?, ?, ?, ?, ?, ?)", level_rows)
    conn.executemany("INSERT INTO _fx_cond VALUES (?, ?, ?, ?, ?)", cond_rows)
    return bool(cond_rows)


def _build(conn) -> int:
    _register_functions(conn)
    first_new = (conn.execute("SELECT max(no) FROM audit_facts").fetchone()[0] or 0) + 1
    built = conn.execute(
        f"""INSERT INTO audit_facts (id, case_ref, template_id, template_version, round, service_area, team,
                                     worker, auditor, audited_on, status, overall, auditor_overall, moderated,
                                     lived_ok, impact_ok, actions_ok)
            SELECT a.id, a.case_ref, a.template_id, a.template_version, a.round, a.service_area, COALESCE(a.team, ''),
                   a.worker,
                   a.auditor, a.audited_on, a.status, COALESCE(m.overall_grade, a.overall_grade), a.overall_grade,
                   m.audit_id IS NOT NULL, lived_ok(a.lived_experience), impact_ok(a.impact),
                   NOT EXISTS (SELECT 1 FROM actions x WHERE x.audit_id = a.id
                               AND NOT action_ok(x.description, x.owner, x.due, a.audited_on))
            FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
            WHERE {COUNTED_SQL} AND NOT EXISTS (SELECT 1 FROM audit_facts f WHERE f.id = a.id)
            ORDER BY a.id""").rowcount
    has_conditions = _template_tables(conn, _load_templates(conn, first_new))
    conn.execute(
        """INSERT INTO answer_facts (no, question, template_id, version, section_id, team, judged, grade,
                                     auditor_grade, moderated, gob, rank, auditor_rank)
           SELECT f.no, ans.question, f.template_id, f.template_version, q.section_id, f.team,
                  q.judged AND COALESCE(lv.counted, 1), COALESCE(ma.grade, ans.grade), ans.grade,
                  ma.grade IS NOT NULL,
                  COALESCE(lv.good_or_better, 0), lv.rank, mine.rank
           FROM audit_facts f JOIN answers ans ON ans.audit_id = f.id
           JOIN _fx_q q ON q.template_id = f.template_id AND q.version = f.template_version
                       AND q.question = ans.question
           LEFT JOIN moderated_answers ma ON ma.audit_id = ans.audit_id AND ma.question = ans.question
           LEFT JOIN _fx_levels lv ON lv.template_id = f.template_id AND lv.version = f.template_version
                       AND lv.question = ans.question AND lv.grade = COALESCE(ma.grade, ans.grade)
           LEFT JOIN _fx_levels mine ON mine.template_id = f.template_id AND mine.version = f.template_version
                       AND mine.question = ans.question AND mine.grade = ans.grade
           WHERE f.no >= ? AND COALESCE(ma.grade, ans.grade, '') != ''
           ORDER BY f.no, ans.question""", [first_new])
    if has_conditions:
        _drop_unasked(conn, first_new)
    conn.execute(
        """UPDATE answer_facts SET section_first = 1
           FROM (SELECT no, section_id, min(question) AS question FROM answer_facts
                 WHERE no >= ? AND judged AND grade != 'n/a' GROUP BY no, section_id) AS s
           WHERE answer_facts.no = s.no AND answer_facts.question = s.question""", [first_new])
    conn.execute(
        """UPDATE audit_facts SET answered = c.answered, good_or_better = c.gob
           FROM (SELECT no, count(*) AS answered, sum(gob) AS gob FROM answer_facts
                 WHERE no >= ? AND judged AND grade != 'n/a' GROUP BY no) AS c
           WHERE audit_facts.no = c.no""", [first_new])
    conn.execute(
        """INSERT INTO action_facts (no, action_id, status, due)
           SELECT f.no, x.id, COALESCE(x.status, 'open'), COALESCE(x.due, '') FROM audit_facts f
           JOIN actions x ON x.audit_id = f.id WHERE f.no >= ? ORDER BY f.no, x.id""", [first_new])
    _theme_facts(conn, first_new)
    return built


def _drop_unasked(conn, first_new: int) -> None:
    """Answers to questions not asked (an only_if condition not met) do not count; repeat for chains."""
    while conn.execute(
            """DELETE FROM answer_facts WHERE no >= :n AND (no, question) IN (
                 SELECT t.no, t.question FROM answer_facts t
                 WHERE t.no >= :n
                   AND EXISTS (SELECT 1 FROM _fx_cond c WHERE c.template_id = t.template_id
                               AND c.version = t.version AND c.question = t.question)
                   AND NOT EXISTS (SELECT 1 FROM _fx_cond c JOIN answer_facts src
                                     ON src.no = t.no AND src.question = c.source AND src.grade = c.grade
                                   WHERE c.template_id = t.template_id AND c.version = t.version
                                     AND c.question = t.question))""", {"n": first_new}).rowcount:
        pass


def _theme_facts(conn, first_new: int) -> None:
    """Each (audit, theme, strength or not) of graded answers, with the answer that best evidences it.

    `pref` orders candidate quotes: answers whose evidence mentions the theme (tagged or keyword)
    before those only mapped by their question, then the best grades for strengths and the
    worst for areas for improvement. `first` marks one row per (audit, theme), for counting audits.
    """
    conn.execute(
        """CREATE TEMP TABLE _fx_best AS
           SELECT af.no, t.theme, af.gob AS strength,
                  min(printf('%06d|', (t.source = 'question') * 1000 + 500
                                      + CASE WHEN af.gob = 1 THEN af.rank ELSE -af.rank END) || af.question) AS k
           FROM answer_facts af JOIN audit_facts f ON f.no = af.no
           JOIN answer_themes t ON t.audit_id = f.id AND t.question = af.question
           WHERE af.no >= ? AND af.judged AND af.grade != 'n/a'
           GROUP BY af.no, t.theme, af.gob""", [first_new])
    conn.execute("CREATE INDEX temp._fx_best_key ON _fx_best (no, theme, strength)")
    conn.execute(
        """INSERT INTO theme_facts (no, theme, strength, first, pref, question, case_ref, audit_id)
           SELECT b.no, b.theme, b.strength,
                  b.strength = 1 OR NOT EXISTS (SELECT 1 FROM _fx_best o WHERE o.no = b.no AND o.theme = b.theme
                                                AND o.strength = 1),
                  CAST(substr(b.k, 1, 6) AS INTEGER), substr(b.k, 8), f.case_ref, f.id
           FROM _fx_best b JOIN audit_facts f ON f.no = b.no
           ORDER BY b.no, b.theme, b.strength""")


def prepare_copy(conn) -> None:
    """The facts of a staged copy's audits, built before it is published (staging.Stage.publish).

    When they cannot be built, none are copied: the next summary builds them, or names what stops it."""
    try:
        ensure_facts(conn)
    except (FactsError, sqlite3.Error):
        pass
