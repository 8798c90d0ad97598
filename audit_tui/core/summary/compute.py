"""Every figure of the summary, computed in SQL over the stored facts of the selected audits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from ..models import ILACS, NA, Template
from ..db import connection_of
from .facts import COUNTED_SQL, ensure_facts
from .measures import pct, short_quote
from .rows import action_plan_rows, appendix_rows
from .shapes import (
    QUOTES_PER_THEME, TESTS, ActionCounts, ActionRow, AuditCounts, AuditRow, Change, ChangeRow,
    ConcernRow, Distribution, Filters, ModerationFigures, QuestionFigure, Quote, Scope, Summary, SummaryError,
    TestFigure, TeamActions, ThemeFigure,
)


class _Selection:
    """The selected counted audits (temp table `_sum_sel`, facts joined) and how to reach their facts.

    When every audit with facts is selected, the fact tables are read whole; a large selection
    scans them in index order with a membership test; a small one looks each audit up.
    """

    def __init__(self, conn, filters: Filters):
        conn.execute("DROP TABLE IF EXISTS temp._sum_sel")
        where, params = filters.where("a")
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
        conn.execute("CREATE INDEX temp._sum_sel_id ON _sum_sel (id)")
        counted = conn.execute(f"SELECT count(*) FROM audits a WHERE {where} AND {COUNTED_SQL}", params).fetchone()[0]
        self.complete = counted == self.count
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


def _load_templates(conn) -> dict[tuple[str, int], Template]:
    found = {}
    for template_id, version, body in conn.execute(
            """SELECT k.template_id, k.template_version, t.body
               FROM (SELECT DISTINCT template_id, template_version FROM _sum_sel) AS k
               LEFT JOIN templates t ON t.id = k.template_id AND t.version = k.template_version ORDER BY 1, 2"""):
        if body is None:
            raise SummaryError(f"template {template_id} version {version} is used by audits but not stored")
        found[(template_id, version)] = Template.model_validate_json(body)
    return found


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
    """The figures; `full=False` skips what only the current round needs (quotes, concerns, moderation,
    actions by team)."""
    as_of = filters.effective_as_of().isoformat()
    where, params = filters.where("a")
    counts = conn.execute(
        f"""SELECT count(*), sum(status IN ('completed', 'moderated')), sum(status = 'draft'),
                   sum(status = 'moderated') FROM audits a WHERE {where}""", params).fetchone()
    audits = AuditCounts(total=counts[0], completed=counts[1] or 0, draft=counts[2] or 0, moderated=counts[3] or 0)
    selection = _Selection(conn, filters)
    if not selection.complete:
        raise _FactsMissing
    templates = _load_templates(conn)
    order, labels, good = _grade_order(templates)
    latest: dict[str, Template] = {}
    for (template_id, _), template in sorted(templates.items()):
        latest[template_id] = template

    # overall grades (moderator's when moderated) of counted audits
    overall = {g: 0 for g in (lv.id for lv in ILACS.levels)}
    overall_graded = overall_gob = 0
    for template_id, version, grade, n in conn.execute(
            """SELECT template_id, template_version, overall, count(*) FROM _sum_sel
               WHERE overall IS NOT NULL AND overall != '' GROUP BY 1, 2, 3"""):
        overall[grade] = overall.get(grade, 0) + n
        overall_graded += n
        level = templates[(template_id, version)].overall_scale().level(grade)
        overall_gob += n if level is not None and level.good_or_better else 0

    # one pass over the answers; questions, sections and teams are then summed from its groups
    conn.execute("DROP TABLE IF EXISTS temp._sum_grades")
    conn.execute(
        f"""CREATE TEMP TABLE _sum_grades AS
            SELECT f.template_id, f.question, f.section_id, f.judged, f.grade, f.team, count(*) AS n,
                   sum(f.gob) AS gob, sum(f.section_first) AS audits
            FROM {selection.facts("answer_facts", "answer_facts_figures")}
            GROUP BY f.template_id, f.question, f.section_id, f.judged, f.grade, f.team""")
    by_team = _actions_by_team(conn, selection, as_of)
    actions = ActionCounts(total=sum(t.total for t in by_team), open=sum(t.open for t in by_team),
                           done=sum(t.done for t in by_team), overdue=sum(t.overdue for t in by_team))

    tests_row = conn.execute("SELECT count(*), sum(lived_ok), sum(impact_ok), sum(actions_ok) FROM _sum_sel").fetchone()
    tests = [TestFigure(id=test_id, label=label, measured_by=how, audits=tests_row[0], met=tests_row[i + 1] or 0,
                        pct=pct(tests_row[i + 1] or 0, tests_row[0]))
             for i, (test_id, (label, how)) in enumerate(TESTS.items())]

    return Summary(
        audits=audits, overall_grades=overall, overall_good_or_better_pct=pct(overall_gob, overall_graded),
        questions=_questions(conn, templates, latest), themes=_themes(conn, selection, templates, with_quotes=full),
        actions=actions, filters={**filters.model_dump(mode="json"), "as_of": as_of},
        scope=_scope(conn, filters, templates, as_of), grade_labels=labels, grade_good_or_better=good,
        inspection_tests=tests, sections=_sections(conn, latest, order), teams=_teams(conn, order),
        actions_by_team=by_team if full else [], action_plan=[],
        moderation=_moderation(conn) if full else None, change_since_previous_round=None,
        open_concerns=_concerns(conn, filters) if full else [], appendix=[])


def _questions(conn, templates, latest) -> list[QuestionFigure]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    gob_counts: dict[tuple[str, str], int] = {}
    for template_id, question, grade, n, gob in conn.execute(
            "SELECT template_id, question, grade, sum(n), sum(gob) FROM _sum_grades GROUP BY 1, 2, 3"):
        counts.setdefault((template_id, question), {})[grade] = n
        if grade != NA:
            gob_counts[(template_id, question)] = gob_counts.get((template_id, question), 0) + gob
    result = []
    seen = set()
    # questions of the latest version of each template, then those only in an older version
    for template_id, template in [*latest.items(), *((t, body) for (t, _), body in sorted(templates.items()))]:
        scales = template.scale_map()
        for key, section, question in template.questions():
            if (template_id, key) not in seen:
                seen.add((template_id, key))
                result.append(_question_figure(template_id, key, section.id, section.title, question.text,
                                               scales.get(question.scale, ILACS), counts, gob_counts))
    return result


def _question_figure(template_id, key, section_id, section_title, text, scale, counts, gob_counts) -> QuestionFigure:
    grades = dict(counts.get((template_id, key), {}))
    na = grades.pop(NA, 0)
    answered = sum(grades.values())
    judged = scale.graded
    gob = gob_counts.get((template_id, key), 0) or 0
    return QuestionFigure(
        question=key, template=template_id, section=section_id, section_title=section_title, text=text,
        judged=judged, answered=answered, na=na, grades=_ordered_grades(grades, [lv.id for lv in scale.levels]),
        good_or_better=gob, good_or_better_pct=pct(gob, answered) if judged else None)


def _themes(conn, selection: _Selection, templates, with_quotes: bool = True) -> list[ThemeFigure]:
    labels: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for _, template in sorted(templates.items()):
        for theme in template.themes:
            labels[theme.id] = theme.label
            keywords[theme.id] = theme.keywords
    figures: dict[str, list[int]] = {}  # theme -> [audits, strength, improvement]
    for theme, strength, first, n in conn.execute(
            f"""SELECT f.theme, f.strength, f.first, count(*) FROM {selection.facts("theme_facts", "theme_facts_counts")}
                GROUP BY f.theme, f.strength, f.first"""):
        figure = figures.setdefault(theme, [0, 0, 0])
        figure[0] += n if first else 0
        figure[1 if strength else 2] += n
    ranked = sorted(figures.items(), key=lambda item: (-item[1][0], item[0]))
    quotes: dict[tuple[str, int], list[Quote]] = {}
    if with_quotes:
        for theme, _ in ranked:
            for strength in (0, 1):
                for case_ref, evidence in conn.execute(
                        f"""SELECT f.case_ref, (SELECT ans.evidence FROM answers ans
                                                WHERE ans.audit_id = f.audit_id AND ans.question = f.question)
                            FROM {selection.facts("theme_facts", "theme_facts_quotes")}
                              AND f.theme = ? AND f.strength = ?
                            ORDER BY f.pref, f.case_ref, f.audit_id LIMIT {QUOTES_PER_THEME}""", [theme, strength]):
                    if (evidence or "").strip():
                        quotes.setdefault((theme, strength), []).append(
                            Quote(case_ref=case_ref, text=short_quote(evidence, keywords.get(theme, []))))
    return [ThemeFigure(id=theme, label=labels.get(theme, theme.replace("-", " ").capitalize()), audits=n,
                        strength=strong, improvement=weak, strength_quotes=quotes.get((theme, 1), []),
                        improvement_quotes=quotes.get((theme, 0), []))
            for theme, (n, strong, weak) in ranked]


def _distribution_rows(rows) -> dict[Any, dict[str, Any]]:
    """(group, grade, answers, good or better, audits of the group) rows gathered per group."""
    groups: dict[Any, dict[str, Any]] = {}
    for key, grade, n, gob, audits in rows:
        group = groups.setdefault(key, {"grades": {}, "answered": 0, "gob": 0, "audits": audits})
        group["grades"][grade] = n
        group["answered"] += n
        group["gob"] += gob or 0
    return groups


_JUDGED = "judged AND grade != 'n/a'"  # answers that count in distributions (graded, not n/a)


def _sections(conn, latest, order) -> list[Distribution]:
    groups = _distribution_rows(((t, s), g, n, gob, audits) for t, s, g, n, gob, audits in conn.execute(
        f"""SELECT template_id, section_id, grade, sum(n), sum(gob),
                   sum(sum(audits)) OVER (PARTITION BY template_id, section_id)
            FROM _sum_grades WHERE {_JUDGED} GROUP BY 1, 2, 3"""))
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
        f"SELECT team, grade, sum(n), sum(gob), 0 FROM _sum_grades WHERE {_JUDGED} GROUP BY 1, 2"))
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


def _actions_by_team(conn, selection: _Selection, as_of: str) -> list[TeamActions]:
    """Action counts per team, in the action plan's order of teams (see rows.action_plan_rows)."""
    return [TeamActions(team=team, total=n, open=open_, done=done, overdue=overdue)
            for team, n, open_, done, overdue in conn.execute(
                f"""SELECT s.team, sum(c.n), sum(c.open), sum(c.done), sum(c.overdue)
                    FROM (SELECT f.no, count(*) AS n, sum(f.status = 'open') AS open, sum(f.status = 'done') AS done,
                                 sum(f.status = 'open' AND f.due != '' AND f.due < ?) AS overdue
                          FROM {selection.facts("action_facts")} GROUP BY f.no) AS c
                    JOIN _sum_sel s ON s.no = c.no
                    GROUP BY 1 ORDER BY s.team = '', lower(s.team), s.team""", [as_of])]


