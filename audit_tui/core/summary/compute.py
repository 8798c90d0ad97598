"""Every figure of the summary, computed in SQL over temporary selection tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..models import ILACS, Template
from .measures import action_clear, impact_evidenced, lived_experience_evidenced, pct, short_quote
from .shapes import (
    OVERALL_KEY, QUOTES_PER_THEME, TESTS, ActionCounts, ActionRow, AuditCounts, AuditRow, Change, ChangeRow,
    ConcernRow, Distribution, Filters, ModerationFigures, QuestionFigure, Quote, Scope, Summary, SummaryError,
    TestFigure, ThemeFigure,
)


def _register_functions(conn) -> None:
    conn.create_function("lived_ok", 1, lived_experience_evidenced, deterministic=True)
    conn.create_function("impact_ok", 1, impact_evidenced, deterministic=True)
    conn.create_function("action_ok", 4, action_clear, deterministic=True)


def _load_templates(conn, keys) -> dict[tuple[str, int], Template]:
    found = {}
    for template_id, version in keys:
        row = conn.execute("SELECT body FROM templates WHERE id = ? AND version = ?", [template_id, version]).fetchone()
        if row is None:
            raise SummaryError(f"template {template_id} version {version} is used by audits but not stored")
        found[(template_id, version)] = Template.model_validate_json(row[0])
    return found


_TEMP_TABLES = ("_sum_sel", "_sum_q", "_sum_levels", "_sum_cond", "_sum_ans", "_sum_th")


def _drop_temp(conn) -> None:
    for name in _TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _build_temp_tables(conn, filters: Filters) -> dict[tuple[str, int], Template]:
    """Selected counted audits, the templates' questions/levels/conditions and final answers."""
    _drop_temp(conn)
    where, params = filters.where("a")
    conn.execute(
        f"""CREATE TEMP TABLE _sum_sel AS
            SELECT a.id, a.case_ref, a.template_id, a.template_version, a.team, a.service_area, a.round,
                   a.audited_on, a.status, a.auditor, a.worker,
                   COALESCE(m.overall_grade, a.overall_grade) AS overall, a.overall_grade AS auditor_overall,
                   m.audit_id IS NOT NULL AS moderated,
                   lived_ok(a.lived_experience) AS lived_ok, impact_ok(a.impact) AS impact_ok,
                   NOT EXISTS (SELECT 1 FROM actions x WHERE x.audit_id = a.id
                               AND NOT action_ok(x.description, x.owner, x.due, a.audited_on)) AS actions_ok
            FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
            WHERE {where} AND a.status IN ('completed', 'moderated')""", params)
    conn.execute("CREATE INDEX temp._sum_sel_id ON _sum_sel (id)")
    keys = [tuple(r) for r in conn.execute(
        "SELECT DISTINCT template_id, template_version FROM _sum_sel ORDER BY 1, 2").fetchall()]
    templates = _load_templates(conn, keys)
    conn.execute("""CREATE TEMP TABLE _sum_q (template_id TEXT, version INT, question TEXT, section_id TEXT,
                    section_title TEXT, text TEXT, position INT, judged INT,
                    PRIMARY KEY (template_id, version, question))""")
    conn.execute("""CREATE TEMP TABLE _sum_levels (template_id TEXT, version INT, question TEXT, grade TEXT,
                    good_or_better INT, rank INT, PRIMARY KEY (template_id, version, question, grade))""")
    conn.execute("""CREATE TEMP TABLE _sum_cond (template_id TEXT, version INT, question TEXT, source TEXT,
                    grade TEXT)""")
    q_rows, level_rows, cond_rows = [], [], []
    for (template_id, version), template in templates.items():
        scales = template.scale_map()
        for position, (key, section, question) in enumerate(template.questions()):
            scale = scales.get(question.scale, ILACS)
            judged = scale.graded
            q_rows.append((template_id, version, key, section.id, section.title, question.text, position, judged))
            level_rows += [(template_id, version, key, lv.id, lv.good_or_better, rank)
                           for rank, lv in enumerate(scale.levels)]
            if question.only_if:
                cond_rows += [(template_id, version, key, question.only_if.question, grade)
                              for grade in question.only_if.answer_in]
        level_rows += [(template_id, version, OVERALL_KEY, lv.id, lv.good_or_better, rank)
                       for rank, lv in enumerate(template.overall_scale().levels)]
    conn.executemany("INSERT INTO _sum_q VALUES (?, ?, ?, ?, ?, ?, ?, ?)", q_rows)
    conn.executemany("INSERT INTO _sum_levels VALUES (?, ?, ?, ?, ?, ?)", level_rows)
    conn.executemany("INSERT INTO _sum_cond VALUES (?, ?, ?, ?, ?)", cond_rows)
    conn.execute(
        """CREATE TEMP TABLE _sum_ans AS
           SELECT s.id AS audit_id, s.team, s.template_id, s.template_version AS version, ans.question,
                  q.section_id, q.judged, ans.grade AS auditor_grade, ma.grade IS NOT NULL AS moderated,
                  COALESCE(ma.grade, ans.grade) AS grade, lv.good_or_better AS gob, lv.rank
           FROM _sum_sel s
           JOIN answers ans ON ans.audit_id = s.id
           JOIN _sum_q q ON q.template_id = s.template_id AND q.version = s.template_version
                        AND q.question = ans.question
           LEFT JOIN moderated_answers ma ON ma.audit_id = ans.audit_id AND ma.question = ans.question
           LEFT JOIN _sum_levels lv ON lv.template_id = s.template_id AND lv.version = s.template_version
                        AND lv.question = ans.question AND lv.grade = COALESCE(ma.grade, ans.grade)
           WHERE COALESCE(ma.grade, ans.grade, '') != ''""")
    conn.execute("CREATE INDEX temp._sum_ans_key ON _sum_ans (audit_id, question)")
    # Answers to questions not asked (an only_if condition not met) do not count; repeat for chains.
    if cond_rows:
        while True:
            deleted = conn.execute(
                """DELETE FROM _sum_ans WHERE rowid IN (
                     SELECT t.rowid FROM _sum_ans t
                     WHERE EXISTS (SELECT 1 FROM _sum_cond c WHERE c.template_id = t.template_id
                                   AND c.version = t.version AND c.question = t.question)
                       AND NOT EXISTS (SELECT 1 FROM _sum_cond c JOIN _sum_ans src
                                         ON src.audit_id = t.audit_id AND src.question = c.source
                                        AND src.grade = c.grade
                                       WHERE c.template_id = t.template_id AND c.version = t.version
                                         AND c.question = t.question))""").rowcount
            if not deleted:
                break
    return templates


