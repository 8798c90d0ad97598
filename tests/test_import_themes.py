"""Keyword themes, found for every imported answer, follow the rule stated once here as a regex.

A theme's keyword occurs in a text where its words do, in any case, separated by any whitespace,
with no letter, digit or underscore just before or after (`(?<!\\w)word\\s+word(?!\\w)`).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tui.domain.models import Answer
from audit_tui.domain.templates import parse_template
from audit_tui.domain.themes import answer_themes, keyword_themes
from audit_tui.features.samples import builtin_templates

TRICKY = parse_template("""\
id: tricky
version: 1
title: Keywords that share words, carry punctuation or are not ASCII
themes:
  - {id: touch, label: In touch, keywords: ["in touch", "not in touch", "kept  in touch"]}
  - {id: voice, label: Voice, keywords: ["young person's views", "voice of the child", "in their own words"]}
  - {id: agency, label: Agencies, keywords: ["multi-agency", "multi agency", "sign-off", "GP"]}
  - {id: care, label: Care, keywords: ["care leavers' forum", "care", "_care_"]}
  - {id: foreign, label: Not ASCII, keywords: ["café", "naïve plan", "  ", "--"]}
sections:
  - id: s
    title: S
    questions:
      - {id: q, text: Q, themes: [care]}
""", "tricky.yaml")
TEMPLATES = [TRICKY, *builtin_templates()]


def by_the_rule(template, text: str) -> list[str]:
    def occurs(keyword: str) -> bool:
        words = keyword.lower().split()
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
        return bool(words) and re.search(pattern, text, re.IGNORECASE) is not None

    return [theme.id for theme in template.themes if any(occurs(k) for k in theme.keywords)]


def fragments(template):
    keywords = [k for theme in template.themes for k in theme.keywords]
    changed = st.tuples(st.sampled_from(keywords), st.sampled_from([str, str.upper, str.title]),
                        st.sampled_from([" ", "  ", "\t", "\n", "\x1c", "-", ", ", "", "_", "'"]))
    keyword = changed.map(lambda c: c[1](c[0]).replace(" ", c[2]))
    cut = st.tuples(st.sampled_from(keywords), st.integers(0, 30)).map(lambda c: c[0][:c[1]])
    return st.one_of(keyword, cut, st.sampled_from(["ing", "s", "the", "é", "1", "(", ")", ".", "\x85"]),
                     st.text(max_size=8))


@st.composite
def template_and_text(draw):
    template = draw(st.sampled_from(TEMPLATES))
    parts = draw(st.lists(fragments(template), max_size=8))
    joins = draw(st.lists(st.sampled_from([" ", "", "-", "'", "_", "\n", ". ", "x"]), min_size=len(parts),
                          max_size=len(parts)))
    return template, "".join(p + j for p, j in zip(parts, joins))


@settings(max_examples=400, deadline=None)
@given(template_and_text())
def test_keyword_themes_follow_the_rule(case):
    template, text = case
    assert keyword_themes(template, text) == by_the_rule(template, text)


def test_tricky_cases():
    assert keyword_themes(TRICKY, "We kept\t IN\ntouch; care-leavers") == ["touch", "care"]
    assert keyword_themes(TRICKY, "in-touch, touching, intouch, multi - agency, GPs") == []
    assert keyword_themes(TRICKY, "The Young Person's  Views; a multi-agency sign-off by the GP.") == ["voice", "agency"]
    assert keyword_themes(TRICKY, "the _care_ plan, CAFÉ and a naïve\u00a0plan") == ["care", "foreign"]


def test_an_answer_carries_tagged_question_and_keyword_themes():
    answer = Answer(question="s.q", evidence="Still in touch with the GP", themes=["voice", "voice"])
    assert answer_themes(TRICKY, answer) == {"voice": "tagged", "care": "question", "touch": "keyword",
                                             "agency": "keyword"}
