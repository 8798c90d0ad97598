"""The `audit-tui/1` interchange file: lossless export, all-or-nothing import.

Export writes the selected audits (sorted by id) and the templates they use as
deterministic JSON, so export → import into an empty database → export gives the
same bytes. Import validates the whole file first (shape, templates, questions,
grades, ids) and only then inserts everything in one transaction; any problem
names the audit (its position in `audits` and its case ref) and the field.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import NotRequired, TypedDict

from .errors import ProblemsError
from .exports import ExportError, check_target, private_output
from .models import NA, AuditRecord, Template, clean_text
from .store import Store
from .summary import Filters, selected_audit_ids
from .templates import _cross_reference_problems, template_to_dict

FORMAT = "audit-tui/1"
MAX_IMPORT_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 50


class InterchangeError(ProblemsError):
    """An interchange file that cannot be imported; `problems` lists every one found."""


@dataclass
class ImportResult:
    imported: int
    unchanged: int
    templates_added: int


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_json(store: Store, path: str | Path, filters: Filters | None = None, *, overwrite: bool = False) -> int:
    """Write the selected audits (every status) and their templates; returns the number of audits."""
    check_target(path, overwrite=overwrite)
    ids = selected_audit_ids(store, filters)
    records = [store.get_audit(audit_id) for audit_id in ids]
    keys = sorted({(r.template_id, r.template_version) for r in records})
    data = {
        "format": FORMAT,
        "templates": [template_to_dict(store.template(*key)) for key in keys],
        "audits": [r.model_dump(mode="json") for r in records],
    }
    with private_output(path, overwrite=overwrite) as handle:
        handle.write(dumps(data).encode("utf-8"))
    return len(records)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(whole item)"


# Characters clean_text removes, escaped in JSON or raw in UTF-8 (DEL, C1 controls, bidi controls):
# a file without any is not walked at all. Each pattern starts with a literal, which keeps the
# searches fast (about 0.2 s for 100 MB in all).
_UNSAFE_IN_FILE = [re.compile(p) for p in (
    rb"\\(?:[bf]|u(?:00[0189]|007[fF]|202[a-eA-E]|206[6-9]|[dD][89a-fA-F]))",
    rb"\x7f", rb"\xc2[\x80-\x9f]", rb"\xe2\x80[\xaa-\xae]", rb"\xe2\x81[\xa6-\xa9]")]


def _clean(value: Any) -> Any:
    """Strip control and bidi characters from every string, as the store does."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InterchangeError([f"cannot read {path}: {exc.strerror}"]) from None
    if size > MAX_IMPORT_BYTES:
        raise InterchangeError([f"{path} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB"])
    return path.read_bytes()


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


@with_config(ConfigDict(extra="forbid"))
class _File(TypedDict):
    """A file `read_file` would take, with every audit valid: what pydantic reads on the quick path."""

    format: Literal["audit-tui/1"]
    templates: NotRequired[list[Any]]
    audits: NotRequired[list[AuditRecord]]


@cache
def _file_reader() -> TypeAdapter[_File]:
    return TypeAdapter(_File)


def _parsed(path: Path) -> dict[str, Any]:
    """The file's content for `validate`: its audits already models when pydantic can read them straight
    from the bytes (nothing to clean, every audit valid: the usual case, and a third quicker than JSON
    then models); else `read_file`'s, for `validate` to clean and to name each problem."""
    raw = _read_bytes(path)
    if not _needs_cleaning(raw):
        try:
            return _file_reader().validate_json(raw)
        except ValidationError:
            pass
    return read_file(path)


