"""Which themes an answer carries: tagged, mapped by its question, or found by keyword."""

from __future__ import annotations

import re
from functools import lru_cache

from audit_tui.domain.models import Answer, Template

# ASCII bytes → the same bytes with A-Z in lower case and every whitespace character (as `\s` sees it) a space
_LOWER = bytes(32 if chr(c).isspace() else c for c in range(128)).lower() + bytes(range(128, 256))
# … and with every non-word character (not `\w`) a space, which leaves the words
_FOLD = bytes(c if chr(c).isalnum() or c == ord("_") else 32 for c in range(128)).lower() + b" " * 128
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
_RUN = re.compile(r"[a-z0-9_]+")


def _phrase(keyword: str) -> str:
    return r"\s+".join(re.escape(w) for w in keyword.lower().split())


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + _phrase(keyword) + r"(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _theme_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all of a theme's keywords: it matches where any one of them does (the
    alternation backtracks to the next keyword when a boundary check fails)."""
    keywords = tuple(kw for kw in keywords if kw.strip())
    if not keywords:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(_phrase(kw) for kw in keywords) + r")(?!\w)", re.IGNORECASE)


def _plan(template: Template):
    """How to find a template's themes in an ASCII text, without a regex.

    In an ASCII text a keyword matches exactly where, once the text is in lower case with its
    runs of whitespace made single spaces, the keyword in that form occurs with a non-word
    character (or the text's end) on either side. Each run of word characters in the keyword
    is then a whole word of the text, so only the themes of the text's words need looking at.
    Returns the anchor word (a keyword's longest run) → [(theme index, the phrases to find, or
    None when the word is itself a keyword)], and the patterns of keywords with no anchor
    (not ASCII, or no word character). Kept beside the template's fields (pydantic compares and
    dumps fields only) and built again if its list of themes changes."""
    shape = (id(template.themes), len(template.themes))
    cached = template.__dict__.get("_theme_plan")
    if cached is None or cached[0] != shape:
        phrases: dict[bytes, dict[int, list[bytes | None]]] = {}
        unanchored = []
        for index, theme in enumerate(template.themes):
            for keyword in theme.keywords:
                phrase = " ".join(keyword.lower().split())
                runs = _RUN.findall(phrase)
                if not keyword.isascii() or not runs:
                    if phrase:
                        unanchored.append((index, _keyword_pattern(keyword)))
                    continue
                anchor = max(runs, key=len)
                found = phrases.setdefault(anchor.encode(), {}).setdefault(index, [])
                found.append(None if phrase == anchor else phrase.encode())
        by_anchor = {anchor: [(index, None if None in found else tuple(found)) for index, found in themes.items()]
                     for anchor, themes in phrases.items()}
        cached = (shape, (by_anchor, unanchored))
        template.__dict__["_theme_plan"] = cached
    return cached[1]


def _occurs(phrases: tuple[bytes, ...], text: bytes) -> bool:
    """Whether one of `phrases` occurs in `text` (padded with spaces) between non-word characters."""
    for phrase in phrases:
        at = text.find(phrase)
        while at >= 0:
            if text[at - 1] not in _WORD_BYTES and text[at + len(phrase)] not in _WORD_BYTES:
                return True
            at = text.find(phrase, at + 1)
    return False


def keyword_themes(template: Template, text: str) -> list[str]:
    """Theme ids whose keywords occur in `text` (whole words or phrases, any case)."""
    if not text:
        return []
    if not text.isascii():
        return [theme.id for theme in template.themes
                if (pattern := _theme_pattern(tuple(theme.keywords))) and pattern.search(text)]
    by_anchor, unanchored = _plan(template)
    found = {index for index, pattern in unanchored if pattern.search(text)}
    spaced = b" " + b" ".join(text.encode("ascii").translate(_LOWER).split()) + b" "
    for anchor in by_anchor.keys() & spaced.translate(_FOLD).split():
        for index, phrases in by_anchor[anchor]:
            if index not in found and (phrases is None or _occurs(phrases, spaced)):
                found.add(index)
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
