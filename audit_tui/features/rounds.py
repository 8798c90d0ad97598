"""Audit rounds and their case lists: create a round, import who audits which case, watch progress.

A round has a name, start and end dates and the templates it uses. Its case list
(one allocation per case: case ref, service area, team, worker, allocated auditor,
template) comes from a CSV or XLSX file. The whole file is checked first; every bad
row is reported with its line number and nothing is imported until the file is
clean; then every row goes in one transaction.

An allocation's progress comes from its audit: the one started from it
(`allocations.audit_id`) or, failing that, the newest audit of the same case ref in
the same round — so an audit begun from the home screen counts too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from audit_tui.domain.models import KEBAB, clean_text, parse_date
from audit_tui.files.failures import os_reason
from audit_tui.files.userfiles import FileRefused, check_unpacked, read_capped
from audit_tui.storage.casework import ALLOCATION_FIELDS
from audit_tui.storage.errors import ProblemsError
from audit_tui.storage.store import Store, StoreError

MAX_CASE_LIST_BYTES = 20 * 1024 * 1024  # bytes read from the file
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an XLSX file's parts, unpacked
MAX_CASE_LIST_ROWS = 10_000  # cases: rows with any text after the header
MAX_COLUMNS = 100
MAX_PROBLEMS = 100
CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}")

# Accepted spellings of each column (compared lower-case, punctuation as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_ref": ("case ref", "case reference", "case", "case id", "case number", "case no", "ref", "reference",
                 "case ref no"),
    "service_area": ("service area", "service", "area", "service area name"),
    "team": ("team", "team name", "case team"),
    "worker": ("worker", "social worker", "allocated worker", "practitioner", "personal adviser", "pa",
               "case worker", "caseworker"),
    "auditor": ("allocated auditor", "auditor", "auditor name", "audited by", "allocated to"),
    "template_id": ("template", "template id", "audit template", "template name"),
}
REQUIRED = ("case_ref", "auditor")


class RoundError(ProblemsError, StoreError):
    """A round or case list the app refuses; `problems` lists each one (for a file: with line numbers)."""


@dataclass
class CaseRow:
    """One row of a case list, with the line it came from."""

    line: int
    case_ref: str
    service_area: str = ""
    team: str = ""
    worker: str = ""
    auditor: str = ""
    template_id: str = ""


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)


# -- rounds ---------------------------------------------------------------------------


def _round_row(store: Store, name: str) -> dict[str, Any] | None:
    rows = list(store.db.query("SELECT * FROM rounds WHERE name = ? COLLATE NOCASE", [name.strip()]))
    return rows[0] if rows else None


def get_round(store: Store, name: str) -> dict[str, Any]:
    row = _round_row(store, name)
    if row is None:
        raise RoundError(f"no round called “{name}” (audit-tui rounds list shows them)")
    return {**row, "templates": json.loads(row["templates"] or "[]")}


def list_rounds(store: Store) -> list[dict[str, Any]]:
    """Every round, newest start first, with its number of allocated cases."""
    return [{**r, "templates": json.loads(r["templates"] or "[]")} for r in store.db.query(
        """SELECT r.name, r.starts, r.ends, r.templates,
                  (SELECT count(*) FROM allocations al WHERE al.round = r.name) AS cases
           FROM rounds r ORDER BY r.starts DESC, r.name""")]


def create_round(store: Store, name: str, starts: date | str, ends: date | str,
                 templates: list[str] | tuple[str, ...] = (), *,
                 known_templates: set[str] | None = None) -> dict[str, Any]:
    """Add a round; its name is unique (any case), its dates in order and its templates known ones
    (`known_templates`, by default `known_template_ids` without a user's folder)."""
    name = clean_text(name).strip()
    problems = []
    if not name:
        problems.append("give the round a name, e.g. “2026-02 practice week”")
    elif len(name) > 120:
        problems.append("a round name is at most 120 characters")
    try:
        starts = starts if isinstance(starts, date) else parse_date(starts)
        ends = ends if isinstance(ends, date) else parse_date(ends)
        if ends < starts:
            problems.append("the round ends before it starts")
    except ValueError as exc:
        problems.append(f"dates: {exc}")
    templates = [t.strip() for t in templates if t and t.strip()]
    problems += [f"“{t}” is not a template id (kebab-case, e.g. care-leavers)" for t in templates
                 if not re.fullmatch(KEBAB, t)]
    known = known_templates if known_templates is not None else known_template_ids(store)
    problems += [f"there is no template “{t}” (known templates: {', '.join(sorted(known)) or 'none'})"
                 for t in templates if re.fullmatch(KEBAB, t) and t not in known]
    if problems:
        raise RoundError(problems)
    with store.transaction():
        if _round_row(store, name):
            raise RoundError(f"there is already a round called “{name}”")
        store.add_round(name, starts, ends, templates)  # type: ignore[arg-type]  # dates by now
    return get_round(store, name)


# -- reading a case list ----------------------------------------------------------------


def _normal(header: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).split())


