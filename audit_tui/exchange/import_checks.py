"""The checks of an import: a window of audits at a time, problems gathered across windows.

`ImportChecks` validates each audit of an interchange file (shape, template, questions, grades,
ids) as the import reads it, and says which are new; it keeps only ids between windows, so an
import of any size holds one window of audits at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from audit_tui.domain import gates
from audit_tui.domain.models import NA, AuditRecord, Template, clean_text
from audit_tui.domain.templates import builtin_template, cross_reference_problems, template_to_dict
from audit_tui.storage.store import Store

MAX_PROBLEMS = 50


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(whole item)"


def _clean(value: Any) -> Any:
    """Strip control and bidi characters from every string, as the store does."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


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
        cross = cross_reference_problems(template)
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
    cached: dict[str, Any] | None = _LOOKUPS.get(id(template))
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
        for question in action.questions:
            if question not in questions:
                found.append((f"actions[{i}].question{'s' if question != action.question else ''}",
                              f"'{question}' is not a question of {template.id}"))
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


def completion_problems(record: AuditRecord, template: Template) -> list[str]:
    """Why the app would not have let this audit reach its status: a completed or moderated audit
    must meet the completion gates, a moderated one needs its moderation, and only it has one.
    Of the safeguarding statement, only 'a concern was raised' with none recorded is refused: an audit
    completed before the statement existed (none given) stays completed, as in the database, and a
    concern raised after completion makes 'no unaddressed risk found' out of date, not wrong."""
    if record.status == "draft":
        return ["only a moderated audit has a moderation"] if record.moderation else []
    # The suggested grade without the concerns: one raised after completion changes the suggestion,
    # not what completing needed.
    findings = gates.completion_failures(template, record, record.overall_grade, record.overall_reason,
                                         suggest_from=record.model_copy(update={"concerns": []}))
    found = [f.message for f in findings if f.target[0] != "safeguarding" or record.safeguarding == "concern_raised"]
    if record.status == "moderated":
        found += gates.moderation_failures(template, record)
    elif record.moderation:
        found.append("only a moderated audit has a moderation")
    return found


def _comparable(record: AuditRecord, ids_from: AuditRecord) -> dict[str, Any]:
    """A record as data, without the action/concern ids the file left out."""
    data = record.model_dump(mode="json")
    for key in ("actions", "concerns"):
        for mine, theirs in zip(data[key], getattr(ids_from, key)):
            if theirs.id is None:
                mine["id"] = None
    return in_one_order(data)


def in_one_order(data: dict[str, Any]) -> dict[str, Any]:
    """An audit as data (`model_dump(mode="json")`), its answers, their theme tags, its actions and its concerns
    put in one order: the order a copy or a file holds them in is no difference (import and merge)."""
    for answer in data["answers"]:
        answer["themes"] = sorted(set(answer["themes"]))
    data["answers"] = sorted(data["answers"], key=lambda a: a["question"])
    for key in ("actions", "concerns"):
        data[key] = sorted(data[key], key=lambda a: json.dumps(a, sort_keys=True))
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


@dataclass
class Unreadable:
    """An audit of the file that is not an AuditRecord, and why."""

    problems: list[str]


