"""Which themes an answer carries: tagged, mapped by its question, or found by keyword."""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Answer, Template


_WORD = re.compile(r"\w+")
# ASCII bytes → the same bytes with A-Z in lower case and every non-word character (not \w) a space
_FOLD = bytes(c if chr(c).isalnum() or c == ord("_") else 32 for c in range(128)).lower() + b" " * 128


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


def _plan(template: Template):
    """For a template's themes: anchor word → [(theme index, regex)], and the themes without anchors.
    Kept beside the template's fields (pydantic compares and dumps fields only) and built again if
    its list of themes changes."""
    shape = (id(template.themes), len(template.themes))
    cached = template.__dict__.get("_keyword_plan")
    if cached is None or cached[0] != shape:
        by_anchor: dict[bytes, list[tuple[int, re.Pattern[str]]]] = {}
        unanchored = []
        for index, theme in enumerate(template.themes):
            matcher = _theme_matcher(tuple(theme.keywords))
            if matcher is None:
                continue
            pattern, anchors = matcher
            if anchors is None:
                unanchored.append((index, pattern))
            else:
                for anchor in anchors:
                    by_anchor.setdefault(anchor.encode("ascii"), []).append((index, pattern))
        cached = (shape, (by_anchor, unanchored))
        template.__dict__["_keyword_plan"] = cached
    return cached[1]


def keyword_themes(template: Template, text: str) -> list[str]:
    """Theme ids whose keywords occur in `text` (whole words or phrases, any case)."""
    if not text:
        return []
    if not text.isascii():
        return [theme.id for theme in template.themes
                if (matcher := _theme_matcher(tuple(theme.keywords))) and matcher[0].search(text)]
    by_anchor, unanchored = _plan(template)
    found = {index for index, pattern in unanchored if pattern.search(text)}
    # In an ASCII text a theme's match starts where a whole word equal to one of its anchors starts;
    # the folded bytes keep every position, so the anchor's places in them are tried in `text`
    # (the regex's own look-behind rejects places inside a longer word).
    lower = text.encode("ascii").translate(_FOLD)  # one byte per character: same positions as `text`
    for anchor in set(lower.split()).intersection(by_anchor):
        for index, pattern in by_anchor[anchor]:
            at = -1 if index in found else lower.find(anchor)
            while at >= 0:
                if pattern.match(text, at):
                    found.add(index)
                    break
                at = lower.find(anchor, at + 1)
    return [template.themes[index].id for index in sorted(found)]


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
