"""Hostile files (issue 18, items 6, 7 and 9): a named pipe, a device or a symlink where a file is
expected, a file larger than the size it reports, and an XLSX case list that unpacks to hundreds of
megabytes. Each is refused quickly with one line, through the installed `audit-tui` (a child
process with a timeout and a memory limit, so the old behaviour fails the test instead of hanging
it or filling the machine's memory). Where several commands meet the same hostile file, the others
run together in one child process (`commands_in_one_process`), with the same timeout and limit;
setting up (creating a round) and what cannot hang run in the test's process (tests/helpers/cli.py).
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .helpers.cli import invoke

ROOT = Path(__file__).resolve().parents[1]
ENTRY = shutil.which("audit-tui", path=str(Path(sys.executable).parent)) or "audit-tui"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for each child


def _limits(memory: int | None, file_size: int | None):
    def apply() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if file_size:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    return apply


def cli(args: list[str], tmp_path: Path, *, timeout: float = 300, memory: int | None = MEMORY_LIMIT,
        file_size: int | None = None, prefix: list[str] = ()) -> subprocess.CompletedProcess:
    """`audit-tui ARGS` with this test's config and data folders; TimeoutExpired fails the test (by default
    after 300 s: the demo's report takes over a minute on a busy machine; tests of a hang give less)."""
    env = {**os.environ, "AUDIT_TUI_DEBUG": "", "AUDIT_TUI_CONFIG_DIR": str(tmp_path / "config"),
           "AUDIT_TUI_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([*prefix, ENTRY, *args], capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                          stdin=subprocess.DEVNULL, env=env, preexec_fn=_limits(memory, file_size))


def commands_in_one_process(commands: list[list[str]], tmp_path: Path, *, timeout: float,
                            memory: int = MEMORY_LIMIT) -> list[subprocess.CompletedProcess]:
    """Each of `commands` (`audit-tui` arguments), one after the other in one child process (the command
    group as `invoke` runs it), with this test's folders, a timeout for them all and a memory limit; the
    result of each. A command that waits on a pipe or reads a device to its end fails the test (TimeoutExpired
    or the child's own failure) instead of hanging it."""
    code = ("import json, sys\nfrom tests.helpers.cli import invoke\n"
            "results = [invoke(*args) for args in json.loads(sys.argv[1])]\n"
            "print(json.dumps([[r.returncode, r.stdout, r.stderr] for r in results]))")
    env = {**os.environ, "AUDIT_TUI_DEBUG": "", "AUDIT_TUI_CONFIG_DIR": str(tmp_path / "config"),
           "AUDIT_TUI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(commands)], capture_output=True, text=True,
                          timeout=timeout, cwd=tmp_path, stdin=subprocess.DEVNULL, env=env,
                          preexec_fn=_limits(memory, None))
    assert done.returncode == 0, done.stderr[-2000:]
    return [subprocess.CompletedProcess(["audit-tui", *args], code, out, err)
            for args, (code, out, err) in zip(commands, json.loads(done.stdout))]


def one_line(result: subprocess.CompletedProcess) -> str:
    """The single line a failed command printed (it must have failed, in one line, without a traceback)."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]


def set_template_dir(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "settings.json").write_text(json.dumps({"template_dir": str(folder)}))


def test_a_named_pipe_in_the_template_folder_is_skipped_not_waited_for(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    os.mkfifo(folder / "pipe.yaml")
    shutil.copy(ROOT / "tests" / "data" / "mini.yaml", folder / "mini.yaml")
    set_template_dir(tmp_path, folder)
    result = cli(["templates", "list"], tmp_path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "mini" in result.stdout and "care-leavers" in result.stdout
    assert result.stderr.strip() == f"skipped: {folder / 'pipe.yaml'}:1: it is a pipe, device or socket, " \
                                    "not a regular file, so nothing was read from it"


def test_the_app_offers_templates_at_once_with_a_named_pipe_in_the_folder(tmp_path):
    """Pilot in a child process: `n` on the home screen opens the new-audit form (it froze before)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    os.mkfifo(folder / "pipe.yaml")
    shutil.copy(ROOT / "tests" / "data" / "mini.yaml", folder / "mini.yaml")
    env = {**os.environ, "AUDIT_TUI_CONFIG_DIR": str(tmp_path / "config"),
           "AUDIT_TUI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "tests.helpers.pilot_new_audit", str(tmp_path / "a.db"),
                             str(folder)], capture_output=True, text=True, timeout=90, cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-2000:]
    screen, ids = result.stdout.strip().splitlines()[-2:]
    assert screen == "NewAuditScreen"
    assert "mini" in ids.split() and "care-leavers" in ids.split()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/proc/self/pagemap"])
