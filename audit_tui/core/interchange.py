"""The `audit-tui/1` interchange file: lossless export, all-or-nothing import.

Export writes the selected audits (sorted by id) and the templates they use as
deterministic JSON, so export → import into an empty database → export gives the
same bytes. Import reads the file a window of audits at a time (see `jsonstream`),
checks each (shape, templates, questions, grades, ids: `import_checks`) and inserts it
in the import's one transaction, which any problem rolls back; every problem names the
audit (its position in `audits` and its case ref) and the field.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ProblemsError
from .exports import ExportError, check_target, private_output
from .import_checks import ImportChecks
from .jsonstream import TOO_LONG_NUMBER, Items, JSONStreamError, Member, NotAnObject, read_members
from .failures import os_reason
from .userfiles import FileRefused, open_regular, read_capped
from .models import AuditRecord, Template
from .records import FORMAT, write_interchange
from .store import Store
from .summary import Filters, selected_audit_ids

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # for `read_file`, which holds the whole file (merge); import streams
WINDOW = 2000  # audits read, checked and inserted at a time by an import


class InterchangeError(ProblemsError):
    """An interchange file that cannot be imported; `problems` lists every one found."""


@dataclass
class ImportResult:
    imported: int
    unchanged: int
    templates_added: int


def export_json(store: Store, path: str | Path, filters: Filters | None = None, *, overwrite: bool = False) -> int:
    """Write the selected audits (every status) and their templates; returns the number of audits."""
    check_target(path, overwrite=overwrite)
    ids = selected_audit_ids(store, filters)
    with private_output(path, overwrite=overwrite) as handle:
        return write_interchange(store, handle, ids)


# Characters clean_text removes or replaces, escaped in JSON or raw in UTF-8 (DEL, C1 controls, bidi
# controls and marks, line and paragraph separators, U+FFFE and U+FFFF): a file without any is not
# walked at all. Each pattern starts with a literal, which keeps the searches fast.
_UNSAFE_IN_FILE = [re.compile(p) for p in (
    rb"\\(?:[bf]|u(?:00[0189]|007[fF]|061[cC]|20(?:0[eEfF]|2[89a-eA-E]|6[6-9])|[dD][89a-fA-F]|[fF]{3}[eEfF]))",
    rb"\x7f", rb"\xc2[\x80-\x9f]", rb"\xd8\x9c", rb"\xe2\x80[\x8e\x8f\xa8-\xae]", rb"\xe2\x81[\xa6-\xa9]",
    rb"\xef\xbf[\xbe\xbf]")]



def _read_bytes(path: Path) -> bytes:
    try:
        return read_capped(path, MAX_IMPORT_BYTES)
    except FileRefused as exc:
        raise InterchangeError([str(exc)]) from None
    except OSError as exc:
        raise InterchangeError([f"cannot read {path}: {os_reason(exc)}"]) from None


def read_file(path: str | Path) -> dict[str, Any]:
    """The file's content as JSON gives it, for `validate` (which names each problem with the audit)."""
    path = Path(path)
    raw = _read_bytes(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InterchangeError([f"{path} is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise InterchangeError([f"{path}:{exc.lineno}: not valid JSON ({exc.msg})"]) from None
    except ValueError:  # an integer over Python's 4,300 digits
        raise InterchangeError([f"{path}: not valid JSON ({TOO_LONG_NUMBER})"]) from None
    except RecursionError:
        raise InterchangeError([f"{path}: JSON nested too deeply"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InterchangeError([f"{path} is not an audit-tui export (expected \"format\": \"{FORMAT}\")"])
    unknown = set(data) - {"format", "templates", "audits"}
    if unknown:
        raise InterchangeError([f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}"])
    for key in ("templates", "audits"):
        if not isinstance(data.get(key, []), list):
            raise InterchangeError([f"{path}: \"{key}\" must be a list"])
    data["_needs_cleaning"] = _needs_cleaning(raw)
    return data


def _needs_cleaning(raw: bytes) -> bool:
    return any(pattern.search(raw) for pattern in _UNSAFE_IN_FILE)



def _file_needs_cleaning(path: Path) -> bool:
    """`_needs_cleaning` over a file of any size, a block at a time."""
    overlap = b""
    with open_regular(path) as handle:
        while block := handle.read(8 * 1024 * 1024):
            if _needs_cleaning(overlap + block):
                return True
            overlap = block[-8:]  # the longest pattern is 7 bytes
    return False


def validate(store: Store, data: dict[str, Any]) -> tuple[list[Template], list[AuditRecord], int]:
    """Check a whole file `read_file` read; returns (new templates, audits to insert, unchanged count) or raises."""
    checks = ImportChecks(store, data.get("templates", []), needs_cleaning=data.get("_needs_cleaning", True))
    records = checks.check(0, data.get("audits", []))
    if checks.problems:
        raise InterchangeError(checks.problems)
    return checks.new_templates, records, checks.unchanged


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a large file makes millions of objects, none of them
    garbage, and collections run over all of them would add a sixth to the import's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_json(store: Store, path: str | Path) -> ImportResult:
    """Import every audit of the file, or none (the database is unchanged on any problem).

    The file is read and checked a window of audits at a time, and each window inserted in the one
    transaction of the import, which any problem rolls back: memory stays flat at any size."""
    path = Path(path)
    cached = set(store._templates)  # noqa: SLF001 - undo cache entries if the transaction rolls back
    try:
        with paused_gc():
            return _import(store, path)  # each window's objects are freed before the next (no cycles)
    except BaseException:
        for key in set(store._templates) - cached:  # noqa: SLF001
            store._templates.pop(key, None)  # noqa: SLF001
        raise


def _import(store: Store, path: Path) -> ImportResult:
    checks = ImportChecks(store, _header(path).get("templates", []), needs_cleaning=_file_needs_cleaning(path))
    imported = 0
    with store.bulk_transaction():
        for template in checks.new_templates:
            store.save_template(template, source=f"imported from {path.name}")
        for window in _members(path, WINDOW):
            if not isinstance(window, Items):
                continue
            records = checks.check(window.start, window.items)
            if checks.full:
                break
            if not checks.problems:  # else only checked, to list every problem
                store.insert_audit_records(records, note="imported")
                imported += len(records)
        if checks.problems:
            raise InterchangeError(checks.problems)
    return ImportResult(imported=imported, unchanged=checks.unchanged, templates_added=len(checks.new_templates))


def _header(path: Path) -> dict[str, Any]:
    """The file's members but its audits (read as far as the first audit when the templates come first)."""
    header: dict[str, Any] = {}
    for member in _members(path, 1):
        if isinstance(member, Items):
            if "templates" in header:
                break
            continue
        if member.key not in ("format", "templates", "audits"):
            raise InterchangeError([f"{path}: unknown top-level key(s): {member.key}"])
        if member.key != "format" and not isinstance(member.value, list):
            raise InterchangeError([f"{path}: \"{member.key}\" must be a list"])
        header[member.key] = member.value
    if header.get("format") != FORMAT:
        raise InterchangeError([f"{path} is not an audit-tui export (expected \"format\": \"{FORMAT}\")"])
    return header


def _members(path: Path, batch: int) -> Iterator[Member | Items]:
    """`jsonstream.read_members` of the file, its audits streamed, any failure an InterchangeError."""
    try:
        yield from read_members(path, stream="audits", batch=batch)
    except FileRefused as exc:
        raise InterchangeError([str(exc)]) from None
    except NotAnObject:
        raise InterchangeError([f"{path} is not an audit-tui export (expected \"format\": \"{FORMAT}\")"]) from None
    except JSONStreamError as exc:
        raise InterchangeError([f"{path}:{exc.line}: not valid JSON ({exc.message})"]) from None
    except UnicodeDecodeError:
        raise InterchangeError([f"{path} is not UTF-8 text"]) from None
    except RecursionError:
        raise InterchangeError([f"{path}: JSON nested too deeply"]) from None
    except OSError as exc:
        raise InterchangeError([f"cannot read {path}: {os_reason(exc)}"]) from None


__all__ = ["export_json", "import_json", "InterchangeError", "ImportResult", "ExportError", "MAX_IMPORT_BYTES"]