def read_record(i: int, raw: Any, needs_cleaning: bool = True) -> AuditRecord | Unreadable:
    """The audit at position `i` of a file as a model, its text cleaned if `needs_cleaning`."""
    try:
        return AuditRecord.model_validate(_clean(raw) if needs_cleaning else raw)
    except ValidationError as exc:
        case_ref = raw.get("case_ref") if isinstance(raw, dict) else None
        where = f"audit {i} ({case_ref})" if isinstance(case_ref, str) and case_ref else f"audit {i}"
        return Unreadable([f"{where}, field {_loc(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)])


class ImportChecks:
    """The checks of one import: `check` each window of audits in file order, then `problems`.

    Between windows it keeps only the ids it has seen, so an audit id, action id or concern id used
    twice in the file is found in any two windows, and a database id found to exist is one the
    database held before the import (the file's own are seen first).
    """

    def __init__(self, store: Store, raw_templates: list[Any], *, needs_cleaning: bool = True,
                 as_draft: bool = False, on_differs: Callable[[int, AuditRecord, AuditRecord], bool] | None = None):
        self.store = store
        self.problems: list[str] = []
        self.templates, self.new_templates = _templates(store, raw_templates, self.problems)
        self.unchanged = 0
        self.as_draft = as_draft  # keep an audit that fails its completion gates as a draft (else refuse)
        self.kept_as_draft: list[str] = []  # their case refs
        self.gates_failed = False
        # an audit already in the database with different content: `on_differs(position, record, stored)`
        # returns True when it is dealt with (e.g. listed as a merge conflict); else it is a problem
        self._on_differs = on_differs
        self._needs_cleaning = needs_cleaning
        self._audit_ids: dict[str, int] = {}  # id -> its position in the file
        self._item_ids: dict[str, set[str]] = {"actions": set(), "concerns": set()}

    @property
    def full(self) -> bool:
        """As many problems as are worth listing: the import can stop reading."""
        return len(self.problems) >= MAX_PROBLEMS

    def check(self, start: int, raws: list[Any]) -> list[AuditRecord]:
        """The audits of this window (the first at position `start`) to insert; problems are kept."""
        records = []
        for i, raw in enumerate(raws, start):
            if self.full:
                break
            record = self._record(i, raw)
            if record is not None:
                records.append((i, record))
        inserts = self._new(records)
        for attr in ("actions", "concerns"):
            self._check_item_ids(attr, inserts)
        return [record for _, record in inserts]

    def _record(self, i: int, raw: Any) -> AuditRecord | None:
        """The audit at position `i`, validated against its template, or None (its problems kept)."""
        record = raw if isinstance(raw, AuditRecord) else read_record(i, raw, self._needs_cleaning)
        if isinstance(record, Unreadable):
            self.problems += record.problems
            return None
        where = f"audit {i} ({record.case_ref})"
        if not record.id.strip():
            self.problems.append(f"{where}, field id: an audit id cannot be empty")
            return None
        if record.id in self._audit_ids:
            self.problems.append(f"{where}, field id: the same id as audit {self._audit_ids[record.id]}")
            return None
        self._audit_ids[record.id] = i
        key = (record.template_id, record.template_version)
        template = self.templates.get(key)
        if template is None:
            template = self._known_template(key)
            if template is None:
                self.problems.append(f"{where}, field template_id: template {key[0]} version {key[1]} is neither "
                                     "in the file's templates, nor in this database, nor built in")
                return None
        self.problems += [f"{where}, field {field}: {message}" for field, message in _record_problems(record, template)]
        return self._gated(where, record, template)

    def _known_template(self, key: tuple[str, int]) -> Template | None:
        """A template the file does not carry: this database's, else a built-in one (then added)."""
        try:
            return self.store.template(*key)
        except Exception:  # noqa: BLE001 - not stored here
            pass
        template = builtin_template(*key)
        if template is not None:
            self.templates[key] = template
            self.new_templates.append(template)
        return template

    def _gated(self, where: str, record: AuditRecord, template: Template) -> AuditRecord:
        """The record if its status is one the app would have let it reach; else kept as a draft
        (`as_draft`) or its unmet gates listed as problems."""
        unmet = completion_problems(record, template)
        if not unmet:
            return record
        if self.as_draft:
            self.kept_as_draft.append(record.case_ref)
            return record.model_copy(update={"status": "draft", "moderation": None})
        self.gates_failed = True
        self.problems += [f"{where}, field status: {record.status}, but {message}" for message in unmet]
        return record

    def _new(self, records: list[tuple[int, AuditRecord]]) -> list[tuple[int, AuditRecord]]:
        """The records not in the database; those that are count as unchanged, or as a problem if changed."""
        existing = _existing(self.store, "audits", [r.id for _, r in records])
        inserts = []
        for i, record in records:
            if record.id not in existing:
                inserts.append((i, record))
            elif _comparable(stored := self.store.get_audit(record.id), record) != _comparable(record, record):
                if self._on_differs is not None and self._on_differs(i, record, stored):
                    continue
                self.problems.append(f"audit {i} ({record.case_ref}), field id: audit {record.id} already exists "
                                     "with different content (merging is not supported yet)")
            else:
                self.unchanged += 1
        return inserts

    def _check_item_ids(self, attr: str, inserts: list[tuple[int, AuditRecord]]) -> None:
        seen, owners = self._item_ids[attr], {}
        for i, record in inserts:
            for n, item in enumerate(getattr(record, attr)):
                if not item.id:
                    continue
                if item.id in seen or item.id in owners:
                    self.problems.append(f"audit {i} ({record.case_ref}), field {attr}[{n}].id: {item.id} is used "
                                         "twice")
                else:
                    owners[item.id] = (i, record)
        seen.update(owners)
        for item_id in _existing(self.store, attr, list(owners)):
            i, record = owners[item_id]
            self.problems.append(f"audit {i} ({record.case_ref}), field {attr}.id: {item_id} already exists in this "
                                 "database")