def test_validate_refuses_a_device_or_a_file_larger_than_it_reports(tmp_path, device):
    """/dev/zero never ends; /proc/self/pagemap is a "regular" file that reports 0 bytes and holds
    gigabytes: the cap counts the bytes actually read."""
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    started = time.monotonic()
    line = cli(["templates", "validate", device], tmp_path, timeout=30).stderr.strip()
    assert time.monotonic() - started < 20
    expected = ("larger than 1 MB" if device.startswith("/proc") else "a pipe, device or socket")
    assert line.startswith(f"{device}:1: ") and expected in line, line


def test_a_symlink_in_the_template_folder_is_not_followed(tmp_path):
    """Another member of a shared folder could plant a link to one of your own files."""
    folder = tmp_path / "shared"
    folder.mkdir()
    elsewhere = tmp_path / "private.yaml"
    shutil.copy(ROOT / "tests" / "data" / "mini.yaml", elsewhere)
    (folder / "planted.yaml").symlink_to(elsewhere)
    set_template_dir(tmp_path, folder)
    result = cli(["templates", "list"], tmp_path)
    assert "mini" not in result.stdout.split()
    assert result.stderr.strip() == (f"skipped: {folder / 'planted.yaml'}:1: it is a symbolic link, and audit-tui "
                                     "reads only plain files there")
    named = invoke("templates", "validate", str(folder / "planted.yaml"), cwd=tmp_path)  # named: read
    assert named.returncode == 0, named.stderr


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_imports_case_lists_and_settings_refuse_pipes_and_devices(tmp_path, kind):
    """`import` by the real script; merge, the case lists and the settings in one more child process."""
    db = str(tmp_path / "a.db")
    assert invoke("--db", db, "rounds", "create", "R1", "--from", "2026-02-09", "--to", "2026-02-13",
                  cwd=tmp_path).returncode == 0

    def hostile(name: str) -> Path:
        path = tmp_path / name
        if kind == "pipe":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
        return path

    assert "nothing was read from it" in one_line(cli(["--db", db, "import", str(hostile("in.json"))], tmp_path,
                                                      timeout=30))
    cases = [(["--db", db, "merge", str(hostile("other.json"))], ""),
             (["--db", db, "rounds", "import-cases", "R1", str(hostile("cases.csv"))], "nothing was read from it"),
             (["--db", db, "rounds", "import-cases", "R1", str(hostile("cases.xlsx"))], "nothing was read from it")]
    (tmp_path / "config").mkdir(exist_ok=True)
    hostile("config/settings.json")
    *refused, listed = commands_in_one_process([args for args, _ in cases] + [["--db", db, "rounds", "list"]],
                                               tmp_path, timeout=60)
    for (_, phrase), result in zip(cases, refused):
        line = one_line(result)
        assert phrase in line, line
    assert listed.returncode == 0 and "R1" in listed.stdout, listed.stderr  # settings unreadable: the defaults


# -- an XLSX case list that unpacks to hundreds of megabytes ---------------------------------