def _moderation(conn) -> ModerationFigures | None:
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
    changed = [{"question": q, "from": f, "to": t, "count": n} for q, f, t, n in conn.execute(
        """SELECT a.question, a.auditor_grade, a.grade, count(*) FROM _sum_sel s CROSS JOIN answer_facts a ON a.no = s.no
           WHERE s.moderated AND a.moderated AND a.grade IS NOT a.auditor_grade
           GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3""")]
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


class _FactsMissing(Exception):
    """Another session changed a selected audit after its facts were built; build and start again."""


def compute_summary(db, filters: Filters | None = None, *, rows: bool = True) -> Summary:
    """Every figure of the report for the audits `filters` selects. `db` is a Store or sqlite-utils Database.

    `rows=False` leaves `action_plan` and `appendix` (a row per action and per audit) empty.
    """
    filters = (filters or Filters()).dated()
    with summary_snapshot(db, filters) as summary:
        if rows:
            # model_construct: the named tuples already have the fields' types
            summary.action_plan = [ActionRow.model_construct(**r._asdict()) for r in action_plan_rows(db, filters)]
            summary.appendix = [AuditRow.model_construct(**r._asdict()) for r in appendix_rows(db, filters)]
        return summary


@contextmanager
def summary_snapshot(db, filters: Filters | None = None) -> Iterator[Summary]:
    """The summary without its long tables, inside the read transaction it was computed in.

    While the block runs, `action_plan_rows` and `appendix_rows` on the same `db` (with the same
    filters, `as_of` set) read the very data the figures were computed from, even if other
    sessions write meanwhile: a report streams them as it is saved.
    """
    filters = (filters or Filters()).dated()
    conn = connection_of(db)
    check = getattr(getattr(db, "db", db), "deferred_check", None)
    for _ in range(3):
        ensure_facts(conn, check.wait if check is not None else None)
        began = not conn.in_transaction
        if began:
            conn.execute("BEGIN")  # one consistent snapshot for every query
        try:
            summary = _figures(conn, filters)
        except _FactsMissing:
            if began:
                conn.execute("COMMIT")
            continue
        except BaseException:
            if began:
                conn.execute("COMMIT")
            raise
        try:
            yield summary
        finally:
            if began:
                conn.execute("COMMIT")
        return
    raise SummaryError("the audits are changing too fast to count; try again")


def _figures(conn, filters: Filters) -> Summary:
    """Every figure but the long tables (inside the caller's read transaction)."""
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
        conn.execute("DROP TABLE IF EXISTS temp._sum_sel")
        conn.execute("DROP TABLE IF EXISTS temp._sum_grades")
    return summary


def selected_audit_ids(db, filters: Filters | None = None, *, counted_only: bool = False) -> list[str]:
    """Ids of the audits `filters` selects (every status unless `counted_only`), sorted."""
    filters = filters or Filters()
    where, params = filters.where("a")
    if counted_only:
        where += " AND a.status IN ('completed', 'moderated')"
    conn = connection_of(db)
    return [r[0] for r in conn.execute(f"SELECT a.id FROM audits a WHERE {where} ORDER BY a.id", params)]
