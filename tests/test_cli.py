"""The command line through its real entry point."""

from __future__ import annotations

import subprocess
import sys

from .conftest import DATA


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "audit_tui", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_templates_list_shows_every_built_in():
    result = run("templates", "list")
    assert result.returncode == 0
    for template_id in ("care-leavers", "children-looked-after", "child-protection", "children-in-need",
                        "supervision-oversight"):
        assert template_id in result.stdout


def test_templates_validate_ok_and_bad(tmp_path):
    ok = run("templates", "validate", str(DATA / "mini.yaml"))
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nversion: 1\ntitle: T\nsections: []\n")
    result = run("templates", "validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:1:" in result.stderr and "Traceback" not in result.stderr
