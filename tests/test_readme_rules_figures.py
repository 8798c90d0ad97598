"""The README's rules for the figures and for merge, as tables written from the README (not from the code
under test), run in this process so that mutation testing sees the code they check (README, Development).

- "Headline measures": a measure counts every answered question that carries it, across the templates of
  the selected completed and moderated audits, the moderator's grade final; n/a and "too early to say" are
  left out of the base; the positive grades are counted; "audits" when each template has one question for
  the measure, "answers" when some have more; each label as the README names it.
- The change since the previous round: worked out from the unrounded figures, then rounded half away from
  zero to one decimal, never shown as -0.0.
- Merge: an audit changed on both sides is listed as a CONFLICT with its case ref, id and fields.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from audit_tui.domain.templates import parse_template
from audit_tui.exchange.interchange import export_json, import_json
from audit_tui.features.backup import backup
from audit_tui.features.merge import merge
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, compute_summary
from audit_tui.summary.headline import change_points

from .test_headline import ALPHA, AS_OF, LATER, audit, data_set
from .test_readme_rules import FIVE


def headline_of(folder, data: dict, **filters) -> list[tuple]:
    """(id, label, answered, good or better, %, counted in, previous %, change) of each headline measure, in
    order, from the summary of `data` imported into a new database."""
    (folder / "set.json").write_text(json.dumps(data), encoding="utf-8")
    with Store(folder / "audits.db", actor="Alex Auditor") as store:
        assert import_json(store, folder / "set.json").imported == len(data["audits"])
        summary = compute_summary(store, Filters(as_of=date.fromisoformat(AS_OF), **filters), rows=False)
    return [(h.id, h.label, h.answered, h.good_or_better, h.pct, h.counted_in, h.previous_pct, h.change)
            for h in summary.headline]


def test_headline_measures_of_the_later_round_counted_by_hand(tmp_path):
    """tests/test_headline.py's data set (its comments give each count), summarised in this process."""
    assert headline_of(tmp_path, data_set(), round=LATER) == [
        # alpha voice.lived good, RI, outstanding moderated to RI; beta child.seen good, inadequate; earlier 1 of 2
        ("lived_experience", "Lived experience evident", 5, 2, 40.0, "audits", 50.0, -10.0),
        # improved, too_early (left out), no_change; some_improvement, worse; earlier 1 of 2
        ("impact", "Positive impact of the work", 4, 2, 50.0, "audits", 50.0, 0.0),
        # beta only, good and RI; not measured in the earlier round
        ("management_oversight", "Management oversight good or better", 2, 1, 50.0, "audits", None, None),
        # two alpha questions an audit: quality RI, good, good; smart yes, n/a (left out), partly; earlier 2 of 4
        ("planning", "Planning good or better", 5, 3, 60.0, "answers", 50.0, 10.0),
    ]


def test_a_measure_counts_where_the_audits_own_version_tags_it_and_a_new_id_is_named_from_it(tmp_path):
    """Version 2 of alpha tags plan.quality (not plan.smart) for planning, and plan.other for a measure of
    its own, family-voice; the version 1 audit's answers count as version 1 tags them."""
    second = copy.deepcopy(ALPHA) | {"version": 2}
    plan = second["sections"][1]["questions"]
    plan[1]["measures"] = []
    plan[2]["measures"] = ["family-voice"]
    audits = [
        audit(1, "alpha", LATER, "2026-05-12", {"voice.lived": "good", "voice.impact": "improved",
                                                 "plan.quality": "requires_improvement", "plan.smart": "yes",
                                                 "plan.other": "good"}),
        audit(2, "alpha", LATER, "2026-05-12", {"voice.lived": "inadequate", "voice.impact": "too_early",
                                                 "plan.quality": "good", "plan.smart": "no", "plan.other": "good"}),
        audit(3, "alpha", LATER, "2026-05-12", {"voice.lived": "good", "voice.impact": "worse",
                                                 "plan.quality": "n/a", "plan.smart": "yes",
                                                 "plan.other": "requires_improvement"}),
        audit(4, "alpha", LATER, "2026-05-12", {"voice.lived": "good", "plan.other": "good"}, status="draft"),
    ]
    for raw in audits[1:]:
        raw["template_version"] = 2
    data = {"format": "audit-tui/1", "templates": [ALPHA, second], "audits": audits}
    assert headline_of(tmp_path, data) == [
        ("lived_experience", "Lived experience evident", 3, 2, 66.7, "audits", None, None),  # the draft is not counted
        ("impact", "Positive impact of the work", 2, 1, 50.0, "audits", None, None),  # too_early left out
        # v1: quality RI, smart yes; v2: quality good, n/a (left out); v2's smart (no, yes) carries nothing
        ("planning", "Planning good or better", 3, 2, 66.7, "answers", None, None),
        ("family-voice", "Family voice good or better", 2, 1, 50.0, "audits", None, None),  # v2 only: good, RI
    ]