def _ordered_grades(counts: dict[str, int], order: list[str]) -> dict[str, int]:
    result = {g: counts.get(g, 0) for g in order}
    result.update({g: n for g, n in sorted(counts.items()) if g not in result})
    return result


def _grade_order(templates: dict[tuple[str, int], Template]) -> tuple[list[str], dict[str, str], dict[str, bool]]:
    """Every level id of the graded scales in use (ilacs first), their labels and whether good or better."""
    order = [lv.id for lv in ILACS.levels]
    labels = {lv.id: lv.label for lv in ILACS.levels}
    good = {lv.id: lv.good_or_better for lv in ILACS.levels}
    for graded_pass in (True, False):
        for template in templates.values():
            for scale in template.scale_map().values():
                if scale.graded != graded_pass:
                    continue
                for level in scale.levels:
                    if graded_pass and level.id not in labels:
                        order.append(level.id)
                    labels.setdefault(level.id, level.label)
                    good.setdefault(level.id, level.good_or_better)
    return order, labels, good


# -- the computation -----------------------------------------------------------------


def _core(conn, filters: Filters, *, full: bool = True) -> Summary:
    """The figures; `full=False` skips what only the current round needs (quotes, action rows, appendix)."""
    as_of = filters.effective_as_of().isoformat()
    where, params = filters.where("a")
    counts = conn.execute(
        f"""SELECT count(*), sum(status IN ('completed', 'moderated')), sum(status = 'draft'),
                   sum(status = 'moderated') FROM audits a WHERE {where}""", params).fetchone()
    audits = AuditCounts(total=counts[0], completed=counts[1] or 0, draft=counts[2] or 0, moderated=counts[3] or 0)
    templates = _build_temp_tables(conn, filters)
    order, labels, good = _grade_order(templates)
    latest: dict[str, Template] = {}
    for (template_id, _), template in sorted(templates.items()):
        latest[template_id] = template

    # overall grades (moderator's when moderated) of counted audits
    overall = {g: 0 for g in (lv.id for lv in ILACS.levels)}
    overall_graded = overall_gob = 0
    for grade, n, gob in conn.execute(
            f"""SELECT s.overall, count(*), max(COALESCE(lv.good_or_better, 0)) FROM _sum_sel s
                LEFT JOIN _sum_levels lv ON lv.template_id = s.template_id AND lv.version = s.template_version
                     AND lv.question = '{OVERALL_KEY}' AND lv.grade = s.overall
                WHERE s.overall IS NOT NULL AND s.overall != '' GROUP BY s.overall"""):
        overall[grade] = n
        overall_graded += n
        overall_gob += n if gob else 0

    questions = _questions(conn, templates, latest, order)
    themes = _themes(conn, templates, with_quotes=full)
    act = conn.execute(
        """SELECT count(*), sum(x.status = 'open'), sum(x.status = 'done'),
                  sum(x.status = 'open' AND x.due IS NOT NULL AND x.due != '' AND x.due < ?)
           FROM actions x JOIN _sum_sel s ON s.id = x.audit_id""", [as_of]).fetchone()
    actions = ActionCounts(total=act[0], open=act[1] or 0, done=act[2] or 0, overdue=act[3] or 0)

    tests_row = conn.execute("SELECT count(*), sum(lived_ok), sum(impact_ok), sum(actions_ok) FROM _sum_sel").fetchone()
    tests = [TestFigure(id=test_id, label=label, measured_by=how, audits=tests_row[0], met=tests_row[i + 1] or 0,
                        pct=pct(tests_row[i + 1] or 0, tests_row[0]))
             for i, (test_id, (label, how)) in enumerate(TESTS.items())]

    return Summary(
        audits=audits, overall_grades=overall, overall_good_or_better_pct=pct(overall_gob, overall_graded),
        questions=questions, themes=themes, actions=actions,
        filters={**filters.model_dump(mode="json"), "as_of": as_of},
        scope=_scope(conn, filters, templates, as_of), grade_labels=labels, grade_good_or_better=good,
        inspection_tests=tests, sections=_sections(conn, latest, order), teams=_teams(conn, order),
        action_plan=_action_plan(conn, as_of) if full else [], moderation=_moderation(conn) if full else None,
        change_since_previous_round=None, open_concerns=_concerns(conn, filters) if full else [],
        appendix=_appendix(conn, as_of) if full else [])


