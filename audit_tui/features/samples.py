"""The fictional sample cases trainers use: metadata, case record and reference audit.

Each case is a folder `sample_cases/<REF>/` holding `case.yaml` (metadata),
`record.md` (the case file a trainee reads) and `reference.json` (an experienced
auditor's audit in the `audit-tui/1` interchange format, with a rationale per grade).
`practice` and `learning_points` are for the trainer: show them only after calibration.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from audit_tui.domain.bundled import bundled_dir
from audit_tui.domain.models import AuditRecord, Interchange, Strict, Template
from audit_tui.domain.templates import builtin_templates
from audit_tui.files.failures import os_reason
from audit_tui.files.userfiles import FileRefused, read_text_capped

SAMPLES_DIR = Path(os.environ.get("AUDIT_TUI_SAMPLE_CASES") or bundled_dir("sample_cases"))
MAX_FILE_BYTES = 2_000_000


class SampleError(Exception):
    """A sample case that cannot be read; the message is for the user."""


class SampleCase(Strict):
    """`case.yaml`: what a case is, which template audits it, and (for the trainer) what it teaches."""

    case_ref: str = Field(pattern=r"^[A-Z]+-\d{4}$")
    service_area: str
    template: str
    team: str = ""
    worker: str = ""
    practice: Literal["strong", "mixed", "weak"]
    summary: str = ""
    learning_points: list[str] = []


def _read(path: Path) -> str:
    try:
        return read_text_capped(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise SampleError(str(exc)) from None
    except FileNotFoundError:
        raise SampleError(f"{path} is missing") from None
    except UnicodeDecodeError:
        raise SampleError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise SampleError(f"cannot read {path}: {os_reason(exc)}") from None


def case_dir(ref: str, root: Path | None = None) -> Path:
    root = root or SAMPLES_DIR
    folder = root / ref
    if not ref or "/" in ref or "\\" in ref or ref.startswith(".") or not folder.is_dir():
        raise SampleError(f"no sample case {ref!r}")
    return folder


def load_case(ref: str, root: Path | None = None) -> SampleCase:
    """The metadata of one case (`case.yaml`)."""
    path = case_dir(ref, root) / "case.yaml"
    try:
        data = yaml.safe_load(_read(path))
        case = SampleCase.model_validate(data)
    except yaml.YAMLError as exc:
        raise SampleError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SampleError(f"{path}: {where}: {first['msg']}") from None
    if case.case_ref != ref:
        raise SampleError(f"{path}: case_ref {case.case_ref} does not match its folder {ref}")
    return case


def list_sample_cases(root: Path | None = None) -> list[SampleCase]:
    """Every sample case, by ref."""
    root = root or SAMPLES_DIR
    if not root.is_dir():
        return []
    return [load_case(p.name, root) for p in sorted(root.iterdir()) if (p / "case.yaml").is_file()]


def record_text(ref: str, root: Path | None = None) -> str:
    """The case record (Markdown) the trainee reads."""
    return _read(case_dir(ref, root) / "record.md")


def load_reference(ref: str, root: Path | None = None) -> AuditRecord:
    """The reference audit of a case (the one audit in its `reference.json`)."""
    path = case_dir(ref, root) / "reference.json"
    try:
        data = Interchange.model_validate(json.loads(_read(path)))
    except json.JSONDecodeError as exc:
        raise SampleError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SampleError(f"{path}: {where}: {first['msg']}") from None
    if len(data.audits) != 1 or data.audits[0].case_ref != ref:
        raise SampleError(f"{path}: expected exactly one audit, of case {ref}")
    reference = data.audits[0]
    if reference.status != "draft" and reference.safeguarding is None:  # (files written before the statement)
        reference.safeguarding = "concern_raised" if reference.concerns else "no_risk"
    return reference


def case_template(case: SampleCase, version: int | None = None, stored: list[Template] | tuple[Template, ...] = ()) -> Template:
    """The template a case is audited with: `version` if given (else the newest), built-in or stored."""
    candidates = [t for t in [*builtin_templates(), *stored] if t.id == case.template]
    if version is not None:
        candidates = [t for t in candidates if t.version == version]
    if not candidates:
        raise SampleError(f"template {case.template}{f' v{version}' if version else ''} "
                          f"for sample case {case.case_ref} is not available")
    return max(candidates, key=lambda t: t.version)
