"""Agreement between two graders of the same questions: exact, adjacent and weighted kappa.

Grades are compared by their rank on the question's scale (0 = best), so the
functions work for any ordered scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

Pairs = Sequence[tuple[int, int]] | Mapping[tuple[int, int], int]
"""(auditor rank, other rank) pairs: a sequence, or how many times each pair occurs."""


def pair_counts(pairs: Pairs) -> Mapping[tuple[int, int], int]:
    """How many times each pair occurs."""
    return pairs if isinstance(pairs, Mapping) else Counter(pairs)


def _share(pairs: Pairs, agrees) -> float | None:
    counts = pair_counts(pairs)
    n = sum(counts.values())
    return sum(k for (a, b), k in counts.items() if agrees(a, b)) / n if n else None


def exact_agreement(pairs: Pairs) -> float | None:
    """Share of pairs graded the same (0..1); None with no pairs."""
    return _share(pairs, lambda a, b: a == b)


def adjacent_agreement(pairs: Pairs) -> float | None:
    """Share of pairs at most one level apart (0..1); None with no pairs."""
    return _share(pairs, lambda a, b: abs(a - b) <= 1)


def disagreements(pairs: Pairs, levels: int, power: int = 1) -> tuple[float, float]:
    """Summed observed and chance-expected disagreement (weights |i - j| / (levels - 1), to `power`)."""
    counts = pair_counts(pairs)
    n = sum(counts.values())

    def weight(i: int, j: int) -> float:
        return (abs(i - j) / (levels - 1)) ** power

    observed = sum(k * weight(a, b) for (a, b), k in counts.items())
    rows, cols = Counter(), Counter()
    for (a, b), k in counts.items():
        rows[a] += k
        cols[b] += k
    expected = sum(rows[i] * cols[j] * weight(i, j) for i in rows for j in cols) / n
    return observed, expected


def weighted_kappa(pairs: Pairs, levels: int, *, weights: str = "linear") -> float | None:
    """Cohen's weighted kappa for ordinal ranks 0..levels-1 (linear or quadratic weights).

    1 is perfect agreement, 0 what chance alone would give. None when undefined
    (no pairs, or both graders used a single level so chance agreement is total).
    """
    if not pair_counts(pairs) or levels < 2:
        return None
    observed, expected = disagreements(pairs, levels, 2 if weights == "quadratic" else 1)
    if expected == 0:
        return None
    return 1 - observed / expected
