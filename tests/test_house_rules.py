"""Rules that guard themselves: every command is documented and explained; no test skips itself away; no
module reaches into another's private names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from audit_tui.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    """(path, command) for the `audit-tui` command and every command below it."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


COMMANDS = [(" ".join(path), command) for path, command in _commands(main) if not command.hidden]


def test_the_command_tree_is_walked():
    names = [name for name, _ in COMMANDS]
    assert {"report", "templates list", "rounds create", "actions done"} <= set(names)
    assert len(names) >= 20


@pytest.mark.parametrize("name, command", COMMANDS[1:], ids=[name for name, _ in COMMANDS[1:]])
def test_every_command_is_in_the_readme(name, command):
    assert f"audit-tui {name}" in README, f"README.md does not mention `audit-tui {name}`"


@pytest.mark.parametrize("name, command", COMMANDS, ids=[name or "audit-tui" for name, _ in COMMANDS])
def test_every_command_and_option_has_help_text(name, command):
    assert (command.help or "").strip(), f"`audit-tui {name}` has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"`audit-tui {name}` option {param.opts[0]} has no help text"


def test_no_test_skips_itself_when_an_audit_tui_module_is_missing():
    """A deleted module must fail its tests, not turn them into skips."""
    skipping = re.compile(r"importorskip\(\s*[\"']audit_tui")
    offenders = [f"{path.name}:{n}" for path in sorted((ROOT / "tests").rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if skipping.search(line)]
    assert offenders == []


def test_no_module_imports_another_modules_private_names():
    """A name starting with an underscore is its module's own: another module of the package that needs
    it imports a public, documented name instead (README, Development); so do the tests."""
    offenders = []
    for path in sorted([*(ROOT / "audit_tui").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("audit_tui"):
                offenders += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                              for alias in node.names if alias.name.startswith("_")]
    assert offenders == []


def test_the_store_owns_its_parts_and_hands_them_its_calls(tmp_path):
    """The store is composed, not mixed in (README, Development): each part is an object of its own, and
    every public method of a part is a Store method of the same name and help, so the Store stays the one
    way in."""
    from audit_tui.storage.part import Part
    from audit_tui.storage.store import Store

    assert Store.__mro__ == (Store, object)
    with Store(tmp_path / "audits.db", actor="Ann") as store:
        parts = {name: part for name, part in vars(store).items() if isinstance(part, Part)}
        assert set(parts) == {"followups", "practice", "governance", "conclusions", "reaudits", "casework", "copying"}
        for name, part in parts.items():
            assert part.store is store and part.trail is store.trail
            for method in [m for m in vars(type(part)) if not m.startswith("_") and callable(getattr(part, m))]:
                assert getattr(Store, method).__doc__ == getattr(type(part), method).__doc__, f"{name}.{method}"
        assert store.trail.actor == "Ann"
