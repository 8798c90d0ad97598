"""The `audit-tui/1` interchange file: lossless export, all-or-nothing import.

Export writes the selected audits (sorted by id) and the templates they use as
deterministic JSON, so export → import into an empty database → export gives the
same bytes. Import reads the file a window of audits at a time (see `jsonstream`),
checks each (shape, templates, questions, grades, ids, completion gates: `import_checks`)
and inserts it in the import's one transaction on a working copy of the database, which
any problem rolls back; the copy is published only when all of it passed (`staging`).
Every problem names the audit (its position in `audits` and its case ref) and the field.
`merge FILE.json` reads the file with the same code (`read_into`).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_tui.domain.models import AuditRecord
from audit_tui.exchange.exports import ExportError, check_target, private_output
from audit_tui.exchange.import_checks import ImportChecks
from audit_tui.exchange.jsonstream import Items, JSONStreamError, Member, NotAnObject, read_members
from audit_tui.files.failures import os_reason
from audit_tui.files.userfiles import FileRefused, open_regular
from audit_tui.storage.errors import ProblemsError
from audit_tui.storage.records import FORMAT, write_interchange
from audit_tui.storage.staging import Stage
from audit_tui.storage.store import Store
from audit_tui.summary import Filters, selected_audit_ids
from audit_tui.summary.facts import prepare_copy

WINDOW = 2000  # audits read, checked and inserted at a time by an import


class InterchangeError(ProblemsError):
    """An interchange file that cannot be imported; `problems` lists every one found."""


@dataclass
class ImportResult:
    imported: int
    unchanged: int
    templates_added: int
    kept_as_draft: list[str] = field(default_factory=list)  # case refs imported as drafts (`as_draft`)
    case_refs: list[str] = field(default_factory=list)  # of the audits imported
    conclusions_added: int = 0  # the lead's commentaries, recommendations and targets added


def export_json(store: Store, path: str | Path, filters: Filters | None = None, *, overwrite: bool = False,
                redact: bool = False) -> int:
    """Write the selected audits (every status) and their templates; returns the number of audits.
    `redact`: for circulation, each audit's names to redact replaced by initials (records.write_interchange)."""
    from audit_tui.exchange.conclusions import export_conclusions

    check_target(path, overwrite=overwrite)
    ids = selected_audit_ids(store, filters)
    conclusions = export_conclusions(store, filters.round if filters else None)
    with private_output(path, overwrite=overwrite) as handle:
        return write_interchange(store, handle, ids, redact=redact, conclusions=conclusions)


# Characters clean_text removes or replaces, escaped in JSON or raw in UTF-8 (DEL, C1 controls, bidi
# controls and marks, line and paragraph separators, U+FFFE and U+FFFF): a file without any is not
# walked at all. Each pattern starts with a literal, which keeps the searches fast.
_UNSAFE_IN_FILE = [re.compile(p) for p in (
    rb"\\(?:[bf]|u(?:00[0189]|007[fF]|061[cC]|20(?:0[eEfF]|2[89a-eA-E]|6[6-9])|[dD][89a-fA-F]|[fF]{3}[eEfF]))",
    rb"\x7f", rb"\xc2[\x80-\x9f]", rb"\xd8\x9c", rb"\xe2\x80[\x8e\x8f\xa8-\xae]", rb"\xe2\x81[\xa6-\xa9]",
    rb"\xef\xbf[\xbe\xbf]")]



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


def import_json(store: Store, path: str | Path, *, as_draft: bool = False) -> ImportResult:
    """Import every audit of the file, or none (the database is unchanged on any problem).

    The file is read, checked and inserted a window of audits at a time (memory stays flat at any
    size) into a working copy of the database (`staging.Stage`), which is published in one short
    write transaction once every audit has passed. A completed or moderated audit must meet what
    the app requires of it (`import_checks.completion_problems`), or the import is refused naming
    it; with `as_draft`, such audits are imported as drafts instead."""
    path = Path(path)
    with Stage(store, "imported") as stage:
        result = read_into(stage.store, path, as_draft=as_draft)
        stage.publish(prepare_copy)
    return result


