"""Loading and validating audit templates, with file:line in every error."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from audit_tui.domain.bundled import bundled_dir
from audit_tui.domain.models import ILACS, Template, clean_text
from audit_tui.files.failures import os_reason
from audit_tui.files.userfiles import FileRefused, read_text_capped

MAX_TEMPLATE_BYTES = 1_000_000
MAX_NUMBER_CHARS = 100
BUILTIN_DIR = Path(os.environ.get("AUDIT_TUI_BUILTIN_TEMPLATES") or bundled_dir("templates"))


class TemplateError(Exception):
    """A template that cannot be used; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class _Problem:
    loc: tuple[Any, ...]
    message: str


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader for templates, read by libyaml where PyYAML has it (its wheels do), much faster than
    PyYAML's own reader (README, Performance)."""

    def construct_yaml_int(self, node):  # noqa: D401 - PyYAML hook
        """An integer, refused at its line when longer than any template needs (Python would stop at
        4,300 digits with a message no user should see)."""
        if len(node.value) > MAX_NUMBER_CHARS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number longer than {MAX_NUMBER_CHARS} digits", node.start_mark)
        return super().construct_yaml_int(node)


def _refuse_aliases(text: str) -> None:
    """Anchors and aliases are refused at the alias's line, before anything is built (no billion laughs)."""
    for event in yaml.parse(text, Loader=_TemplateLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed in templates", event.start_mark)


_TemplateLoader.add_constructor("tag:yaml.org,2002:int", _TemplateLoader.construct_yaml_int)

# YAML 1.1 reads yes/no/on/off as booleans; in templates `yes` is a grade, so only
# true/false are booleans here (as in YAML 1.2).
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _TemplateLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


def _node_at(node: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """The deepest YAML node on the path `loc` (keys and list indexes)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                key = next((k for k, _ in node.value if k.value == part), None)
                return key or node
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node


def _describe(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def cross_reference_problems(template: Template) -> list[_Problem]:
    """Ids unique, scales and themes known, only_if pointing back to a real answer."""
    problems: list[_Problem] = []
    scales = template.scale_map()
    themes = template.theme_map()
    seen_keys: dict[str, Any] = {}
    for name, items in (("scales", template.scales), ("themes", template.themes), ("sections", template.sections)):
        ids = [item.id for item in items]
        for i, item_id in enumerate(ids):
            if item_id in ids[:i]:
                problems.append(_Problem((name, i, "id"), f"duplicate {name[:-1]} id '{item_id}'"))
    for si, scale in enumerate(template.scales):
        if scale.id == ILACS.id and [lv.id for lv in scale.levels] != [lv.id for lv in ILACS.levels]:
            problems.append(_Problem(("scales", si, "levels"), "the ilacs scale keeps Ofsted's four levels "
                                     "(outstanding, good, requires_improvement, inadequate), best first; "
                                     "give a different scale another id"))
    for si, scale in enumerate(template.scales):
        for li, level in enumerate(scale.levels):
            if not level.counted and level.good_or_better:
                problems.append(_Problem(("scales", si, "levels", li, "counted"), "a level left out of the figures "
                                         "(counted: false) cannot also be good or better"))
        if all(not level.counted for level in scale.levels):
            problems.append(_Problem(("scales", si, "levels"), "at least one level must be counted"))
    for si, section in enumerate(template.sections):
        for qi, question in enumerate(section.questions):
            here = ("sections", si, "questions", qi)
            if question.measures and question.scale in scales and not scales[question.scale].graded:
                problems.append(_Problem(here + ("measures",), f"scale '{question.scale}' records facts, not "
                                         "judgements (graded: false), so its answers cannot feed a measure"))
            for mi, measure in enumerate(question.measures):
                if measure in question.measures[:mi]:
                    problems.append(_Problem(here + ("measures", mi), f"measure '{measure}' is listed twice"))
            if question.limiting and question.scale != ILACS.id:
                problems.append(_Problem(here + ("limiting",), "only a four-point (ilacs) question can be "
                                         f"limiting; this one uses scale '{question.scale}'"))
            key = f"{section.id}.{question.id}"
            if key in seen_keys:
                problems.append(_Problem(here + ("id",), f"duplicate question '{key}'"))
            if question.scale not in scales:
                problems.append(_Problem(here + ("scale",), f"unknown scale '{question.scale}' (known: {', '.join(scales)})"))
            for ti, theme in enumerate(question.themes):
                if theme not in themes:
                    problems.append(_Problem(here + ("themes", ti), f"unknown theme '{theme}'"))
            if question.only_if:
                target = seen_keys.get(question.only_if.question)
                if target is None:
                    problems.append(_Problem(here + ("only_if", "question"),
                                             f"only_if names '{question.only_if.question}', which is not an earlier question"))
                else:
                    levels = {lv.id for lv in scales.get(target.scale, scales["ilacs"]).levels}
                    for ai, answer in enumerate(question.only_if.answer_in):
                        if answer not in levels:
                            problems.append(_Problem(here + ("only_if", "answer_in", ai),
                                                     f"'{answer}' is not a level of scale '{target.scale}'"))
            seen_keys[key] = question
    return problems


def _unsafe_text_problems(data: Any, loc: tuple[Any, ...] = ()) -> list[_Problem]:
    """Strings holding control, escape or bidi-override characters (templates are shown on screen)."""
    if isinstance(data, str):
        return [] if clean_text(data) == data else [
            _Problem(loc, "contains control, escape or bidi-override characters; remove them")]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _unsafe_text_problems(k, loc) + _unsafe_text_problems(v, loc + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _unsafe_text_problems(v, loc + (i,))]
    return []


@lru_cache(maxsize=64)
def parse_template(text: str, filename: str) -> Template:
    """Parse and validate template YAML; raise TemplateError with file:line problems.

    The same text is parsed once per process (the new-audit form, the rounds screen and each command
    offer every template; nothing changes a template once parsed). A file whose text has changed is
    parsed afresh."""
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise TemplateError([f"{filename}:1: template is larger than {MAX_TEMPLATE_BYTES // 1000} kB"])
    loader = _TemplateLoader(text)
    try:
        _refuse_aliases(text)
        root = loader.get_single_node()  # composed once: the data, and the lines its problems are on
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise TemplateError([f"{filename}:{line}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise TemplateError([f"{filename}:1: {exc}"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or root is None:
        raise TemplateError([f"{filename}:1: a template is a mapping with id, version, title and sections"])
    problems = _unsafe_text_problems(data)
    try:
        template = Template.model_validate(data)
        problems += cross_reference_problems(template)
    except ValidationError as exc:
        problems += [_Problem(tuple(err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]
    if problems:
        lines = []
        for problem in problems:
            line = _node_at(root, problem.loc).start_mark.line + 1
            where = _describe(problem.loc)
            lines.append(f"{filename}:{line}: {where + ': ' if where else ''}{problem.message}")
        raise TemplateError(lines)
    return template


def load_template(path: str | Path, *, follow_symlinks: bool = True) -> Template:
    """Load one template file (a regular file; a symlink only if `follow_symlinks`)."""
    path = Path(path)
    try:
        text = read_text_capped(path, MAX_TEMPLATE_BYTES, follow_symlinks=follow_symlinks)
    except FileRefused as exc:
        raise TemplateError([f"{path}:1: {exc.reason}"]) from None
    except UnicodeDecodeError:
        raise TemplateError([f"{path}:1: not UTF-8 text"]) from None
    except OSError as exc:
        raise TemplateError([f"{path}: cannot read ({os_reason(exc)})"]) from None
    return parse_template(text, str(path))


def template_dirs(user_dir: str | Path | None = None) -> list[Path]:
    """Folders searched for templates: built-in first, then the user's own."""
    dirs = [BUILTIN_DIR]
    if user_dir:
        dirs.append(Path(user_dir).expanduser())
    return dirs


def discover_templates(user_dir: str | Path | None = None) -> tuple[list[Template], list[str]]:
    """All loadable templates, and the problems of those that are not.

    A user's template with the same id and version as a built-in one is ignored
    (the built-in wins); a newer version is offered beside it.
    """
    found: dict[tuple[str, int], Template] = {}
    problems: list[str] = []
    for folder in template_dirs(user_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.y*ml")):
            try:
                template = load_template(path, follow_symlinks=folder == BUILTIN_DIR)
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            found.setdefault((template.id, template.version), template)
    return sorted(found.values(), key=lambda t: (t.title.lower(), -t.version)), problems


@lru_cache(maxsize=1)
def builtin_templates() -> tuple[Template, ...]:
    """The built-in templates, parsed once per process."""
    return tuple(discover_templates()[0])


def builtin_template(template_id: str, version: int) -> Template | None:
    """The built-in template of that id and version, if audit-tui ships one."""
    return next((t for t in builtin_templates() if (t.id, t.version) == (template_id, version)), None)


def template_to_dict(template: Template) -> dict[str, Any]:
    """A template as plain data (for storing and the interchange file)."""
    return template.model_dump(mode="json", exclude_defaults=True)
