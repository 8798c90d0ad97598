"""Every figure of the summary: the rows `scans.scan` reads in SQL, shaped with the templates."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from audit_tui.domain.models import ILACS, NA, Template
from audit_tui.storage.db import schema_version
from audit_tui.summary.executive import executive_figures
from audit_tui.summary.facts import ensure_facts
from audit_tui.summary.followup import add_action_kinds, add_followups
from audit_tui.summary.headline import change_points, headline_figures
from audit_tui.summary.measures import pct
from audit_tui.summary.quotes import QuotePicker
from audit_tui.summary.rows import action_plan_rows, appendix_rows
from audit_tui.summary.scans import Scan, ScanAhead, scan
from audit_tui.summary.shapes import (
    TESTS,
    ActionCounts,
    ActionRow,
    AuditCounts,
    AuditRow,
    Change,
    ChangeRow,
    ConcernRow,
    ConversationFigures,
    Distribution,
    Filters,
    ModerationFigures,
    QuestionFigure,
    Quote,
    Scope,
    Summary,
    SummaryError,
    TeamActions,
    TestFigure,
    ThemeFigure,
)
from audit_tui.summary.trends import improvement_plan, trend_series

if TYPE_CHECKING:
    from audit_tui.storage.store import Store


def _templates(rows: list[tuple]) -> dict[tuple[str, int], Template]:
    found = {}
    for template_id, version, body in rows:
        if body is None:
            raise SummaryError(f"template {template_id} version {version} is used by audits but not stored")
        found[(template_id, version)] = Template.model_validate_json(body)
    return found


def _ordered_grades(counts: dict[str, int], order: list[str]) -> dict[str, int]:
    result = {g: counts.get(g, 0) for g in order}
    result.update({g: n for g, n in sorted(counts.items()) if g not in result})
    return result


SCALE_NAMES = {"ilacs": "Four-point scale", "yes_partly_no": "Yes, partly or no"}


def _grade_order(templates: dict[tuple[str, int], Template]
                 ) -> tuple[list[str], dict[str, str], dict[str, bool], dict[str, list[str]]]:
    """Every level id of the graded scales in use (ilacs first), their labels, whether good or better,
    and the level ids of each graded scale (under the first scale that has them)."""
    order = [lv.id for lv in ILACS.levels]
    labels = {lv.id: lv.label for lv in ILACS.levels}
    good = {lv.id: lv.good_or_better for lv in ILACS.levels}
    scales = {SCALE_NAMES["ilacs"]: list(order)}
    for graded_pass in (True, False):
        for template in templates.values():
            for scale in template.scale_map().values():
                if scale.graded != graded_pass:
                    continue
                new = [level.id for level in scale.levels if level.id not in labels]
                if graded_pass and new:
                    order += new
                    name = SCALE_NAMES.get(scale.id) or scale.label or scale.id.replace("_", " ").capitalize()
                    scales.setdefault(name, []).extend(new)
                for level in scale.levels:
                    labels.setdefault(level.id, level.label)
                    good.setdefault(level.id, level.good_or_better)
    return order, labels, good, scales


# -- the figures, from a scan's rows ----------------------------------------------------


def _core(conn, filters: Filters, *, full: bool = True, scanned: Scan | None = None) -> Summary:
    """The figures; `full=False` skips what only the current round needs (quotes, concerns, moderation,
    actions by team). `scanned` is this selection's scan when it was read ahead (summary.ahead)."""
    as_of = filters.effective_as_of().isoformat()
    rows = scanned or scan(conn, *filters.where("a"), as_of, full=full)
    total, completed, draft, moderated = rows.audits
    audits = AuditCounts(total=total, completed=completed, draft=draft, moderated=moderated)
    if not rows.complete:
        raise _FactsMissing
    templates = _templates(rows.templates)
    order, labels, good, scales = _grade_order(templates)
    latest: dict[str, Template] = {}
    for (template_id, _), template in sorted(templates.items()):
        latest[template_id] = template

    # overall grades (moderator's when moderated) of counted audits
    overall = {g: 0 for g in (lv.id for lv in ILACS.levels)}
    overall_graded = overall_gob = 0
    for template_id, version, grade, n in rows.overall:
        overall[grade] = overall.get(grade, 0) + n
        overall_graded += n
        level = templates[(template_id, version)].overall_scale().level(grade)
        overall_gob += n if level is not None and level.good_or_better else 0

    by_team = [TeamActions(team=team, total=n, open=open_, done=done, overdue=overdue)
               for team, n, open_, done, overdue in rows.details.actions_by_team]
    actions = ActionCounts(total=sum(t.total for t in by_team), open=sum(t.open for t in by_team),
                           done=sum(t.done for t in by_team), overdue=sum(t.overdue for t in by_team))
    tests = [TestFigure(id=test_id, label=label, measured_by=how, audits=rows.tests[0], met=rows.tests[i + 1],
                        pct=pct(rows.tests[i + 1], rows.tests[0]))
             for i, (test_id, (label, how)) in enumerate(TESTS.items())]

    summary = Summary(
        audits=audits, overall_grades=overall, overall_good_or_better_pct=pct(overall_gob, overall_graded),
        questions=_questions(rows, templates, latest), themes=_themes(rows, templates),
        actions=actions, headline=headline_figures(conn, filters, rows, templates),
        filters={**filters.model_dump(mode="json"), "as_of": as_of},
        scope=_scope(rows, filters, templates, as_of), grade_labels=labels, grade_good_or_better=good,
        grade_scales=scales,
        inspection_tests=tests, sections=_sections(rows, latest, order), teams=_teams(rows, order),
        actions_by_team=by_team if full else [], action_plan=[],
        moderation=_moderation(rows) if full else None, change_since_previous_round=None,
        open_concerns=[_concern(r, filters.effective_as_of()) for r in rows.details.concerns],
        appendix=[])
    if full:
        summary.executive = executive_figures(conn, filters, summary.headline, summary.sections, summary.teams,
                                              templates, good)
        if summary.moderation is not None:
            summary.moderation.completed_audits = completed
            summary.moderation.sample_pct = pct(summary.moderation.moderated_audits, completed)
    return summary


