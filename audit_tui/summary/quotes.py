"""Evidence quotes for the themes: one specific sentence of an answer's evidence, never boilerplate.

For each theme, as a strength and as an area for improvement, the candidate answers come best
first (summary.facts: evidence naming the theme, then the best grades for a strength and the
worst for an area for improvement). From each, one sentence is quoted (text in quotation marks
is never cut in two), at most QUOTE_CHARS long:

- **specific**: at least MIN_WORDS words;
- **not boilerplate**: not a sentence half or more of whose runs of SHARED_RUN words are found in
  the candidate evidence of BOILERPLATE_CASES or more other cases, leaving out names and the
  themes' own words (a stock phrase, or wording pasted from a template with a name or theme put in);
- **on the right side**: under an area for improvement, only a sentence that states a shortfall
  (`SHORTFALL`: not, no, without, missing, gap, delay, drift, unclear, …), so a positive remark
  in the evidence of an answer graded below good is never filed as an improvement; under a
  strength, only a sentence that states none;
- **distinct**: at most one quote per case and no text twice for a theme; a sentence naming the
  theme is preferred.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from audit_tui.summary.shapes import QUOTE_CHARS, Quote

QUOTES_PER_THEME = 3
MIN_WORDS = 6
SHARED_RUN = 3
BOILERPLATE_CASES = 1

SHORTFALL = re.compile(
    r"\b(not|no|none|never|nothing|nobody|without|lacks?|lacking|missing|absent|gaps?|delays?|delayed|drift(?:ed|ing)?|"
    r"late|overdue|out of date|unclear|limited|only|poor(?:ly)?|weak|inconsistent(?:ly)?|fail(?:s|ed|ing)?|missed|"
    r"incomplete|unaddressed|slow(?:ly)?|unresolved|insufficient|superficial|generic|vague|dropped|declined|carried forward|"
    r"cannot|can't|isn't|wasn't|hasn't|haven't|didn't|doesn't|don't|won't)\b", re.I)
_LINKS = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "by", "at", "or"}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of `text`; a quotation is never cut in two."""
    text = " ".join((text or "").split())
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if out and _open_quote(out[-1]):
            out[-1] += " " + piece
        elif piece.strip():
            out.append(piece)
    return out


def _open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _runs(found: list[str], slots: frozenset[str] = frozenset()) -> set[tuple[str, ...]]:
    """A sentence's runs of SHARED_RUN words (`found`: its words as `_WORD` finds them), leaving out the words
    that fill a stock phrase's slots: names (a capital letter after the first word) and the themes' own words
    (`slots`)."""
    words = [low for i, (w, low) in enumerate(zip(found, map(str.lower, found)))
             if not (i and w[:1].isupper()) and low not in slots]
    return {tuple(words[i:i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def _shorten(text: str) -> str:
    """At most QUOTE_CHARS; quotation marks inside become single ones (the quote itself is in double marks)."""
    if len(text) > QUOTE_CHARS:
        text = text[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    parts = text.replace("“", '"').replace("”", '"').split('"')
    return "".join(part + ("‘" if i % 2 == 0 else "’") for i, part in enumerate(parts[:-1])) + parts[-1]


class QuotePicker:
    """Chooses the quotes of every theme from all their candidates (case ref, evidence), so that
    boilerplate is recognised across themes."""

    def __init__(self, candidates: Iterable[tuple[str, str]], theme_words: Iterable[str] = ()):
        self._slots = frozenset(w for text in theme_words for w in _words(text) if w not in _LINKS)
        seen: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for case_ref, evidence in candidates:
            for sentence in sentences(evidence):
                found = _WORD.findall(sentence)
                for run in _runs(found, self._slots) | _runs(found):
                    seen[run].add(case_ref)
        self._cases = seen
        self._judged: dict[tuple[str, str], bool] = {}  # a sentence of a case is judged once for every theme

    def boilerplate(self, sentence: str, case_ref: str) -> bool:
        key = (sentence, case_ref)
        if key not in self._judged:
            found = _WORD.findall(sentence)
            runs = _runs(found, self._slots) or _runs(found)
            none: set[str] = set()
            shared = 0
            for run in runs:
                cases = self._cases.get(run, none)
                shared += len(cases) - (case_ref in cases) >= BOILERPLATE_CASES  # other cases than this one
            self._judged[key] = bool(runs) and 2 * shared >= len(runs)
        return self._judged[key]

    def sentence(self, case_ref: str, evidence: str, keywords: list[str], strength: bool) -> str | None:
        """The sentence of `evidence` to quote, or None when none is specific, original and on the right side."""
        usable = [s for s in sentences(evidence)
                  if len(_words(s)) >= MIN_WORDS and not self.boilerplate(s, case_ref)
                  and bool(SHORTFALL.search(s)) != strength]
        lowered = [k.lower() for k in keywords if k.strip()]
        return min(usable, key=lambda s: not any(k in s.lower() for k in lowered), default=None)

    def quotes(self, candidates: list[tuple[str, str]], keywords: list[str], strength: bool) -> list[Quote]:
        chosen: list[Quote] = []
        for case_ref, evidence in candidates:
            if len(chosen) == QUOTES_PER_THEME:
                break
            sentence = self.sentence(case_ref, evidence or "", keywords, strength)
            if sentence is None or any(q.case_ref == case_ref for q in chosen):
                continue
            text = _shorten(sentence)
            if all(_words(q.text) != _words(text) for q in chosen):
                chosen.append(Quote(case_ref=case_ref, text=text))
        return chosen
