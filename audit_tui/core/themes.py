"""Which themes an answer carries: tagged, mapped by its question, or found by keyword."""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Answer, Template


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in keyword.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def keyword_themes(template: Template, text: str) -> list[str]:
    """Theme ids whose keywords occur in `text` (whole words or phrases, any case)."""
    if not text:
        return []
    return [
        theme.id
        for theme in template.themes
        if any(kw.strip() and _keyword_pattern(kw).search(text) for kw in theme.keywords)
    ]


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
