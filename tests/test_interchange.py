"""The audit-tui/1 interchange file: lossless round trip, all-or-nothing import."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date

import pytest

from audit_tui.exchange.interchange import InterchangeError, export_json, import_json
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, compute_summary

from .factories import known_dataset

AS_OF = Filters(as_of=date(2026, 3, 20))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The known data set (plus an open concern) and its export."""
    folder = tmp_path_factory.mktemp("interchange")
    store = known_dataset(folder / "source.db")
    audit_id = store.list_audits(search="CL-0003")[0]["id"]
    store.raise_concern(audit_id, "Adult visiting the flat is a risk to Sam", "Tess Manager",
                        service_manager="Sid Service", told_who="Tess Manager", told_at="2026-02-10 11:05",
                        told_how="phone", route="adult_safeguarding")
    closed = store.raise_concern(store.list_audits(search="CL-0001")[0]["id"], "Bruise not explained",
                                 "Tess Manager", service_manager="Sid Service", told_who="Tess Manager",
                                 told_at="2026-02-10 12:00", told_how="in person")
    store.handle_concern(closed, "Child protection medical held the same day")
    export_json(store, folder / "export.json")
    store.close()
    return folder


def table_counts(store: Store) -> dict[str, int]:
    return {t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("audits", "answers", "answer_themes", "actions", "concerns", "moderations",
                      "moderated_answers", "templates", "history")}


def test_export_import_export_is_identical(exported, tmp_path):
    target = Store(tmp_path / "empty.db", actor="importer")
    result = import_json(target, exported / "export.json")
    assert (result.imported, result.unchanged, result.templates_added) == (6, 0, 1)
    export_json(target, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (exported / "export.json").read_bytes()
    assert stat.S_IMODE(os.stat(tmp_path / "again.json").st_mode) == 0o600


def test_import_gives_the_same_figures(exported, tmp_path):
    source = Store(exported / "source.db")
    target = Store(tmp_path / "empty.db")
    import_json(target, exported / "export.json")
    assert compute_summary(target, AS_OF) == compute_summary(source, AS_OF)  # answer_themes filled too
    assert compute_summary(target, AS_OF).open_concerns[0].case_ref == "CL-0003"


def test_file_shape(exported):
    data = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    assert data["format"] == "audit-tui/1"
    assert [t["id"] for t in data["templates"]] == ["test-audit"]
    assert [a["id"] for a in data["audits"]] == sorted(a["id"] for a in data["audits"])
    moderated = next(a for a in data["audits"] if a["case_ref"] == "CL-0004")
    assert moderated["moderation"]["answers"] == [
        {"question": "practice.quality", "grade": "requires_improvement", "comment": "Changed at moderation"}]
    assert moderated["status"] == "moderated"


def test_safeguarding_travels_in_the_file(exported):
    data = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    by_ref = {a["case_ref"]: a for a in data["audits"]}
    [open_one] = by_ref["CL-0003"]["concerns"]
    assert {k: open_one[k] for k in ("told_who", "told_at", "told_how", "team_manager", "service_manager",
                                     "route", "outcome", "handled_at")} == {
        "told_who": "Tess Manager", "told_at": "2026-02-10 11:05", "told_how": "phone",
        "team_manager": "Tess Manager", "service_manager": "Sid Service", "route": "adult_safeguarding",
        "outcome": "", "handled_at": None}
    urgent = next(a for a in by_ref["CL-0003"]["actions"] if a["id"] == open_one["action_id"])
    assert urgent["note"] == "safeguarding concern"
    assert by_ref["CL-0001"]["concerns"][0]["outcome"] == "Child protection medical held the same day"
    assert by_ref["CL-0001"]["safeguarding"] == "no_risk"  # stated when it was completed


def test_a_file_from_before_the_safeguarding_fields_still_imports(exported, tmp_path):
    lines = []
    for line in (exported / "export.json").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith('{"id"'):
            audit = json.loads(line.strip().rstrip(","))
            audit.pop("safeguarding")
            audit["concerns"] = [{k: c[k] for k in ("id", "raised_at", "raised_by", "description", "handled_at",
                                                    "handled_by")} for c in audit["concerns"]]
            line = "    " + json.dumps(audit) + ("," if line.rstrip().endswith(",") else "")
        lines.append(line)
    (tmp_path / "old.json").write_text("\n".join(lines), encoding="utf-8")
    target = Store(tmp_path / "empty.db")
    assert import_json(target, tmp_path / "old.json").imported == 6
    ref = target.list_audits(search="CL-0001")[0]
    assert ref["status"] == "completed"
    audit = target.get_audit(ref["id"])
    assert audit.safeguarding is None and audit.concerns[0].description == "Bruise not explained"


def test_import_logs_history(exported, tmp_path):
    target = Store(tmp_path / "empty.db")
    import_json(target, exported / "export.json")
    audit_id = target.list_audits(search="CL-0001")[0]["id"]
    assert [h["field"] for h in target.history(audit_id)] == ["imported"]


def test_reimport_of_identical_audits_is_a_no_op(exported, tmp_path):
    target = Store(tmp_path / "empty.db")
    import_json(target, exported / "export.json")
    before = table_counts(target)
    result = import_json(target, exported / "export.json")
    assert (result.imported, result.unchanged) == (0, 6)
    assert table_counts(target) == before


def test_same_id_with_different_content_is_refused(exported, tmp_path):
    target = Store(tmp_path / "empty.db")
    import_json(target, exported / "export.json")
    data = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    data["audits"][2]["impact"] = "Changed elsewhere: Sam is now settled and attends college every single week."
    (tmp_path / "changed.json").write_text(json.dumps(data), encoding="utf-8")
    before = table_counts(target)
    with pytest.raises(InterchangeError) as caught:
        import_json(target, tmp_path / "changed.json")
    assert f"audit 2 ({data['audits'][2]['case_ref']})" in str(caught.value)
    assert "already exists with different content" in str(caught.value)
    assert table_counts(target) == before


def _broken(exported, tmp_path, change) -> tuple[dict, object]:
    data = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return data, path


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["audits"][3]["answers"][0].update(grade="brilliant"), "answers[0].grade", "not a grade"),
    (lambda d: d["audits"][3]["answers"][0].update(question="practice.nope"), "answers[0].question",
     "not a question"),
    (lambda d: d["audits"][3].update(audited_on="2026-02-31"), "audited_on", "date"),
    (lambda d: d["audits"][3].update(template_version=9), "template_id", "neither in the file"),
    (lambda d: d["audits"][3].update(case_ref="bad ref!"), "case_ref", "case ref"),
    (lambda d: d["audits"][3]["actions"].append({"description": "x", "due": "soon"}), "actions[", "date"),
    (lambda d: d["audits"][3].update(overall_grade="superb"), "overall_grade", "not an overall grade"),
])
def test_a_bad_audit_in_the_middle_leaves_the_database_unchanged(exported, tmp_path, change, field, words):
    target = Store(tmp_path / "target.db")
    before = table_counts(target)
    data, path = _broken(exported, tmp_path, change)
    with pytest.raises(InterchangeError) as caught:
        import_json(target, path)
    message = str(caught.value)
    case_ref = data["audits"][3]["case_ref"]
    assert message.startswith(f"audit 3 ({case_ref}), field {field}") or \
        (message.startswith("audit 3 (") and f"field {field}" in message)
    assert words in message
    assert table_counts(target) == before
    assert target._templates == {}  # noqa: SLF001 - no half-imported template left in the cache