def read_into(store: Store, path: Path, *, note: str = "imported", as_draft: bool = False,
              on_differs: Callable[[int, AuditRecord, AuditRecord], bool] | None = None,
              on_conclusion_differs: Callable[[Any], None] | None = None) -> ImportResult:
    """Check the file's audits and insert the new ones into `store`, in one transaction that any
    problem rolls back (InterchangeError listing them). The one reading of the interchange format:
    import and merge both use it. `on_differs` as in `ImportChecks`; the lead's conclusions and
    targets after the audits (exchange.conclusions.import_conclusions, `on_conclusion_differs`)."""
    from audit_tui.exchange.conclusions import import_conclusions

    with paused_gc():  # each window's objects are freed before the next (no cycles)
        header = _header(path)
        checks = ImportChecks(store, header.get("templates", []), needs_cleaning=_file_needs_cleaning(path),
                              as_draft=as_draft, on_differs=on_differs)
        imported, saved = [], 0
        lead: dict[str, Any] = {key: header[key] for key in ("conclusions", "targets") if key in header}
        with store.bulk_transaction():
            for window in _checked_members(path, WINDOW):
                if not isinstance(window, Items):
                    if window.key in ("conclusions", "targets"):  # (after the audits: not in the header)
                        lead[window.key] = window.value
                    continue
                records = checks.check(window.start, window.items)
                if checks.full:
                    break
                if not checks.problems:  # else only checked, to list every problem
                    for template in checks.new_templates[saved:]:  # the file's, and built-in ones it uses
                        store.save_template(template, source=f"{note} from {path.name}")
                    saved = len(checks.new_templates)
                    store.insert_audit_records(records, note=note)
                    imported += [record.case_ref for record in records]
            conclusions_added, lead_problems = import_conclusions(store, lead, on_differs=on_conclusion_differs)
            checks.problems += lead_problems
            if checks.problems:
                if checks.gates_failed:
                    checks.problems.append(GATES_HINT)
                raise InterchangeError(checks.problems)
            for template in checks.new_templates[saved:]:
                store.save_template(template, source=f"{note} from {path.name}")
    return ImportResult(imported=len(imported), unchanged=checks.unchanged, templates_added=len(checks.new_templates),
                        kept_as_draft=checks.kept_as_draft, case_refs=imported, conclusions_added=conclusions_added)


GATES_HINT = ("a completed or moderated audit must meet the completion gates; to import such audits as drafts, "
              "use `audit-tui import --as-draft`")


def _header(path: Path) -> dict[str, Any]:
    """The file's members but its audits: read as far as the first audit when "format" and the
    templates come before it, else through the whole file (the members may come in any order)."""
    header: dict[str, Any] = {}
    for member in _checked_members(path, 1):
        if isinstance(member, Items):
            if "templates" in header and "format" in header:
                break
            continue
        header[member.key] = member.value
    if header.get("format") != FORMAT:
        raise InterchangeError([f"{path} is not an audit-tui export (expected \"format\": \"{FORMAT}\")"])
    return header


def _checked_members(path: Path, batch: int) -> Iterator[Member | Items]:
    """`_members`, each top-level key checked: one of format, templates and audits, given once, a list
    but for format."""
    seen = set()
    for member in _members(path, batch):
        if not (isinstance(member, Items) and member.start):  # a member, or the start of the audits
            if member.key not in ("format", "templates", "audits", "conclusions", "targets"):
                raise InterchangeError([f"{path}: unknown top-level key(s): {member.key}"])
            if member.key in seen:
                raise InterchangeError([f"{path}: the key \"{member.key}\" appears twice"])
            seen.add(member.key)
            if isinstance(member, Member) and member.key not in ("format", "targets") and not isinstance(member.value, list):
                raise InterchangeError([f"{path}: \"{member.key}\" must be a list"])
        yield member


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


__all__ = ["export_json", "import_json", "InterchangeError", "ImportResult", "ExportError", "read_into"]