def _questions(conn, templates, latest, order) -> list[QuestionFigure]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for template_id, question, grade, n in conn.execute(
            "SELECT template_id, question, grade, count(*) FROM _sum_ans GROUP BY 1, 2, 3"):
        counts.setdefault((template_id, question), {})[grade] = n
    gob_counts = {(t, q): n for t, q, n in conn.execute(
        "SELECT template_id, question, sum(COALESCE(gob, 0)) FROM _sum_ans WHERE grade != 'n/a' GROUP BY 1, 2")}
    result = []
    seen = set()
    for template_id, template in latest.items():
        scales = template.scale_map()
        for key, section, question in template.questions():
            seen.add((template_id, key))
            result.append(_question_figure(template_id, key, section.id, section.title, question.text,
                                           scales.get(question.scale, ILACS), counts, gob_counts))
    # questions only in an older version of a template
    for (template_id, version), template in sorted(templates.items()):
        scales = template.scale_map()
        for key, section, question in template.questions():
            if (template_id, key) not in seen:
                seen.add((template_id, key))
                result.append(_question_figure(template_id, key, section.id, section.title, question.text,
                                               scales.get(question.scale, ILACS), counts, gob_counts))
    return result


def _question_figure(template_id, key, section_id, section_title, text, scale, counts, gob_counts) -> QuestionFigure:
    grades = dict(counts.get((template_id, key), {}))
    na = grades.pop("n/a", 0)
    answered = sum(grades.values())
    judged = scale.graded
    gob = gob_counts.get((template_id, key), 0) or 0
    return QuestionFigure(
        question=key, template=template_id, section=section_id, section_title=section_title, text=text,
        judged=judged, answered=answered, na=na, grades=_ordered_grades(grades, [lv.id for lv in scale.levels]),
        good_or_better=gob, good_or_better_pct=pct(gob, answered) if judged else None)


