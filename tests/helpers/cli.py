"""`audit-tui` run inside the test's own process, for tests about what a command does (figures, files,
history, merges): the same command group, arguments, environment variables and folder as a child
process, without the second Python start-up each child costs (1.5 s of CPU, most of a small test).

Tests about the real entry point (the installed script, exit codes and stderr of the process, signals,
resource limits, file permissions) keep running `audit-tui` as a child process; every command family
keeps at least one such test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from audit_tui.cli.main import main


def invoke(*args: object, cwd: Path | str | None = None, env: dict[str, str] | None = None,
           input: str | None = None) -> subprocess.CompletedProcess:
    """`audit-tui ARGS` in this process; its result as `subprocess.run` gives it (returncode, stdout, stderr).

    `cwd` is the working folder during the command; `env` sets environment variables for its duration.
    An exception the command lets through is raised here (a child process would print a traceback)."""
    argv = [str(a) for a in args]
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, argv, env=env, input=input, prog_name="audit-tui", catch_exceptions=False)
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["audit-tui", *argv], result.exit_code, result.stdout, result.stderr)


def run_script(*args: object, cwd: Path | str | None = None, env: dict[str, str] | None = None,
               input: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m audit_tui ARGS` as a child process (the real entry point), with `env` added to ours."""
    return subprocess.run([sys.executable, "-m", "audit_tui", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, input=input, env={**os.environ, **(env or {})})
