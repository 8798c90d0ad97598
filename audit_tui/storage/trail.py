"""The history trail: what a history row records, and whether one copy's trail of an item starts another's.

A history row, as merges read it, is (at, who, audit_id, field, old, new, ref). Merging two copies of
a database (features.merge, features.conclusions_merge) takes an item from the other side only when
this side's trail of it is a prefix of the other's; these are the rules for that comparison.
"""

from __future__ import annotations


def event(row: tuple) -> tuple:
    """What a history row records. A row with a ref is that edit (or that import: a file's audit gives
    the same ref in every database, whoever imported it when) with its values; a row without is all of it."""
    return (row[6], *row[2:6]) if row[6] else row[:6]


def extends(row: tuple, later: tuple) -> bool:
    """`later` may be `row` extended while its author kept typing: the same edit (same ref, or for rows
    without one the same who, field and old value), saved later. Two edits of a field, one on each
    copy, have different refs: a conflict even when one person made both."""
    return row[6] == later[6] and row[1:5] == later[1:5] and (row[0] or "") <= (later[0] or "")


def settled(rows: list[tuple]) -> list[tuple]:
    """A history without rows superseded by their own extension."""
    return [row for row, after in zip(rows, rows[1:] + [None]) if after is None or not extends(row, after)]


def is_prefix(short: list[tuple], long: list[tuple]) -> bool:
    """`short` starts `long`; its last row may since have been extended (see `extends`)."""
    short, long = settled(short), settled(long)
    if len(short) > len(long):
        return False
    if not short:
        return True
    if [event(r) for r in short[:-1]] != [event(r) for r in long[:len(short) - 1]]:
        return False
    mine, theirs = short[-1], long[len(short) - 1]
    return event(mine) == event(theirs) or extends(mine, theirs)
