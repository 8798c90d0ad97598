"""The documents as a reader sees them: laid out by LibreOffice into a PDF, read back page by page
(README "Fit to circulate", "Contents"). Skipped where LibreOffice or poppler's pdftotext is not
installed (`apt-get install libreoffice-writer-nogui poppler-utils`)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main

from .factories import known_dataset

pytestmark = [pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                 reason="needs LibreOffice (soffice) and pdftotext"),
              pytest.mark.xdist_group("documents_rendered")]  # laid out once, on one worker (--dist loadgroup)
MARKING = "OFFICIAL-SENSITIVE"


def pages_of(docx_path, tmp_path) -> list[list[str]]:
    """The PDF LibreOffice makes of `docx_path`, as each page's non-empty lines (marking and page
    number left out)."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / (docx_path.stem + ".pdf")), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [[line.strip() for line in page.splitlines()
             if line.strip() and line.strip() != MARKING and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
            for page in text.split("\f")[:-1]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendered")
    store = known_dataset(folder / "audits.db")
    store.close()
    with sqlite3.connect(folder / "audits.db") as conn:
        audit = conn.execute("SELECT a.id FROM audits a JOIN actions x ON x.audit_id = a.id "
                             "WHERE a.status = 'completed' LIMIT 1").fetchone()[0]
    runner = CliRunner()
    for args in (["report", "-o", str(folder / "report.docx")],
                 ["report", "--audit", audit, "-o", str(folder / "feedback.docx")]):
        result = runner.invoke(main, [*args, "--db", str(folder / "audits.db"), "--organisation", "Northbridge"])
        assert result.exit_code == 0, result.output
    return {kind: pages_of(folder / f"{kind}.docx", folder) for kind in ("report", "feedback")}


def test_contents_page_numbers_are_the_pages_the_headings_are_on(rendered):
    pages = rendered["report"]
    entries = [re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+)", line) for line in pages[1]]
    entries = [(m.group(1), int(m.group(2))) for m in entries if m]
    assert len(entries) >= 10 and entries[0][0] == "Open safeguarding concerns"
    for text, page in entries:
        assert text in pages[page - 1], (text, page)


def test_feedback_has_no_page_left_with_a_line_or_two(rendered):
    """The sign-off with its room to write, and the worker's lines, are kept together on a page."""
    pages = rendered["feedback"]
    assert all(len(page) >= 5 for page in pages), [page[:3] for page in pages]
    sign_off = next(page for page in pages if "Manager's sign-off" in page)
    assert any(line.startswith("Manager's comments") for line in sign_off)
    assert any(line.startswith("Date") for line in sign_off)


def test_feedback_next_steps_heading_is_on_the_page_of_its_table(rendered):
    page = next(page for page in rendered["feedback"] if "Next steps" in page)
    assert any(re.match(r"Action\s+Owner\s+Due\s+Status", line) for line in page)
