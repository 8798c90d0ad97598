"""Installed as users install it: a wheel built from this checkout, in a fresh virtual environment.

The wheel is built without network (the build backend comes from the test environment) and
installed without its dependencies, which the fresh environment borrows from the test
environment through a .pth file; the app itself comes from the wheel only. Every command runs
from an empty folder with HOME and the XDG folders pointed at empty temporary folders, so
nothing of the source checkout or the developer's settings can help it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILTIN_TEMPLATES = ["care-leavers", "child-protection", "children-in-need", "children-looked-after",
                     "supervision-oversight"]

pytestmark = [pytest.mark.install,  # runs in CI with the rest (`-m "not install"` skips it)
              pytest.mark.xdist_group("install")]  # one wheel, built on one worker (--dist loadgroup)


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of a fresh venv holding only the built wheel, environment for running it)."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(wheels), str(ROOT)])
    (wheel,) = wheels.glob("audit_tui-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    site = Path(_run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=base).stdout.strip())
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "borrowed_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
          "--no-index", str(wheel)])

    home = base / "home"
    empty = base / "cwd"
    for folder in (home, empty):
        folder.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AUDIT_TUI_", "XDG_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               MPLCONFIGDIR=str(home / "mpl"), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return wheel, venv / "bin", env, empty


def test_the_wheel_carries_templates_sample_cases_and_the_reference_document(installed):
    wheel, *_ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in BUILTIN_TEMPLATES:
        assert f"audit_tui/data/templates/{template}.yaml" in names
    assert "audit_tui/data/templates/reference.docx" in names
    assert "audit_tui/data/sample_cases/CL-0101/case.yaml" in names
    assert "audit_tui/tui/app.tcss" in names


def test_the_app_runs_from_the_wheel_alone(installed):
    _, bin_dir, env, cwd = installed
    where = _run([str(bin_dir / "python"), "-c",
                  "import audit_tui, audit_tui.features.samples as s, audit_tui.report.docxkit as d;"
                  "print(audit_tui.__file__); print(s.SAMPLES_DIR); print(d.reference_path())"],
                 cwd=cwd, env=env).stdout.splitlines()
    assert len(where) == 3 and all(Path(p).is_relative_to(bin_dir.parent) for p in where), where  # not the checkout
    assert Path(where[2]).name == "reference.docx"


def test_templates_list_shows_the_built_in_templates(installed):
    _, bin_dir, env, cwd = installed
    listed = _run([str(bin_dir / "audit-tui"), "templates", "list"], cwd=cwd, env=env).stdout
    assert [line.split()[0] for line in listed.splitlines()] == BUILTIN_TEMPLATES


def test_demo_then_report_from_an_empty_folder(installed):
    _, bin_dir, env, cwd = installed
    demo = _run([str(bin_dir / "audit-tui"), "demo", "--no-open"], cwd=cwd, env=env).stdout.strip()
    db = Path(demo)
    assert db.is_file() and db.is_relative_to(Path(env["HOME"]))
    _run([str(bin_dir / "audit-tui"), "report", "-o", "round.docx", "--db", str(db)], cwd=cwd, env=env)
    with zipfile.ZipFile(cwd / "round.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "CL-0101" in body  # a sample case's audit made it into the report