# (now: part, whole), (before: part, whole), the change in points
CHANGES = [
    ((1, 3), (1, 16), 27.1),      # 33.33… − 6.25 = 27.08…, not 33.3 − 6.3 = 27.0
    ((1, 16), (0, 1), 6.3),       # 6.25 exactly: half away from zero
    ((0, 1), (1, 16), -6.3),
    ((1, 2000), (0, 1), 0.1),     # 0.05
    ((0, 1), (1, 2000), -0.1),
    ((1, 3000), (0, 1), 0.0),     # 0.033…
    ((0, 1), (1, 3000), 0.0),     # −0.033… is 0.0, not −0.0
    ((1, 2), (1, 2), 0.0),
    ((0, 0), (1, 2), None),       # no base now: no change
    ((1, 2), (0, 0), None),       # no base before
]


@pytest.mark.parametrize("now, before, expected", CHANGES)
def test_change_in_points_is_rounded_half_away_from_zero_from_unrounded_figures(now, before, expected):
    change = change_points(now, before)
    assert change == expected
    if expected is not None:
        assert str(change) == str(expected)  # 0.0, never -0.0


# what each copy changes of one draft audit, and the fields its CONFLICT line names
BOTH_SIDES = [
    ({"lived_experience": "Sam told us here that she feels safe at home with her carers now"},
     {"lived_experience": "Sam told us there that she wants to move nearer to her college soon"},
     ["lived_experience"]),
    ({"grade": "good"}, {"grade": "outstanding"}, ["answer s.q1"]),
]


@pytest.mark.parametrize("mine, theirs, fields", BOTH_SIDES)
def test_an_audit_changed_on_both_sides_is_a_conflict_naming_case_id_and_fields(tmp_path, mine, theirs, fields):
    template = parse_template(FIVE, "five.yaml")
    here = Store(tmp_path / "here.db", actor="Ann Auditor")
    audit_id = here.create_audit(template, case_ref="CL-BOTH")
    backup(here, tmp_path / "there.db")
    with Store(tmp_path / "there.db", actor="Bob Auditor") as there:
        for store, change in ((here, mine), (there, theirs)):
            if "grade" in change:
                store.set_answer(audit_id, "s.q1", **change)
            else:
                store.update_audit(audit_id, **change)
    with here:
        result = merge(here, tmp_path / "there.db")
    [line] = [c.describe() for c in result.conflicts]
    assert line.startswith(f"CL-BOTH (id {audit_id})") and line.endswith(" — " + ", ".join(fields))


@pytest.mark.parametrize("other", ["there.db", "there.json"])
def test_a_dry_run_says_what_would_change_and_changes_nothing(tmp_path, other):
    """README: "Add `--dry-run` to see what would change first"; a .json file is merged as a database is."""
    template = parse_template(FIVE, "five.yaml")
    with Store(tmp_path / "there.db", actor="Bob Auditor") as there:
        there.create_audit(template, case_ref="CL-NEW")
        export_json(there, tmp_path / "there.json")
    with Store(tmp_path / "here.db", actor="Ann Auditor") as here:
        result = merge(here, tmp_path / other, dry_run=True)
        assert result.lines()[0].startswith("Would add 1 audit(s), would update 0;")
        # the audit's history (one row: created) travels with it, and the template it uses comes along
        assert result.lines()[1] == "History rows to add: 1; templates: 1; rounds: 0; allocated cases: 0"
        assert here.count_audits() == 0
