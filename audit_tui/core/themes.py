"""Which themes an answer carries: tagged, mapped by its question, or found by keyword."""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Answer, Template


_WORD = re.compile(r"\w+")


def _phrase(keyword: str) -> str:
    return r"\s+".join(re.escape(w) for w in keyword.lower().split())


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + _phrase(keyword) + r"(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _theme_matcher(keywords: tuple[str, ...]) -> tuple[re.Pattern[str], frozenset[str] | None] | None:
    """One regex for all of a theme's keywords (it matches where any one of them does: the
    alternation backtracks to the next keyword when a boundary check fails), and the words
    one of which an ASCII text must contain for it to match (None: no such shortcut)."""
    keywords = tuple(kw for kw in keywords if kw.strip())
    if not keywords:
        return None
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(_phrase(kw) for kw in keywords) + r")(?!\w)", re.IGNORECASE)
    # A match starts where no word character precedes it, so in an ASCII text the keyword's
    # first run of word characters is a whole word of the text (compared in lower case).
    anchors = set()
    for kw in keywords:
        first = _WORD.match(kw.lower().split()[0])
        if not kw.isascii() or first is None:
            return pattern, None
        anchors.add(first.group())
    return pattern, frozenset(anchors)


def keyword_themes(template: Template, text: str) -> list[str]:
    """Theme ids whose keywords occur in `text` (whole words or phrases, any case)."""
    if not text:
        return []
    words = set(_WORD.findall(text.lower())) if text.isascii() else None
    found = []
    for theme in template.themes:
        matcher = _theme_matcher(tuple(theme.keywords))
        if matcher is None:
            continue
        pattern, anchors = matcher
        if words is not None and anchors is not None and words.isdisjoint(anchors):
            continue
        if pattern.search(text):
            found.append(theme.id)
    return found


def answer_themes(template: Template, answer: Answer) -> dict[str, str]:
    """Every theme an answer carries, with where it came from (tagged, question, keyword)."""
    found: dict[str, str] = {}
    for theme in answer.themes:
        found.setdefault(theme, "tagged")
    question = template.question(answer.question)
    for theme in question.themes if question else []:
        found.setdefault(theme, "question")
    for theme in keyword_themes(template, answer.evidence):
        found.setdefault(theme, "keyword")
    return found
