"""docs/formats.md names every key the real commands print: `summary --json` (top level and nested
objects) and the `audit-tui/1` interchange file (top level, each audit and its parts, and the
templates inside it). A field added without a word in the document fails here.

The commands run (in this process: their output is the point here) on a copy of the demo database,
built by `audit-tui demo` once per test session; the file is exported, given a feedback
conversation and family feedback where the demo has none, imported into a new database and
exported again, so those keys come from the code's own output too. The quality lead's commentary,
a recommendation and a target are set with the CLI first, so the file and the summary carry them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import copy_database
from tests.helpers.cli import invoke

pytestmark = pytest.mark.xdist_group("formats_documented")  # its fixture: once, on one worker (--dist loadgroup)
DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"

# Objects whose keys are data (grade ids, team names, template ids), not field names: their keys are
# not looked for in the document (the object's own name is). Paths are keys joined by dots, list
# positions left out.
DATA_KEYED = {
    "overall_grades", "questions.grades", "sections.grades", "sections.overall_grades", "teams.grades",
    "teams.overall_grades", "scope.teams", "scope.service_areas", "scope.templates", "scope.template_titles",
    "grade_labels", "grade_good_or_better", "grade_scales", "targets",
}


def _cli(folder: Path, *args: str) -> str:
    env = {"AUDIT_TUI_CONFIG_DIR": str(folder / "config"), "AUDIT_TUI_DATA_DIR": str(folder / "data")}
    done = invoke(*args, cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory, demo_built):
    """(summaries, interchange files) as the commands print and write them."""
    folder = tmp_path_factory.mktemp("formats")
    demo, copy = copy_database(demo_built, folder / "demo.db"), folder / "copy.db"
    _cli(folder, "export", str(folder / "demo.json"), "--db", str(demo))
    data = json.loads((folder / "demo.json").read_text(encoding="utf-8"))
    latest = max((a for a in data["audits"] if a["round"]), key=lambda a: a["audited_on"])["round"]
    _cli(folder, "rounds", "commentary", latest, "--set", "Plans are better; oversight is not yet.", "--db", str(demo))
    _cli(folder, "rounds", "recommend", latest, "--what", "Supervision records the child's plan", "--lead",
         "Head of service", "--outcome", "90% of plans reviewed in supervision", "--due", "2027-03-31", "--db", str(demo))
    _cli(folder, "rounds", "target", "lived_experience", "85", "--db", str(demo))
    _cli(folder, "export", str(folder / "demo.json"), "--force", "--db", str(demo))
    data = json.loads((folder / "demo.json").read_text(encoding="utf-8"))
    first = data["audits"][0]
    if first["conversation"] is None:
        first["conversation"] = {"held_on": first["audited_on"], "reflection": "We talked it through."}
    if first["family_feedback"] is None:
        first["family_feedback"] = {"said": "She likes her new school."}
    (folder / "edited.json").write_text(json.dumps(data), encoding="utf-8")
    _cli(folder, "import", str(folder / "edited.json"), "--db", str(copy))
    _cli(folder, "export", str(folder / "copy.json"), "--db", str(copy))
    summaries = [json.loads(_cli(folder, "summary", "--json", "--rows", "--db", str(copy))),
                 json.loads(_cli(folder, "summary", "--json", "--rows", "--round", latest, "--db", str(copy)))]
    files = [data, json.loads((folder / "copy.json").read_text(encoding="utf-8"))]
    return summaries, files


def _keys(value, path: str = "") -> set[tuple[str, str]]:
    """(dotted path, key) of every key of every object in `value`, but the keys of DATA_KEYED objects."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if path not in DATA_KEYED:
                found.add((path, key))
            found |= _keys(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            found |= _keys(item, path)
    return found


def _part(number: int) -> set[str]:
    """The words inside inline code (`...`) in part `number` of the document ("## 2. ..."), code
    blocks left out: the names the part documents."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (?=\d+\. )", text, flags=re.M)
    part = next(p for p in parts if p.startswith(f"{number}. "))
    part = re.sub(r"^```.*?^```", "", part, flags=re.M | re.S)
    return {word for span in re.findall(r"`([^`\n]+)`", part) for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)}


def _undocumented(found: set[tuple[str, str]], named: set[str]) -> list[str]:
    return sorted(f"{path + '.' if path else ''}{key}" for path, key in found if key not in named)


def test_every_summary_key_is_documented(printed):
    summaries, _ = printed
    found = set().union(*(_keys(s) for s in summaries))
    assert {key for path, key in found if not path} >= {"audits", "headline", "questions", "themes", "actions"}
    assert ("moderation.agreement", "all_questions") in found  # the demo has moderated audits
    assert ("change_since_previous_round.rows", "previous_base") in found  # --round with an earlier round
    assert ("appendix", "actions_clear") in found and ("action_plan", "overdue") in found  # --rows
    assert ("trends.measures.points", "rag") in found and ("improvement_plan.recommendations", "outcome") in found
    missing = _undocumented(found, _part(3))
    assert not missing, ("keys `summary --json` prints that docs/formats.md (part 3) does not name; describe "
                         "them there (or, for an object keyed by data such as team names, add it to DATA_KEYED): "
                         + ", ".join(missing))


def test_every_interchange_key_is_documented(printed):
    _, files = printed
    audits = set().union(*(_keys(f["audits"]) for f in files))
    lead = set().union(*(_keys({k: v for k, v in f.items() if k not in ("templates", "audits")}) for f in files))
    assert ("conclusions.recommendations", "rag") in lead
    top = {(path, key) for f in files for path, key in _keys(f) if not path}
    assert {key for _, key in top} >= {"format", "templates", "audits", "conclusions", "targets"}
    assert ("", "redact_names") in audits and ("conversation", "agrees") in audits
    assert ("family_feedback", "how") in audits and ("moderation.answers", "comment") in audits
    assert ("concerns", "outcome") in audits
    missing = _undocumented(lead | audits, _part(2))
    assert not missing, ("keys of the interchange file that docs/formats.md (part 2) does not name: "
                         + ", ".join(missing))
    templates = set().union(*(_keys(f["templates"]) for f in files))
    assert ("sections.questions", "measures") in templates
    missing = _undocumented(templates, _part(1))
    assert not missing, ("template keys in the interchange file that docs/formats.md (part 1) does not name: "
                         + ", ".join(missing))
