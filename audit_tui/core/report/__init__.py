"""Word documents: the aggregated report of a round and the per-audit feedback document.

Styles come from a reference .docx (see `make_reference`): the organisation's own
`reference.docx` in its template folder if there is one, else `templates/reference.docx`,
else the same styles built in code.
"""

from .aggregate import build_report, render
from .feedback import build_audit_feedback

__all__ = ["build_report", "render", "build_audit_feedback"]