def _themes(conn, templates, with_quotes: bool = True) -> list[ThemeFigure]:
    labels: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for _, template in sorted(templates.items()):
        for theme in template.themes:
            labels[theme.id] = theme.label
            keywords[theme.id] = theme.keywords
    # (theme, audit, answer) of graded answers; `pref` orders candidate quotes: answers whose evidence
    # mentions the theme (tagged/keyword) before those only mapped by their question, then the best
    # grades for strengths and the worst for areas for improvement.
    conn.execute(
        """CREATE TEMP TABLE _sum_th AS
           SELECT t.theme, a.audit_id, a.question, COALESCE(a.gob, 0) AS gob,
                  (t.source = 'question') * 1000 + CASE WHEN a.gob = 1 THEN a.rank ELSE -a.rank END + 500 AS pref
           FROM _sum_ans a JOIN answer_themes t ON t.audit_id = a.audit_id AND t.question = a.question
           WHERE a.judged AND a.grade != 'n/a'""")
    conn.execute("CREATE INDEX temp._sum_th_key ON _sum_th (audit_id, theme, gob)")
    rows = conn.execute(
        """WITH per_audit AS (SELECT theme, audit_id, max(gob = 1) AS strong, max(gob = 0) AS weak
                              FROM _sum_th GROUP BY theme, audit_id)
           SELECT theme, count(*), sum(strong), sum(weak) FROM per_audit GROUP BY theme ORDER BY 2 DESC, 1""").fetchall()
    quotes: dict[tuple[str, int], list[Quote]] = {}
    if with_quotes:
        for theme, gob, case_ref, evidence in conn.execute(
                f"""WITH best AS (SELECT theme, gob, audit_id, min(pref) AS k FROM _sum_th
                                  GROUP BY theme, gob, audit_id),
                    top AS (SELECT b.*, s.case_ref, ROW_NUMBER() OVER (PARTITION BY theme, gob
                                   ORDER BY k, s.case_ref, b.audit_id) AS n
                            FROM best b JOIN _sum_sel s ON s.id = b.audit_id)
                    SELECT top.theme, top.gob, top.case_ref,
                           (SELECT ans.evidence FROM _sum_th x
                            JOIN answers ans ON ans.audit_id = x.audit_id AND ans.question = x.question
                            WHERE x.audit_id = top.audit_id AND x.theme = top.theme AND x.gob = top.gob
                              AND x.pref = top.k ORDER BY x.question LIMIT 1)
                    FROM top WHERE n <= {QUOTES_PER_THEME} ORDER BY theme, gob, n"""):
            if (evidence or "").strip():
                quotes.setdefault((theme, gob), []).append(
                    Quote(case_ref=case_ref, text=short_quote(evidence, keywords.get(theme, []))))
    return [ThemeFigure(id=theme, label=labels.get(theme, theme.replace("-", " ").capitalize()), audits=n,
                        strength=strong, improvement=weak, strength_quotes=quotes.get((theme, 1), []),
                        improvement_quotes=quotes.get((theme, 0), []))
            for theme, n, strong, weak in rows]


