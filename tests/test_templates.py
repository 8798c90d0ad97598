"""Templates: the built-in ones validate; bad ones give file:line messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tui.domain.templates import BUILTIN_DIR, TemplateError, discover_templates, load_template, parse_template

BUILTIN = sorted(BUILTIN_DIR.glob("*.yaml"))


def test_there_are_five_built_in_templates():
    assert {p.stem for p in BUILTIN} == {"care-leavers", "children-looked-after", "child-protection",
                                          "children-in-need", "supervision-oversight"}


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_built_in_template_validates_with_guidance_and_lexicon(path: Path):
    template = load_template(path)
    assert template.id == path.stem
    assert template.themes, "a theme lexicon"
    for key, section, question in template.questions():
        assert section.guidance and question.guidance, f"{key} needs guidance"
    assert template.question("voice.lived_experience") is not None


def error_lines(text: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "bad.yaml")
    return caught.value.problems


GOOD_HEAD = "id: t\nversion: 1\ntitle: T\n"


def test_unknown_key_names_file_and_line():
    text = GOOD_HEAD + "sections:\n  - id: s\n    title: S\n    questions:\n      - id: q\n        text: Q\n        colour: red\n"
    [line] = error_lines(text)
    assert line.startswith("bad.yaml:10:") and "colour" in line


def test_bad_cross_references_each_named_with_their_line():
    text = GOOD_HEAD + (
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    questions:\n"
        "      - {id: q, text: Q, scale: stars}\n"
        "      - {id: r, text: R, themes: [nope]}\n"
        "      - {id: u, text: U, only_if: {question: s.later, answer_in: [good]}}\n"
        "      - {id: v, text: V, only_if: {question: s.r, answer_in: [maybe]}}\n"
        "      - {id: q, text: Again}\n")
    problems = error_lines(text)
    assert any(p.startswith("bad.yaml:8:") and "unknown scale 'stars'" in p for p in problems)
    assert any(p.startswith("bad.yaml:9:") and "unknown theme 'nope'" in p for p in problems)
    assert any(p.startswith("bad.yaml:10:") and "not an earlier question" in p for p in problems)
    assert any(p.startswith("bad.yaml:11:") and "'maybe' is not a level" in p for p in problems)
    assert any(p.startswith("bad.yaml:12:") and "duplicate question 's.q'" in p for p in problems)


def test_yaml_syntax_error_and_aliases_and_tags_refused():
    assert error_lines(GOOD_HEAD + "sections: [\n")[0].startswith("bad.yaml:")
    aliased = GOOD_HEAD + "x: &a [1]\nsections: *a\n"
    assert "aliases are not allowed" in error_lines(aliased)[0]
    tagged = GOOD_HEAD + "sections: !!python/object:os.system {}\n"
    assert error_lines(tagged)[0].startswith("bad.yaml:4:")


def test_unquoted_yes_is_a_level_not_a_boolean():
    text = GOOD_HEAD + ("sections:\n  - id: s\n    title: S\n    questions:\n"
                        "      - {id: c, text: C, scale: yes_partly_no}\n"
                        "      - {id: d, text: D, only_if: {question: s.c, answer_in: [yes]}}\n")
    assert parse_template(text, "t.yaml").question("s.d").only_if.answer_in == ["yes"]


def test_user_template_folder_is_picked_up_and_bad_files_reported(tmp_path):
    (tmp_path / "mine.yaml").write_text(GOOD_HEAD.replace("id: t", "id: mine") +
                                        "sections:\n  - {id: s, title: S, questions: [{id: q, text: Q}]}\n")
    (tmp_path / "broken.yaml").write_text("id: [\n")
    found, problems = discover_templates(tmp_path)
    assert "mine" in {t.id for t in found}
    assert len(problems) == 1 and problems[0].startswith(str(tmp_path / "broken.yaml") + ":")


def test_limiting_is_only_for_four_point_questions():
    text = GOOD_HEAD + (
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    questions:\n"
        "      - {id: q, text: Q, limiting: true}\n"
        "      - {id: r, text: R, scale: yes_partly_no, limiting: true}\n")
    [line] = error_lines(text)
    assert line.startswith("bad.yaml:9:") and "only a four-point (ilacs) question can be limiting" in line


def test_yes_partly_no_levels_say_what_each_grade_means():
    """README (Writing a template): the built-in yes/partly/no levels carry descriptors shown while grading."""
    scale = load_template(BUILTIN_DIR / "care-leavers.yaml").scale_map()["yes_partly_no"]
    described = {level.id: level.description for level in scale.levels}
    assert described["yes"].startswith("Done") and "evidenced on file" in described["yes"]
    assert "late" in described["partly"] and "incomplete" in described["partly"]
    assert described["no"].startswith("Not done")
