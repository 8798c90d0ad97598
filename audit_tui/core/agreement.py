"""Agreement between two graders of the same questions: exact, adjacent and weighted kappa.

Grades are compared by their rank on the question's scale (0 = best), so the
functions work for any ordered scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def exact_agreement(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Share of pairs graded the same (0..1); None with no pairs."""
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def adjacent_agreement(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Share of pairs at most one level apart (0..1); None with no pairs."""
    return sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs) if pairs else None


def weighted_kappa(pairs: Sequence[tuple[int, int]], levels: int, *, weights: str = "linear") -> float | None:
    """Cohen's weighted kappa for ordinal ranks 0..levels-1 (linear or quadratic weights).

    1 is perfect agreement, 0 what chance alone would give. None when undefined
    (no pairs, or both graders used a single level so chance agreement is total).
    """
    if not pairs or levels < 2:
        return None
    n = len(pairs)
    power = 2 if weights == "quadratic" else 1

    def disagreement(i: int, j: int) -> float:
        return (abs(i - j) / (levels - 1)) ** power

    observed = sum(disagreement(a, b) for a, b in pairs) / n
    rows, cols = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(rows[i] * cols[j] * disagreement(i, j) for i in rows for j in cols) / (n * n)
    if expected == 0:
        return None
    return 1 - observed / expected