def _distribution_rows(rows) -> dict[Any, dict[str, Any]]:
    groups: dict[Any, dict[str, Any]] = {}
    for key, grade, n, gob, audits in rows:
        group = groups.setdefault(key, {"grades": {}, "answered": 0, "gob": 0, "audits": 0})
        group["grades"][grade] = n
        group["answered"] += n
        group["gob"] += gob or 0
        group["audits"] = max(group["audits"], audits)
    return groups


def _sections(conn, latest, order) -> list[Distribution]:
    audits_per = {(t, s): n for t, s, n in conn.execute(
        "SELECT template_id, section_id, count(DISTINCT audit_id) FROM _sum_ans WHERE judged AND grade != 'n/a' "
        "GROUP BY 1, 2")}
    groups = _distribution_rows(
        ((t, s), g, n, gob, audits_per.get((t, s), 0)) for t, s, g, n, gob in conn.execute(
            """SELECT template_id, section_id, grade, count(*), sum(COALESCE(gob, 0)) FROM _sum_ans
               WHERE judged AND grade != 'n/a' GROUP BY 1, 2, 3"""))
    result = []
    for template_id, template in latest.items():
        for section in template.sections:
            group = groups.get((template_id, section.id))
            if group:
                result.append(Distribution(
                    name=section.title, template=template_id, audits=group["audits"], answered=group["answered"],
                    good_or_better=group["gob"], good_or_better_pct=pct(group["gob"], group["answered"]),
                    grades=_ordered_grades(group["grades"], order)))
    return result


def _teams(conn, order) -> list[Distribution]:
    groups = _distribution_rows(conn.execute(
        """SELECT team, grade, count(*), sum(COALESCE(gob, 0)), 0 FROM _sum_ans
           WHERE judged AND grade != 'n/a' GROUP BY 1, 2"""))
    overall: dict[str, dict[str, int]] = {}
    audits: dict[str, int] = {}
    for team, grade, n in conn.execute("SELECT COALESCE(team, ''), COALESCE(overall, ''), count(*) FROM _sum_sel "
                                       "GROUP BY 1, 2 ORDER BY 1, 2"):
        audits[team] = audits.get(team, 0) + n
        if grade:
            overall.setdefault(team, {})[grade] = n
    result = []
    for team in sorted(audits, key=lambda t: (t == "", t.lower())):
        group = groups.get(team, {"grades": {}, "answered": 0, "gob": 0})
        result.append(Distribution(
            name=team or "(no team)", audits=audits[team], answered=group["answered"], good_or_better=group["gob"],
            good_or_better_pct=pct(group["gob"], group["answered"]), grades=_ordered_grades(group["grades"], order),
            overall_grades=_ordered_grades(overall.get(team, {}), [lv.id for lv in ILACS.levels])))
    return result


def _action_plan(conn, as_of: str) -> list[ActionRow]:
    return [ActionRow(team=r[0] or "", case_ref=r[1], audit_id=r[2], description=r[3] or "", owner=r[4] or "",
                      due=r[5] or None, status=r[6] or "open", question=r[7], overdue=bool(r[8]))
            for r in conn.execute(
                """SELECT s.team, s.case_ref, s.id, x.description, x.owner, x.due, x.status, x.question,
                          x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < ? AS overdue
                   FROM actions x JOIN _sum_sel s ON s.id = x.audit_id
                   ORDER BY s.team = '', lower(s.team), overdue DESC, x.status = 'done', x.due, s.case_ref, x.rowid""",
                [as_of])]