def _templates(store: Store, raw: list[Any], problems: list[str]) -> tuple[dict[tuple[str, int], Template], list]:
    """Templates of the file (validated) and those of them not yet stored."""
    found: dict[tuple[str, int], Template] = {}
    new = []
    for i, item in enumerate(raw):
        where = f"templates[{i}]" + (f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else "")
        try:
            template = Template.model_validate(item)
        except ValidationError as exc:
            problems += [f"{where}, {_loc(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
            continue
        cross = _cross_reference_problems(template)
        if cross:
            problems += [f"{where}, {_loc(p.loc)}: {p.message}" for p in cross]
            continue
        key = (template.id, template.version)
        body = template_to_dict(template)
        if key in found:
            if template_to_dict(found[key]) != body:
                problems.append(f"{where}: template {key[0]} version {key[1]} appears twice with different content")
            continue
        found[key] = template
        row = store.db.execute("SELECT body FROM templates WHERE id = ? AND version = ?", list(key)).fetchone()
        if row is None:
            new.append(template)
        elif json.loads(row[0]) != json.loads(json.dumps(body)):
            problems.append(f"{where}: template {key[0]} version {key[1]} is already stored with different "
                            "content; give the changed template a new version number")
    return found, new


_LOOKUPS: dict[int, dict[str, Any]] = {}


def _grades(template: Template) -> dict[str, Any]:
    """question key → (its scale, the ids of its levels): imports look them up 250,000 times."""
    cached = _LOOKUPS.get(id(template))
    if cached is None or cached.get("\0template") is not template:
        scales = template.scale_map()
        cached = {key: (scale, {lv.id for lv in scale.levels}) for key, _, q in template.questions()
                  for scale in [scales.get(q.scale, scales["ilacs"])]}
        cached["\0template"] = template
        _LOOKUPS.clear() if len(_LOOKUPS) > 64 else None
        _LOOKUPS[id(template)] = cached
    return cached


def _grade_problem(question: str, grade: str | None, scale_and_levels: tuple[Any, set[str]]) -> str | None:
    scale, levels = scale_and_levels
    if grade is None or grade == NA or grade in levels:
        return None
    return f"'{grade}' is not a grade of {question}'s scale ({', '.join(lv.id for lv in scale.levels)}, n/a)"


def _record_problems(record: AuditRecord, template: Template) -> list[tuple[str, str]]:
    """(field, message) for every answer, action and moderation that does not fit the template."""
    found = []
    seen = set()
    questions = _grades(template)
    for i, answer in enumerate(record.answers):
        grades = questions.get(answer.question)
        if grades is None:
            found.append((f"answers[{i}].question", f"'{answer.question}' is not a question of {template.id} "
                                                    f"v{template.version}"))
            continue
        if answer.question in seen:
            found.append((f"answers[{i}].question", f"'{answer.question}' is answered twice"))
        seen.add(answer.question)
        message = _grade_problem(answer.question, answer.grade, grades)
        if message:
            found.append((f"answers[{i}].grade", message))
    for i, action in enumerate(record.actions):
        if action.question and action.question not in questions:
            found.append((f"actions[{i}].question", f"'{action.question}' is not a question of {template.id}"))
    overall = template.overall_scale()
    if record.overall_grade and overall.level(record.overall_grade) is None:
        found.append(("overall_grade", f"'{record.overall_grade}' is not an overall grade"))
    if record.moderation:
        mod, moderated = record.moderation, set()
        if mod.overall_grade and overall.level(mod.overall_grade) is None:
            found.append(("moderation.overall_grade", f"'{mod.overall_grade}' is not an overall grade"))
        for i, changed in enumerate(mod.answers):
            if changed.question not in questions:
                found.append((f"moderation.answers[{i}].question", f"'{changed.question}' is not a question of "
                                                                   f"{template.id}"))
            elif changed.question in moderated:
                found.append((f"moderation.answers[{i}].question", f"'{changed.question}' is moderated twice"))
            else:
                message = _grade_problem(changed.question, changed.grade, questions[changed.question])
                if message:
                    found.append((f"moderation.answers[{i}].grade", message))
            moderated.add(changed.question)
    return found


def _comparable(record: AuditRecord, ids_from: AuditRecord) -> dict[str, Any]:
    """A record as data, without the action/concern ids the file left out."""
    data = record.model_dump(mode="json")
    for key in ("actions", "concerns"):
        for mine, theirs in zip(data[key], getattr(ids_from, key)):
            if theirs.id is None:
                mine["id"] = None
    for answer in data["answers"]:
        answer["themes"] = sorted(set(answer["themes"]))
    return data


def _existing(store: Store, table: str, ids: list[str]) -> dict[str, str]:
    """id → audit_id (or id for audits) of the rows of `table` that already exist."""
    column = "id" if table == "audits" else "audit_id"
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        found.update(store.db.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({marks})", chunk).fetchall())
    return found


def validate(store: Store, data: dict[str, Any]) -> tuple[list[Template], list[AuditRecord], int]:
    """Check the whole file; returns (new templates, audits to insert, unchanged count) or raises."""
    problems: list[str] = []
    needs_cleaning = data.get("_needs_cleaning", True)
    templates, new_templates = _templates(store, data.get("templates", []), problems)
    records: list[tuple[int, AuditRecord]] = []
    seen_ids: dict[str, int] = {}
    for i, raw in enumerate(data.get("audits", [])):
        if len(problems) >= MAX_PROBLEMS:
            break
        try:
            record = raw if isinstance(raw, AuditRecord) else AuditRecord.model_validate(
                _clean(raw) if needs_cleaning else raw)
        except ValidationError as exc:
            case_ref = raw.get("case_ref") if isinstance(raw, dict) else None
            where = f"audit {i} ({case_ref})" if isinstance(case_ref, str) and case_ref else f"audit {i}"
            problems += [f"{where}, field {_loc(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
            continue
        where = f"audit {i} ({record.case_ref})"
        if not record.id.strip():
            problems.append(f"{where}, field id: an audit id cannot be empty")
            continue
        if record.id in seen_ids:
            problems.append(f"{where}, field id: the same id as audit {seen_ids[record.id]}")
            continue
        seen_ids[record.id] = i
        key = (record.template_id, record.template_version)
        template = templates.get(key)
        if template is None:
            try:
                template = store.template(*key)
            except Exception:  # noqa: BLE001 - reported as a problem below
                problems.append(f"{where}, field template_id: template {key[0]} version {key[1]} is neither in "
                                "the file's templates nor in this database")
                continue
        problems += [f"{where}, field {field}: {message}" for field, message in _record_problems(record, template)]
        records.append((i, record))
    existing = _existing(store, "audits", [r.id for _, r in records])
    inserts, unchanged = [], 0
    for i, record in records:
        where = f"audit {i} ({record.case_ref})"
        if record.id in existing:
            if _comparable(store.get_audit(record.id), record) != _comparable(record, record):
                problems.append(f"{where}, field id: audit {record.id} already exists with different content "
                                "(merging is not supported yet)")
            else:
                unchanged += 1
            continue
        inserts.append((i, record))
    for table, attr in (("actions", "actions"), ("concerns", "concerns")):
        owners = {item.id: (i, r) for i, r in inserts for item in getattr(r, attr) if item.id}
        counted: dict[str, int] = {}
        for i, r in inserts:
            for n, item in enumerate(getattr(r, attr)):
                if item.id:
                    counted[item.id] = counted.get(item.id, 0) + 1
                    if counted[item.id] == 2:
                        problems.append(f"audit {i} ({r.case_ref}), field {attr}[{n}].id: {item.id} is used twice")
        for item_id in _existing(store, table, list(owners)):
            i, r = owners[item_id]
            problems.append(f"audit {i} ({r.case_ref}), field {attr}.id: {item_id} already exists in this database")
    if problems:
        raise InterchangeError(problems)
    return new_templates, [r for _, r in inserts], unchanged


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
    """Import every audit of the file, or none (the database is unchanged on any problem)."""
    path = Path(path)
    cached = set(store._templates)  # noqa: SLF001 - undo cache entries if the transaction rolls back
    try:
        with paused_gc():
            return _import(store, path)  # its objects are freed before collections resume
    except BaseException:
        for key in set(store._templates) - cached:  # noqa: SLF001
            store._templates.pop(key, None)  # noqa: SLF001
        raise


def _import(store: Store, path: Path) -> ImportResult:
    new_templates, records, unchanged = validate(store, _parsed(path))
    with store.bulk_transaction():
        for template in new_templates:
            store.save_template(template, source=f"imported from {path.name}")
        store.insert_audit_records(records, note="imported")
    return ImportResult(imported=len(records), unchanged=unchanged, templates_added=len(new_templates))


__all__ = ["export_json", "import_json", "InterchangeError", "ImportResult", "ExportError", "MAX_IMPORT_BYTES"]