def _map_header(header: list[Any], source: str) -> tuple[dict[str, int], list[str]]:
    """Column positions by field, and the columns ignored; RoundError when required ones are missing."""
    lookup = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    ignored, problems = [], []
    for index, cell in enumerate(header):
        key = lookup.get(_normal(cell))
        if key is None:
            if _normal(cell):
                ignored.append(str(cell).strip())
        elif key in positions:
            problems.append(f"{source}:1: two columns mean {key.replace('_', ' ')} "
                            f"(“{header[positions[key]]}” and “{cell}”)")
        else:
            positions[key] = index
    for key in REQUIRED:
        if key not in positions:
            names = " / ".join(f"“{a}”" for a in COLUMNS[key][:3])
            problems.append(f"{source}:1: no {key.replace('_', ' ')} column (call it {names})")
    if problems:
        raise RoundError(problems)
    return positions, ignored


def _capped_rows(path: Path, rows: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows, refused at the first beyond MAX_CASE_LIST_ROWS (so a huge file is never all read)."""
    kept = []
    for row in rows:
        if len(kept) > MAX_CASE_LIST_ROWS:
            raise RoundError(f"{path}: more than {MAX_CASE_LIST_ROWS:,} rows; a case list can have at most "
                             f"{MAX_CASE_LIST_ROWS:,} cases (split it into several files); nothing was imported")
        kept.append(row)
    return kept


def _rows_csv(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV" on Windows
        except UnicodeDecodeError:
            raise RoundError(f"{path}: not a text file (save the case list as CSV UTF-8 or XLSX)") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RoundError(f"{path}:{start}: {exc}") from None


def _rows_xlsx(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode), once the parts' unpacked size is
    known to be under the cap (an 860 kB file can unpack to 280 MB)."""
    try:
        check_unpacked(path, data, MAX_UNPACKED_BYTES)
    except FileRefused as exc:
        raise RoundError(str(exc)) from None
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one message
        raise RoundError(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # every row, whatever size the file declares (the row cap applies)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values[:MAX_COLUMNS]]
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return str(value)


def _read_case_list(path: str | Path) -> tuple[list[CaseRow], list[str], list[str]]:
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise RoundError(f"{path}: a case list is a .csv or .xlsx file")
    try:
        data = read_capped(path, MAX_CASE_LIST_BYTES)
    except FileRefused as exc:
        raise RoundError(str(exc)) from None
    except OSError as exc:
        raise RoundError(f"cannot read {path}: {os_reason(exc)}") from None
    raw = _capped_rows(path, (row for row in (_rows_csv if kind == ".csv" else _rows_xlsx)(path, data)
                              if any(str(c).strip() for c in row[1])))
    if not raw:
        raise RoundError(f"{path}: the file is empty")
    header_line, header = raw[0]
    positions, ignored = _map_header(header, f"{path}")
    rows, problems, seen = [], [], {}
    for line, cells in raw[1:]:
        values = {key: clean_text(str(cells[i]) if i < len(cells) else "").strip() for key, i in positions.items()}
        row = CaseRow(line=line, **{k: v for k, v in values.items() if k != "line"})
        where = f"{path}:{line}"
        if not row.case_ref:
            problems.append(f"{where}: no case ref")
        elif not CASE_REF.fullmatch(row.case_ref):
            problems.append(f"{where}: case ref “{row.case_ref}”: letters, digits and - / _ . only (at most 40)")
        elif row.case_ref.lower() in seen:
            problems.append(f"{where}: case ref {row.case_ref} is already on line {seen[row.case_ref.lower()]}")
        else:
            seen[row.case_ref.lower()] = line
        if not row.auditor:
            problems.append(f"{where}: no allocated auditor")
        for key in ("service_area", "team", "worker", "auditor"):
            if len(getattr(row, key)) > 120:
                problems.append(f"{where}: {key.replace('_', ' ')} is longer than 120 characters")
        if row.template_id and not re.fullmatch(KEBAB, row.template_id):
            problems.append(f"{where}: template “{row.template_id}” is not a template id (e.g. care-leavers)")
        rows.append(row)
    return rows, ignored, problems


def known_template_ids(store: Store, template_dir: str | None = None) -> set[str]:
    """Template ids the app can start audits with: built-in, the user's folder and stored ones."""
    from audit_tui.domain.templates import discover_templates

    found, _ = discover_templates(template_dir or None)
    return {t.id for t in found} | {r[0] for r in store.db.execute("SELECT DISTINCT id FROM templates")}


def import_cases(store: Store, round_name: str, path: str | Path, *,
                 known_templates: set[str] | None = None) -> ImportResult:
    """Import a case list into a round: every row, or none if any row is wrong.

    A case already allocated in the round is updated while its audit has not started;
    once started it may not change (the row is reported).
    """
    path = Path(path)
    round_ = get_round(store, round_name)
    rows, ignored, problems = _read_case_list(path)
    known = known_templates if known_templates is not None else known_template_ids(store)
    allowed = round_["templates"]
    for row in rows:
        where = f"{path}:{row.line}"
        if row.template_id and not re.fullmatch(KEBAB, row.template_id):
            continue  # already reported
        if not row.template_id:
            if len(allowed) == 1:
                row.template_id = allowed[0]
            else:
                problems.append(f"{where}: no template (the round uses "
                                f"{', '.join(allowed) if allowed else 'any template'}; name one)")
                continue
        if allowed and row.template_id not in allowed:
            problems.append(f"{where}: template {row.template_id} is not one of the round's ({', '.join(allowed)})")
        elif row.template_id not in known:
            problems.append(f"{where}: unknown template {row.template_id}")
    result = ImportResult(ignored_columns=ignored)
    fields = ("service_area", "team", "worker", "auditor", "template_id")
    with store.transaction():
        existing = {r["case_ref"].lower(): r for r in store.db.query(
            "SELECT * FROM allocations WHERE round = ?", [round_["name"]])}
        plan: list[tuple[str, CaseRow, Any]] = []
        for row in rows:
            old = existing.get(row.case_ref.lower())
            if old is None:
                plan.append(("add", row, None))
            elif all((old[f] or "") == getattr(row, f) for f in fields) and old["case_ref"] == row.case_ref:
                plan.append(("same", row, old))
            elif _started(store, old):
                problems.append(f"{path}:{row.line}: {row.case_ref}'s audit has started; its allocation "
                                "cannot change (leave the row as it was)")
            else:
                plan.append(("update", row, old))
        if problems:
            raise RoundError(sorted(problems, key=_line_of)[:MAX_PROBLEMS])
        added = [_allocated(row) for action, row, _ in plan if action == "add"]
        updated = [(old["id"], _allocated(row)) for action, row, old in plan if action == "update"]
        store.save_allocations(round_["name"], added, updated, source=path.name)
        result.added, result.updated = len(added), len(updated)
        result.unchanged = len(plan) - len(added) - len(updated)
    return result


def _allocated(row: CaseRow) -> dict[str, Any]:
    return {field: getattr(row, field) for field in ALLOCATION_FIELDS}


def _line_of(problem: str) -> int:
    match = re.search(r":(\d+):", problem)
    return int(match.group(1)) if match else 0


def _started(store: Store, allocation: dict[str, Any]) -> bool:
    return _audit_of(store, allocation) is not None


def _audit_of(store: Store, allocation: dict[str, Any]) -> str | None:
    if allocation.get("audit_id"):
        return allocation["audit_id"]
    row = store.db.execute(
        "SELECT id FROM audits WHERE round = ? COLLATE NOCASE AND case_ref = ? COLLATE NOCASE "
        "ORDER BY created_at DESC LIMIT 1", [allocation["round"], allocation["case_ref"]]).fetchone()
    return row[0] if row else None


# -- progress -------------------------------------------------------------------------

# Each allocation with the status of its audit (linked, else same round and case ref).
_PROGRESS = """
    WITH linked AS (
        SELECT al.*, COALESCE(al.audit_id, (
            SELECT a.id FROM audits a WHERE a.round = al.round COLLATE NOCASE
               AND a.case_ref = al.case_ref COLLATE NOCASE ORDER BY a.created_at DESC LIMIT 1)) AS found_audit
        FROM allocations al WHERE :round IS NULL OR al.round = :round)
    SELECT l.*, a.status AS audit_status,
           CASE WHEN a.id IS NULL THEN 'allocated' WHEN a.status = 'draft' THEN 'in progress'
                ELSE a.status END AS progress
    FROM linked l LEFT JOIN audits a ON a.id = l.found_audit"""


def allocations(store: Store, round_name: str) -> list[dict[str, Any]]:
    """The round's case list with each case's progress (`allocated`, `in progress`, `completed`, `moderated`)."""
    name = get_round(store, round_name)["name"]
    return list(store.db.query(f"{_PROGRESS} ORDER BY l.auditor COLLATE NOCASE, l.case_ref", {"round": name}))


def dashboard(store: Store, round_name: str) -> dict[str, Any]:
    """Progress per auditor, per team and overall: allocated (all cases), in progress, completed, moderated.

    `completed` counts completed and moderated audits (as the summary does); `not_started`
    is allocated minus every started audit.
    """
    name = get_round(store, round_name)["name"]

    def grouped(column: str | None) -> list[dict[str, Any]]:
        key = f"p.{column}" if column else "'all'"
        return [dict(r) for r in store.db.query(
            f"""SELECT {key} AS name, count(*) AS allocated,
                       sum(p.progress = 'allocated') AS not_started,
                       sum(p.progress = 'in progress') AS in_progress,
                       sum(p.progress IN ('completed', 'moderated')) AS completed,
                       sum(p.progress = 'moderated') AS moderated
                FROM ({_PROGRESS}) p GROUP BY 1 ORDER BY 1 COLLATE NOCASE""", {"round": name})]

    overall = grouped(None)
    empty = {"name": "all", "allocated": 0, "not_started": 0, "in_progress": 0, "completed": 0, "moderated": 0}
    from audit_tui.features.casebook import reaudits

    return {"round": name, "overall": overall[0] if overall else empty,
            "auditors": grouped("auditor"), "teams": grouped("team"), "reaudits": reaudits(store, name)}


def my_allocations(store: Store, auditor: str) -> list[dict[str, Any]]:
    """An auditor's allocated cases not yet completed, in every round (latest-ending rounds first)."""
    if not auditor.strip():
        return []
    return list(store.db.query(
        f"""SELECT p.* FROM ({_PROGRESS}) p JOIN rounds r ON r.name = p.round
            WHERE p.auditor = :auditor COLLATE NOCASE AND p.progress IN ('allocated', 'in progress')
            ORDER BY r.ends DESC, r.name, p.progress = 'allocated', p.case_ref""",
        {"round": None, "auditor": auditor.strip()}))


def allocation(store: Store, allocation_id: int) -> dict[str, Any]:
    rows = list(store.db.query("SELECT * FROM allocations WHERE id = ?", [allocation_id]))
    if not rows:
        raise RoundError("that allocation no longer exists")
    return rows[0]


def link_audit(store: Store, allocation_id: int, audit_id: str) -> None:
    """Record that an allocated case's audit has started."""
    with store.transaction():
        row = allocation(store, allocation_id)
        store.link_allocation(allocation_id, audit_id, f"{row['round']}: allocated to {row['auditor']}")


def audit_defaults(store: Store, allocation_id: int) -> dict[str, str]:
    """The new-audit form's fields for an allocated case."""
    row = allocation(store, allocation_id)
    return {"case_ref": row["case_ref"], "service_area": row["service_area"] or "", "team": row["team"] or "",
            "worker": row["worker"] or "", "auditor": row["auditor"] or "", "round": row["round"],
            "template_id": row["template_id"] or ""}