def _moderation(conn) -> ModerationFigures | None:
    audits = conn.execute("SELECT count(*) FROM _sum_sel WHERE moderated").fetchone()[0]
    if not audits:
        return None
    answers = conn.execute(
        """SELECT count(*), sum(NOT a.moderated OR a.grade = a.auditor_grade) FROM _sum_ans a
           JOIN _sum_sel s ON s.id = a.audit_id WHERE s.moderated AND a.judged AND a.auditor_grade IS NOT NULL
             AND (a.auditor_grade != 'n/a' OR a.grade != 'n/a')""").fetchone()
    overall = conn.execute(
        """SELECT count(*), sum(overall IS auditor_overall) FROM _sum_sel
           WHERE moderated AND auditor_overall IS NOT NULL""").fetchone()
    changed = [{"question": q, "from": f, "to": t, "count": n} for q, f, t, n in conn.execute(
        """SELECT a.question, a.auditor_grade, a.grade, count(*) FROM _sum_ans a
           WHERE a.moderated AND a.grade IS NOT a.auditor_grade GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3""")]
    return ModerationFigures(
        moderated_audits=audits, answers_compared=answers[0], answers_agreed=answers[1] or 0,
        answer_agreement_pct=pct(answers[1] or 0, answers[0]), overall_compared=overall[0],
        overall_agreed=overall[1] or 0, overall_agreement_pct=pct(overall[1] or 0, overall[0]), changed=changed)


def _concerns(conn, filters: Filters) -> list[ConcernRow]:
    """Open safeguarding concerns of the selected audits, whatever their status (drafts too)."""
    where, params = filters.where("a")
    return [ConcernRow(case_ref=r[0], team=r[1] or "", raised_at=r[2] or "", raised_by=r[3] or "",
                       description=r[4] or "")
            for r in conn.execute(
                f"""SELECT a.case_ref, a.team, c.raised_at, c.raised_by, c.description
                    FROM concerns c JOIN audits a ON a.id = c.audit_id
                    WHERE c.handled_at IS NULL AND {where} ORDER BY c.raised_at, a.case_ref""", params)]


def _appendix(conn, as_of: str) -> list[AuditRow]:
    rows = conn.execute(
        """WITH ans AS (SELECT audit_id, count(*) AS answered, sum(COALESCE(gob, 0)) AS gob FROM _sum_ans
                        WHERE judged AND grade != 'n/a' GROUP BY audit_id),
                act AS (SELECT x.audit_id, count(*) AS n, sum(x.status = 'open') AS open,
                               sum(x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < ?) AS overdue
                        FROM actions x JOIN _sum_sel s ON s.id = x.audit_id GROUP BY x.audit_id)
           SELECT s.id, s.case_ref, s.team, s.worker, s.auditor, s.audited_on, s.status,
                  s.template_id || ' v' || s.template_version, s.overall, s.auditor_overall,
                  COALESCE(ans.answered, 0), COALESCE(ans.gob, 0), COALESCE(act.n, 0), COALESCE(act.open, 0),
                  COALESCE(act.overdue, 0), s.lived_ok, s.impact_ok, s.actions_ok
           FROM _sum_sel s LEFT JOIN ans ON ans.audit_id = s.id LEFT JOIN act ON act.audit_id = s.id
           ORDER BY s.team = '', lower(s.team), s.case_ref, s.audited_on, s.id""", [as_of])
    fields = list(AuditRow.model_fields)
    return [AuditRow(**{k: ("" if v is None and k in ("team", "worker", "auditor") else v)
                        for k, v in zip(fields, r)}) for r in rows]