def _concern(row: tuple, as_of) -> ConcernRow:
    case_ref, team, raised_at, raised_by, description, round_, owner, status = row
    try:
        days = max(0, (as_of - date.fromisoformat((raised_at or "")[:10])).days)  # (a report dated earlier)
    except ValueError:
        days = None
    return ConcernRow(case_ref=case_ref, team=team or "", raised_at=raised_at or "", raised_by=raised_by or "",
                      description=description or "", round=round_ or "", days_open=days, action_owner=owner or "",
                      action_status=status or "")


def _questions(rows: Scan, templates, latest) -> list[QuestionFigure]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    gob_counts: dict[tuple[str, str], int] = {}
    for template_id, question, grade, n, gob in rows.questions:
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
    excluded = sum(grades.get(lv.id, 0) for lv in scale.levels if not lv.counted)
    answered = sum(grades.values()) - excluded
    judged = scale.graded
    gob = gob_counts.get((template_id, key), 0) or 0
    return QuestionFigure(
        question=key, template=template_id, section=section_id, section_title=section_title, text=text,
        judged=judged, answered=answered, na=na, excluded=excluded, grades=_ordered_grades(grades, [lv.id for lv in scale.levels]),
        good_or_better=gob, good_or_better_pct=pct(gob, answered) if judged else None)


