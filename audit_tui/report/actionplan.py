"""The action plan: in the report's body, open and overdue actions counted by team and owner; in an
annex, every open action (done ones are only counted)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import tee

from audit_tui.report import docxkit as kit
from audit_tui.report.rows import ReportRows
from audit_tui.report.sentences import plural
from audit_tui.report.streamed import StreamedTables
from audit_tui.summary import Summary

LONG_OVERDUE = (30, 90)  # days: the bands the body counts


def kinds_sentence(summary: Summary) -> str:
    """The actions by kind, and the answers below good that needed none (with the reason on file)."""
    kinds = summary.actions_by_kind
    text = (f"By kind: {plural(kinds.get('case', 0), 'case action')}, {kinds.get('learning', 0)} learning for the "
            f"worker and {plural(kinds.get('service', 0), 'service recommendation')}.")
    if summary.answers_no_action:
        text += (f" {plural(summary.answers_no_action, 'answer')} graded below good needed no new action, "
                 "with the reason on file (for example, already in hand).")
    return text


def _owners(summary: Summary, rows: ReportRows) -> list[list]:
    """One row per team and owner with open actions: open, overdue, overdue by more than 30 and 90 days,
    and the most days overdue."""
    as_of = date.fromisoformat(summary.scope.as_of)
    out = []
    for team in rows.teams:
        if not team.open:
            continue
        owners: dict[str, list[int]] = defaultdict(list)  # owner -> days overdue of each open action (0: not)
        for action in rows.actions(team.team):
            if action.status == "open":
                late = (as_of - date.fromisoformat(action.due)).days if action.overdue and action.due else 0
                owners[action.owner or "(no owner)"].append(late)
        for owner, days in sorted(owners.items(), key=lambda o: (-sum(d > 0 for d in o[1]), o[0].lower())):
            late = [d for d in days if d > 0]
            out.append([team.team or "(no team)", owner, len(days), len(late)]
                       + [sum(d > limit for d in late) for limit in LONG_OVERDUE] + [max(late, default="–")])
    return out


def followup_sentences(summary: Summary) -> list[str]:
    """The re-audits the inadequate audits need, and whether the actions made a difference at follow-up."""
    out = []
    re, fu = summary.reaudits, summary.followups
    if re and re.inadequate:
        out.append(f"Re-audits: of {plural(re.inadequate, 'audit')} graded inadequate, {re.scheduled} "
                   f"{'has' if re.scheduled == 1 else 'have'} a re-audit date, {re.done} "
                   f"{'has' if re.done == 1 else 'have'} been re-audited, {re.overdue} overdue and "
                   f"{re.unscheduled} without a date yet.")
    if fu and fu.audits:
        n = fu.impact
        out.append(f"At follow-up, the earlier actions had made a difference in {fu.made_a_difference} of "
                   f"{plural(fu.judged, 'follow-up audit')} judged (improved {n['improved']}, some improvement "
                   f"{n['some_improvement']}, no change {n['no_change']}, worse {n['worse']}; too early to say "
                   f"{n['too_early']}, not recorded {n['not_recorded']}).")
    return out


def actions_section(doc, summary: Summary, rows: ReportRows, letter: str) -> None:
    kit.heading(doc, "Action plan", 1)
    acts = summary.actions
    as_of = kit.long_date(summary.scope.as_of)
    kit.para(doc, f"{plural(acts.total, 'action')}: {acts.open} open, of which {acts.overdue} overdue at {as_of} "
                  f"(open and due before that date), and {acts.done} done. The table counts the open actions of "
                  f"each team by owner, most overdue first; every open action is listed in Annex {letter}.")
    if acts.total or summary.answers_no_action:
        kit.para(doc, kinds_sentence(summary))
    for sentence in followup_sentences(summary):
        kit.para(doc, sentence)
    owners = _owners(summary, rows)
    if not owners:
        kit.para(doc, "The audits set no actions." if not acts.total else "No action is open.")
        return
    kit.table(doc, ["Team", "Owner", "Open", "Overdue", f"Over {LONG_OVERDUE[0]} days",
                    f"Over {LONG_OVERDUE[1]} days", "Most days overdue"], owners,
              widths=[3.6, 3.6, 1.5, 1.8, 1.9, 1.9, 2.1], numeric=(2, 3, 4, 5, 6),
              fills=(kit.OVERDUE_FILL if row[3] else None for row in owners),
              title=f"Open actions by team and owner, overdue at {as_of}")


def actions_annex(doc, summary: Summary, rows: ReportRows, streamed: StreamedTables, letter: str) -> None:
    kit.annex_heading(doc, f"Annex {letter}: Open actions")
    kit.para(doc, f"Every open action, by team, overdue first (shaded), then by due date; overdue means due before "
                  f"{kit.long_date(summary.scope.as_of)}. {plural(summary.actions.done, 'done action')} "
                  f"{'is' if summary.actions.done == 1 else 'are'} counted in the action plan, not listed.")
    teams = [team for team in rows.teams if team.open]
    if not teams:
        kit.para(doc, "No action is open.")
    for team in teams:
        kit.heading(doc, f"{team.team or '(no team)'}: {plural(team.open, 'open action')}"
                         + (f", {team.overdue} overdue" if team.overdue else ""), 2)
        cells, fills = tee(r for r in rows.actions(team.team) if r.status == "open")
        kit.table(doc, ["Case", "Action", "Owner", "Due", "Status"],
                  ([r.case_ref, r.description, r.owner, kit.long_date(r.due) or "no date",
                    "OVERDUE" if r.overdue else r.status.capitalize()] for r in cells),
                  widths=[2.0, 6.9, 2.9, 2.4, 2.2], fills=(kit.OVERDUE_FILL if r.overdue else None for r in fills),
                  streamed=streamed, title=f"Open actions of {team.team or '(no team)'}")