def _scope(conn, filters: Filters, templates, as_of: str) -> Scope:
    first, last = conn.execute("SELECT min(audited_on), max(audited_on) FROM _sum_sel").fetchone()

    def counts(column: str) -> dict[str, int]:
        return {k or "(none)": n for k, n in conn.execute(
            f"SELECT {column}, count(*) FROM _sum_sel GROUP BY 1 ORDER BY 2 DESC, 1")}

    areas = {a.lower() for t in templates.values() for a in t.service_areas}
    areas |= {k.lower() for k, in conn.execute("SELECT DISTINCT service_area FROM _sum_sel") if k}
    subject = "young person" if areas and all("leaver" in a for a in areas) else "child"
    return Scope(filters=filters.describe(), round=filters.round, first_audit=first, last_audit=last, as_of=as_of,
                 teams=counts("team"), service_areas=counts("service_area"),
                 templates=counts("template_id || ' v' || template_version"),
                 template_titles={t.id: t.title for _, t in sorted(templates.items())}, subject=subject)


def previous_round(conn, filters: Filters) -> str | None:
    """The round that started (first audit date) most recently before the selected round."""
    if not filters.round:
        return None
    others = filters.model_copy(update={"round": None, "date_from": None, "date_to": None})
    where, params = others.where("a")
    starts = conn.execute(
        f"""SELECT round, min(audited_on) FROM audits a WHERE {where} AND round != ''
            AND status IN ('completed', 'moderated') GROUP BY round""", params).fetchall()
    mine = next((start for name, start in starts if name.lower() == filters.round.lower()), None)
    if mine is None:
        return None
    earlier = [(start, name) for name, start in starts if start < mine and name.lower() != filters.round.lower()]
    return max(earlier)[1] if earlier else None


def _change(current: Summary, previous: Summary, name: str) -> Change:
    def row(measure: str, before: float | None, now: float | None) -> ChangeRow:
        diff = None if before is None or now is None else float(
            (Decimal(str(now)) - Decimal(str(before))).quantize(Decimal("0.1")))
        return ChangeRow(measure=measure, previous=before, current=now, change=diff)

    rows = [row("Audits good or better overall (%)", previous.overall_good_or_better_pct,
                current.overall_good_or_better_pct)]
    prev_tests = {t.id: t for t in previous.inspection_tests}
    rows += [row(f"{t.label} (%)", prev_tests[t.id].pct, t.pct) for t in current.inspection_tests]
    prev_q = {(q.template, q.question): q for q in previous.questions}
    for q in current.questions:
        before = prev_q.get((q.template, q.question))
        if q.judged and before is not None and before.answered and q.answered:
            rows.append(row(f"{q.section_title}: {q.text} (% good or better)", before.good_or_better_pct,
                            q.good_or_better_pct))
    return Change(previous_round=name, previous_audits=previous.audits.completed, rows=rows)


def compute_summary(db, filters: Filters | None = None) -> Summary:
    """Every figure of the report for the audits `filters` selects. `db` is a Store or sqlite-utils Database."""
    filters = filters or Filters()
    if filters.as_of is None:
        filters = filters.model_copy(update={"as_of": date.today()})
    conn = getattr(db, "db", db)
    conn = getattr(conn, "conn", conn)
    _register_functions(conn)
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")  # one consistent snapshot for every query
    try:
        summary = _core(conn, filters)
        if summary.moderation is not None:
            from ..moderation import moderation_agreement

            summary.moderation.agreement = moderation_agreement(conn, filters)
        earlier = previous_round(conn, filters)
        if earlier:
            before = _core(conn, filters.model_copy(update={"round": earlier, "date_from": None, "date_to": None}),
                           full=False)
            summary.change_since_previous_round = _change(summary, before, earlier)
    finally:
        _drop_temp(conn)
        if began:
            conn.execute("COMMIT")
    return summary


def selected_audit_ids(db, filters: Filters | None = None, *, counted_only: bool = False) -> list[str]:
    """Ids of the audits `filters` selects (every status unless `counted_only`), sorted."""
    filters = filters or Filters()
    where, params = filters.where("a")
    if counted_only:
        where += " AND a.status IN ('completed', 'moderated')"
    conn = getattr(getattr(db, "db", db), "conn", getattr(db, "db", db))
    return [r[0] for r in conn.execute(f"SELECT a.id FROM audits a WHERE {where} ORDER BY a.id", params)]