def _themes(rows: Scan, templates) -> list[ThemeFigure]:
    labels: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for _, template in sorted(templates.items()):
        for theme in template.themes:
            labels[theme.id] = theme.label
            keywords[theme.id] = theme.keywords
    figures: dict[str, list[int]] = {}  # theme -> [audits, strength, improvement]
    for theme, strength, first, n in rows.details.themes:
        figure = figures.setdefault(theme, [0, 0, 0])
        figure[0] += n if first else 0
        figure[1 if strength else 2] += n
    ranked = sorted(figures.items(), key=lambda item: (-item[1][0], item[0]))

    picker = QuotePicker((row for found in rows.details.quotes.values() for row in found),
                         [*labels.values(), *(k for words in keywords.values() for k in words)])

    def quotes(theme: str, strength: int) -> list[Quote]:
        return picker.quotes(rows.details.quotes.get((theme, strength), []),
                             [*keywords.get(theme, []), labels.get(theme, "")], bool(strength))

    return [ThemeFigure(id=theme, label=labels.get(theme, theme.replace("-", " ").capitalize()), audits=n,
                        strength=strong, improvement=weak, strength_quotes=quotes(theme, 1),
                        improvement_quotes=quotes(theme, 0))
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


def _sections(rows: Scan, latest, order) -> list[Distribution]:
    groups = _distribution_rows(((t, s), g, n, gob, audits) for t, s, g, n, gob, audits in rows.sections)
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


def _teams(rows: Scan, order) -> list[Distribution]:
    groups = _distribution_rows(rows.team_grades)
    overall: dict[str, dict[str, int]] = {}
    audits: dict[str, int] = {}
    for team, grade, n in rows.team_overall:
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


def _moderation(rows: Scan) -> ModerationFigures | None:
    if rows.details.moderation is None:
        return None
    from audit_tui.summary.moderation import agreement_figures

    audits, answers, overall, changed = rows.details.moderation
    return ModerationFigures(
        moderated_audits=audits, answers_compared=answers[0], answers_agreed=answers[1] or 0,
        answer_agreement_pct=pct(answers[1] or 0, answers[0]), overall_compared=overall[0],
        overall_agreed=overall[1] or 0, overall_agreement_pct=pct(overall[1] or 0, overall[0]),
        changed=[{"question": q, "from": f, "to": t, "count": n} for q, f, t, n in changed],
        agreement=agreement_figures(rows.details.agreement) if rows.details.agreement is not None else None)


def _scope(rows: Scan, filters: Filters, templates, as_of: str) -> Scope:
    def counts(column: str) -> dict[str, int]:
        return {k or "(none)": n for k, n in rows.scope[column]}

    areas = {a.lower() for t in templates.values() for a in t.service_areas}
    areas |= {k.lower() for k in rows.service_areas}
    subject = "young person" if areas and all("leaver" in a for a in areas) else "child"
    return Scope(filters=filters.describe(), round=filters.round, first_audit=rows.dates[0],
                 last_audit=rows.dates[1], as_of=as_of, teams=counts("team"),
                 service_areas=counts("service_area"), templates=counts("template_id || ' v' || template_version"),
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
    """Each figure of both rounds, its change in points worked out from the unrounded fractions."""
    def row(measure: str, now: tuple[int, int], before: tuple[int, int]) -> ChangeRow:
        return ChangeRow(measure=measure, previous=pct(*before), current=pct(*now), change=change_points(now, before),
                         previous_base=before, current_base=now)

    def overall(summary: Summary) -> tuple[int, int]:
        grades = summary.overall_grades
        return (sum(n for g, n in grades.items() if summary.grade_good_or_better.get(g)), sum(grades.values()))

    rows = []
    earlier = {h.id: h for h in previous.headline}
    for figure in current.headline:
        before = earlier.get(figure.id)
        if before is not None and before.answered:
            figure.previous_pct = before.pct
            figure.change = change_points((figure.good_or_better, figure.answered),
                                          (before.good_or_better, before.answered))
            rows.append(ChangeRow(measure=f"{figure.label} (%)", previous=before.pct, current=figure.pct,
                                  change=figure.change, previous_base=(before.good_or_better, before.answered),
                                  current_base=(figure.good_or_better, figure.answered)))
    rows.append(row("Audits good or better overall (%)", overall(current), overall(previous)))
    prev_tests = {t.id: t for t in previous.inspection_tests}
    rows += [row(f"Audit quality: {t.label} (%)", (t.met, t.audits), (prev_tests[t.id].met, prev_tests[t.id].audits))
             for t in current.inspection_tests]
    prev_q = {(q.template, q.question): q for q in previous.questions}
    for q in current.questions:
        before = prev_q.get((q.template, q.question))
        if q.judged and before is not None and before.answered and q.answered:
            rows.append(row(f"{q.section_title}: {q.text} (% good or better)", (q.good_or_better, q.answered),
                            (before.good_or_better, before.answered)))
    return Change(previous_round=name, previous_audits=previous.audits.completed, rows=rows)


class _FactsMissing(Exception):
    """Another session changed a selected audit after its facts were built; build and start again."""


def compute_summary(store: Store, filters: Filters | None = None, *, rows: bool = True,
                    ahead: ScanAhead | None = None) -> Summary:
    """Every figure of the report for the audits `filters` selects in `store`.

    `rows=False` leaves `action_plan` and `appendix` (a row per action and per audit) empty.
    `ahead`: see `read_source`.
    """
    filters = (filters or Filters()).dated()
    with read_source(store, filters, ahead) as source, summary_snapshot(source, filters) as summary:
        if rows:
            # model_construct: the named tuples already have the fields' types
            summary.action_plan = [ActionRow.model_construct(**r._asdict())
                                   for r in action_plan_rows(source.conn, filters)]
            summary.appendix = [AuditRow.model_construct(**r._asdict()) for r in appendix_rows(source.conn, filters)]
        return summary


class Source(NamedTuple):
    """Where a summary reads: a connection, the selection's scan when it was read ahead (in the read
    transaction `conn` is in), and what must run before the facts tables are written (a large file's
    deferred quick_check)."""

    conn: sqlite3.Connection
    scanned: Scan | None = None
    before_writing: Callable[[], None] | None = None


@contextmanager
def read_source(store: Store, filters: Filters, ahead: ScanAhead | None = None) -> Iterator[Source]:
    """Where a summary of `filters` (dated) reads: the store's connection, or the connection `ahead` (the
    scan of this selection, started before the models loaded) hands over, still in its read transaction,
    with its scan. `ahead` is closed after the block."""
    try:
        taken = ahead.take(*filters.where("a"), filters.as_of.isoformat(), schema_version()) if ahead else None
        if taken:
            yield Source(*taken)
        else:
            check = store.db.deferred_check
            yield Source(store.db.conn, None, check.wait if check is not None else None)
    finally:
        if ahead is not None:
            ahead.close()


@contextmanager
def summary_snapshot(source: Source, filters: Filters | None = None) -> Iterator[Summary]:
    """The summary without its long tables, inside the read transaction it was computed in.

    While the block runs, `action_plan_rows` and `appendix_rows` on the same connection (`source.conn`,
    with the same filters, `as_of` set) read the very data the figures were computed from, even if other
    sessions write meanwhile: a report streams them as it is saved.
    """
    filters = (filters or Filters()).dated()
    conn, scanned = source.conn, source.scanned
    for _ in range(3):
        if scanned is None:
            ensure_facts(conn, source.before_writing)
        began = not conn.in_transaction
        if began:
            conn.execute("BEGIN")  # one consistent snapshot for every query
        try:
            summary = _figures(conn, filters, scanned)
        except _FactsMissing:
            if began:
                conn.execute("COMMIT")
            scanned = None
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


def _figures(conn, filters: Filters, scanned: Scan | None = None) -> Summary:
    """Every figure but the long tables (inside the caller's read transaction)."""
    summary = _core(conn, filters, scanned=scanned)
    summary.conversations = _conversations(conn, filters)
    add_action_kinds(conn, filters, summary)
    add_followups(conn, filters, summary)
    _redact_quotes(conn, summary)
    earlier = previous_round(conn, filters)
    if earlier:
        before = _core(conn, filters.model_copy(update={"round": earlier, "date_from": None, "date_to": None}),
                       full=False)
        summary.change_since_previous_round = _change(summary, before, earlier)
    summary.trends = trend_series(conn, filters, summary.headline)
    summary.improvement_plan = improvement_plan(conn, filters)
    return summary


def _redact_quotes(conn, summary: Summary) -> None:
    """Quotes and open concerns name a case: the names its audits list to redact become initials."""
    from audit_tui.storage.governance import redactor

    names: dict[str, list[str]] = {}
    for case_ref, listed in conn.execute(
            "SELECT a.case_ref, p.redact_names FROM audit_privacy p JOIN audits a ON a.id = p.audit_id"):
        for name in json.loads(listed or "[]"):
            names.setdefault(case_ref, []).extend([name, name.split()[0]] if name.split() else [])
    if not names:
        return
    for theme in summary.themes:
        for quote in [*theme.strength_quotes, *theme.improvement_quotes]:
            quote.text = redactor(names.get(quote.case_ref, []))(quote.text)
    for concern in summary.open_concerns:
        concern.description = redactor(names.get(concern.case_ref, []))(concern.description)


def _conversations(conn, filters: Filters) -> ConversationFigures:
    """How many counted audits had their feedback conversation (and family feedback) recorded."""
    where, params = filters.where("a")
    audits, held, yes, partly, no, challenged, family = conn.execute(
        f"""SELECT count(*), count(c.held_on), count(CASE WHEN c.held_on IS NOT NULL AND c.agrees = 'yes' THEN 1 END),
                   count(CASE WHEN c.held_on IS NOT NULL AND c.agrees = 'partly' THEN 1 END),
                   count(CASE WHEN c.held_on IS NOT NULL AND c.agrees = 'no' THEN 1 END),
                   count(CASE WHEN c.held_on IS NOT NULL AND COALESCE(c.challenge, '') != '' THEN 1 END),
                   count(CASE WHEN COALESCE(c.family_said, '') != '' THEN 1 END)
            FROM audits a LEFT JOIN conversations c ON c.audit_id = a.id
            WHERE {where} AND a.status IN ('completed', 'moderated')""", params).fetchone()
    return ConversationFigures(audits=audits, held=held, challenged=challenged, family_feedback=family,
                               worker_agrees={"yes": yes, "partly": partly, "no": no,
                                              "not_recorded": held - yes - partly - no})


def selected_audit_ids(store: Store, filters: Filters | None = None, *, counted_only: bool = False) -> list[str]:
    """Ids of the audits `filters` selects (every status unless `counted_only`), sorted."""
    filters = filters or Filters()
    where, params = filters.where("a")
    if counted_only:
        where += " AND a.status IN ('completed', 'moderated')"
    return [r[0] for r in store.db.conn.execute(f"SELECT a.id FROM audits a WHERE {where} ORDER BY a.id", params)]