def test_clashing_action_id_is_refused(exported, tmp_path):
    target = Store(tmp_path / "target.db")
    import_json(target, exported / "export.json")
    data, path = _broken(exported, tmp_path, lambda d: None)
    clone = json.loads(json.dumps(data["audits"][0]))
    clone["id"] = "another-audit-id"
    clone["concerns"] = []
    clone["status"], clone["moderation"] = "draft", None  # (its actions no longer meet the completion gates)
    clone["actions"] = [{"id": "dup", "description": "Book the review meeting", "owner": "TM", "due": "2026-04-01"}]
    data = {"format": "audit-tui/1", "templates": data["templates"], "audits": [clone]}
    path.write_text(json.dumps(data), encoding="utf-8")
    import_json(target, path)
    clone["id"] = "third-audit-id"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InterchangeError, match="dup already exists"):
        import_json(target, path)


def test_template_with_same_version_but_different_content_is_refused(exported, tmp_path):
    target = Store(tmp_path / "target.db")
    import_json(target, exported / "export.json")
    _, path = _broken(exported, tmp_path, lambda d: d["templates"][0].update(title="Edited title"))
    with pytest.raises(InterchangeError, match="already stored with different content"):
        import_json(target, path)


@pytest.mark.parametrize("content, words", [
    (b"not json", "not valid JSON"),
    (b'{"format": "something-else"}', "not an audit-tui export"),
    (b'{"format": "audit-tui/1", "audits": {}}', "must be a list"),
    (b'{"format": "audit-tui/1", "extra": 1}', "unknown top-level"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_unreadable_files(tmp_path, content, words):
    path = tmp_path / "in.json"
    path.write_bytes(content)
    with pytest.raises(InterchangeError, match=words):
        import_json(Store(tmp_path / "t.db"), path)


def test_export_refuses_to_overwrite(exported, tmp_path):
    shutil.copy(exported / "export.json", tmp_path / "out.json")
    store = Store(exported / "source.db")
    with pytest.raises(Exception, match="already exists"):
        export_json(store, tmp_path / "out.json")
    assert export_json(store, tmp_path / "out.json", overwrite=True) == 6


def test_export_with_filters(exported, tmp_path):
    store = Store(exported / "source.db")
    assert export_json(store, tmp_path / "b.json", Filters(team="Team B")) == 2
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert {a["case_ref"] for a in data["audits"]} == {"CL-0003", "CL-0004"}


def test_control_characters_are_cleaned_on_import(exported, tmp_path):
    data = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    data["audits"][0]["answers"][0]["evidence"] = "Bell\u0007 and \u202eoverride\u202c here"
    (tmp_path / "c.json").write_text(json.dumps(data), encoding="utf-8")
    target = Store(tmp_path / "t.db")
    import_json(target, tmp_path / "c.json")
    evidence = target.get_audit(data["audits"][0]["id"]).answers[0].evidence
    assert evidence == "Bell and override here"
