"""Flat exports for BI teams: CSV (one row per answer) and XLSX (audits, answers, actions).

Text cells a spreadsheet would read as a formula (starting with = + - @, tab or CR)
are neutralised with a leading single quote. Files are created readable by their
owner only, and an existing file is never replaced unless `overwrite=True`.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from audit_tui.domain.models import clean_text
from audit_tui.files.failures import os_reason
from audit_tui.files.safefiles import remove_with_journal, temp_beside
from audit_tui.summary import Filters

if TYPE_CHECKING:
    from audit_tui.storage.store import Store

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32767


class ExportError(Exception):
    """An export that cannot be written; the message is for the user."""


def check_target(path: str | Path, *, overwrite: bool = False) -> Path:
    """Fail early (before any work) when `path` exists and may not be replaced, or cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder")
    if os.path.lexists(path) and not overwrite:  # a link too (with --force it is replaced, never followed)
        raise ExportError(f"{path} already exists; use --force to replace it")
    if not path.parent.is_dir():
        raise ExportError(f"no folder {path.parent}")
    return path


@contextmanager
def private_output(path: str | Path, *, overwrite: bool = False, binary: bool = True) -> Iterator[IO]:
    """Write `path` atomically (a new temporary file beside it, see `safefiles.temp_beside`, then a rename
    that replaces a link rather than follows it), owner-only (0o600); refuse to replace unless asked."""
    path = check_target(path, overwrite=overwrite)
    try:
        fd, tmp = temp_beside(path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {os_reason(exc)}") from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8-sig", newline="")) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        remove_with_journal(tmp)
        raise


def neutralise(value: Any) -> Any:
    """A text cell is cleaned (`clean_text`: rows another program wrote may hold anything) and, if a
    spreadsheet would treat it as a formula, gets a leading single quote."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


AUDIT_COLUMNS = ["audit_id", "case_ref", "template_id", "template_version", "round", "service_area", "team",
                 "worker", "auditor", "audited_on", "status", "overall_grade", "auditor_overall_grade",
                 "moderated", "moderator", "lived_experience", "impact"]
ANSWER_COLUMNS = ["question", "grade", "auditor_grade", "na_reason", "evidence", "themes"]
ACTION_COLUMNS = ["audit_id", "case_ref", "team", "action_id", "description", "owner", "due", "status",
                  "question", "done_on", "note", "kind", "questions"]

_AUDIT_SELECT = """
    a.id, a.case_ref, a.template_id, a.template_version, a.round, a.service_area, a.team, a.worker, a.auditor,
    a.audited_on, a.status, COALESCE(m.overall_grade, a.overall_grade), a.overall_grade,
    CASE WHEN m.audit_id IS NULL THEN 'no' ELSE 'yes' END, m.moderator, a.lived_experience, a.impact"""


def _answer_rows(conn, filters: Filters) -> Iterator[tuple]:
    """One row per answer (moderator's grade as `grade`), audits without answers once with blanks."""
    where, params = filters.where("a")
    return conn.execute(
        f"""SELECT {_AUDIT_SELECT}, ans.question, COALESCE(ma.grade, ans.grade), ans.grade, ans.na_reason,
                   ans.evidence,
                   (SELECT group_concat(theme, '; ') FROM (SELECT t.theme FROM answer_themes t
                     WHERE t.audit_id = ans.audit_id AND t.question = ans.question ORDER BY t.theme))
            FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
            LEFT JOIN answers ans ON ans.audit_id = a.id
            LEFT JOIN moderated_answers ma ON ma.audit_id = ans.audit_id AND ma.question = ans.question
            WHERE {where} ORDER BY a.audited_on, a.case_ref, a.id, ans.rowid""", params)


def export_csv(store: Store, path: str | Path, filters: Filters | None = None, *, overwrite: bool = False) -> int:
    """One row per answer with its audit's fields; returns the number of rows written."""
    conn = store.db.conn
    count = 0
    check_target(path, overwrite=overwrite)
    with private_output(path, overwrite=overwrite, binary=False) as handle:
        writer = csv.writer(handle)
        writer.writerow(AUDIT_COLUMNS + ANSWER_COLUMNS)
        for row in _answer_rows(conn, filters or Filters()):
            writer.writerow([neutralise(v) for v in row])
            count += 1
    return count


def xlsx_value(value: Any, *, as_date: bool = False) -> Any:
    """A value as a spreadsheet cell: a date as a date (`as_date`), text neutralised (no formula) and cut to a
    cell's limit."""
    if value is None:
        return None
    if as_date and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, str):
        return neutralise(value)[:XLSX_CELL_MAX]
    return value


def export_xlsx(store: Store, path: str | Path, filters: Filters | None = None, *, overwrite: bool = False) -> int:
    """Sheets `audits`, `answers` and `actions`; returns the number of audits."""
    filters = filters or Filters()
    with private_output(path, overwrite=overwrite) as handle:  # refuses an existing file before any work
        workbook, audits = _workbook(store.db.conn, filters)
        workbook.save(handle)
    return audits


def _workbook(conn: sqlite3.Connection, filters: Filters):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    where, params = filters.where("a")
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows, date_columns: set[str]):
        ws = workbook.create_sheet(title)
        cells = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        flags = [name in date_columns for name in header]
        n = 0
        for row in rows:
            ws.append([xlsx_value(v, as_date=f) for v, f in zip(row, flags)])
            n += 1
        ws.freeze_panes = "A2"
        return n

    audits = sheet("audits", AUDIT_COLUMNS + ["answered", "actions", "open_actions"],
                   conn.execute(
                       f"""SELECT {_AUDIT_SELECT},
                           (SELECT count(*) FROM answers x WHERE x.audit_id = a.id AND x.grade != 'n/a'),
                           (SELECT count(*) FROM actions x WHERE x.audit_id = a.id),
                           (SELECT count(*) FROM actions x WHERE x.audit_id = a.id AND x.status = 'open')
                           FROM audits a LEFT JOIN moderations m ON m.audit_id = a.id
                           WHERE {where} ORDER BY a.audited_on, a.case_ref, a.id""", params),
                   {"audited_on"})
    sheet("answers", ["audit_id", "case_ref"] + ANSWER_COLUMNS,
          ((r[0], r[1], *r[len(AUDIT_COLUMNS):]) for r in _answer_rows(conn, filters) if r[len(AUDIT_COLUMNS)]),
          set())
    sheet("actions", ACTION_COLUMNS, conn.execute(
        f"""SELECT a.id, a.case_ref, a.team, x.id, x.description, x.owner, x.due, x.status, x.question,
                   x.done_on, x.note, x.kind,
                   COALESCE((SELECT group_concat(value, ' ') FROM json_each(x.questions)), x.question)
            FROM actions x JOIN audits a ON a.id = x.audit_id
            WHERE {where} ORDER BY a.team, x.due, a.case_ref, x.rowid""", params), {"due", "done_on"})
    return workbook, audits
