"""Word documents: the aggregated report of a round and the per-audit feedback document.

Styles come from a reference .docx (see `make_reference`): the organisation's own
`reference.docx` in its template folder if there is one, else `templates/reference.docx`,
else the same styles built in code.

The entry points load on first use, so that a chart worker process (see `pictures`) importing
`report.charts` does not load python-docx, the store and the summary.
"""

from importlib import import_module

_ENTRY_POINTS = {"build_report": "aggregate", "render": "aggregate", "build_audit_feedback": "feedback"}

__all__ = list(_ENTRY_POINTS)


def __getattr__(name: str):
    if name in _ENTRY_POINTS:
        return getattr(import_module(f".{_ENTRY_POINTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