def xlsx_with_rows(path: Path, rows: int, *, numbered: bool) -> Path:
    """A real workbook whose first sheet has a header and `rows` rows of cases: `numbered` rows are
    distinct (CL-2, CL-3, ...); others repeat one row, which compresses about 300 to 1."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["case ref", "auditor"])
    skeleton = io.BytesIO()
    workbook.save(skeleton)
    source = zipfile.ZipFile(skeleton)
    cell = b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            head, rest = data.split(b"<sheetData>")
            with out.open(info.filename, "w") as part:
                part.write(head.replace(b'ref="A1:B1"', b'ref="A1:B%d"' % (rows + 1)) + b"<sheetData>")
                part.write(b'<row r="1">' + cell % (b"A", 1, b"case ref") + cell % (b"B", 1, b"auditor") + b"</row>")
                if numbered:
                    for n in range(2, rows + 2):
                        part.write(b'<row r="%d">' % n + cell % (b"A", n, b"CL-%d" % n) + cell % (b"B", n, b"Sam")
                                   + b"</row>")
                else:
                    row = b"<row>" + b'<c t="inlineStr"><is><t>CL-1</t></is></c>' * 2 + b"</row>"
                    for _ in range(rows // 10_000):
                        part.write(row * 10_000)
                part.write(b"</sheetData>" + rest.split(b"</sheetData>")[1])
    return path


def test_an_xlsx_case_list_that_unpacks_to_hundreds_of_megabytes_is_refused_in_seconds(tmp_path):
    bomb = xlsx_with_rows(tmp_path / "cases.xlsx", 3_000_000, numbered=False)  # 276 MB in 0.9 MB
    assert bomb.stat().st_size < 1_000_000
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) > 250 * 1024**2
    db = str(tmp_path / "a.db")
    invoke("--db", db, "rounds", "create", "R1", "--from", "2026-02-09", "--to", "2026-02-13", cwd=tmp_path)
    started = time.monotonic()
    line = one_line(cli(["--db", db, "rounds", "import-cases", "R1", str(bomb)], tmp_path, timeout=60,
                        memory=1024**3))
    assert time.monotonic() - started < 15
    assert line.startswith(f"audit-tui: error: {bomb}: it unpacks to ") and "more than the 50 MB allowed" in line


def test_a_case_list_with_too_many_rows_is_refused_before_it_is_all_read(tmp_path):
    big = xlsx_with_rows(tmp_path / "cases.xlsx", 60_000, numbered=True)  # 6 MB unpacked: under that cap
    db = str(tmp_path / "a.db")
    invoke("--db", db, "rounds", "create", "R1", "--from", "2026-02-09", "--to", "2026-02-13", cwd=tmp_path)
    started = time.monotonic()
    line = one_line(cli(["--db", db, "rounds", "import-cases", "R1", str(big)], tmp_path, timeout=60))
    assert time.monotonic() - started < 15
    assert "more than 10,000 rows" in line and "nothing was imported" in line, line
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text("case ref,auditor\n" + "".join(f"CL-{n},Sam\n" for n in range(10_001)))
    assert "more than 10,000 rows" in one_line(invoke("--db", db, "rounds", "import-cases", "R1", str(csv_file),
                                                      cwd=tmp_path))


def test_every_row_is_read_whatever_size_the_workbook_declares(tmp_path):
    """openpyxl's streaming mode trusts the sheet's declared size: a file declaring A1:B1 lost its rows."""
    workbook = xlsx_with_rows(tmp_path / "cases.xlsx", 3, numbered=True)
    data = zipfile.ZipFile(workbook)
    parts = {i.filename: data.read(i.filename) for i in data.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'ref="A1:B4"', b'ref="A1:B1"')
    with zipfile.ZipFile(workbook, "w") as out:
        for name, content in parts.items():
            out.writestr(name, content)
    db = str(tmp_path / "a.db")
    invoke("--db", db, "rounds", "create", "R1", "--from", "2026-02-09", "--to", "2026-02-13", "--template",
           "care-leavers", cwd=tmp_path)
    result = invoke("--db", db, "rounds", "import-cases", "R1", str(workbook), cwd=tmp_path)
    assert result.returncode == 0 and "3 case(s) added" in result.stdout, result.stdout + result.stderr


# -- item 9: arguments that were taken at their word ----------------------------------------


def test_report_with_an_empty_audit_id_is_refused(tmp_path):
    db = str(tmp_path / "a.db")
    line = one_line(cli(["--db", db, "report", "-o", "one.docx", "--audit", ""], tmp_path))
    assert line == ("audit-tui: error: --audit is empty: give the audit's id (its first 6 characters are enough), "
                    "or leave --audit out for the whole report")
    assert not (tmp_path / "one.docx").exists()


def test_a_round_with_an_unknown_template_is_refused_naming_the_known_ones(tmp_path):
    db = str(tmp_path / "a.db")
    line = one_line(cli(["--db", db, "rounds", "create", "R1", "--from", "2026-02-09", "--to", "2026-02-13",
                         "--template", "nonexistent", "--template", "care-leavers"], tmp_path))
    assert line == ("audit-tui: error: there is no template “nonexistent” (known templates: care-leavers, "
                    "child-protection, children-in-need, children-looked-after, supervision-oversight)")
    assert "R1" not in invoke("--db", db, "rounds", "list", cwd=tmp_path).stdout
